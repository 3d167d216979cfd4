"""The relay: each gateway process listens to its own inbox only; any process serves any session."""

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


def _inbox_scenario(client, *, silent: bool):
    """A gateway inbox whose listener dies (or goes silent) while a reply for its session is written."""
    import asyncio

    from mission_commander.schema import connection_claim, utc_now
    from ws_gateway.inbox import GatewayInbox, Subscription

    session_id = client.create_session()

    class Writer:  # the gateway's own inbox writes, through the admin client
        async def put_inbox(self, gateway_id, doc_id, doc):
            await asyncio.to_thread(client.db.collection("gateways").document(gateway_id)
                                    .collection("inbox").document(doc_id).set, doc)

        async def delete_inbox(self, gateway_id, doc_ids):
            for doc_id in doc_ids:
                await asyncio.to_thread(client.db.collection("gateways").document(gateway_id)
                                        .collection("inbox").document(doc_id).delete)

    async def scenario():
        inbox = GatewayInbox(client.db, f"gw-test-{session_id[:6]}", Writer())
        inbox.start(asyncio.get_running_loop())
        seqs = []

        async def catch_up():
            for reply in await asyncio.to_thread(lambda: [t for t in client.turns(session_id) if t["role"] == "agent"]):
                seqs.append(reply["seq"])

        try:
            inbox.subscribe(Subscription(session_id, "c1", lambda doc: seqs.append(doc["seq"]), lambda: None, catch_up))
            client.db.collection("sessions").document(session_id).update(connection_claim(inbox.gateway_id, "c1", utc_now()))
            if silent:
                inbox._dispatch = lambda docs: None  # noqa: SLF001 - open, but nothing arrives
                assert await inbox.check() is False  # healthy: it only sends a heartbeat
            else:
                inbox.stop()  # the listener died (an error ended its stream)
                assert not inbox.healthy()
            client.store.add_user_turn(session_id, "user123", "I want to learn Go", utc_now(), 120)
            await asyncio.to_thread(client.wait_for_turn, session_id, 2)
            await asyncio.sleep(1.0)
            assert seqs == []  # nothing came through the broken listener
            if silent:
                del inbox._dispatch  # noqa: SLF001 - a renewed listener delivers again
            assert await inbox.check() is True
            await asyncio.sleep(1.0)
            return set(seqs), inbox.renewals, inbox.healthy()
        finally:
            inbox.stop()

    return asyncio.run(scenario())


def test_inbox_renews_a_dead_listener_and_catches_up(client, fault_log):
    seqs, renewals, healthy = _inbox_scenario(client, silent=False)
    assert seqs == {2} and renewals == 1 and healthy
    fault_log.record("relay", "the inbox listener dies; a reply is written meanwhile",
                     "watchdog renewed the listener and caught the connection up from Firestore (reply delivered)")


def test_inbox_renews_a_silent_listener(client, fault_log):
    seqs, renewals, healthy = _inbox_scenario(client, silent=True)
    assert seqs == {2} and renewals == 1 and healthy
    fault_log.record("relay", "the listener stays open but delivers nothing (silent)",
                     "its heartbeat never came back: the watchdog renewed it and caught up; the reply was delivered")


def _metric(text: str, name: str) -> float:
    for line in text.splitlines():
        if line.startswith(name + " "):
            return float(line.split()[1])
    raise AssertionError(f"{name} not in the metrics")


def test_a_newer_connection_on_another_process_replaces_the_older_at_once(client, stack, fault_log):
    import time

    import pytest
    from websockets.exceptions import ConnectionClosed

    second_port = stack.ports.gateway + 8
    second = stack.spawn_gateway(second_port, name="gateway-3")
    try:
        session_id = client.create_session()
        url_2 = f"ws://127.0.0.1:{second_port}/api/v1/mission-commander/ws?session_id={session_id}&token=test-token"
        with client.connect(session_id) as older:
            client.recv(older)
            assert client.say(older, "I want to learn Go")["type"] == "agent_message"
            with connect(url_2, open_timeout=15) as newer:
                assert client.recv(newer)["type"] == "connected"
                started = time.monotonic()
                with pytest.raises(ConnectionClosed) as closed:
                    older.recv(timeout=10)  # told through its process's inbox, without sending anything
                waited = time.monotonic() - started
                assert closed.value.rcvd.code == 4000
                # the conversation carries on on the other process, its replies routed there
                assert client.say(newer, "I want to build web apps")["type"] == "agent_message"
        assert waited < 5
    finally:
        second.stop()
    fault_log.record("sessions", "a newer connection to the session on another gateway process",
                     f"the older one was closed 4000 within {waited * 1000:.0f} ms, without sending anything; "
                     "the newer one's replies were routed to its process")


def test_each_process_receives_only_its_own_sessions_traffic(client, stack):
    """Two processes, conversations split between them: each one's inbox holds its own traffic."""
    ports = [stack.ports.gateway + 9, stack.ports.gateway + 10]
    procs = [stack.spawn_gateway(port, name=f"gateway-routed-{port}", env_overrides={"METRICS_ENABLED": "true"})
             for port in ports]
    try:
        for port in ports:
            for text in GUIDE_CONVERSATION[:3]:
                session_id = client.create_session()
                url = f"ws://127.0.0.1:{port}/api/v1/mission-commander/ws?session_id={session_id}&token=test-token"
                with connect(url, open_timeout=15) as ws:
                    client.recv(ws)
                    assert client.say(ws, text)["type"] == "agent_message"
        for port in ports:
            text = client.http.get(f"http://127.0.0.1:{port}/metrics", timeout=10).text
            received = _metric(text, "mc_gateway_inbox_events_total")
            own = _metric(text, "mc_gateway_inbox_events_own_total")
            assert received >= 3 and received == own, (received, own)
    finally:
        for proc in procs:
            proc.stop()


def test_metrics_are_not_served_unless_enabled(client, stack):
    port = stack.ports.gateway + 12
    proc = stack.spawn_gateway(port, name="gateway-no-metrics", env_overrides={"METRICS_ENABLED": ""})
    try:
        resp = client.http.get(f"http://127.0.0.1:{port}/metrics", timeout=10)
        assert resp.status_code == 404 and resp.json()["error"]["code"] == "not_found"
    finally:
        proc.stop()
