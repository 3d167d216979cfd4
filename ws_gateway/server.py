"""The WebSocket server: a thin I/O loop around the shared connection core.

Each connection feeds :class:`mission_commander.connection.GatewayConnection`
with events (client frames, this process's inbox documents, the results of
its own writes) and carries out the actions it returns (send a frame, store a
turn, record a delivery, close). The rules live in the core, not here."""

from __future__ import annotations

import asyncio
import http
import json
import logging
import secrets
import signal
import time
from collections import deque
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import parse_qs, urlsplit

from websockets.asyncio.server import ServerConnection, serve
from websockets.datastructures import Headers
from websockets.http11 import Request, Response

from google.api_core import exceptions as gexc

from mission_commander import protocol, schema
from mission_commander.auth import TokenVerifier
from mission_commander.connection import (Action, Close, ConnectionLimits, GatewayConnection, RecordDelivery,
                                          SendFrame, StoreTurn)
from mission_commander.errors import (CLOSE_CODE, POLICY_VIOLATION, SERVICE_RESTART, AuthError, ErrorCode,
                                      MissionCommanderError, SessionError)
from mission_commander.firebase_app import async_firestore_client, firestore_client
from mission_commander.settings import Settings

from .inbox import GatewayInbox, Subscription
from .metrics import GatewayMetrics
from .session_gate import SessionGate, TurnConflict

__all__ = ["WS_PATH", "Gateway", "run"]

log = logging.getLogger("ws_gateway")

WS_PATH = "/api/v1/mission-commander/ws"
HEALTH_PATHS = ("/health", "/healthz")
METRICS_PATH = "/metrics"


def _json_response(status: http.HTTPStatus, body: dict[str, Any]) -> Response:
    return _response(status, json.dumps(body).encode(), "application/json")


def _response(status: http.HTTPStatus, data: bytes, content_type: str) -> Response:
    headers = Headers([("Content-Type", content_type), ("Content-Length", str(len(data))),
                       ("Cache-Control", "no-store")])
    return Response(status.value, status.phrase, headers, data)


def _last_seq(query: dict[str, list[str]]) -> int | None:
    raw = (query.get("last_seq") or [""])[0].strip()
    return int(raw) if raw.isdigit() else None


Event = tuple[Any, ...]
Post = Callable[[Event], None]


def _consume(future: Any) -> None:
    """A ping's waiter fails when its connection closes: nothing to report."""
    if not future.cancelled():
        future.exception()


class _Events:
    """One connection's events (client frames, inbox documents, the results of its writes),
    handled one at a time in arrival order by a task that exists only while there is something
    to handle: an idle connection holds no task beyond the one reading its socket."""

    __slots__ = ("_pending", "_handle", "task", "closed")

    def __init__(self, handle: Callable[[Event], Awaitable[bool]]) -> None:
        self._pending: deque[Event] = deque()
        self._handle = handle
        self.task: asyncio.Task[None] | None = None
        self.closed = False

    def put(self, event: Event) -> None:
        if self.closed:
            return
        self._pending.append(event)
        if self.task is None:
            self.task = asyncio.get_running_loop().create_task(self._run())

    async def _run(self) -> None:
        try:
            while self._pending and not self.closed:
                if not await self._handle(self._pending.popleft()):
                    self.closed = True  # the connection is over: later events are dropped
        finally:
            self.task = None

    async def finish(self, timeout: float) -> None:
        """Stop taking events; let the one being handled end (bounded)."""
        self.closed = True
        if self.task is not None:
            await asyncio.wait({self.task}, timeout=timeout)


