"""GatewayInbox: this process's own feed of replies, stream chunks and
replacement notices, and nothing else.

Each gateway process has an identity (``gateway_id``). When a connection
opens, the session records which process holds it; the trigger, inside the
transaction that completes a reply, reads that holder and writes the reply to
``gateways/{gateway_id}/inbox``. One listener per process watches only its
own inbox, and every document is deleted once relayed, so the listener's live
result set holds only this process's undelivered traffic: its load follows
its own sessions, not the whole system's (Firestore bills and delivers every
change of a result set to each listener).

Documents that arrive for a session this process no longer holds are deleted
too: the session's new holder catches up from the session's replies. A TTL
policy on ``expires_at`` removes what a process that died left behind.

Long-lived listeners can stop delivering without an error: the watchdog
replaces a listener that is no longer active and catches every connection up
from Firestore (the connection drops what it already sent, by ``seq``).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import defaultdict
from typing import Any, Awaitable, Callable, Protocol

from google.cloud import firestore

from mission_commander import schema

__all__ = ["GatewayInbox", "Subscription"]

log = logging.getLogger(__name__)

DELETE_BATCH_SECONDS = 0.05


class Subscription:
    """One connection's routing entry: where its session's documents go."""

    def __init__(self, session_id: str, connection_id: str, deliver: Callable[[dict[str, Any]], None],
                 replace: Callable[[], None], catch_up: Callable[[], Awaitable[None]]) -> None:
        self.session_id = session_id
        self.connection_id = connection_id
        self.deliver = deliver
        self.replace = replace
        self.catch_up = catch_up


class InboxWriter(Protocol):
    async def put_inbox(self, gateway_id: str, doc_id: str, doc: dict[str, Any]) -> None: ...

    async def delete_inbox(self, gateway_id: str, doc_ids: list[str]) -> None: ...


class GatewayInbox:
    def __init__(self, client: firestore.Client, gateway_id: str, writer: InboxWriter) -> None:
        self._db = client
        self.gateway_id = gateway_id
        self._writer = writer
        self._heartbeats_sent = 0
        self._heartbeat_seen = 0
        self._subscribers: dict[str, list[Subscription]] = defaultdict(list)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._watch: Any = None
        self._to_delete: list[str] = []
        self._deleter: asyncio.Task[None] | None = None
        self.events_received = 0
        """Inbox documents this process received (replies, chunks, notices)."""
        self.events_for_own_sessions = 0
        """Those of them for a session with a live connection here."""
        self.renewals = 0
        self.on_event: Callable[[dict[str, Any]], None] | None = None

    # -- listener -------------------------------------------------------------------------
    def start(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        self._listen()

    def _listen(self) -> None:
        inbox = self._db.collection(schema.GATEWAYS).document(self.gateway_id).collection(schema.INBOX)
        self._watch = inbox.on_snapshot(self._on_snapshot)

    def stop(self) -> None:
        watch, self._watch = self._watch, None
        if watch is not None:
            try:
                watch.unsubscribe()
            except Exception:  # noqa: BLE001 - already broken; we are leaving anyway
                log.debug("listener unsubscribe failed", exc_info=True)

    def healthy(self) -> bool:
        return self._watch is not None and bool(getattr(self._watch, "is_active", False))

    async def check(self) -> bool:
        """Renew the listener if it died or went silent (the last heartbeat never came back),
        then catch every connection up; send the next heartbeat. True if renewed."""
        silent = self._heartbeat_seen < self._heartbeats_sent
        renewed = False
        if not self.healthy() or silent:
            self.stop()
            self._listen()
            self.renewals += 1
            renewed = True
            log.warning("inbox listener was %s; renewed it and catching up", "silent" if silent else "dead")
            for subs in list(self._subscribers.values()):
                for sub in list(subs):
                    await sub.catch_up()
        self._heartbeats_sent += 1
        doc_id, doc = schema.inbox_heartbeat_document(self._heartbeats_sent, schema.utc_now())
        await self._writer.put_inbox(self.gateway_id, doc_id, doc)
        return renewed

    async def watchdog(self, interval: float) -> None:
        while True:
            await asyncio.sleep(interval)
            try:
                await self.check()
            except Exception:  # noqa: BLE001 - keep watching; the next round retries
                log.exception("inbox check failed")

    # -- routing --------------------------------------------------------------------------
    @property
    def connections(self) -> int:
        return sum(len(s) for s in self._subscribers.values())

    def subscribe(self, sub: Subscription) -> None:
        """Route the session's documents to ``sub``; an older connection of it here is replaced."""
        for older in list(self._subscribers.get(sub.session_id, ())):
            older.replace()
        self._subscribers[sub.session_id].append(sub)

    def unsubscribe(self, sub: Subscription) -> None:
        subs = self._subscribers.get(sub.session_id)
        if subs is not None and sub in subs:
            subs.remove(sub)
            if not subs:
                del self._subscribers[sub.session_id]

    # -- events (the snapshot callback runs on the listener's thread) ------------------------
    def _on_snapshot(self, _docs: Any, changes: Any, _read_time: Any) -> None:
        received = time.perf_counter()
        docs = []
        for change in changes:
            if change.type.name != "ADDED":
                continue
            data = change.document.to_dict()
            if data:
                docs.append({**data, "_id": change.document.id, "_committed": change.document.update_time,
                             "_received": received})
        if docs and self._loop is not None:
            self._loop.call_soon_threadsafe(self._dispatch, docs)

    def _dispatch(self, docs: list[dict[str, Any]]) -> None:
        for doc in docs:
            if doc.get("inbox_kind") == schema.InboxKind.HEARTBEAT.value:
                self._heartbeat_seen = max(self._heartbeat_seen, int(doc.get("seq") or 0))
                self._to_delete.append(doc["_id"])
                continue
            self.events_received += 1
            if self.on_event is not None:
                self.on_event(doc)
            subs = self._subscribers.get(doc.get("session_id") or "", [])
            if subs:
                self.events_for_own_sessions += 1
            if doc.get("inbox_kind") == schema.InboxKind.REPLACE.value:
                for sub in list(subs):
                    if sub.connection_id == doc.get("connection_id"):
                        sub.replace()
            else:
                for sub in list(subs):
                    sub.deliver(doc)
            self._to_delete.append(doc["_id"])
        if self._to_delete and (self._deleter is None or self._deleter.done()):
            self._deleter = asyncio.ensure_future(self._delete_soon())

    async def _delete_soon(self) -> None:
        await asyncio.sleep(DELETE_BATCH_SECONDS)
        while self._to_delete:
            ids, self._to_delete = self._to_delete, []
            try:
                await self._writer.delete_inbox(self.gateway_id, ids)
            except Exception:  # noqa: BLE001 - the TTL policy removes them later
                log.warning("inbox cleanup failed", exc_info=True, extra={"fields": {"documents": len(ids)}})
