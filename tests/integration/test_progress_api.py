"""The progress API through the front door: ticking checkpoints and starting a mission on the
real emulators, ownership, bad input, and concurrent ticks that must all count."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import datetime

import pytest

from .support import GUIDE_CONVERSATION


@pytest.fixture
def learner(client):
    uid, token = client.sign_up()
    session_id = client.create_session(token)
    with client.connect(session_id, token) as ws:
        client.recv(ws)
        final = [client.say(ws, text) for text in GUIDE_CONVERSATION][-1]
    assert final["type"] == "mission_created"
    return {"uid": uid, "token": token, "mission": final["mission"], "enrollment": final["enrollment"]["id"]}


def at(stamp: str) -> datetime:
    return datetime.fromisoformat(stamp.replace("Z", "+00:00"))


def call(client, method, path, token=None, json=None, headers=None):
    sent = {**({"Authorization": f"Bearer {token}"} if token else {}), **(headers or {})}
    return client.http.request(method, f"{client.stack.front_url}{path}", headers=sent, json=json, timeout=30)


def tick(client, learner, index, done=True, token=None):
    return call(client, "PATCH", f"/api/v1/enrollments/{learner['enrollment']}/checkpoints/{index}",
                token or learner["token"], json={"done": done})


def test_start_then_ticks_update_progress_completed_and_times(client, learner):
    before = client.doc("enrollments", learner["enrollment"])
    started = call(client, "POST", f"/api/v1/enrollments/{learner['enrollment']}/start", learner["token"])
    assert started.status_code == 200, started.text
    assert started.json()["next_checkpoint"] == 0 and started.json()["progress"] == 0.0
    stored = client.doc("enrollments", learner["enrollment"])
    assert stored["started_at"] and at(stored["last_accessed_at"]) >= at(before["last_accessed_at"])

    total = len(learner["mission"]["byte_size_checkpoints"])
    first = tick(client, learner, 0)
    assert first.status_code == 200, first.text
    assert first.json()["next_checkpoint"] == 1
    stored = client.doc("enrollments", learner["enrollment"])
    assert stored["progress"] == pytest.approx(1 / total, abs=1e-3)
    assert stored["completed_checkpoints"] == [0] and stored["completed"] is False
    assert at(stored["updated_at"]) >= at(before["updated_at"]) and stored["started_at"] == started.json()["started_at"]

    for index in range(total):
        assert tick(client, learner, index).status_code == 200
    stored = client.doc("enrollments", learner["enrollment"])
    assert stored["progress"] == 1.0 and stored["completed"] is True and stored["completed_checkpoints"] == list(range(total))

    untick = tick(client, learner, total - 1, done=False)
    assert untick.json()["completed"] is False and untick.json()["next_checkpoint"] == total - 1
    assert client.doc("enrollments", learner["enrollment"])["completed"] is False
    # The guide's fields keep their types and the enrollment's identity is untouched.
    stored = client.doc("enrollments", learner["enrollment"])
    assert stored["user_id"] == learner["uid"] and stored["enrolled_at"] == before["enrolled_at"]


def test_concurrent_ticks_from_two_tabs_lose_nothing(client, learner):
    total = len(learner["mission"]["byte_size_checkpoints"])
    indexes = list(range(total)) * 2  # two tabs, each ticking every checkpoint at once
    with ThreadPoolExecutor(max_workers=len(indexes)) as pool:
        statuses = list(pool.map(lambda i: tick(client, learner, i).status_code, indexes))
    assert statuses == [200] * len(indexes)
    stored = client.doc("enrollments", learner["enrollment"])
    assert stored["completed_checkpoints"] == list(range(total))
    assert stored["progress"] == 1.0 and stored["completed"] is True


def test_only_the_owner_may_change_an_enrollment(client, learner):
    _, stranger = client.sign_up()
    for resp in (tick(client, learner, 0, token=stranger),
                 call(client, "POST", f"/api/v1/enrollments/{learner['enrollment']}/start", stranger)):
        assert resp.status_code == 404
        assert resp.json() == {"error": {"code": "not_found", "message": "Enrollment not found"}}
    assert call(client, "PATCH", f"/api/v1/enrollments/{learner['enrollment']}/checkpoints/0",
                json={"done": True}).status_code == 401
    assert tick(client, learner, 0, token="not-a-token").status_code == 401
    stored = client.doc("enrollments", learner["enrollment"])
    assert stored["progress"] == 0.0 and "started_at" not in stored


def test_bad_input_gets_a_clear_error_and_changes_nothing(client, learner):
    base = f"/api/v1/enrollments/{learner['enrollment']}/checkpoints"
    cases = [
        (call(client, "PATCH", f"{base}/0", learner["token"], json={"done": "yes"}), 400, "invalid_message"),
        (client.http.patch(f"{client.stack.front_url}{base}/0", data="{not json",
                           headers={"Authorization": f"Bearer {learner['token']}"}, timeout=30), 400, "invalid_json"),
        (call(client, "PATCH", f"{base}/99", learner["token"], json={"done": True}), 404, "not_found"),
        (call(client, "POST", f"{base}/0", learner["token"], json={"done": True}), 405, "method_not_allowed"),
        (call(client, "PATCH", "/api/v1/enrollments/nope/checkpoints/0", learner["token"], json={"done": True}),
         404, "not_found"),
    ]
    for resp, status, code in cases:
        assert resp.status_code == status, resp.text
        assert resp.json()["error"]["code"] == code and resp.json()["error"]["message"]
    assert client.doc("enrollments", learner["enrollment"])["progress"] == 0.0
