"""TurnRelay: ONE Firestore listener per gateway process for agent replies,
fanned out to the connections this process holds.

gRPC caps a channel at 100 concurrent streams, so a listener per connection
would cap a process near 100 sessions. Instead this process listens to every
agent reply created since it started (a collection-group query on ``replies``) and hands each
one to the subscribers of its session. Any process can therefore serve any
session: the reply reaches whichever process holds the connection.

The listener's query is a time window (replies created since a moment). The
client library rebuilds the whole result set on every change, so a window
that only grows would cost more with every reply; the relay therefore renews
the listener on a short period, make-before-break: the new listener (window
starting a little before now) is up before the old one goes, so nothing falls
between them, and subscribers drop what they already have (by sequence).

Long-lived listeners can also stop delivering without an error. The watchdog
replaces a listener that is no longer active and then catches every
subscriber up from Firestore, so nothing is lost or sent twice.
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
        self.on_replaced: Callable[[], None] | None = None
        """Called once when a newer connection to the same session takes over."""

    def replace(self) -> None:
        callback, self.on_replaced = self.on_replaced, None
        if callback is not None:
            callback()


class TurnRelay:
    def __init__(self, client: firestore.Client, catch_up: CatchUp, *,
                 clock: Callable[[], datetime] = schema.utc_now, lookback_seconds: int = 30,
                 resubscribe_seconds: float = 60) -> None:
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
        replies = self._db.collection_group(schema.REPLIES).where(filter=FieldFilter("created_at", ">=", since))
        self._watches = [replies.on_snapshot(self._on_turns)]
        self._subscribed_at = time.monotonic()
        log.debug("relay listening", extra={"fields": {"since": since.isoformat()}})

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
        """Renew the listener if it died (then catch up) or is due. True if renewed."""
        healthy = self.healthy()
        due = time.monotonic() - self._subscribed_at >= self._resubscribe_seconds
        if healthy and not due:
            return False
        old = self._watches
        self._listen()  # make before break: the new window overlaps the old one
        self.renewals += 1
        if healthy:
            await asyncio.sleep(1.0)  # let the new listener deliver its first snapshot
        for watch in old:
            try:
                watch.unsubscribe()
            except Exception:  # noqa: BLE001 - already broken
                log.debug("listener unsubscribe failed", exc_info=True)
        if not healthy:
            log.warning("relay listener was dead; renewed it and catching up")
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
        """A feed for a new connection; older connections of the session here are replaced."""
        sub = Subscription(session_id, connection_id, delivered_seq)
        for older in list(self._subscribers.get(session_id, ())):
            older.replace()
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

    def _dispatch(self, turns: list[dict[str, Any]]) -> None:
        self.events_seen += len(turns)
        for turn in turns:
            for sub in self._subscribers.get(turn["session_id"], ()):
                sub.queue.put_nowait(turn)

