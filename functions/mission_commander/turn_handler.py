"""What the trigger does with a new turn document: answer user turns, exactly once.

At-least-once delivery means the same event can arrive twice (or the reply's
own creation fires the trigger too). The reply's id is derived from the user
turn, and it is claimed in a transaction before the agent runs, so a
duplicate finds the claim and stops.
"""

from __future__ import annotations

import logging
import time
from typing import Any, Callable

from .agent import InterviewAgent
from .errors import DEFAULT_MESSAGE, AgentError, ErrorCode
from .profile import LearnerProfile
from .protocol import MISSION_CREATED_MESSAGE
from .schema import TurnKind, TurnRole, utc_now
from .store import Claim, SessionStore

__all__ = ["TurnHandler"]

log = logging.getLogger(__name__)


REPLY_REWRITE_SECONDS = 1.0
"""A streaming reply's own document is rewritten at most this often (Firestore's sustained rate
for one document is about one write per second)."""


class _PartialWriter:
    """Streams a reply's text so far to the gateway holding the session: each chunk is a new
    inbox document (written once), at most once per ``interval`` seconds. The reply document
    itself gets the text so far at most once per :data:`REPLY_REWRITE_SECONDS` (for a client that
    reconnects mid-reply, and to renew the claim's lease); the holder is looked up again then,
    so a connection that moved keeps receiving chunks."""

    def __init__(self, store: SessionStore, claim: Claim, interval: float, clock: Callable[[], Any]) -> None:
        self._store, self._claim, self._interval, self._clock = store, claim, interval, clock
        self._holder = claim.holder
        self._last = 0.0
        self._last_reply_write = time.monotonic()
        self.writes = 0
        self.chunks = 0

    def __call__(self, text_so_far: str) -> None:
        now = time.monotonic()
        if now - self._last < self._interval:
            return
        self._last = now
        try:
            if now - self._last_reply_write >= REPLY_REWRITE_SECONDS:
                self._last_reply_write = now
                self.writes += 1
                self._store.write_partial(self._claim, text_so_far, self._clock())
                self._holder = self._store.holder(self._claim.session_id)
            if self._holder:
                self.chunks += 1
                self._store.send_chunk(self._holder, self._claim, self.chunks, text_so_far, self._clock())
        except Exception:  # noqa: BLE001 - a lost progress write must not lose the reply
            log.warning("partial reply write failed", exc_info=True)


class _Phases:
    """Where one turn's time goes (logged with the answer; the benchmark reads it)."""

    def __init__(self, now: Any, turn_created_at: Any) -> None:
        self._at = time.perf_counter()
        self.ms: dict[str, float] = {}
        if turn_created_at is not None:
            try:
                self.ms["store_and_dispatch"] = round((now - turn_created_at).total_seconds() * 1000, 1)
            except TypeError:
                pass

    def mark(self, name: str) -> None:
        now = time.perf_counter()
        self.ms[name] = round((now - self._at) * 1000, 1)
        self._at = now

    def summary(self) -> dict[str, float]:
        return dict(self.ms)


class TurnHandler:
    def __init__(self, store: SessionStore, agent: InterviewAgent, *, lease_seconds: int = 300,
                 stream_interval_seconds: float = 0.25, clock: Callable[[], Any] = utc_now) -> None:
        self._store = store
        self._agent = agent
        self._lease = lease_seconds
        self._stream_interval = stream_interval_seconds
        self._clock = clock

    def handle(self, session_id: str, turn: dict[str, Any] | None) -> str:
        """Answer ``turn`` if it is a learner's message; returns what happened."""
        if not turn or turn.get("role") != TurnRole.USER.value:
            return "ignored"
        fields = {"session_id": session_id, "seq": turn.get("seq"), "agent": self._agent.name}
        phases = _Phases(self._clock(), turn.get("created_at"))
        claim = self._store.claim_reply(session_id, turn, self._clock(), self._agent.name, self._lease)
        phases.mark("claim")
        if claim is None:
            log.info("duplicate or stale turn event ignored", extra={"fields": fields})
            return "duplicate"
        context = self._store.turn_context(claim)
        phases.mark("context")
        if context is None:
            log.info("turn for a session that is gone ignored", extra={"fields": fields})
            return "ignored"
        claim, history = context
        started = time.monotonic()
        writer = _PartialWriter(self._store, claim, self._stream_interval, self._clock)
        try:
            profile = LearnerProfile.from_dict(claim.profile)
            result = self._agent.respond(profile, history, str(turn.get("content") or ""), on_text=writer)
        except Exception as exc:  # noqa: BLE001 - any agent failure becomes an error turn
            message = exc.message if isinstance(exc, AgentError) else DEFAULT_MESSAGE[ErrorCode.AGENT_ERROR]
            log.warning("agent failed", exc_info=not isinstance(exc, AgentError), extra={"fields": fields})
            self._store.complete_reply(claim, self._clock(), kind=TurnKind.ERROR, content=message,
                                       extra={**dict(getattr(exc, "meta", None) or {}),  # model, attempts, last error
                                              "error_code": ErrorCode.AGENT_ERROR.value,
                                              "latency_ms": round((time.monotonic() - started) * 1000, 1)})
            return "error"
        phases.mark("agent")
        latency_ms = round((time.monotonic() - started) * 1000, 1)
        extra = {**dict(result.meta), "latency_ms": latency_ms, "partial_writes": writer.writes,
                 "stream_chunks": writer.chunks}
        if result.plan is not None:
            written = self._store.complete_reply(claim, self._clock(), kind=TurnKind.MISSION_CREATED,
                                                 content=MISSION_CREATED_MESSAGE, profile=result.profile,
                                                 draft=result.plan, extra=extra)
            outcome = "mission_created"
        else:
            written = self._store.complete_reply(claim, self._clock(), kind=TurnKind.MESSAGE,
                                                 content=result.reply, profile=result.profile, extra=extra)
            outcome = "replied"
        if written is None:
            log.warning("reply claim lost; another delivery answered", extra={"fields": fields})
            return "duplicate"
        phases.mark("complete")
        log.info("turn answered", extra={"fields": {**fields, "outcome": outcome, "latency_ms": latency_ms,
                                                    "phases_ms": phases.summary()}})
        return outcome
