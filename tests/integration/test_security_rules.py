"""firestore.rules on the emulator, through the REST API as a client SDK would
call it (Auth-emulator ID tokens); the admin SDK bypasses rules."""

from __future__ import annotations

import pytest

from tools.local_stack import PROJECT_ID

from .support import GUIDE_CONVERSATION


@pytest.fixture(scope="module")
def world(client):
    owner_uid, owner = client.sign_up("owner@example.com")
    _, stranger = client.sign_up("stranger@example.com")
    session_id = client.create_session(owner)
    with client.connect(session_id, owner) as ws:
        client.recv(ws)
        final = [client.say(ws, text) for text in GUIDE_CONVERSATION][-1]
    mission, enrollment = final["mission"], final["enrollment"]
    private_id = "private-mission-" + session_id
    client.db.collection("missions").document(private_id).set({**mission, "id": private_id, "is_public": False})
    return {"owner_uid": owner_uid, "owner": owner, "stranger": stranger, "session": session_id,
            "mission": mission["id"], "private": private_id, "enrollment": enrollment["id"]}


def rest(client, method, path, token=None, json=None):
    url = (f"http://127.0.0.1:{client.stack.ports.firestore}/v1/projects/{PROJECT_ID}"
           f"/databases/(default)/documents/{path}")
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return client.http.request(method, url, headers=headers, json=json, timeout=10)


def test_owners_read_their_own_documents(client, world):
    owner = world["owner"]
    for path in (f"sessions/{world['session']}", f"sessions/{world['session']}/turns/000001",
                 f"sessions/{world['session']}/replies/000002",
                 f"missions/{world['mission']}", f"missions/{world['private']}",
                 f"enrollments/{world['enrollment']}"):
        assert rest(client, "GET", path, owner).status_code == 200, path


def test_owners_can_list_their_turns_and_enrollments(client, world):
    query = {"structuredQuery": {"from": [{"collectionId": "enrollments"}], "where": {"fieldFilter": {
        "field": {"fieldPath": "user_id"}, "op": "EQUAL", "value": {"stringValue": world["owner_uid"]}}}}}
    url = f"http://127.0.0.1:{client.stack.ports.firestore}/v1/projects/{PROJECT_ID}/databases/(default)/documents:runQuery"
    resp = client.http.post(url, json=query, headers={"Authorization": f"Bearer {world['owner']}"}, timeout=10)
    assert resp.status_code == 200 and any("document" in row for row in resp.json())
    for name in ("turns", "replies"):
        listed = rest(client, "GET", f"sessions/{world['session']}/{name}", world["owner"])
        assert listed.status_code == 200 and len(listed.json()["documents"]) == 5


def test_public_missions_are_readable_by_any_signed_in_user(client, world):
    assert rest(client, "GET", f"missions/{world['mission']}", world["stranger"]).status_code == 200
    assert rest(client, "GET", f"missions/{world['mission']}").status_code == 403


def test_other_users_are_denied(client, world):
    stranger = world["stranger"]
    for path in (f"sessions/{world['session']}", f"sessions/{world['session']}/turns/000001",
                 f"sessions/{world['session']}/replies/000002",
                 f"missions/{world['private']}", f"enrollments/{world['enrollment']}"):
        assert rest(client, "GET", path, stranger).status_code == 403, path
    assert rest(client, "GET", f"sessions/{world['session']}/turns", stranger).status_code == 403
    assert rest(client, "GET", f"sessions/{world['session']}/replies", stranger).status_code == 403


def test_unauthenticated_reads_are_denied(client, world):
    for path in (f"sessions/{world['session']}", f"enrollments/{world['enrollment']}"):
        assert rest(client, "GET", path).status_code == 403


@pytest.mark.parametrize("path", ["sessions/{session}", "sessions/{session}/turns/000099",
                                  "sessions/{session}/replies/000098", "missions/{mission}",
                                  "enrollments/{enrollment}", "missions/brand-new", "anything/else",
                                  "connections/{session}", "rate_limits/sessions_{owner_uid}_000"])
def test_every_client_write_is_denied(client, world, path):
    path = path.format(**world)
    body = {"fields": {"user_id": {"stringValue": world["owner_uid"]},
                       "creator_id": {"stringValue": world["owner_uid"]}}}
    assert rest(client, "PATCH", path, world["owner"], json=body).status_code == 403
    assert rest(client, "DELETE", path, world["owner"]).status_code == 403


def test_the_owner_cannot_write_progress_directly(client, world):
    """Ticking checkpoints goes through the progress API; a client write of the progress fields is
    refused even on the owner's own enrollment, and leaves it unchanged."""
    body = {"fields": {"progress": {"doubleValue": 1.0}, "completed": {"booleanValue": True},
                       "completed_checkpoints": {"arrayValue": {"values": [{"integerValue": "0"}]}}}}
    path = (f"enrollments/{world['enrollment']}?updateMask.fieldPaths=progress&updateMask.fieldPaths=completed"
            "&updateMask.fieldPaths=completed_checkpoints")
    assert rest(client, "PATCH", path, world["owner"], json=body).status_code == 403
    assert client.doc("enrollments", world["enrollment"])["progress"] == 0.0


def test_a_missing_mission_reads_as_not_found_but_a_private_one_as_denied(client, world):
    """So the app can tell "not found" from "not public": asking for an id that does not exist is
    allowed (404), someone else's private mission is denied (403)."""
    assert rest(client, "GET", "missions/no-such-mission-id", world["stranger"]).status_code == 404
    assert rest(client, "GET", f"missions/{world['private']}", world["stranger"]).status_code == 403
    assert rest(client, "GET", "missions/no-such-mission-id").status_code == 403  # signed out: nothing
    assert rest(client, "GET", f"enrollments/{world['owner_uid']}_none", world["owner"]).status_code == 404


def test_the_owner_finds_the_session_of_a_mission_and_nobody_else_does(client, world):
    """The read-only past conversation: the app finds the session by (user_id, mission_id)."""
    def query(token, uid):
        body = {"structuredQuery": {"from": [{"collectionId": "sessions"}], "where": {"compositeFilter": {
            "op": "AND", "filters": [
                {"fieldFilter": {"field": {"fieldPath": "user_id"}, "op": "EQUAL", "value": {"stringValue": uid}}},
                {"fieldFilter": {"field": {"fieldPath": "mission_id"}, "op": "EQUAL",
                                 "value": {"stringValue": world["mission"]}}}]}}}}
        url = f"http://127.0.0.1:{client.stack.ports.firestore}/v1/projects/{PROJECT_ID}/databases/(default)/documents:runQuery"
        return client.http.post(url, json=body, headers={"Authorization": f"Bearer {token}"}, timeout=10)

    mine = query(world["owner"], world["owner_uid"])
    assert mine.status_code == 200
    assert [row["document"]["name"].rsplit("/", 1)[1] for row in mine.json() if "document" in row] == [world["session"]]
    assert query(world["stranger"], world["owner_uid"]).status_code == 403
