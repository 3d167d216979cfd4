"""The relay: one Firestore listener per gateway process, any process serves any session."""

from __future__ import annotations

import contextlib

from websockets.sync.client import connect

from .support import GUIDE_CONVERSATION


def test_replies_reach_whichever_process_holds_the_connection(client, stack):
    second_port = stack.ports.gateway + 7
    second = stack.spawn_gateway(second_port, name="gateway-2")
    try:
        a, b = client.create_session(), client.create_session()
        url_b = f"ws://127.0.0.1:{second_port}/api/v1/mission-commander/ws?session_id={b}&token=test-token"
        with client.connect(a) as ws_a, connect(url_b, open_timeout=15) as ws_b:
            client.recv(ws_a), client.recv(ws_b)
            for text in GUIDE_CONVERSATION:
                reply_a, reply_b = client.say(ws_a, text), client.say(ws_b, text)
                assert reply_a["type"] == reply_b["type"]
            assert reply_b["type"] == "mission_created"
            assert reply_b["mission"]["id"] != reply_a["mission"]["id"]
    finally:
        second.stop()


def test_more_than_100_live_sessions_on_one_process(client):
    """gRPC allows 100 streams per channel: a listener per connection would stall here."""
    sessions = [client.create_session() for _ in range(110)]
    with contextlib.ExitStack() as opened:
        sockets = []
        for session_id in sessions:
            ws = opened.enter_context(client.connect(session_id))
            assert client.recv(ws)["type"] == "connected"
            sockets.append(ws)
        for ws in sockets[::10]:
            ws.send('{"type": "ping"}')
            assert client.recv(ws) == {"type": "pong"}
        for ws in (sockets[0], sockets[57], sockets[-1]):
            reply = client.say(ws, "I want to learn SQL")
            assert reply["type"] == "agent_message" and "motivation" in reply["content"]
        health = client.http.get(f"{client.stack.gateway_url}/health", timeout=10).json()
        assert health["connections"] >= 110
