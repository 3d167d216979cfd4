"""Faults and abuse against the real stack: gateway crashes and restarts,
SIGTERM, duplicate and out-of-order events, floods, limits, token trouble."""

from __future__ import annotations

import base64
import json
import os
import random
import signal
import socket
import threading
import time
from datetime import datetime, timedelta, timezone

import pytest
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.sync.client import connect

from .conftest import SESSION_CREATIONS_PER_HOUR
from .support import GUIDE_CONVERSATION, unsigned_token


def connect_resuming(client, session_id, last_seq, token="test-token"):
    url = f"{client.stack.ws_url}?session_id={session_id}&token={token}&last_seq={last_seq}"
    for _ in range(50):  # the gateway may still be starting
        try:
            return connect(url, open_timeout=10)
        except (OSError, InvalidStatus):
            time.sleep(0.2)
    raise AssertionError("could not reconnect")


def wait_stored(client, session_id, seq, timeout=15.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if any(t["seq"] == seq for t in client.turns(session_id)):
            return
        time.sleep(0.05)
    raise AssertionError(f"turn {seq} was never stored")


def final_message(client, ws, timeout=30.0):
    while True:
        message = client.recv(ws, timeout)
        if message["type"] not in ("agent_message_delta", "pong", "ack"):
            return message


def test_gateway_killed_mid_conversation_resumes_with_nothing_lost(client, stack, fault_log):
    """SIGKILL the gateway after each stored message, restart it, resume by last_seq."""
    for round_ in range(3):
        session_id = client.create_session()
        last_seq = 0
        received = []
        for i, text in enumerate(GUIDE_CONVERSATION):
            ws = connect_resuming(client, session_id, last_seq)
            assert client.recv(ws)["type"] == "connected"
            ws.send(json.dumps({"type": "user_message", "content": text}))
            wait_stored(client, session_id, 2 * i + 1)
            if (i + round_) % 2 == 0:
                stack.stop_gateway(sig=signal.SIGKILL)  # crash: no goodbye to anyone
                ws.close()
                stack.start_gateway()
                ws = connect_resuming(client, session_id, last_seq)
                assert client.recv(ws)["type"] == "connected"
            message = final_message(client, ws)
            ws.close()
            assert message["seq"] == 2 * i + 2, message
            received.append(message)
            last_seq = message["seq"]
        assert [m["type"] for m in received] == ["agent_message"] * 4 + ["mission_created"]
        turns = client.turns(session_id)
        assert [t["seq"] for t in turns] == list(range(1, 11))
        assert [t["content"] for t in turns if t["role"] == "user"] == GUIDE_CONVERSATION
    fault_log.record("gateway", "SIGKILL after each stored message, restart, reconnect with last_seq (3 conversations)",
                     "every conversation finished; turns 1-10 each stored once; each reply delivered once")


def test_sigterm_closes_live_sockets_1012_and_clients_resume_elsewhere(client, stack, fault_log):
    sessions = [client.create_session() for _ in range(3)]
    sockets = []
    for session_id in sessions:
        ws = connect_resuming(client, session_id, 0)
        client.recv(ws)
        assert client.say(ws, GUIDE_CONVERSATION[0])["seq"] == 2
        sockets.append(ws)
    old = stack.gateway
    old.send_signal(signal.SIGTERM)
    codes = []
    for ws in sockets:
        with pytest.raises(ConnectionClosed) as closed:
            ws.recv(timeout=10)
        codes.append(closed.value.rcvd.code if closed.value.rcvd else None)
    old.proc.wait(timeout=10)  # Cloud Run allows 10 s after SIGTERM
    assert codes == [1012, 1012, 1012]
    stack.gateway = None
    old.stop()
    stack.start_gateway()
    for session_id in sessions:
        ws = connect_resuming(client, session_id, 2)
        client.recv(ws)
        for text in GUIDE_CONVERSATION[1:]:
            reply = client.say(ws, text)
        assert reply["type"] == "mission_created"
        ws.close()
    fault_log.record("gateway", "SIGTERM with 3 live conversations",
                     "all 3 closed with 1012; the process exited within 10 s; "
                     "all 3 resumed on a new process and finished")


def test_duplicate_and_out_of_order_trigger_events(client, fault_log):
    session_id = client.create_session()
    with client.connect(session_id) as ws:
        client.recv(ws)
        final = [client.say(ws, text) for text in GUIDE_CONVERSATION][-1]
    before = client.turns(session_id)
    user_turns = [t for t in before if t["role"] == "user"]
    events = user_turns[::-1] + random.Random(7).sample(user_turns, len(user_turns)) + user_turns
    handler = client.turn_handler()
    outcomes = {handler.handle(session_id, turn) for turn in events}
    assert outcomes == {"duplicate"}
    assert client.turns(session_id) == before
    assert client.count("missions", id=final["mission"]["id"]) == 1
    assert client.count("enrollments", id=final["enrollment"]["id"]) == 1
    fault_log.record("trigger", f"{len(events)} re-deliveries of finished turns, reversed and shuffled",
                     "all ignored as duplicates; still 10 turns, 1 mission, 1 enrollment")


def test_flood_is_throttled_while_another_conversation_completes(client, fault_log):
    calm, noisy = client.create_session(), client.create_session("other-token")
    done: dict[str, object] = {}

    def calm_conversation():
        with client.connect(calm) as ws:
            client.recv(ws)
            done["final"] = [client.say(ws, text) for text in GUIDE_CONVERSATION][-1]

    with client.connect(noisy, "other-token") as ws_noisy:
        client.recv(ws_noisy)
        thread = threading.Thread(target=calm_conversation)
        thread.start()
        for i in range(400):
            ws_noisy.send(json.dumps({"type": "user_message", "content": f"spam {i}"}) if i % 2 else "{bad")
        thread.join(timeout=120)
        replies = []
        try:
            while True:
                replies.append(client.recv(ws_noisy, timeout=3))
        except TimeoutError:
            pass
    assert done["final"]["type"] == "mission_created"
    codes = [r.get("code") for r in replies if r["type"] == "error"]
    assert "rate_limited" in codes
    assert len(replies) < 400  # most of the flood was dropped, not answered
    noisy_turns = client.turns(noisy)
    stored = [t for t in noisy_turns if t["role"] == "user"]
    assert len(stored) < 20  # only what the rate limit and the one-reply-at-a-time rule let through
    assert [t["seq"] for t in noisy_turns] == list(range(1, len(noisy_turns) + 1))
    fault_log.record("limits", "400 frames as fast as possible from one client while another chats",
                     "flooder got rate_limited errors, far fewer replies than frames, and under 20 messages "
                     "stored, all in sequence; the other conversation finished normally")


def test_one_live_connection_per_session_the_newer_wins(client, fault_log):
    session_id = client.create_session()
    with client.connect(session_id) as first:
        client.recv(first)
        with client.connect(session_id) as second:
            client.recv(second)
            with pytest.raises(ConnectionClosed) as closed:
                first.recv(timeout=10)
            assert closed.value.rcvd.code == 4000 and "Replaced" in closed.value.rcvd.reason
            assert client.say(second, "I want to learn Go")["type"] == "agent_message"
    fault_log.record("sessions", "a second connection to the same session",
                     "the first is closed with 4000 'Replaced by a newer connection'; the second carries on")


def test_origin_is_checked(client, fault_log):
    session_id = client.create_session()
    url = f"{client.stack.ws_url}?session_id={session_id}&token=test-token"
    with pytest.raises(InvalidStatus) as refused:
        with connect(url, origin="https://evil.example", open_timeout=10):
            pass
    assert refused.value.response.status_code == 403
    allowed = f"http://127.0.0.1:{client.stack.ports.front}"
    with connect(url, origin=allowed, open_timeout=10) as ws:
        assert client.recv(ws)["type"] == "connected"
    fault_log.record("security", "WebSocket from Origin https://evil.example", "HTTP 403 before the upgrade")


def test_session_creation_is_limited_per_user(client, fault_log):
    _, token = client.sign_up()
    statuses = []
    for _ in range(SESSION_CREATIONS_PER_HOUR):
        resp = client.http.post(f"{client.stack.front_url}/api/v1/sessions",
                                headers={"Authorization": f"Bearer {token}"}, timeout=30)
        statuses.append(resp.status_code)
    assert set(statuses) == {200}
    resp = client.http.post(f"{client.stack.front_url}/api/v1/sessions",
                            headers={"Authorization": f"Bearer {token}"}, timeout=30)
    assert resp.status_code == 429 and resp.json()["error"]["code"] == "rate_limited"
    assert 0 < int(resp.headers["Retry-After"]) <= 3600
    assert client.http.post(f"{client.stack.front_url}/api/v1/sessions",
                            headers={"Authorization": "Bearer other-token"}, timeout=30).status_code == 200
    fault_log.record("limits", f"session {SESSION_CREATIONS_PER_HOUR + 1} within an hour for one user",
                     "HTTP 429 rate_limited with Retry-After; other users unaffected")


def revoke(client, uid):
    url = (f"http://127.0.0.1:{client.stack.ports.auth}/identitytoolkit.googleapis.com/v1/projects/"
           f"demo-mission-commander/accounts:update")
    resp = client.http.post(url, json={"localId": uid, "validSince": str(int(time.time()) + 1)},
                            headers={"Authorization": "Bearer owner"}, timeout=10)
    resp.raise_for_status()


@pytest.mark.parametrize("case", ["expired", "revoked", "other project", "unknown user", "not a JWT"])
def test_bad_tokens_are_refused_everywhere(client, fault_log, case):
    uid, token = client.sign_up()
    session_id = client.create_session(token)
    now = int(time.time())
    base = {"iss": "https://securetoken.google.com/demo-mission-commander", "aud": "demo-mission-commander",
            "auth_time": now, "user_id": uid, "sub": uid, "iat": now, "exp": now + 3600,
            "firebase": {"sign_in_provider": "anonymous"}}
    if case == "expired":
        bad = unsigned_token({**base, "iat": now - 7200, "auth_time": now - 7200, "exp": now - 3600})
    elif case == "revoked":
        time.sleep(1.1)
        revoke(client, uid)
        bad = token
    elif case == "other project":
        bad = unsigned_token({**base, "aud": "demo-other", "iss": "https://securetoken.google.com/demo-other"})
    elif case == "unknown user":
        bad = unsigned_token({**base, "user_id": "nobody", "sub": "nobody"})
    else:
        bad = base64.urlsafe_b64encode(os.urandom(30)).decode()
    resp = client.http.post(f"{client.stack.front_url}/api/v1/sessions",
                            headers={"Authorization": f"Bearer {bad}"}, timeout=30)
    assert resp.status_code == 401
    with connect(f"{client.stack.ws_url}?session_id={session_id}&token={bad}", open_timeout=10) as ws:
        with pytest.raises(ConnectionClosed) as closed:
            ws.recv(timeout=10)
    assert closed.value.rcvd.code == 1008 and closed.value.rcvd.reason.startswith("Invalid token")
    fault_log.record("security", f"ID token: {case}",
                     f"HTTP 401 on session creation; WebSocket closed 1008 '{closed.value.rcvd.reason}'")


def test_idle_and_expired_sessions_are_inactive(client, fault_log):
    idle = client.create_session()
    client.db.collection("sessions").document(idle).update(
        {"updated_at": datetime.now(timezone.utc) - timedelta(hours=1)})
    with client.connect(idle) as ws:
        with pytest.raises(ConnectionClosed) as closed:
            ws.recv(timeout=10)
    assert closed.value.rcvd.code == 1008 and closed.value.rcvd.reason == "Inactive session: it was idle too long"
    fault_log.record("sessions", "connect to a session idle for longer than SESSION_IDLE_SECONDS",
                     f"closed 1008 '{closed.value.rcvd.reason}'")


def test_dead_peers_are_dropped_by_server_pings(client, fault_log):
    """A client that completes the handshake and then never answers a ping."""
    session_id = client.create_session()
    port = client.stack.ports.gateway
    raw = socket.create_connection(("127.0.0.1", port), timeout=10)
    key = base64.b64encode(os.urandom(16)).decode()
    raw.sendall((f"GET /api/v1/mission-commander/ws?session_id={session_id}&token=test-token HTTP/1.1\r\n"
                 f"Host: 127.0.0.1:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                 f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n").encode())
    assert b"101" in raw.recv(1024).split(b"\r\n", 1)[0]
    try:
        deadline = time.monotonic() + 20
        closed = False
        while time.monotonic() < deadline and not closed:
            try:
                raw.settimeout(1)
                if raw.recv(65536) == b"":
                    closed = True
            except socket.timeout:
                pass
            except OSError:
                closed = True
        assert closed, "the gateway kept a peer that never answered pings"
    finally:
        raw.close()
    fault_log.record("connections", "a peer that stops answering pings (PING_INTERVAL_SECONDS=2 in the tests)",
                     "the gateway closed the connection after the ping timeout")


def test_oversized_frames_close_1009(client, fault_log):
    session_id = client.create_session()
    with client.connect(session_id, max_size=None) as ws:
        client.recv(ws)
        ws.send(json.dumps({"type": "user_message", "content": "x" * (70 * 1024)}))
        with pytest.raises(ConnectionClosed) as closed:
            ws.recv(timeout=10)
    assert closed.value.rcvd.code == 1009
    assert client.turns(session_id) == []
    fault_log.record("limits", "a 70 KiB frame (MAX_FRAME_BYTES is 64 KiB)", "closed with 1009 (message too big); nothing stored")


def test_tokens_query_strings_and_contents_never_reach_the_logs(client, stack, fault_log):
    uid, token = client.sign_up()
    secret_text = f"my secret plan {time.time_ns()}"
    session_id = client.create_session(token)
    with client.connect(session_id, token) as ws:
        client.recv(ws)
        client.say(ws, f"I want to learn {secret_text}")
    time.sleep(1)
    logs = {name: (stack.run_dir / name).read_text(errors="replace")
            for name in ("gateway.log", "nginx-access.log", "nginx-error.log", "emulators.log")
            if (stack.run_dir / name).exists()}
    assert {"gateway.log", "nginx-access.log", "emulators.log"} <= set(logs)
    for name, text in logs.items():
        assert token not in text, f"token in {name}"
        assert secret_text not in text, f"message content in {name}"
        assert "token=" not in text, f"query string in {name}"
    gateway_lines = [json.loads(line) for line in logs["gateway.log"].splitlines() if line.startswith("{")]
    assert gateway_lines and all("severity" in line for line in gateway_lines)
    fault_log.record("security", "grep every log (gateway, nginx, emulators) after a conversation",
                     "no token, no query string, no message content; gateway lines are JSON with severity")
