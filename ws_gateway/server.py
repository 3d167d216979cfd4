"""The WebSocket server: one handler per connection, translating frames to
the shared core and Firestore, and relayed agent turns back to frames."""

from __future__ import annotations

import asyncio
import http
import json
import logging
import secrets
import signal
import time
from typing import Any
from urllib.parse import parse_qs, urlsplit

from websockets.asyncio.server import ServerConnection, serve
from websockets.datastructures import Headers
from websockets.http11 import Request, Response

from mission_commander import protocol, schema
from mission_commander.auth import TokenVerifier
from mission_commander.errors import (CLOSE_CODE, NORMAL_CLOSURE, POLICY_VIOLATION, REPLACED, SERVICE_RESTART,
                                      AuthError, ErrorCode, MissionCommanderError, ProtocolError, SessionError)
from mission_commander.firebase_app import async_firestore_client, firestore_client
from mission_commander.latency_stats import LatencyWindow
from mission_commander.rate_limits import TokenBucket
from mission_commander.settings import Settings

from .relay import Subscription, TurnRelay
from .session_gate import SessionGate

__all__ = ["WS_PATH", "Gateway", "run"]

log = logging.getLogger("ws_gateway")

WS_PATH = "/api/v1/mission-commander/ws"
HEALTH_PATHS = ("/health", "/healthz")
METRICS_PATH = "/metrics"


def _json_response(status: http.HTTPStatus, body: dict[str, Any]) -> Response:
    data = json.dumps(body).encode()
    headers = Headers([("Content-Type", "application/json"), ("Content-Length", str(len(data))),
                       ("Cache-Control", "no-store")])
    return Response(status.value, status.phrase, headers, data)


def _last_seq(query: dict[str, list[str]]) -> int | None:
    raw = (query.get("last_seq") or [""])[0].strip()
    return int(raw) if raw.isdigit() else None


