"""Learners with varied phrasing, through the front door to the offline interviewer on the
emulators: each gets a mission whose subject, level and plan fit what they said, and no
negative or hesitant reply to the summary creates anything."""

from __future__ import annotations

import pytest
from websockets.exceptions import ConnectionClosed

from mission_commander.schema import mission_id_for


def converse(client, messages):
    """Send each message in turn; the replies (the gateway's ack skipped by ``say``)."""
    session_id = client.create_session()
    replies = []
    with client.connect(session_id) as ws:
        assert client.recv(ws)["type"] == "connected"
        for text in messages:
            replies.append(client.say(ws, text))
        if replies[-1]["type"] == "mission_created":
            with pytest.raises(ConnectionClosed):
                ws.recv(timeout=10)
    return session_id, replies


LEARNERS = [
    pytest.param(
        ["hey", "I'd like to get into Python, I think", "to automate boring reports at work",
         "I'm not a professional, but I've coded Java for 10 years", "two hours a day",
         "yes but make it 4 hours", "👍"],
        {"title": "Python for Workplace Automation", "level": "Beginner", "in_checkpoints": "Automat",
         "in_description": ["Java, 10 years", "about 4 hours per week"]},
        id="automation, neighbouring skill, mixed yes"),
    pytest.param(
        ["photosynthesis", "for my biology exam", "I know the basics", "half an hour a day", "Yes, that's correct"],
        {"title": "Photosynthesis Exam Preparation", "level": "Intermediate", "in_checkpoints": "Mock Exam",
         "in_description": ["about 3.5 hours per week"]},
        id="unknown subject, exam track"),
    pytest.param(
        ["Hello! I'd like to learn Spanish because I'm moving to Madrid",
         "I speak French fluently, no Spanish at all", "a couple of hours on weekends", "sure, go ahead"],
        {"title": "Spanish for Travel", "level": "Beginner", "in_checkpoints": "Trip",
         "in_description": ["French", "about 2 hours per week"]},
        id="language, travel, prior language kept"),
    pytest.param(
        ["<b>guitar</b>", "idk", "dunno", "never did it", "whenever", "no idea", "yes"],
        {"title": "Guitar", "level": "Beginner", "in_checkpoints": "Song",
         "in_description": ["about 3 hours per week"]},
        id="markup and answers it cannot read: defaults taken and stated"),
]


@pytest.mark.parametrize("messages, expect", LEARNERS)
def test_varied_learners_get_missions_that_fit(client, messages, expect):
    session_id, replies = converse(client, messages)
    assert [r["type"] for r in replies[:-1]] == ["agent_message"] * (len(messages) - 1)
    final = replies[-1]
    assert final["type"] == "mission_created"
    mission = final["mission"]
    assert mission["title"] == expect["title"] and mission["level"] == expect["level"]
    assert any(expect["in_checkpoints"] in c for c in mission["byte_size_checkpoints"]), mission
    for text in expect["in_description"]:
        assert text in mission["description"], mission["description"]
    for field in ("title", "short_description", "description", "learning_goal"):
        assert "<" not in mission[field] and ">" not in mission[field]
    assert client.doc("missions", mission["id"]) == mission
    for reply in replies[:-1]:  # no question was asked three times
        assert sum(r["content"] == reply["content"] for r in replies[:-1]) <= 2


def test_defaults_are_stated_in_the_summary(client):
    _, replies = converse(client, ["guitar", "idk", "dunno", "never", "whenever", "no idea"])
    summary = replies[-1]["content"]
    assert "I assumed you're learning out of personal interest — tell me if that's wrong." in summary
    assert "I assumed you have about 3 hours per week — tell me if that's wrong." in summary
    assert "Is that correct?" in summary


NOT_A_YES = ["no", "No.", "um no, I don't think so", "hold on", "not yet", "hmm", "yes?", "what happens next?",
             "sí", "🤔", "maybe"]


def test_only_a_clear_yes_creates_the_mission(client):
    session_id = client.create_session()
    with client.connect(session_id) as ws:
        assert client.recv(ws)["type"] == "connected"
        for text in ("I want to learn SQL", "my job needs reports", "never", "3 hours a week"):
            summary = client.say(ws, text)
        assert "Is that correct?" in summary["content"]
        for text in NOT_A_YES:
            reply = client.say(ws, text)
            assert reply["type"] == "agent_message", (text, reply)
            assert "What should I change?" in reply["content"], (text, reply)
        mixed = client.say(ws, "yes but make it 5 hours")
        assert mixed["type"] == "agent_message" and "about 5 hours per week" in mixed["content"]
        assert "Is that correct?" in mixed["content"]
    assert client.doc("missions", mission_id_for(session_id)) is None
    session = client.session_doc(session_id)
    assert session["status"] == "active" and session["mission_id"] is None
    assert session["profile"]["stage"] == "confirm" and session["profile"]["weekly_hours"] == 5
    assert client.count("enrollments", user_id="user123", mission_id=mission_id_for(session_id)) == 0