class Gateway:
    def __init__(self, settings: Settings, verifier: TokenVerifier, gate: SessionGate, inbox: GatewayInbox) -> None:
        self.settings = settings
        self._verifier = verifier
        self._gate = gate
        self._inbox = inbox
        self._live: dict[str, ServerConnection] = {}
        self._tasks: set[asyncio.Task[Any]] = set()
        self._pongs: dict[str, Awaitable[float]] = {}
        self.draining = False
        self.metrics = GatewayMetrics(inbox, lambda: len(self._live))
        self._limits = ConnectionLimits(max_content_chars=settings.max_content_chars,
                                        agent_timeout_seconds=settings.agent_timeout_seconds,
                                        idle_seconds=settings.session_idle_seconds,
                                        frame_burst=settings.frame_burst,
                                        frames_per_second=settings.frames_per_second)

    # -- HTTP (before the upgrade) ------------------------------------------------
    def process_request(self, connection: ServerConnection, request: Request) -> Response | None:
        path = urlsplit(request.path).path
        if path in HEALTH_PATHS:
            status = http.HTTPStatus.SERVICE_UNAVAILABLE if self.draining else http.HTTPStatus.OK
            return _json_response(status, {"status": "draining" if self.draining else "ok",
                                           "connections": len(self._live), "relay_healthy": self._inbox.healthy()})
        if path == METRICS_PATH and self.settings.metrics_enabled:
            if "reset=1" in (urlsplit(request.path).query or ""):
                self.metrics.reset()
            data, content_type = self.metrics.exposition()
            return _response(http.HTTPStatus.OK, data, content_type)
        if path != WS_PATH:
            return _json_response(http.HTTPStatus.NOT_FOUND, {"error": {"code": "not_found", "message": "Not found"}})
        if self.draining:
            return _json_response(http.HTTPStatus.SERVICE_UNAVAILABLE,
                                  {"error": {"code": "draining", "message": "Restarting: connect again"}})
        origin = request.headers.get("Origin")
        if origin is not None and not self.settings.origin_allowed(origin):
            log.info("origin refused", extra={"fields": {"origin": origin}})
            return _json_response(http.HTTPStatus.FORBIDDEN,
                                  {"error": {"code": "origin_not_allowed", "message": "Origin not allowed"}})
        return None

    # -- Heartbeats -------------------------------------------------------------------
    async def keepalive(self, interval: float) -> None:
        """One task pings every live connection each ``interval`` and closes one whose previous
        ping went unanswered (1011, like the websockets library's own keepalive, which would
        keep a task per connection; the per-session memory is in docs/performance.md)."""
        while True:
            await asyncio.sleep(interval)
            for conn_id, ws in list(self._live.items()):
                pong = self._pongs.pop(conn_id, None)
                if pong is not None and not pong.done():
                    self._background(ws.close(CLOSE_CODE[ErrorCode.INTERNAL], "keepalive ping timeout"))
                    continue
                try:
                    waiter = await ws.ping()
                except Exception:  # noqa: BLE001 - closing: its handler cleans up
                    continue
                waiter.add_done_callback(_consume)  # type: ignore[attr-defined]
                if conn_id in self._live:
                    self._pongs[conn_id] = waiter

    # -- WebSocket ------------------------------------------------------------------
    async def handle(self, ws: ServerConnection) -> None:
        conn_id = secrets.token_hex(6)
        query = parse_qs(urlsplit(ws.request.path).query if ws.request else "")
        session_id = (query.get("session_id") or [""])[0].strip()
        token = (query.get("token") or [""])[0].strip()
        fields: dict[str, Any] = {"connection_id": conn_id, "session_id": session_id or None}
        last_seq = _last_seq(query)
        try:
            user_id, session = await self._authenticate(session_id, token, last_seq)
        except MissionCommanderError as exc:
            log.info("connection refused", extra={"fields": {**fields, "code": exc.code.value}})
            await ws.close(CLOSE_CODE.get(exc.code, POLICY_VIOLATION), exc.message)
            return
        except Exception:  # noqa: BLE001 - the edge: log, close with a generic reason
            log.exception("authentication failed unexpectedly", extra={"fields": fields})
            await ws.close(CLOSE_CODE[ErrorCode.INTERNAL], "Internal error")
            return
        # One resume point, by sequence: what the client says it has, else what was recorded as sent.
        last_reserved = int(session.get("next_seq") or 1) - 1
        resume_from = min(last_seq, last_reserved) if last_seq is not None else int(session.get("delivered_seq") or 0)
        core = GatewayConnection(session_id, user_id, conn_id, session, resume_from, schema.utc_now(), self._limits,
                                 client_tracks_seq=last_seq is not None)

        async def handle_event(event: Event) -> bool:
            try:
                return await self._perform(ws, self._dispatch(core, event), events.put, session_id, fields)
            except Exception:  # noqa: BLE001 - the edge: log it, close with a generic reason
                await self._fail(ws, fields)
                return False

        events = _Events(handle_event)

        async def catch_up() -> None:
            # From where this connection started: the core drops what it already sent, and a
            # reply the listener missed below one it delivered is still found.
            for reply in await self._gate.replies_after(session_id, resume_from):
                events.put(("reply", reply))

        held: list[dict[str, Any]] | None = []  # inbox documents that come during the first catch-up

        def deliver(doc: dict[str, Any]) -> None:
            if held is not None:
                held.append(doc)
            else:
                events.put(("reply", doc))

        sub = Subscription(session_id, conn_id, deliver=deliver,
                           replace=lambda: events.put(("replaced",)), catch_up=catch_up)
        try:
            if not await self._perform(ws, core.opened(), events.put, session_id, fields):
                return
            self._inbox.subscribe(sub)
            self._live[conn_id] = ws
            log.info("connected", extra={"fields": {**fields, "resume": last_seq is not None}})
            await self._gate.claim(session_id, self._inbox.gateway_id, conn_id, session)
            # Subscribed and claimed first, then read: a reply completed before the claim is in
            # the read; one completed after it comes through this process's inbox (or both: the
            # core drops repeats by seq).
            if schema.has_replies_after(session, resume_from):
                await catch_up()
            for doc in held or ():  # after the catch-up: replies go out in seq order
                events.put(("reply", doc))
            held = None
            # This task reads the socket; everything else is handled by ``events`` as it comes.
            try:
                async for frame in ws:
                    events.put(("frame", frame))
            except Exception:  # noqa: BLE001 - closed abnormally: same as the end of the stream
                pass
        except Exception:  # noqa: BLE001 - the edge: log it, close with a generic reason
            await self._fail(ws, fields)
        finally:
            await events.finish(timeout=self.settings.shutdown_grace_seconds)
            self._inbox.unsubscribe(sub)
            self._live.pop(conn_id, None)
            self._pongs.pop(conn_id, None)
            log.info("disconnected", extra={"fields": {**fields, "close_code": ws.close_code}})

    @staticmethod
    async def _fail(ws: ServerConnection, fields: dict[str, Any]) -> None:
        """An unexpected error on a connection: logged, and the client gets a generic 1011."""
        if ws.state.name == "OPEN":
            log.exception("connection failed", extra={"fields": fields})
            await ws.close(CLOSE_CODE[ErrorCode.INTERNAL], "Internal error")

    def _dispatch(self, core: GatewayConnection, event: tuple[Any, ...]) -> list[Action]:
        kind = event[0]
        if kind == "frame":
            return core.frame_received(event[1], schema.utc_now())
        if kind == "reply":
            doc = event[1]
            if "_committed" in doc and doc.get("inbox_kind") == schema.InboxKind.REPLY.value:
                self.metrics.reply_received(doc)
            return core.reply_received(doc)
        if kind == "stored":
            return core.turn_stored(event[1])
        if kind == "conflict":
            return core.turn_conflict(event[1], schema.utc_now())
        if kind == "store_failed":
            return core.turn_failed(event[1])
        if kind == "recorded":
            return core.delivery_recorded(event[1])
        if kind == "record_failed":
            return core.delivery_failed(event[1])
        if kind == "replaced":
            return core.replaced()
        raise ValueError(f"unknown event {kind!r}")

    async def _perform(self, ws: ServerConnection, actions: list[Action], post: Post,
                       session_id: str, fields: dict[str, Any]) -> bool:
        """Carry out the core's actions in order; False once the connection is over."""
        for action in actions:
            if isinstance(action, SendFrame):
                try:
                    await ws.send(protocol.encode(action.message))
                except Exception:  # noqa: BLE001 - the client is gone; what was not sent resumes later
                    return False
                if action.seq is not None and action.message["type"] != "agent_message_delta":
                    self.metrics.frame_sent(session_id, action.seq)
            elif isinstance(action, StoreTurn):
                self._background(self._store(session_id, action.plan, post, fields))
            elif isinstance(action, RecordDelivery):
                self._background(self._record(session_id, action.seq, post))
            elif isinstance(action, Close):
                if action.reason == "Mission created":
                    log.info("mission delivered", extra={"fields": fields})
                await ws.close(action.code, action.reason)
                return False
        return True

    async def _store(self, session_id: str, plan: schema.UserTurnPlan, post: Post, fields: dict[str, Any]) -> None:
        try:
            await self._gate.store_turn(session_id, plan)
        except TurnConflict:
            post(("conflict", await self._gate.get_session(session_id)))
            return
        except gexc.InvalidArgument:
            log.info("message refused by the store", extra={"fields": {**fields, "seq": plan.seq}})
            post(("store_failed", ErrorCode.INVALID_CONTENT))
            return
        except Exception:  # noqa: BLE001 - unknown outcome: look before saying it was not stored
            log.warning("storing a message failed", exc_info=True, extra={"fields": {**fields, "seq": plan.seq}})
            if not await self._gate.turn_exists(session_id, plan):
                post(("store_failed", ErrorCode.MESSAGE_NOT_STORED))
                return
        log.info("user turn stored", extra={"fields": {**fields, "seq": plan.seq}})
        post(("stored", plan.seq))

    async def _record(self, session_id: str, seq: int, post: Post) -> None:
        ok = await self._gate.record_delivery(session_id, seq)
        post(("recorded" if ok else "record_failed", seq))

    async def _authenticate(self, session_id: str, token: str, last_seq: int | None) -> tuple[str, dict[str, Any]]:
        if not token:
            raise AuthError(ErrorCode.MISSING_TOKEN)
        if not session_id:
            raise SessionError(ErrorCode.MISSING_SESSION_ID)
        user_id = await asyncio.to_thread(self._verifier.verify, token)
        session = await self._gate.get_session(session_id)
        try:
            schema.check_session_access(session, user_id, schema.utc_now(), self.settings.session_idle_seconds)
        except SessionError as exc:
            # A learner whose connection dropped just before the mission arrived may
            # still collect what it missed; nothing new can be sent (the session is done).
            delivered = last_seq if last_seq is not None else int((session or {}).get("delivered_seq") or 0)
            if not (exc.code is ErrorCode.SESSION_INACTIVE and schema.has_undelivered_ending(session, user_id, delivered)):
                raise
        return user_id, session or {}

    def _background(self, coro: Any) -> None:
        task = asyncio.create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def drain(self, grace_seconds: float) -> None:
        """Stop taking connections; ask every live one to reconnect elsewhere (1012)."""
        self.draining = True
        sockets = list(self._live.values())
        log.info("draining", extra={"fields": {"connections": len(sockets)}})
        await asyncio.wait_for(
            asyncio.gather(*(ws.close(SERVICE_RESTART, "Service restart: reconnect") for ws in sockets),
                           return_exceptions=True),
            timeout=grace_seconds)


