"""SIGKILL the gateway at random instants of a conversation; clients reconnect the
guide's way (same URL, no ``last_seq``) or with ``last_seq``. Every reply must
reach the client exactly once, every acknowledged message must be answered,
and no reconnect may be refused once the gateway is back."""

from __future__ import annotations

import json
import random
import signal
import time

import pytest
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.sync.client import connect

from .support import GUIDE_CONVERSATION

CONVERSATIONS = 10  # x 5 messages = 50 kills per client kind
KILL_MODES = ("before_store", "during_store", "after_ack", "after_reply")
FINAL = ("agent_message", "mission_created", "error")


class GuideClient:
    """A client that knows the guide's frames only; it keeps what it received for the checks."""

    def __init__(self, client, session_id: str, send_last_seq: bool) -> None:
        self.client, self.session_id, self.send_last_seq = client, session_id, send_last_seq
        self.finals: list[dict] = []
        self.acked: list[int] = []
        self.ws = None
        self.reconnect_waits: list[float] = []

    def url(self) -> str:
        url = f"{self.client.stack.ws_url}?session_id={self.session_id}&token=test-token"
        if self.send_last_seq and self.finals:
            url += f"&last_seq={max(f['seq'] for f in self.finals)}"
        return url

    def open(self, since: float | None = None) -> None:
        last = None
        for _ in range(100):
            try:
                self.ws = connect(self.url(), open_timeout=10)
                first = json.loads(self.ws.recv(timeout=10))
                assert first["type"] == "connected", first
                if since is not None:
                    self.reconnect_waits.append(time.monotonic() - since)
                return
            except (OSError, InvalidStatus, TimeoutError) as exc:
                last = exc
                time.sleep(0.1)
        raise AssertionError(f"could not reconnect: {last!r}")

    def next_frame(self, timeout: float) -> dict | None:
        try:
            frame = json.loads(self.ws.recv(timeout=timeout))
        except TimeoutError:
            return None
        except ConnectionClosed as closed:
            assert closed.rcvd is None or closed.rcvd.code in (1000, 1006, 1012), closed.rcvd
            return {"type": "closed"}
        if frame["type"] in FINAL and "seq" in frame:  # a reply (an error without seq is a refusal)
            self.finals.append(frame)
        elif frame["type"] == "ack":
            self.acked.append(frame["seq"])
        return frame

    def wait_for(self, predicate, timeout: float) -> dict | None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            frame = self.next_frame(max(0.01, deadline - time.monotonic()))
            if frame is None or frame["type"] == "closed":
                return frame
            if predicate(frame):
                return frame
        return None

    def close(self) -> None:
        try:
            self.ws.close()
        except Exception:  # noqa: BLE001 - the server is gone
            pass


def _answered(guide: GuideClient, count_before: int) -> bool:
    return len(guide.finals) > count_before


def _run_conversation(client, stack, rng: random.Random, send_last_seq: bool, kills: dict[str, int]) -> GuideClient:
    if stack.gateway is None:  # the last kill ended the previous conversation
        stack.start_gateway()
    guide = GuideClient(client, client.create_session(), send_last_seq)
    guide.open()
    for text in GUIDE_CONVERSATION:
        answered_before = len(guide.finals)
        mode = rng.choice(KILL_MODES)
        kills[mode] += 1
        guide.ws.send(json.dumps({"type": "user_message", "content": text}))
        # The store takes ~5-10 ms here. The instant between a delivery record's commit and the
        # frame's write (about a millisecond; README "What a client may still see") is not one
        # of the instants this test aims at: a kill there loses one frame for a guide client.
        if mode == "before_store":
            time.sleep(rng.uniform(0, 0.002))
        elif mode == "during_store":
            time.sleep(rng.uniform(0.002, 0.012))
        elif mode == "after_ack":
            guide.wait_for(lambda f: f["type"] == "ack", 20)
        else:
            guide.wait_for(lambda f: f["type"] in FINAL and "seq" in f, 30)
        stack.stop_gateway(sig=signal.SIGKILL)
        guide.close()
        if guide.finals and guide.finals[-1]["type"] == "mission_created":
            break  # nothing left to collect: the conversation is over
        stack.start_gateway()
        guide.open(since=time.monotonic())
        if not _answered(guide, answered_before):
            # A reply to a stored message comes on its own; give it time before sending again.
            guide.wait_for(lambda f: f["type"] in FINAL and "seq" in f, 25 if mode == "after_ack" else 4)
        while not _answered(guide, answered_before):
            guide.ws.send(json.dumps({"type": "user_message", "content": text}))
            frame = guide.wait_for(lambda f: f["type"] in FINAL, 30)
            if frame is not None and frame.get("code") == "agent_busy":
                guide.wait_for(lambda f: f["type"] in FINAL and "seq" in f, 30)
        guide.close()
        if guide.finals[-1]["type"] == "mission_created":
            break
        guide.open()
    return guide


@pytest.mark.parametrize("send_last_seq", [False, True], ids=["guide client, no last_seq", "client with last_seq"])
def test_gateway_killed_at_random_instants_loses_and_repeats_nothing(client, stack, fault_log, send_last_seq):
    rng = random.Random(20261128 + send_last_seq)
    kills = {mode: 0 for mode in KILL_MODES}
    duplicated = missing = unanswered = 0
    waits: list[float] = []
    for _ in range(CONVERSATIONS):
        guide = _run_conversation(client, stack, rng, send_last_seq, kills)
        seqs = [f["seq"] for f in guide.finals]
        duplicated += len(seqs) - len(set(seqs))
        stored = {t["seq"] for t in client.turns(guide.session_id) if t["role"] == "agent" and t["status"] == "complete"}
        missing += len(stored - set(seqs))
        unanswered += len([s for s in guide.acked if s + 1 not in set(seqs)])
        waits += guide.reconnect_waits
        assert guide.finals[-1]["type"] == "mission_created", guide.finals[-1]
        user_turns = [t["content"] for t in client.turns(guide.session_id) if t["role"] == "user"]
        assert user_turns == GUIDE_CONVERSATION  # each message stored exactly once
    if stack.gateway is None:
        stack.start_gateway()
    total = sum(kills.values())
    assert total >= 50
    assert (duplicated, missing, unanswered) == (0, 0, 0)
    assert max(waits) < 1.0, max(waits)
    kind = "with last_seq" if send_last_seq else "guide clients (no last_seq)"
    fault_log.record("gateway", f"SIGKILL at random instants, {total} kills, {kind}: "
                     + ", ".join(f"{n} {m.replace('_', ' ')}" for m, n in kills.items()),
                     f"{CONVERSATIONS} conversations completed; 0 replies duplicated, 0 missing, 0 acknowledged "
                     f"messages unanswered; reconnect accepted {max(waits) * 1000:.0f} ms at most after restart")