class Gateway:
    def __init__(self, settings: Settings, verifier: TokenVerifier, gate: SessionGate, relay: TurnRelay) -> None:
        self.settings = settings
        self._verifier = verifier
        self._gate = gate
        self._relay = relay
        self._live: dict[str, ServerConnection] = {}
        self._tasks: set[asyncio.Task[Any]] = set()
        self.draining = False
        self.relay_overhead = LatencyWindow()
        """Milliseconds from a reply's commit in Firestore to its frame being sent."""
        self.gateway_overhead = LatencyWindow()
        """The part of that spent in this process: listener callback to frame sent."""

    # -- HTTP (before the upgrade) ------------------------------------------------
    def process_request(self, connection: ServerConnection, request: Request) -> Response | None:
        path = urlsplit(request.path).path
        if path in HEALTH_PATHS:
            status = http.HTTPStatus.SERVICE_UNAVAILABLE if self.draining else http.HTTPStatus.OK
            return _json_response(status, {"status": "draining" if self.draining else "ok",
                                           "connections": len(self._live), "relay_healthy": self._relay.healthy()})
        if path == METRICS_PATH:
            if "reset=1" in (urlsplit(request.path).query or ""):
                self.relay_overhead.clear()
                self.gateway_overhead.clear()
            return _json_response(http.HTTPStatus.OK, {
                "connections": len(self._live), "relay_overhead_ms": self.relay_overhead.summary(),
                "gateway_overhead_ms": self.gateway_overhead.summary(),
                "relay_events": self._relay.events_seen, "relay_renewals": self._relay.renewals})
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
        # Resume from what the client says it has, else from what was last delivered.
        resume_from = last_seq if last_seq is not None else int(session.get("delivered_seq") or 0)
        try:
            await ws.send(protocol.encode(protocol.connected()))  # always the first frame
        except Exception:  # noqa: BLE001 - gone already
            return
        sub = self._relay.subscribe(session_id, conn_id, delivered_seq=resume_from)
        sub.on_replaced = lambda: self._background(
            ws.close(REPLACED, "Replaced by a newer connection to this session"))
        self._live[conn_id] = ws
        forwarder = asyncio.create_task(self._forward(ws, sub, fields))
        log.info("connected", extra={"fields": {**fields, "resume": last_seq is not None}})
        bucket = TokenBucket(self.settings.frame_burst, self.settings.frames_per_second, time.monotonic)
        try:
            await self._gate.claim_connection(session_id, conn_id)
            # Subscribed first, then read: whatever the listener had before is caught up
            # here (skipped when the session has nothing after resume_from: no extra read).
            if schema.has_replies_after(session, resume_from):
                await self._relay.catch_up(session_id, resume_from)
            limited_at = 0.0
            async for frame in ws:
                if not bucket.take():
                    if time.monotonic() - limited_at >= 1.0:  # one notice a second, the rest dropped
                        limited_at = time.monotonic()
                        wait = max(1, round(bucket.wait_seconds()))
                        await ws.send(protocol.encode(protocol.error(
                            f"Too many messages: slow down (try again in {wait} s). Nothing was stored.",
                            ErrorCode.RATE_LIMITED)))
                    continue
                reply = await self._on_frame(frame, session_id, user_id, conn_id, fields)
                if reply is not None:
                    await ws.send(protocol.encode(reply))
                    if reply.get("code") == ErrorCode.SESSION_REPLACED.value:
                        await ws.close(REPLACED, reply["message"])
        except Exception:  # noqa: BLE001
            if ws.state.name == "OPEN":
                log.exception("connection failed", extra={"fields": fields})
                await ws.close(CLOSE_CODE[ErrorCode.INTERNAL], "Internal error")
        finally:
            forwarder.cancel()
            self._relay.unsubscribe(sub)
            self._live.pop(conn_id, None)
            log.info("disconnected", extra={"fields": {**fields, "close_code": ws.close_code}})

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

    async def _on_frame(self, frame: str | bytes, session_id: str, user_id: str, conn_id: str,
                        fields: dict[str, Any]) -> dict[str, Any] | None:
        try:
            message = protocol.parse_client_frame(frame, max_content_chars=self.settings.max_content_chars)
        except ProtocolError as exc:
            log.info("bad frame", extra={"fields": {**fields, "code": exc.code.value}})
            return protocol.error(exc.message, exc.code)
        if isinstance(message, protocol.Ping):
            return protocol.pong()
        try:
            plan = await self._gate.add_user_turn(session_id, user_id, message.content, conn_id)
        except SessionError as exc:
            log.info("message refused", extra={"fields": {**fields, "code": exc.code.value}})
            return protocol.error(exc.message, exc.code)
        log.info("user turn stored", extra={"fields": {**fields, "seq": plan.seq}})
        return None

    async def _forward(self, ws: ServerConnection, sub: Subscription, fields: dict[str, Any]) -> None:
        """Send this session's agent turns in order: each final message once,
        and, while a reply streams, its text so far whenever it grows."""
        delta_seq, delta_len = 0, 0
        while True:
            turn = await sub.queue.get()
            seq = int(turn.get("seq") or 0)
            message = schema.client_message_for_turn(turn)
            if message is None or seq <= sub.delivered_seq:
                continue
            if message["type"] == "agent_message_delta":
                if seq == delta_seq and len(message["content"]) <= delta_len:
                    continue
                delta_seq, delta_len = seq, len(message["content"])
            else:
                sub.delivered_seq = seq
            await ws.send(protocol.encode(message))
            committed = turn.get("_committed")
            if committed is not None and message["type"] != "agent_message_delta":
                self.relay_overhead.add((schema.utc_now() - committed).total_seconds() * 1000)
                self.gateway_overhead.add((time.perf_counter() - turn["_received"]) * 1000)
            if message["type"] != "agent_message_delta":
                self._background(self._gate.mark_delivered(sub.session_id, seq))
            if message["type"] == "mission_created":
                log.info("mission delivered", extra={"fields": fields})
                await ws.close(NORMAL_CLOSURE, "Mission created")
                return

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
    gate = SessionGate(async_firestore_client(settings), settings.agent_timeout_seconds,
                       settings.session_idle_seconds)
    relay = TurnRelay(firestore_client(settings), gate.turns_after,
                      resubscribe_seconds=settings.relay_resubscribe_seconds)
    relay.start(loop)
    watchdog = asyncio.create_task(relay.watchdog(settings.relay_check_seconds))
    gateway = Gateway(settings, TokenVerifier(settings), gate, relay)
    stop = loop.create_future()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, lambda: stop.done() or stop.set_result(None))
    # compression=None: permessage-deflate keeps zlib state per connection (about 36 KiB each,
    # measured) for frames that are small JSON; without it a connection costs a third as much.
    async with serve(gateway.handle, settings.host, settings.port, process_request=gateway.process_request,
                     max_size=settings.max_frame_bytes, max_queue=16, compression=None,
                     ping_interval=settings.ping_interval_seconds, ping_timeout=settings.ping_interval_seconds,
                     close_timeout=2, server_header="mission-commander") as server:
        log.info("gateway listening", extra={"fields": {"host": settings.host, "port": settings.port}})
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
    relay.stop()
