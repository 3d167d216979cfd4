"""TurnRelay: ONE Firestore listener per gateway process for agent turns
(plus one for connection hand-overs), fanned out to the connections this
process holds.

gRPC caps a channel at 100 concurrent streams, so a listener per connection
would cap a process near 100 sessions. Instead this process listens to every
agent reply created since it started (a collection-group query on ``replies``) and hands each
one to the subscribers of its session. Any process can therefore serve any
session: the reply reaches whichever process holds the connection.

Long-lived listeners can stop delivering without an error. A watchdog renews
the listeners when they are no longer active and on a fixed period, and then
catches every subscriber up from Firestore; subscribers drop what they
already have (by sequence), so nothing is lost or sent twice.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import defaultdict
from datetime import datetime, timedelta
from typing import Any, Awaitable, Callable

from google.cloud import firestore
from google.cloud.firestore_v1.base_query import FieldFilter

from mission_commander import schema

__all__ = ["TurnRelay", "Subscription"]

log = logging.getLogger(__name__)

CatchUp = Callable[[str, int], Awaitable[list[dict[str, Any]]]]


class Subscription:
    """One connection's feed of its session's agent turns (in arrival order)."""

    def __init__(self, session_id: str, connection_id: str, delivered_seq: int = 0) -> None:
        self.session_id = session_id
        self.connection_id = connection_id
        self.delivered_seq = delivered_seq
        """The highest sequence whose final message this connection has sent."""
        self.queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self.claimed_at: datetime | None = None
        """When this connection recorded itself as the session's live one."""
        self.on_replaced: Callable[[], None] | None = None
        """Called once when a newer connection to the same session claims it."""


class TurnRelay:
    def __init__(self, client: firestore.Client, catch_up: CatchUp, *,
                 clock: Callable[[], datetime] = schema.utc_now, lookback_seconds: int = 60,
                 resubscribe_seconds: float = 600) -> None:
        self._db = client
        self._catch_up = catch_up
        self._clock = clock
        self._lookback = timedelta(seconds=lookback_seconds)
        self._resubscribe_seconds = resubscribe_seconds
        self._subscribers: dict[str, set[Subscription]] = defaultdict(set)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._watches: list[Any] = []
        self._subscribed_at = 0.0
        self.events_seen = 0
        self.renewals = 0

    # -- listeners ----------------------------------------------------------------------
    def start(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        self._listen()

    def _listen(self) -> None:
        since = self._clock() - self._lookback
        turns = self._db.collection_group(schema.REPLIES).where(filter=FieldFilter("created_at", ">=", since))
        connections = self._db.collection(schema.CONNECTIONS).where(filter=FieldFilter("connection_at", ">=", since))
        self._watches = [turns.on_snapshot(self._on_turns), connections.on_snapshot(self._on_connections)]
        self._subscribed_at = time.monotonic()
        log.info("relay listening", extra={"fields": {"since": since.isoformat()}})

    def stop(self) -> None:
        for watch in self._watches:
            try:
                watch.unsubscribe()
            except Exception:  # noqa: BLE001 - already broken; we are leaving anyway
                log.debug("listener unsubscribe failed", exc_info=True)
        self._watches = []

    def healthy(self) -> bool:
        return bool(self._watches) and all(getattr(w, "is_active", False) for w in self._watches)

    async def check(self) -> bool:
        """Renew the listeners if they died or are due, then catch up. True if renewed."""
        due = time.monotonic() - self._subscribed_at >= self._resubscribe_seconds
        if self.healthy() and not due:
            return False
        log.warning("relay renewing its listeners", extra={"fields": {"healthy": self.healthy(), "due": due}})
        self.stop()
        self._listen()
        self.renewals += 1
        await self.catch_up_all()
        return True

    async def catch_up_all(self) -> None:
        for session_id, subs in list(self._subscribers.items()):
            if subs:
                await self.catch_up(session_id, min(s.delivered_seq for s in subs))

    async def catch_up(self, session_id: str, after_seq: int) -> None:
        """Feed the session's subscribers every agent turn after ``after_seq`` from Firestore."""
        turns = [t for t in await self._catch_up(session_id, after_seq)
                 if t.get("role") == schema.TurnRole.AGENT.value]
        self._dispatch(turns)

    async def watchdog(self, interval: float) -> None:
        while True:
            await asyncio.sleep(interval)
            try:
                await self.check()
            except Exception:  # noqa: BLE001 - keep watching; the next round retries
                log.exception("relay check failed")

    # -- subscribers ----------------------------------------------------------------------
    @property
    def connections(self) -> int:
        return sum(len(s) for s in self._subscribers.values())

    def subscribe(self, session_id: str, connection_id: str, delivered_seq: int = 0) -> Subscription:
        sub = Subscription(session_id, connection_id, delivered_seq)
        self._subscribers[session_id].add(sub)
        return sub

    def unsubscribe(self, sub: Subscription) -> None:
        subs = self._subscribers.get(sub.session_id)
        if subs is not None:
            subs.discard(sub)
            if not subs:
                del self._subscribers[sub.session_id]

    # -- events (callbacks run on the listeners' threads) -----------------------------------
    @staticmethod
    def _changed(changes: Any) -> list[dict[str, Any]]:
        received = time.perf_counter()
        out = []
        for change in changes:
            if change.type.name in ("ADDED", "MODIFIED"):
                data = change.document.to_dict()
                if data:
                    out.append({**data, "_id": change.document.id, "_committed": change.document.update_time,
                                "_received": received})
        return out

    def _on_turns(self, _docs: Any, changes: Any, _read_time: Any) -> None:
        turns = [t for t in self._changed(changes) if t.get("session_id")]
        if turns and self._loop is not None:
            self._loop.call_soon_threadsafe(self._dispatch, turns)

    def _on_connections(self, _docs: Any, changes: Any, _read_time: Any) -> None:
        sessions = self._changed(changes)
        if sessions and self._loop is not None:
            self._loop.call_soon_threadsafe(self._hand_over, sessions)

    def _dispatch(self, turns: list[dict[str, Any]]) -> None:
        self.events_seen += len(turns)
        for turn in turns:
            for sub in self._subscribers.get(turn["session_id"], ()):
                sub.queue.put_nowait(turn)

    def _hand_over(self, claims: list[dict[str, Any]]) -> None:
        """The newest connection of a session wins: older ones here are told so."""
        for claim in claims:
            current, at = claim.get("connection_id"), claim.get("connection_at")
            for sub in list(self._subscribers.get(claim["_id"], ())):
                # Only a claim made after ours replaces us (events can arrive late).
                if current and sub.connection_id != current and sub.claimed_at is not None \
                        and isinstance(at, datetime) and at > sub.claimed_at and sub.on_replaced is not None:
                    callback, sub.on_replaced = sub.on_replaced, None
                    callback()
