"""TurnRelay: ONE Firestore listener per gateway process, fanned out to the
connections this process holds.

gRPC caps a channel at 100 concurrent streams, so a listener per connection
would cap a process near 100 sessions. Instead this process listens to every
agent turn created since it started (a collection-group query) and hands each
one to the subscribers of its session. Any process can therefore serve any
session: the reply reaches whichever process holds the connection.
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from datetime import datetime, timedelta
from typing import Any, Callable

from google.cloud import firestore
from google.cloud.firestore_v1.base_query import FieldFilter

from mission_commander import schema

__all__ = ["TurnRelay", "Subscription"]

log = logging.getLogger(__name__)


class Subscription:
    """One connection's feed of its session's agent turns (in arrival order)."""

    def __init__(self, session_id: str) -> None:
        self.session_id = session_id
        self.queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue()


class TurnRelay:
    def __init__(self, client: firestore.Client, *, clock: Callable[[], datetime] = schema.utc_now,
                 lookback_seconds: int = 60) -> None:
        self._db = client
        self._clock = clock
        self._lookback = timedelta(seconds=lookback_seconds)
        self._subscribers: dict[str, set[Subscription]] = defaultdict(set)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._watch: Any = None
        self.events_seen = 0

    def start(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        since = self._clock() - self._lookback
        query = (self._db.collection_group(schema.TURNS)
                 .where(filter=FieldFilter("role", "==", schema.TurnRole.AGENT.value))
                 .where(filter=FieldFilter("created_at", ">=", since)))
        self._watch = query.on_snapshot(self._on_snapshot)
        log.info("relay listening", extra={"fields": {"since": since.isoformat()}})

    def stop(self) -> None:
        if self._watch is not None:
            self._watch.unsubscribe()
            self._watch = None

    @property
    def connections(self) -> int:
        return sum(len(s) for s in self._subscribers.values())

    def subscribe(self, session_id: str) -> Subscription:
        sub = Subscription(session_id)
        self._subscribers[session_id].add(sub)
        return sub

    def unsubscribe(self, sub: Subscription) -> None:
        subs = self._subscribers.get(sub.session_id)
        if subs is not None:
            subs.discard(sub)
            if not subs:
                del self._subscribers[sub.session_id]

    # Runs on the listener's own thread.
    def _on_snapshot(self, _docs: Any, changes: Any, _read_time: Any) -> None:
        turns = []
        for change in changes:
            if change.type.name in ("ADDED", "MODIFIED"):
                data = change.document.to_dict()
                if data and data.get("session_id"):
                    turns.append(data)
        if turns and self._loop is not None:
            self._loop.call_soon_threadsafe(self._dispatch, turns)

    def _dispatch(self, turns: list[dict[str, Any]]) -> None:
        self.events_seen += len(turns)
        for turn in turns:
            for sub in self._subscribers.get(turn["session_id"], ()):
                sub.queue.put_nowait(turn)