async def run(settings: Settings, *, ready: asyncio.Event | None = None) -> None:
    """Serve until SIGTERM/SIGINT, then drain within the grace period."""
    loop = asyncio.get_running_loop()
    gate = SessionGate(async_firestore_client(settings))
    gateway_id = settings.gateway_id or f"gw-{secrets.token_hex(8)}"
    inbox = GatewayInbox(firestore_client(settings), gateway_id, gate)
    inbox.start(loop)
    watchdog = asyncio.create_task(inbox.watchdog(settings.relay_check_seconds))
    gateway = Gateway(settings, TokenVerifier(settings), gate, inbox)
    keepalive = asyncio.create_task(gateway.keepalive(settings.ping_interval_seconds))
    stop = loop.create_future()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, lambda: stop.done() or stop.set_result(None))
    # compression=None: permessage-deflate keeps zlib state per connection (about 36 KiB each,
    # measured) for frames that are small JSON; without it a connection costs a third as much.
    async with serve(gateway.handle, settings.host, settings.port, process_request=gateway.process_request,
                     max_size=settings.max_frame_bytes, max_queue=16, compression=None,
                     ping_interval=None,  # Gateway.keepalive: one task for all connections
                     close_timeout=2, server_header="mission-commander") as server:
        log.info("gateway listening", extra={"fields": {"host": settings.host, "port": settings.port,
                                                        "gateway_id": gateway_id}})
        if ready is not None:
            ready.set()
        await stop
        started = time.monotonic()
        try:
            await gateway.drain(settings.shutdown_grace_seconds)
        except asyncio.TimeoutError:
            log.warning("drain timed out; closing the rest")
        server.close(close_connections=False)
        remaining = max(0.5, settings.shutdown_grace_seconds - (time.monotonic() - started))
        try:
            await asyncio.wait_for(server.wait_closed(), timeout=remaining)
        except asyncio.TimeoutError:
            log.warning("handlers still running at the end of the grace period")
        log.info("gateway stopped", extra={"fields": {"seconds": round(time.monotonic() - started, 2)}})
    watchdog.cancel()
    keepalive.cancel()
    inbox.stop()
