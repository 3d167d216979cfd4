"""The guide's error table (server side) and bad input on a live connection."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.sync.client import connect

from .support import unsigned_token


def closed_with(client, url_query: str) -> tuple[int, str]:
    with connect(f"{client.stack.ws_url}?{url_query}", open_timeout=15) as ws:
        with pytest.raises(ConnectionClosed) as info:
            ws.recv(timeout=15)
    return info.value.rcvd.code, info.value.rcvd.reason


def test_missing_or_invalid_token_closes_1008(client):
    session_id = client.create_session()
    assert closed_with(client, f"session_id={session_id}") == (1008, "Missing token")
    assert closed_with(client, f"session_id={session_id}&token=not-a-token") == (1008, "Invalid token")


def test_expired_token_closes_1008(client):
    uid, token = client.sign_up()
    session_id = client.create_session(token)
    past = int((datetime.now(timezone.utc) - timedelta(hours=2)).timestamp())
    expired = unsigned_token({"iss": "https://securetoken.google.com/demo-mission-commander",
                              "aud": "demo-mission-commander", "auth_time": past, "user_id": uid, "sub": uid,
                              "iat": past, "exp": past + 3600, "firebase": {"sign_in_provider": "anonymous"}})
    code, reason = closed_with(client, f"session_id={session_id}&token={expired}")
    assert code == 1008 and reason.startswith("Invalid token")


def test_missing_or_unknown_session_closes_1008(client):
    assert closed_with(client, "token=test-token") == (1008, "Missing session_id")
    assert closed_with(client, "session_id=does-not-exist&token=test-token") == (1008, "Session not found")


def test_another_users_session_is_not_found(client):
    session_id = client.create_session("other-token")
    assert closed_with(client, f"session_id={session_id}&token=test-token") == (1008, "Session not found")


def test_inactive_sessions_close_1008(client):
    expired = client.create_session()
    client.db.collection("sessions").document(expired).update(
        {"expires_at": datetime.now(timezone.utc) - timedelta(minutes=1)})
    assert closed_with(client, f"session_id={expired}&token=test-token")[0] == 1008
    assert closed_with(client, f"session_id={expired}&token=test-token")[1].startswith("Inactive session")
    completed = client.create_session()
    client.db.collection("sessions").document(completed).update({"status": "completed"})
    assert closed_with(client, f"session_id={completed}&token=test-token") == (1008, "Inactive session")


BAD_FRAMES = [
    ("not json at all", "invalid_json", "Invalid JSON"),
    ('{"type": "user_message", "content": "unterminated', "invalid_json", "Invalid JSON"),
    ("[1, 2, 3]", "invalid_message", "JSON object"),
    ('{"content": "no type"}', "invalid_message", "'type'"),
    ('{"type": "dance"}', "unknown_type", "'dance'"),
    ('{"type": "user_message"}', "missing_content", "Missing 'content'"),
    ('{"type": "user_message", "content": 12}', "missing_content", "must be a string"),
    ('{"type": "user_message", "content": ""}', "empty_content", "Empty"),
    ('{"type": "user_message", "content": "   \\n "}', "empty_content", "Empty"),
    (json.dumps({"type": "user_message", "content": "x" * 2001}), "content_too_long", "2001 characters"),
    (b"\x00\x01binary", "binary_frame", "Binary frames"),
]


def test_bad_input_gets_a_clear_error_and_loses_nothing(client):
    session_id = client.create_session()
    with client.connect(session_id) as ws:
        client.recv(ws)
        for frame, code, words in BAD_FRAMES:
            ws.send(frame)
            reply = client.recv(ws)
            assert reply["type"] == "error" and reply["code"] == code, (frame, reply)
            assert words in reply["message"]
            ws.send('{"type": "ping"}')
            assert client.recv(ws) == {"type": "pong"}
        assert client.turns(session_id) == []
        assert client.session_doc(session_id)["next_seq"] == 1
        # ... and the conversation still works on the same connection.
        reply = client.say(ws, "I want to learn Python")
        assert reply["type"] == "agent_message" and "motivation" in reply["content"]
    assert [t["content"] for t in client.turns(session_id)][:1] == ["I want to learn Python"]


def test_message_while_the_agent_is_answering_is_refused_clearly(client):
    session_id = client.create_session()
    with client.connect(session_id) as ws:
        client.recv(ws)
        ws.send(json.dumps({"type": "user_message", "content": "I want to learn SQL"}))
        ws.send(json.dumps({"type": "user_message", "content": "and also Rust"}))
        frames = [client.recv(ws)]
        while frames[-1]["type"] != "agent_message":
            frames.append(client.recv(ws))
        by_type = {frame["type"]: frame for frame in frames}
        assert sorted(f["type"] for f in frames) == ["ack", "agent_message", "error"]
        assert by_type["ack"]["seq"] == 1  # only the stored message is acknowledged
        assert by_type["error"]["code"] == "agent_busy"
        assert "Send this one again" in by_type["error"]["message"]
        assert "motivation" in by_type["agent_message"]["content"]
        turns = client.turns(session_id)
        assert [t["content"] for t in turns if t["role"] == "user"] == ["I want to learn SQL"]
        reply = client.say(ws, "I want to change careers")
        assert reply["type"] == "agent_message"


def test_a_message_sent_again_after_a_dropped_connection_is_stored_once(client):
    # The learner's connection drops right after sending; the client cannot know the message was
    # stored, so it sends it again on the next connection (before the answer could reach it).
    session_id = client.create_session()
    with client.connect(session_id) as ws:
        client.recv(ws)
        ws.send(json.dumps({"type": "user_message", "content": "I want to learn SQL"}))
        assert client.recv(ws) == {"type": "ack", "seq": 1}
    with client.connect(session_id) as ws:
        assert client.recv(ws)["type"] == "connected"
        ws.send(json.dumps({"type": "user_message", "content": "I want to learn SQL"}))
        frames = [client.recv(ws)]
        while frames[-1]["type"] != "agent_message":
            frames.append(client.recv(ws))
        assert frames[0] == {"type": "ack", "seq": 1}  # the same message: its own ack, not a new turn
        assert [f["seq"] for f in frames if f["type"] == "agent_message"] == [2]
        assert [t["content"] for t in client.turns(session_id) if t["role"] == "user"] == ["I want to learn SQL"]
        # The same words after the answer arrived are a new message.
        ws.send(json.dumps({"type": "user_message", "content": "I want to learn SQL"}))
        assert client.recv(ws) == {"type": "ack", "seq": 3}


def test_one_bad_client_does_not_hurt_another(client):
    calm, noisy = client.create_session(), client.create_session("other-token")
    with client.connect(calm) as ws_calm, client.connect(noisy, "other-token") as ws_noisy:
        client.recv(ws_calm), client.recv(ws_noisy)
        for _ in range(30):
            ws_noisy.send("garbage")
        reply = client.say(ws_calm, "I want to learn photography")
        assert reply["type"] == "agent_message"
        errors = [client.recv(ws_noisy) for _ in range(30)]
        assert all(e["code"] == "invalid_json" for e in errors)


def test_unknown_paths_are_404_and_plain_http_is_refused(client):
    resp = client.http.get(f"{client.stack.front_url}/api/v1/unknown", timeout=10)
    assert resp.status_code == 404 and resp.json()["error"]["code"] == "not_found"
    resp = client.http.get(f"{client.stack.gateway_url}/elsewhere", timeout=10)
    assert resp.status_code == 404
    with pytest.raises(InvalidStatus):
        with connect(f"ws://127.0.0.1:{client.stack.ports.gateway}/not-the-ws-path", open_timeout=10):
            pass
