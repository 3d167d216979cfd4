"""Property-based fuzzing of the session endpoint and the WebSocket through the
front door: malformed input never crashes anything and always gets a clear answer."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

header_values = st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), max_size=300).map(str.strip)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(method=st.sampled_from(["GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"]),
       auth=st.one_of(st.none(), header_values, header_values.map(lambda v: "Bearer " + v)),
       origin=st.one_of(st.none(), header_values),
       body=st.one_of(st.none(), st.binary(max_size=2000), st.text(max_size=2000).map(str.encode)))
def test_session_endpoint_never_crashes(client, fault_log, method, auth, origin, body):
    headers = {k: v for k, v in (("Authorization", auth), ("Origin", origin)) if v is not None}
    resp = client.http.request(method, f"{client.stack.front_url}/api/v1/sessions", headers=headers,
                               data=body, timeout=30)
    assert resp.status_code in (200, 204, 400, 401, 403, 405, 413, 429), resp.text
    if resp.status_code not in (204,) and method != "HEAD":
        payload = resp.json()
        assert ("session_id" in payload) if resp.status_code == 200 else ("error" in payload)
    fault_log.record("fuzz", "80 random HTTP requests to /api/v1/sessions (methods, Authorization, Origin, bodies)",
                     "no 5xx; every answer JSON with a session or an error code")


def test_websocket_fuzz_keeps_the_connection(client, fault_log):
    import random

    rng = random.Random(1234)
    session_id = client.create_session()
    samples = ["", "{", "null", "[]", "{}", '{"type": null}', '{"type": "user_message", "content": {}}',
               "\u0000\u0001", "\ufffd\u202e",
               json.dumps({"type": "x" * 10000}), json.dumps({"type": "user_message", "content": "🙂" * 3000}),
               json.dumps({"type": "user_message", "content": ["a"]}), '{"type": "ping", "extra": 1}']
    for _ in range(25):
        chars = (rng.randint(0, 0xFFFF) for _ in range(rng.randint(1, 200)))
        samples.append("".join(chr(c) for c in chars if not 0xD800 <= c <= 0xDFFF))
    with client.connect(session_id) as ws:
        client.recv(ws)
        for frame in samples:
            ws.send(frame)
            reply = client.recv(ws)
            assert reply["type"] in ("error", "pong"), (frame[:50], reply)
            if reply["type"] == "error":
                assert reply["code"] and reply["message"]
        assert client.turns(session_id) == []
        assert client.say(ws, "I want to learn Rust")["type"] == "agent_message"
    fault_log.record("fuzz", f"{len(samples)} malformed WebSocket frames (random unicode, huge, wrong types)",
                     "each answered with a coded error (or pong); nothing stored; the connection kept working")
