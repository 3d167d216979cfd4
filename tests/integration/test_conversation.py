"""The guide's full conversation through the front door (nginx → functions
emulator / gateway), with the trigger delivered by the Functions emulator."""

from __future__ import annotations

import json
import os
import subprocess

import pytest
from websockets.exceptions import ConnectionClosed

from tools.local_stack import ROOT

from .support import GUIDE_CONVERSATION


def run_conversation(client, token):
    session_id = client.create_session(token)
    received = []
    with client.connect(session_id, token) as ws:
        connected = client.recv(ws)
        assert connected == {"type": "connected",
                             "message": "Connected to Mission Commander. Starting your learning journey..."}
        for text in GUIDE_CONVERSATION:
            received.append(client.say(ws, text))
        with pytest.raises(ConnectionClosed) as closed:
            ws.recv(timeout=10)
        assert closed.value.rcvd is not None and closed.value.rcvd.code == 1000
    return session_id, received


@pytest.mark.parametrize("who", ["dev token", "Auth emulator user"])
def test_guide_conversation_to_mission_created(client, who):
    if who == "dev token":
        token, user_id = "test-token", "user123"
    else:
        user_id, token = client.sign_up(f"learner-{os.getpid()}@example.com")
    session_id, received = run_conversation(client, token)

    assert [m["type"] for m in received] == ["agent_message"] * 4 + ["mission_created"]
    assert "motivation" in received[0]["content"].lower()
    assert "experience" in received[1]["content"].lower()
    assert "week" in received[2]["content"].lower()
    assert "Python for data analysis" in received[3]["content"] and "Is that correct?" in received[3]["content"]

    final = received[4]
    assert final["message"] == "Mission created successfully!"
    mission, enrollment = final["mission"], final["enrollment"]
    assert list(mission) == ["id", "title", "short_description", "description", "level", "topics_to_cover",
                             "learning_goal", "byte_size_checkpoints", "skills", "creator_id", "is_public",
                             "created_at", "updated_at"]
    assert mission["title"] == "Python for Data Analysis" and mission["level"] == "Beginner"
    assert mission["creator_id"] == user_id and mission["is_public"] is True
    assert 4 <= len(mission["byte_size_checkpoints"]) <= 10
    assert mission["byte_size_checkpoints"][-1].startswith("Final Project")
    assert mission["created_at"].endswith("Z") and "T" in mission["created_at"]
    assert enrollment["id"] == f"{user_id}_{mission['id']}"
    assert enrollment["progress"] == 0.0 and enrollment["completed"] is False
    assert enrollment["user_id"] == user_id and enrollment["mission_id"] == mission["id"]

    # Firestore holds exactly what the client received.
    assert client.doc("missions", mission["id"]) == mission
    assert client.doc("enrollments", enrollment["id"]) == enrollment
    session = client.session_doc(session_id)
    assert session["status"] == "completed" and session["mission_id"] == mission["id"]
    assert session["user_id"] == user_id
    turns = client.turns(session_id)
    assert [t["seq"] for t in turns] == list(range(1, 11))
    assert [t["role"] for t in turns] == ["user", "agent"] * 5
    assert [t["content"] for t in turns if t["role"] == "user"] == GUIDE_CONVERSATION
    assert all(t["user_id"] == user_id for t in turns)

    # The session is used up: the guide's "Inactive session" row.
    with client.connect(session_id, token) as ws:
        with pytest.raises(ConnectionClosed) as closed:
            ws.recv(timeout=10)
    assert closed.value.rcvd.code == 1008 and closed.value.rcvd.reason == "Inactive session"


def test_the_guides_manual_walkthrough_with_curl_and_wscat(stack):
    """The guide's "Manual Testing with wscat" commands, verbatim but for the port."""
    base = f"localhost:{stack.ports.front}"
    created = subprocess.run(
        ["curl", "-s", "-X", "POST", f"http://{base}/api/v1/sessions", "-H", "Authorization: Bearer test-token"],
        capture_output=True, text=True, timeout=30, check=True)
    body = json.loads(created.stdout)
    assert body["user_id"] == "user123" and body["session_id"]
    wscat = ROOT / "node_modules" / ".bin" / "wscat"
    # wscat quits when its stdin closes, so hold it open while it runs.
    proc = subprocess.Popen(
        [str(wscat), "-c", f"ws://{base}/api/v1/mission-commander/ws?session_id={body['session_id']}&token=test-token",
         "-x", '{"type": "user_message", "content": "I want to learn Python"}', "-w", "4"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        proc.wait(timeout=30)
        out = proc.stdout.read()
    finally:
        proc.kill()
        proc.stdin.close()
        proc.stdout.close()
    assert '"type":"connected"' in out
    assert '"type":"agent_message"' in out and "motivation" in out


def test_health_through_the_front_door_and_on_the_gateway(client, stack):
    resp = client.http.get(f"{stack.front_url}/health", timeout=10)
    assert resp.status_code == 200 and resp.json()["status"] == "ok"
    resp = client.http.get(f"{stack.gateway_url}/health", timeout=10)
    assert resp.status_code == 200 and resp.json()["status"] == "ok"
