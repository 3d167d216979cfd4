from datetime import datetime, timedelta, timezone

import pytest

from mission_commander import schema
from mission_commander.errors import ErrorCode, SessionError
from mission_commander.mission_plan import build_offline_plan
from mission_commander.profile import LearnerProfile, Level

NOW = datetime(2025, 10, 25, 10, 30, tzinfo=timezone.utc)


def session(**changes):
    return {**schema.new_session("user123", NOW, 3600), **changes}


def test_user_turn_takes_the_next_sequence_and_reserves_the_reply():
    plan = schema.plan_user_turn("s1", session(next_seq=5), "user123", "hello", NOW, 120)
    assert plan.turn_id == "000005" and plan.seq == 5
    assert plan.turn["role"] == "user" and plan.turn["content"] == "hello" and plan.turn["user_id"] == "user123"
    assert plan.session_update["next_seq"] == 7 and plan.session_update["pending_turn"] == "000005"
    assert schema.turn_id(schema.reply_seq(plan.seq)) == "000006"


@pytest.mark.parametrize("doc, user, code", [
    (None, "user123", ErrorCode.SESSION_NOT_FOUND),
    ({}, "user123", ErrorCode.SESSION_NOT_FOUND),
    ("own", "someone-else", ErrorCode.SESSION_NOT_FOUND),
    ("completed", "user123", ErrorCode.SESSION_INACTIVE),
    ("expired", "user123", ErrorCode.SESSION_INACTIVE),
    ("busy", "user123", ErrorCode.AGENT_BUSY),
])
def test_user_turn_refusals(doc, user, code):
    docs = {"own": session(), "completed": session(status="completed"),
            "expired": session(expires_at=NOW - timedelta(seconds=1)),
            "busy": session(pending_turn="000001", pending_since=NOW - timedelta(seconds=5))}
    with pytest.raises(SessionError) as info:
        schema.plan_user_turn("s1", docs[doc] if isinstance(doc, str) else doc, user, "hi", NOW, 120)
    assert info.value.code is code


def test_a_reply_that_never_came_does_not_block_forever():
    stale = session(pending_turn="000001", pending_since=NOW - timedelta(seconds=121), next_seq=3)
    assert schema.plan_user_turn("s1", stale, "user123", "hi again", NOW, 120).seq == 3


def test_mission_and_enrollment_documents_have_the_guides_fields_and_types():
    draft = build_offline_plan(LearnerProfile(subject="Python for data analysis", motivation="analyze data",
                                              level=Level.BEGINNER, weekly_hours=5))
    mission_id = schema.mission_id_for("s1")
    mission = schema.mission_document(mission_id, draft, "user123", NOW)
    enrollment = schema.enrollment_document(mission_id, "user123", NOW)
    assert list(mission) == list(schema.MISSION_FIELDS)
    assert list(enrollment) == list(schema.ENROLLMENT_FIELDS)
    assert mission["created_at"] == "2025-10-25T10:30:00Z" and mission["is_public"] is True
    assert isinstance(mission["topics_to_cover"], list) and isinstance(mission["byte_size_checkpoints"], list)
    assert enrollment == {"id": f"user123_{mission_id}", "user_id": "user123", "mission_id": mission_id,
                          "enrolled_at": "2025-10-25T10:30:00Z", "progress": 0.0,
                          "last_accessed_at": "2025-10-25T10:30:00Z", "completed": False,
                          "created_at": "2025-10-25T10:30:00Z", "updated_at": "2025-10-25T10:30:00Z"}
    assert schema.mission_id_for("s1") == mission_id != schema.mission_id_for("s2")


def test_client_message_for_turns():
    reply = schema.reply_document("s1", "u", 1, NOW, content="Hi", status=schema.TurnStatus.COMPLETE)
    assert schema.client_message_for_turn(reply) == {"type": "agent_message", "content": "Hi", "seq": 2}
    assert schema.client_message_for_turn({**reply, "status": "pending"}) == \
        {"type": "agent_message_delta", "content": "Hi", "seq": 2}
    assert schema.client_message_for_turn({**reply, "status": "pending", "content": ""}) is None
    assert schema.client_message_for_turn({**reply, "role": "user"}) is None
    error = {**reply, "kind": "error", "content": "Agent error: try again", "error_code": "agent_error"}
    assert schema.client_message_for_turn(error) == {"type": "error", "message": "Agent error: try again",
                                                     "code": "agent_error", "seq": 2}
    created = {**reply, "kind": "mission_created", "content": "Mission created successfully!",
               "mission": {"title": "T", "id": "m"}, "enrollment": {"user_id": "u", "id": "e"}}
    message = schema.client_message_for_turn(created)
    assert message["type"] == "mission_created" and list(message["mission"]) == ["id", "title"]
    assert list(message["enrollment"]) == ["id", "user_id"]


def test_iso_utc():
    assert schema.iso_utc(NOW) == "2025-10-25T10:30:00Z"
    assert schema.iso_utc(NOW.replace(microsecond=123456)) == "2025-10-25T10:30:00.123Z"
