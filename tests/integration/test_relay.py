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
    _, token = client.sign_up()
    sessions = [client.create_session(token) for _ in range(110)]
    with contextlib.ExitStack() as opened:
        sockets = []
        for session_id in sessions:
            ws = opened.enter_context(client.connect(session_id, token))
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


def _relay_scenario(client, *, break_listener: bool):
    import asyncio

    from mission_commander.schema import utc_now
    from ws_gateway.relay import TurnRelay

    session_id = client.create_session()

    async def scenario():
        async def catch_up(sid, after):
            return await asyncio.to_thread(lambda: [t for t in client.turns(sid) if t["seq"] > after])

        relay = TurnRelay(client.db, catch_up, resubscribe_seconds=3600 if break_listener else 0)
        relay.start(asyncio.get_running_loop())
        try:
            sub = relay.subscribe(session_id, "c1")
            if break_listener:
                relay.stop()  # the listener died (an error ended its stream)
                assert not relay.healthy()
            else:
                relay._dispatch = lambda turns: None  # noqa: SLF001 - alive, but nothing arrives
            client.store.add_user_turn(session_id, "user123", "I want to learn Go", utc_now(), 120)
            await asyncio.to_thread(client.wait_for_turn, session_id, 2)
            if not break_listener:
                del relay._dispatch  # noqa: SLF001 - the renewed listener delivers again
            assert await relay.check() is True
            seqs = set()
            while True:
                try:
                    turn = await asyncio.wait_for(sub.queue.get(), 3)
                except asyncio.TimeoutError:
                    break
                seqs.add(turn["seq"])
            return seqs, relay.renewals, relay.healthy()
        finally:
            relay.stop()

    return asyncio.run(scenario())


def test_relay_renews_a_dead_listener_and_catches_up(client, fault_log):
    seqs, renewals, healthy = _relay_scenario(client, break_listener=True)
    assert seqs == {2} and renewals == 1 and healthy
    fault_log.record("relay", "the Firestore listener dies; a reply is written meanwhile",
                     "watchdog renewed the listener and caught the subscriber up from Firestore (reply delivered)")


def test_relay_renews_a_silent_listener_on_schedule(client, fault_log):
    seqs, renewals, healthy = _relay_scenario(client, break_listener=False)
    assert seqs == {2} and renewals == 1 and healthy
    fault_log.record("relay", "the listener stays open but delivers nothing (silent)",
                     "scheduled renewal resubscribed and caught up; the reply was delivered")
