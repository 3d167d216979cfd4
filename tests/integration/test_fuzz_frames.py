"""2,000 random frames, every Unicode edge included, against a real gateway:
each gets an answer (an ``ack``, an ``error`` with a code, or ``pong``) or a
documented close (1009 for an oversized frame); never 1011."""

from __future__ import annotations

import json
import random

from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

FRAMES = 2000
EDGES = ["\ud800", "\udfff", "\ud83d", "a\udc00b", "\x00", "a\x00b", "\u202e", "\u200f", "\u2066x\u2069", "\ufeff",
         "😀", "𝕏", "\U0010ffff", "\u0301", "\r\n", "\t", "\\", '"', "</script>", "\x7f", "\u2028", "ﷺ", "ア"]


def random_text(rng: random.Random, size: int) -> str:
    out = []
    for _ in range(size):
        roll = rng.random()
        if roll < 0.3:
            out.append(rng.choice(EDGES))
        elif roll < 0.6:
            out.append(chr(rng.randint(0x20, 0x7e)))
        else:
            out.append(chr(rng.randint(0, 0x10ffff)))
    return "".join(out)


def random_frame(rng: random.Random) -> str | bytes:
    kind = rng.randrange(9)
    if kind == 0:
        return rng.randbytes(rng.randint(0, 200))
    if kind == 1:
        return random_text(rng, rng.randint(0, 80))  # not JSON, mostly
    if kind == 2:
        return json.dumps(rng.choice([None, 1, "x", [], [1, {"type": "user_message"}]]))
    if kind == 3:
        return json.dumps({"type": random_text(rng, rng.randint(0, 12))})
    if kind == 4:
        return json.dumps({"type": "user_message", "content": rng.choice([None, 5, [], {}, ""])})
    if kind == 5:
        return json.dumps({"type": "ping", "extra": random_text(rng, 5)})
    if kind == 6:
        return json.dumps({"type": "user_message", "content": " " * rng.randint(0, 5) + "\n\t"})
    if kind == 7:
        return json.dumps({"type": "user_message", "content": "x" * rng.randint(2001, 3000)})
    # a user message with edge characters, escaped (ensure_ascii) or raw where encodable
    content = random_text(rng, rng.randint(1, 60))
    return json.dumps({"type": "user_message", "content": content}, ensure_ascii=rng.random() < 0.7)


def encodable(frame: str | bytes) -> bool:
    if isinstance(frame, bytes):
        return True
    try:
        frame.encode("utf-8")
        return True
    except UnicodeEncodeError:
        return False


def test_two_thousand_random_frames_never_close_with_1011(client, stack, fault_log):
    port = stack.ports.gateway + 11
    gateway = stack.spawn_gateway(port, name="gateway-fuzz",
                                  env_overrides={"RATE_FRAME_BURST": "100000", "RATE_FRAMES_PER_SECOND": "100000"})
    rng = random.Random(1128)
    counts = {"ack": 0, "error": 0, "pong": 0}
    codes: set[str] = set()
    sent = 0
    try:
        session_id = client.create_session()
        url = f"ws://127.0.0.1:{port}/api/v1/mission-commander/ws?session_id={session_id}&token=test-token"
        with connect(url, open_timeout=15, max_size=None) as ws:
            assert json.loads(ws.recv(timeout=10))["type"] == "connected"
            while sent < FRAMES:
                frame = random_frame(rng)
                if not encodable(frame):  # a client cannot put a lone surrogate on the wire raw
                    continue
                ws.send(frame)
                sent += 1
                while True:
                    answer = json.loads(ws.recv(timeout=10))
                    if answer["type"] in counts:
                        break
                    assert answer["type"] in ("agent_message", "agent_message_delta"), answer
                counts[answer["type"]] += 1
                if answer["type"] == "error":
                    assert answer.get("code") and answer.get("message"), answer
                    codes.add(answer["code"])
            # an oversized frame: the documented close, 1009
            ws.send(json.dumps({"type": "user_message", "content": "y" * (70 * 1024)}))
            try:
                while True:
                    ws.recv(timeout=10)
            except ConnectionClosed as closed:
                assert closed.rcvd is not None and closed.rcvd.code == 1009
        assert sum(counts.values()) == FRAMES
        assert {"binary_frame", "invalid_json", "invalid_message", "unknown_type", "missing_content",
                "empty_content", "content_too_long", "invalid_content"} <= codes
        assert counts["ack"] >= 1
        log = (stack.run_dir / "gateway-fuzz.log").read_text(errors="replace")
        assert "Traceback" not in log and "connection failed" not in log
    finally:
        gateway.stop()
    fault_log.record("fuzz", f"{FRAMES} random WebSocket frames with every Unicode edge (lone surrogates, NUL, "
                     "RTL marks, 4-byte characters), binary, bad JSON, wrong types, oversize",
                     f"every frame answered: {counts['error']} errors with a code ({len(codes)} codes), "
                     f"{counts['ack']} stored and acknowledged, {counts['pong']} pongs; 70 KiB frame closed 1009; "
                     "no 1011, no traceback")
