"""The gateway's connection core, driven directly: no sockets, no Firestore."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from mission_commander import schema
from mission_commander.connection import (Close, ConnectionLimits, GatewayConnection, RecordDelivery, SendFrame,
                                          StoreTurn)
from mission_commander.errors import NORMAL_CLOSURE, REPLACED

T0 = datetime(2026, 11, 28, 9, 0, tzinfo=timezone.utc)


def session(**fields):
    return {**schema.new_session("u1", T0, 3600), **fields}


def core(resume_from=0, limits=None, tracks_seq=False, **fields):
    return GatewayConnection("s1", "u1", "c1", session(**fields), resume_from, T0, limits or ConnectionLimits(),
                             client_tracks_seq=tracks_seq)


def reply(seq, content="Hello", kind="message", status="complete", **extra):
    return {"session_id": "s1", "seq": seq, "role": "agent", "kind": kind, "status": status, "content": content,
            **extra}


def frame(content):
    return json.dumps({"type": "user_message", "content": content})


def sent(actions):
    return [a.message for a in actions if isinstance(a, SendFrame)]


def deliver(c, seq_or_reply):
    """A reply arrives and its delivery record completes: what is sent."""
    actions = c.reply_received(seq_or_reply if isinstance(seq_or_reply, dict) else reply(seq_or_reply))
    out = sent(actions)
    for action in actions:
        if isinstance(action, RecordDelivery):
            out += sent(c.delivery_recorded(action.seq))
    return out


# -- opening, storing, acknowledging -------------------------------------------------------

def test_connected_is_always_the_first_frame():
    assert sent(core().opened()) == [{"type": "connected",
                                      "message": "Connected to Mission Commander. Starting your learning journey..."}]


def test_a_message_is_stored_then_acknowledged_with_its_seq():
    c = core()
    [store] = c.frame_received(frame("I want to learn Go"), T0)
    assert isinstance(store, StoreTurn) and store.plan.seq == 1 and store.plan.turn["content"] == "I want to learn Go"
    assert sent(c.turn_stored(1)) == [{"type": "ack", "seq": 1}]
    assert c.pending_turn == "000001"


def test_a_message_that_was_not_stored_is_never_acknowledged():
    c = core()
    c.frame_received(frame("hi"), T0)
    [error] = sent(c.turn_failed())
    assert error["type"] == "error" and error["code"] == "message_not_stored" and "send it again" in error["message"]
    assert c.pending_turn is None
    [store] = c.frame_received(frame("hi"), T0)  # the learner resends: stored under the same seq
    assert store.plan.seq == 1


def test_a_second_message_while_the_first_is_stored_or_answered_is_refused():
    c = core()
    c.frame_received(frame("one"), T0)
    assert sent(c.frame_received(frame("two"), T0))[0]["code"] == "agent_busy"
    c.turn_stored(1)
    assert sent(c.frame_received(frame("two"), T0))[0]["code"] == "agent_busy"
    deliver(c, 2)  # the reply ends the wait
    [store] = c.frame_received(frame("two"), T0)
    assert store.plan.seq == 3


def test_a_turn_abandoned_past_the_agent_timeout_no_longer_blocks():
    c = core(pending_turn="000001", pending_since=T0, next_seq=3)
    assert sent(c.frame_received(frame("again"), T0 + timedelta(seconds=30)))[0]["code"] == "agent_busy"
    [store] = c.frame_received(frame("again"), T0 + timedelta(seconds=121))
    assert store.plan.seq == 3


def test_a_sequence_conflict_is_retried_from_the_fresh_session():
    c = core()
    c.frame_received(frame("hello"), T0)
    fresh = session(next_seq=3)  # another writer stored turn 1 and its reply came
    [store] = c.turn_conflict(fresh, T0)
    assert store.plan.seq == 3 and store.plan.turn["content"] == "hello"


def test_the_last_message_sent_again_before_its_answer_arrived_is_acknowledged_not_stored_twice():
    # The connection died before the ack; the client reconnects and sends the same text again.
    first = core()
    [store] = first.frame_received(frame("I want to learn Go"), T0)
    stored = {**session(), **store.plan.session_update}
    again = core(**stored)
    assert sent(again.frame_received(frame("I want to learn Go"), T0)) == [{"type": "ack", "seq": 1}]
    # ... also once the answer is written but still on its way to this client (record in flight)
    again = core(**stored)
    [record] = again.reply_received(reply(2))
    assert isinstance(record, RecordDelivery)
    assert sent(again.frame_received(frame("I want to learn Go"), T0)) == [{"type": "ack", "seq": 1}]
    assert sent(again.delivery_recorded(2)) == [{"type": "agent_message", "content": "Hello", "seq": 2}]
    # A different text while the answer is pending is still refused.
    assert sent(core(**stored).frame_received(frame("Rust instead"), T0))[0]["code"] == "agent_busy"


def test_the_same_text_after_its_answer_was_seen_is_a_new_message():
    c = core()
    [store] = c.frame_received(frame("No"), T0)
    c.turn_stored(1)
    deliver(c, 2)
    [store] = c.frame_received(frame("No"), T0)  # "No" answers the next question too
    assert store.plan.seq == 3
    # after a reconnect that resumes past the answer (recorded, or the client's last_seq)
    stored = {**session(), **schema.plan_user_turn("s1", session(), "u1", "No", T0, 120).session_update,
              "pending_turn": None}
    assert core(resume_from=2, **stored).frame_received(frame("No"), T0)[0].plan.seq == 3
    assert core(resume_from=2, tracks_seq=True, **stored).frame_received(frame("No"), T0)[0].plan.seq == 3


def test_a_conflict_with_the_same_message_already_stored_is_its_ack():
    c = core()
    c.frame_received(frame("hello"), T0)
    fresh = {**session(), **schema.plan_user_turn("s1", session(), "u1", "hello", T0, 120).session_update}
    assert sent(c.turn_conflict(fresh, T0)) == [{"type": "ack", "seq": 1}]


def test_a_conflict_with_the_turn_still_unanswered_is_agent_busy():
    c = core()
    c.frame_received(frame("hello"), T0)
    [error] = sent(c.turn_conflict(session(next_seq=3, pending_turn="000001", pending_since=T0), T0))
    assert error["code"] == "agent_busy"


def test_a_conflict_showing_a_newer_connection_closes_this_one():
    c = core()
    c.frame_received(frame("hello"), T0)
    actions = c.turn_conflict(session(next_seq=3, connection_id="c2"), T0)
    assert sent(actions)[0]["code"] == "session_replaced"
    assert actions[-1] == Close(REPLACED, "Replaced by a newer connection to this session")
    assert c.frame_received(frame("more"), T0) == []


# -- every bad input gets an error frame, the connection stays open --------------------------

def test_every_bad_input_gets_an_error_with_its_code():
    cases = {
        b"\x00\x01": "binary_frame",
        "not json": "invalid_json",
        "[1, 2]": "invalid_message",
        '{"type": 5}': "invalid_message",
        '{"type": "hello"}': "unknown_type",
        '{"type": "user_message"}': "missing_content",
        '{"type": "user_message", "content": 3}': "missing_content",
        '{"type": "user_message", "content": "   "}': "empty_content",
        json.dumps({"type": "user_message", "content": "x" * 4001}): "content_too_long",
        '{"type": "user_message", "content": "\\ud800"}': "invalid_content",
        '{"type": "user_message", "content": "a\\udfffb"}': "invalid_content",
    }
    for bad, code in cases.items():
        c = core(limits=ConnectionLimits(frame_burst=100))
        [error] = sent(c.frame_received(bad, T0))
        assert error["type"] == "error" and error["code"] == code, (bad, error)
        assert not c.closed
        assert isinstance(c.frame_received(frame("fine"), T0)[0], StoreTurn)


def test_nul_rtl_and_astral_characters_are_stored_as_sent():
    c = core()
    [store] = c.frame_received(frame("a\x00b \u202eabc 😀"), T0)
    assert store.plan.turn["content"] == "a\x00b \u202eabc 😀"


def test_ping_gets_pong():
    assert sent(core().frame_received('{"type": "ping"}', T0)) == [{"type": "pong"}]


def test_a_flood_gets_one_rate_notice_a_second_and_nothing_stored():
    c = core(limits=ConnectionLimits(frame_burst=3, frames_per_second=1))
    out = [c.frame_received('{"type": "ping"}', T0) for _ in range(10)]
    assert [sent(a) for a in out[:3]] == [[{"type": "pong"}]] * 3
    notices = [a for a in out[3:] if a]
    assert len(notices) == 1 and sent(notices[0])[0]["code"] == "rate_limited"
    assert "Nothing was stored" in sent(notices[0])[0]["message"]
    later = c.frame_received('{"type": "ping"}', T0 + timedelta(seconds=2))
    assert sent(later) == [{"type": "pong"}]


# -- delivery: recorded before sent, once, in order ------------------------------------------

def test_a_final_reply_is_sent_only_after_its_delivery_is_recorded():
    c = core()
    actions = c.reply_received(reply(2, "What motivates you?"))
    assert actions == [RecordDelivery(2)]
    assert sent(c.delivery_recorded(2)) == [{"type": "agent_message", "content": "What motivates you?", "seq": 2}]


def test_the_same_reply_twice_is_sent_once():
    c = core()
    assert deliver(c, 2) and deliver(c, 2) == []


def test_resuming_skips_what_the_client_has():
    c = core(resume_from=4, next_seq=7)
    assert deliver(c, 2) == [] and deliver(c, 4) == []
    assert [m["seq"] for m in deliver(c, 6)] == [6]


def test_replies_arriving_while_a_record_is_in_flight_go_out_in_order():
    c = core(next_seq=9)
    assert c.reply_received(reply(4)) == [RecordDelivery(4)]
    assert c.reply_received(reply(2)) == []
    assert c.reply_received(reply(6)) == []
    first = sent(c.delivery_recorded(4))
    assert [m["seq"] for m in first] == [2, 4]
    assert [m["seq"] for m in sent(c.delivery_recorded(6))] == [6]


def test_a_client_that_tracks_seq_gets_frames_at_once_and_the_record_follows():
    c = core(tracks_seq=True, next_seq=9)
    actions = c.reply_received(reply(2))
    assert [type(a) for a in actions] == [SendFrame, RecordDelivery] and actions[1].seq == 2
    assert [type(a) for a in c.reply_received(reply(4))] == [SendFrame]  # one record in flight
    assert sent(c.reply_received(reply(6)))[0]["seq"] == 6
    assert c.delivery_recorded(2) == [RecordDelivery(6)]  # then the highest sent so far
    assert c.delivery_recorded(6) == []
    actions = c.reply_received(reply(8, kind="mission_created", mission={}, enrollment={}))
    assert [type(a) for a in actions] == [SendFrame, RecordDelivery, Close]


def test_a_failed_record_is_retried_and_the_reply_waits_for_it():
    c = core()
    c.reply_received(reply(2))
    assert c.delivery_failed(2) == [RecordDelivery(2)]
    assert [m["seq"] for m in sent(c.delivery_recorded(2))] == [2]


def test_deltas_grow_and_stop_once_the_final_message_is_sent():
    c = core()
    assert sent(c.reply_received(reply(2, "Hel", status="pending"))) == [
        {"type": "agent_message_delta", "content": "Hel", "seq": 2}]
    assert sent(c.reply_received(reply(2, "Hel", status="pending"))) == []  # not grown
    assert sent(c.reply_received(reply(2, "Hello th", status="pending")))[0]["content"] == "Hello th"
    deliver(c, reply(2, "Hello there"))
    assert c.reply_received(reply(2, "Hello there!", status="pending")) == []


def test_error_replies_and_the_mission_close_the_loop():
    c = core()
    [error] = deliver(c, reply(2, "Agent error", kind="error", error_code="agent_error"))
    assert error == {"type": "error", "message": "Agent error", "code": "agent_error", "seq": 2}
    actions = c.reply_received(reply(4, kind="mission_created", mission={"id": "m"}, enrollment={"id": "e"}))
    actions += c.delivery_recorded(4)
    assert sent(actions)[0]["type"] == "mission_created" and sent(actions)[0]["seq"] == 4
    assert actions[-1] == Close(NORMAL_CLOSURE, "Mission created") and c.closed
    assert sent(c.frame_received(frame("more"), T0)) == []


def test_a_replaced_connection_closes_with_4000_and_sends_nothing_more():
    c = core()
    assert c.replaced() == [Close(REPLACED, "Replaced by a newer connection to this session")]
    assert deliver(c, 2) == [] and c.replaced() == []


def test_user_turns_and_empty_pending_replies_are_not_frames():
    c = core()
    assert c.reply_received({"seq": 1, "role": "user", "content": "hi", "status": "complete"}) == []
    assert c.reply_received(reply(2, "", status="pending")) == []


# -- random interleavings: no final frame twice, none skipped -------------------------------

class DeliveryMachine(RuleBasedStateMachine):
    """A client that sends ``last_seq`` on reconnects, or one that never does (the guide's).
    Replies are produced in seq order (the trigger answers one turn at a time) and first reach a
    connection in that order (one listener delivers in commit order; a catch-up reads in seq order),
    then arrive again any number of times, in any order (inbox and catch-up overlapping); delivery records complete later; the gateway
    crashes at any event boundary and the client reconnects without ``last_seq`` (resuming from the
    recorded ``delivered_seq``) or with the highest seq it saw. Across all connections every final
    reply reaches the client exactly once."""

    def __init__(self) -> None:
        super().__init__()
        self.produced: list[int] = []
        self.durable_delivered = 0
        self.client_seen: list[int] = []
        self.sends_last_seq = False

    @initialize(sends_last_seq=st.booleans())
    def first_connection(self, sends_last_seq):
        self.sends_last_seq = sends_last_seq
        self._open(0, tracks_seq=False)  # the first connection never has a last_seq

    def _open(self, resume_from: int, tracks_seq: bool) -> None:
        self.conn = core(resume_from=resume_from, tracks_seq=tracks_seq,
                         next_seq=max(self.produced, default=0) + 1)
        self.records: list[int] = []
        self.arrived = resume_from

    def _run(self, actions) -> None:
        for action in actions:
            if isinstance(action, RecordDelivery):
                self.records.append(action.seq)
            elif isinstance(action, SendFrame) and action.message.get("type") == "agent_message":
                assert self.sends_last_seq or action.message["seq"] <= self.durable_delivered  # recorded first
                self.client_seen.append(action.message["seq"])

    @rule()
    def produce(self):
        self.produced.append(2 * (len(self.produced) + 1))

    @precondition(lambda self: self.produced)
    @rule(data=st.data())
    def arrive(self, data):
        seq = data.draw(st.sampled_from([s for s in self.produced if s <= self.arrived + 2]))
        self.arrived = max(self.arrived, seq)
        self._run(self.conn.reply_received(reply(seq)))

    @precondition(lambda self: self.produced)
    @rule(data=st.data())
    def delta_arrives(self, data):
        seq = data.draw(st.sampled_from(self.produced))
        self._run(self.conn.reply_received(reply(seq, "x" * data.draw(st.integers(1, 9)), status="pending")))

    @precondition(lambda self: self.records)
    @rule(ok=st.booleans())
    def record_completes(self, ok):
        seq = self.records.pop(0)
        if ok:
            self.durable_delivered = max(self.durable_delivered, seq)
            self._run(self.conn.delivery_recorded(seq))
        else:
            self._run(self.conn.delivery_failed(seq))  # asks to record it again

    @rule()
    def crash_and_reconnect(self):
        if self.sends_last_seq:
            resume = max(self.client_seen, default=0)
        else:
            resume = self.durable_delivered
        self._open(resume, tracks_seq=self.sends_last_seq)
        for seq in self.produced:  # the catch-up read
            if seq > resume:
                self._run(self.conn.reply_received(reply(seq)))
        self.arrived = max(self.produced, default=0)

    @invariant()
    def never_twice(self):
        assert len(self.client_seen) == len(set(self.client_seen)), self.client_seen

    def teardown(self):
        for seq in self.produced:  # everything settles: each reply arrives once more, records complete
            self._run(self.conn.reply_received(reply(seq)))
        while self.records:
            seq = self.records.pop(0)
            self.durable_delivered = max(self.durable_delivered, seq)
            self._run(self.conn.delivery_recorded(seq))
        assert sorted(self.client_seen) == self.produced, (self.client_seen, self.produced)


DeliveryMachine.TestCase.settings = settings(max_examples=300, stateful_step_count=40, deadline=None)
TestDeliveryInterleavings = DeliveryMachine.TestCase


def test_a_reply_that_overtakes_its_stores_result_acknowledges_the_message_first():
    for tracks_seq in (True, False):
        c = core(tracks_seq=tracks_seq)
        [store] = c.frame_received(frame("I want to learn Go"), T0)
        frames = deliver(c, store.plan.seq + 1)
        assert [f["type"] for f in frames] == ["ack", "agent_message"] and frames[0]["seq"] == store.plan.seq
        assert sent(c.turn_stored(store.plan.seq)) == []  # the store's own result adds nothing later
        [nxt] = c.frame_received(frame("yes"), T0)  # the next message is not refused as "still storing"
        assert isinstance(nxt, StoreTurn) and nxt.plan.seq == store.plan.seq + 2
