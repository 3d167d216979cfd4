"""The pure rules of mission progress and the progress API's edge, without Firestore."""

from datetime import datetime, timezone

import pytest

from mission_commander.errors import MissionCommanderError
from mission_commander.progress import checkpoint_update, progress_view, start_update
from mission_commander.progress_api import ProgressApi
from mission_commander.settings import Settings

NOW = datetime(2026, 1, 2, 3, 4, 5, tzinfo=timezone.utc)
LATER = datetime(2026, 1, 3, 3, 4, 5, tzinfo=timezone.utc)
ENROLLMENT = {"id": "u1_m1", "user_id": "u1", "mission_id": "m1", "progress": 0.0, "completed": False,
              "last_accessed_at": "2026-01-01T00:00:00Z", "updated_at": "2026-01-01T00:00:00Z"}


def test_ticking_counts_each_checkpoint_once_and_completes_at_the_last():
    first = checkpoint_update(ENROLLMENT, 4, 2, True, NOW)
    assert first["completed_checkpoints"] == [2] and first["progress"] == 0.25 and first["completed"] is False
    assert first["last_accessed_at"] == first["updated_at"] == "2026-01-02T03:04:05Z"
    assert first["started_at"] == "2026-01-02T03:04:05Z"  # ticking starts the mission
    again = checkpoint_update({**ENROLLMENT, **first}, 4, 2, True, LATER)
    assert again["completed_checkpoints"] == [2] and again["progress"] == 0.25
    assert "started_at" not in again  # the first start is kept
    state = {**ENROLLMENT, **first}
    for index in (0, 1, 3):
        state = {**state, **checkpoint_update(state, 4, index, True, LATER)}
    assert state["progress"] == 1.0 and state["completed"] is True
    undone = checkpoint_update(state, 4, 1, False, LATER)
    assert undone["completed_checkpoints"] == [0, 2, 3] and undone["progress"] == 0.75 and undone["completed"] is False


def test_start_keeps_the_first_start_and_progress_view_names_the_next_open_checkpoint():
    started = {**ENROLLMENT, **start_update(ENROLLMENT, 3, NOW)}
    assert started["started_at"] == "2026-01-02T03:04:05Z" and started["progress"] == 0.0
    restarted = start_update(started, 3, LATER)
    assert restarted["started_at"] == "2026-01-02T03:04:05Z" and restarted["last_accessed_at"] == "2026-01-03T03:04:05Z"
    view = progress_view({**started, "completed_checkpoints": [0, 2]}, 3)
    assert view["next_checkpoint"] == 1 and view["completed_checkpoints"] == [0, 2]
    assert progress_view({**started, "completed_checkpoints": [0, 1, 2]}, 3)["next_checkpoint"] is None


@pytest.mark.parametrize("index", [-1, 4, 99, True, "1"])
def test_a_checkpoint_that_does_not_exist_is_not_found(index):
    with pytest.raises(MissionCommanderError) as err:
        checkpoint_update(ENROLLMENT, 4, index, True, NOW)
    assert err.value.code.value == "not_found"


def test_stored_junk_in_completed_checkpoints_is_ignored():
    update = checkpoint_update({**ENROLLMENT, "completed_checkpoints": [0, 7, "x", -1, 0]}, 3, 1, True, NOW)
    assert update["completed_checkpoints"] == [0, 1] and update["progress"] == round(2 / 3, 4)


def make_api(calls, origins=("http://app.example",)):
    def change(user_id, enrollment_id, update, now):
        calls.append((user_id, enrollment_id))
        return {**ENROLLMENT, **update(ENROLLMENT, 4, now)}, 4
    return ProgressApi(Settings(project_id="demo-x", allow_origins=origins), verify_token=lambda token: "u1",
                       change=change, clock=lambda: NOW)


def test_the_api_routes_verifies_and_answers_progress():
    calls = []
    api = make_api(calls)
    resp = api.handle("PATCH", "/api/v1/enrollments/u1_m1/checkpoints/1", {"Authorization": "Bearer t"}, b'{"done": true}')
    assert resp.status == 200 and resp.body["completed_checkpoints"] == [1] and resp.body["next_checkpoint"] == 0
    assert api.handle("POST", "/api/v1/enrollments/u1_m1/start", {"Authorization": "Bearer t"}, b"").status == 200
    assert calls == [("u1", "u1_m1"), ("u1", "u1_m1")]
    assert api.handle("GET", "/api/v1/enrollments/u1_m1/start", {}, b"").status == 405
    assert api.handle("PATCH", "/api/v1/enrollments/u1_m1/checkpoints/1", {}, b'{"done": true}').status == 401
    assert api.handle("PATCH", "/api/v1/enrollments/u1_m1/other", {}, b"").status == 404
    assert len(calls) == 2  # refusals reach no store


def test_the_api_refuses_a_foreign_origin_before_anything_and_answers_cors_to_an_allowed_one():
    calls = []
    api = make_api(calls)
    refused = api.handle("PATCH", "/api/v1/enrollments/u1_m1/checkpoints/1",
                         {"Authorization": "Bearer t", "Origin": "https://evil.example"}, b'{"done": true}')
    assert refused.status == 403 and refused.body == {"error": {"code": "origin_not_allowed", "message": "Origin not allowed"}}
    assert calls == []
    preflight = api.handle("OPTIONS", "/api/v1/enrollments/u1_m1/checkpoints/1", {"Origin": "http://app.example"}, b"")
    assert preflight.status == 204 and preflight.headers["Access-Control-Allow-Origin"] == "http://app.example"
    assert "PATCH" in preflight.headers["Access-Control-Allow-Methods"]


@pytest.mark.parametrize("body, code", [(b"{", "invalid_json"), (b'{"done": 1}', "invalid_message"),
                                        (b"[]", "invalid_message"), (b"", "invalid_message")])
def test_the_api_explains_a_bad_body(body, code):
    calls = []
    resp = make_api(calls).handle("PATCH", "/api/v1/enrollments/u1_m1/checkpoints/1", {"Authorization": "Bearer t"}, body)
    assert resp.status == 400 and resp.body["error"]["code"] == code and calls == []
