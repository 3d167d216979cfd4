"""One WebSocket connection's rules, with no I/O (sans-I/O).

Like the ``websockets`` library's protocol core, :class:`GatewayConnection`
is fed events and answers with actions; the gateway's asyncio loop only
moves bytes and documents. Events: :meth:`~GatewayConnection.opened`, a
client frame, the result of storing a turn (stored, conflict, failed), a
reply document (final or streaming), the result of recording a delivery, a
replacement by a newer connection. Actions: :class:`SendFrame`,
:class:`StoreTurn`, :class:`RecordDelivery`, :class:`Close`.

Delivery rule. A connection resumes after the client's ``last_seq`` when it
sends one, else after the recorded ``delivered_seq``; a frame whose ``seq`` is
at or below that point is never sent again, and no final frame is sent twice
on one connection. For a client that sent no ``last_seq`` (the guide's, which
knows nothing of sequences) a final frame (``agent_message``, ``error`` from the
agent, ``mission_created``) is sent only after its ``seq`` is recorded as
delivered on the session (:class:`RecordDelivery`, then
:meth:`~GatewayConnection.delivery_recorded`): exactly once across crashes. A
client that sent ``last_seq`` (even ``0``) tracks sequences itself: its frames
go out at once and the record follows (it resumes from its own ``last_seq``).
Deltas (``agent_message_delta``) are sent only while their reply is still the
newest thing to show, only when the text grew.

Storing a message: one :class:`StoreTurn` at a time; the learner gets ``ack``
with the turn's ``seq`` once it is stored, an ``error`` when it was not (and
nothing was stored). A sequence conflict (another connection stored that
turn) is retried against the fresh session, or refused as ``agent_busy``.
The session's last message sent again before its answer reached this client
(a client that lost the connection before the ``ack`` and sends again) is the
same message: it gets that message's ``ack`` and is not stored twice.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Mapping, Union

from . import protocol, schema
from .errors import DEFAULT_MESSAGE, NORMAL_CLOSURE, REPLACED, ErrorCode, ProtocolError, SessionError
from .rate_limits import TokenBucket

__all__ = ["Action", "Close", "ConnectionLimits", "GatewayConnection", "RecordDelivery", "SendFrame", "StoreTurn"]

MAX_STORE_ATTEMPTS = 3


@dataclass(frozen=True)
class SendFrame:
    message: dict[str, Any]
    """The protocol message to send (encode with :func:`protocol.encode`)."""

    @property
    def seq(self) -> int | None:
        seq = self.message.get("seq")
        return seq if isinstance(seq, int) and self.message.get("type") != "ack" else None


@dataclass(frozen=True)
class StoreTurn:
    plan: schema.UserTurnPlan
    """Create the turn document and apply the session update, atomically, with no read (the
    turn's ``create`` is the precondition); report :meth:`GatewayConnection.turn_stored`,
    :meth:`~GatewayConnection.turn_conflict` or :meth:`~GatewayConnection.turn_failed`."""


@dataclass(frozen=True)
class RecordDelivery:
    seq: int
    """Write ``delivered_seq`` on the session; report :meth:`GatewayConnection.delivery_recorded`."""


@dataclass(frozen=True)
class Close:
    code: int
    reason: str


Action = Union[SendFrame, StoreTurn, RecordDelivery, Close]


@dataclass(frozen=True)
class ConnectionLimits:
    max_content_chars: int = 4000
    agent_timeout_seconds: int = 120
    idle_seconds: int | None = None
    frame_burst: int = 20
    frames_per_second: float = 5.0


@dataclass
class _Clock:
    now: float = 0.0

    def __call__(self) -> float:
        return self.now


@dataclass
class GatewayConnection:
    session_id: str
    user_id: str
    connection_id: str
    session: Mapping[str, Any]
    """The session document as read when the connection opened."""
    resume_from: int
    """Frames with a ``seq`` at or below this were seen by the client (``last_seq``) or recorded as sent."""
    opened_at: datetime
    limits: ConnectionLimits = field(default_factory=ConnectionLimits)
    client_tracks_seq: bool = False
    """The client sent ``last_seq``: it resumes by itself, so frames need no record before they go."""

    def __post_init__(self) -> None:
        self._view: dict[str, Any] = dict(self.session)
        self.delivered = self.resume_from
        self._sent: set[int] = set()
        self._finals: dict[int, dict[str, Any]] = {}
        self._recording: int | None = None
        self._record_wanted = self._recorded = self.resume_from
        self._delta_len: dict[int, int] = {}
        self._storing: schema.UserTurnPlan | None = None
        self._store_attempts = 0
        self._closed = False
        self._replaced = False
        self._clock = _Clock(self.opened_at.timestamp())
        self._bucket = TokenBucket(self.limits.frame_burst, self.limits.frames_per_second, self._clock)
        self._limited_at: float | None = None

    # -- state seen from outside -----------------------------------------------------------
    @property
    def closed(self) -> bool:
        return self._closed

    @property
    def pending_turn(self) -> str | None:
        return self._view.get("pending_turn")

    # -- events ---------------------------------------------------------------------------
    def opened(self) -> list[Action]:
        """The socket is open: ``connected`` is always the first frame."""
        return [SendFrame(protocol.connected())]

    def frame_received(self, frame: str | bytes, now: datetime) -> list[Action]:
        if self._closed:
            return []
        self._clock.now = now.timestamp()
        if not self._bucket.take():
            if self._limited_at is not None and self._clock.now - self._limited_at < 1.0:
                return []  # one notice a second; the rest are dropped
            self._limited_at = self._clock.now
            wait = max(1, round(self._bucket.wait_seconds()))
            return [SendFrame(protocol.error(
                f"Too many messages: slow down (try again in {wait} s). Nothing was stored.",
                ErrorCode.RATE_LIMITED))]
        try:
            message = protocol.parse_client_frame(frame, max_content_chars=self.limits.max_content_chars)
        except ProtocolError as exc:
            return [SendFrame(protocol.error(exc.message, exc.code))]
        if isinstance(message, protocol.Ping):
            return [SendFrame(protocol.pong())]
        if self._replaced:
            return self._replaced_close()
        if self._storing is not None:
            return [SendFrame(protocol.error(
                "Still storing your previous message. Send this one again once it is acknowledged.",
                ErrorCode.AGENT_BUSY))]
        self._store_attempts = 0
        return self._plan(message.content, now)

    def turn_stored(self, seq: int) -> list[Action]:
        plan, self._storing = self._storing, None
        if plan is None or plan.seq != seq:
            return []
        self._view.update(plan.session_update)
        return [SendFrame(protocol.ack(seq))]

    def turn_conflict(self, session: Mapping[str, Any] | None, now: datetime) -> list[Action]:
        """The turn's sequence was taken (another connection stored it): try again from ``session``."""
        plan, self._storing = self._storing, None
        if plan is None:
            return []
        self._view = dict(session or {})
        live = self._view.get("connection_id")
        if live and live != self.connection_id:
            self._replaced = True
            return self._replaced_close()
        if self._store_attempts >= MAX_STORE_ATTEMPTS:
            return [SendFrame(protocol.error(DEFAULT_MESSAGE[ErrorCode.AGENT_BUSY], ErrorCode.AGENT_BUSY))]
        return self._plan(plan.turn["content"], now)

    def turn_failed(self, code: ErrorCode = ErrorCode.MESSAGE_NOT_STORED) -> list[Action]:
        """Storing failed and nothing was stored: say so (the connection stays open)."""
        self._storing = None
        return [SendFrame(protocol.error(DEFAULT_MESSAGE[code], code))]

    def reply_received(self, turn: Mapping[str, Any]) -> list[Action]:
        """A reply document (final or in progress) or a stream chunk for this session."""
        if self._closed:
            return []
        message = schema.client_message_for_turn(turn)
        seq = turn.get("seq")
        if message is None or not isinstance(seq, int):
            return []
        # A reply to the message being stored can overtake the store's own result (the trigger
        # fires on the commit): the message is stored, so it is acknowledged first.
        if self._storing is not None and seq > self._storing.seq:
            return self.turn_stored(self._storing.seq) + self.reply_received(turn)
        if message["type"] == "agent_message_delta":
            if (seq <= self.delivered or seq in self._sent or seq in self._finals or self._finals
                    or self._recording is not None or len(message["content"]) <= self._delta_len.get(seq, 0)):
                return []
            self._delta_len[seq] = len(message["content"])
            return [SendFrame(message)]
        self._note_reply(turn, seq)
        if seq <= self.resume_from or seq in self._sent or seq in self._finals:
            return []
        if self.client_tracks_seq:
            actions = self._send_final(seq, message)
            record = self._record_after_send(seq)
            if isinstance(actions[-1], Close):  # the record goes before the connection ends
                return actions[:-1] + record + actions[-1:]
            return actions + record
        self._finals[seq] = message
        return self._flush()

    def delivery_recorded(self, seq: int) -> list[Action]:
        """``delivered_seq`` = ``seq`` is stored: send every waiting final frame up to it, in order."""
        if self._recording != seq:
            return []
        self._recording = None
        if self.client_tracks_seq:
            return self._record_after_send(0)
        actions: list[Action] = []
        for s in sorted(x for x in self._finals if x <= seq):
            message = self._finals.pop(s)
            if not self._closed:
                actions += self._send_final(s, message)
        return actions + self._flush()

    def _send_final(self, seq: int, message: dict[str, Any]) -> list[Action]:
        self._sent.add(seq)
        self.delivered = max(self.delivered, seq)
        self._delta_len.pop(seq, None)
        if message["type"] == "mission_created":
            self._closed = True
            return [SendFrame(message), Close(NORMAL_CLOSURE, "Mission created")]
        return [SendFrame(message)]

    def delivery_failed(self, seq: int) -> list[Action]:
        """The record could not be written: try again (the I/O layer backs off). The frame waits:
        sending it unrecorded could make a reconnect without ``last_seq`` repeat it."""
        if self._recording != seq or self._closed:
            return []
        if self.client_tracks_seq:  # best effort for this client: it resumes from its own last_seq
            self._recording = None
            return self._record_after_send(0)
        return [RecordDelivery(seq)]

    def _record_after_send(self, seq: int) -> list[Action]:
        """One record in flight at a time, always the highest sent so far."""
        self._record_wanted = max(self._record_wanted, seq)
        if self._recording is not None or self._record_wanted <= self._recorded:
            return []
        self._recording = self._recorded = self._record_wanted
        return [RecordDelivery(self._recording)]

    def replaced(self) -> list[Action]:
        """A newer connection to this session took over: this one closes at once."""
        self._replaced = True
        if self._closed:
            return []
        self._closed = True
        return [Close(REPLACED, DEFAULT_MESSAGE[ErrorCode.SESSION_REPLACED])]

    # -- internals --------------------------------------------------------------------------
    def _plan(self, content: str, now: datetime) -> list[Action]:
        repeated = schema.repeated_user_seq(self._view, content)
        if repeated is not None and not self._answer_seen(repeated):
            # The client sent its last message again before its answer reached it (it lost the
            # connection before the ``ack``): the same message, stored once; the answer follows.
            return [SendFrame(protocol.ack(repeated))]
        try:
            plan = schema.plan_user_turn(self.session_id, self._view, self.user_id, content, now,
                                         self.limits.agent_timeout_seconds, self.limits.idle_seconds)
        except SessionError as exc:
            return [SendFrame(protocol.error(exc.message, exc.code))]
        self._storing = plan
        self._store_attempts += 1
        return [StoreTurn(plan)]

    def _answer_seen(self, user_seq: int) -> bool:
        reply = schema.reply_seq(user_seq)
        return reply <= self.delivered or reply in self._sent

    def _replaced_close(self) -> list[Action]:
        self._closed = True
        text = DEFAULT_MESSAGE[ErrorCode.SESSION_REPLACED]
        return [SendFrame(protocol.error(text, ErrorCode.SESSION_REPLACED)), Close(REPLACED, text)]

    def _note_reply(self, turn: Mapping[str, Any], seq: int) -> None:
        """Keep the session view current: a final reply ends its turn's wait."""
        if self._view.get("pending_turn") == schema.turn_id(seq - 1):
            self._view.update(pending_turn=None, pending_since=None)
        self._view["next_seq"] = max(int(self._view.get("next_seq") or 1), seq + 1)
        if turn.get("kind") == schema.TurnKind.MISSION_CREATED.value:
            self._view["status"] = schema.SessionStatus.COMPLETED.value

    def _flush(self) -> list[Action]:
        if self._recording is not None or not self._finals or self._closed:
            return []
        self._recording = max(self._finals)
        return [RecordDelivery(self._recording)]
