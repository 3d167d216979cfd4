"""The WebSocket server: one handler per connection, translating frames to
the shared core and Firestore, and relayed agent turns back to frames."""

from __future__ import annotations

import asyncio
import http
import json
import logging
import secrets
import signal
from typing import Any
from urllib.parse import parse_qs, urlsplit

from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.datastructures import Headers
from websockets.http11 import Request, Response

from mission_commander import protocol, schema
from mission_commander.auth import TokenVerifier
from mission_commander.errors import (CLOSE_CODE, POLICY_VIOLATION, AuthError, ErrorCode,
                                      MissionCommanderError, ProtocolError, SessionError)
from mission_commander.firebase_app import async_firestore_client, firestore_client
from mission_commander.settings import Settings

from .relay import Subscription, TurnRelay
from .session_gate import SessionGate

__all__ = ["WS_PATH", "Gateway", "run"]

log = logging.getLogger("ws_gateway")

WS_PATH = "/api/v1/mission-commander/ws"
HEALTH_PATHS = ("/health", "/healthz")
NORMAL_CLOSURE = 1000


def _json_response(status: http.HTTPStatus, body: dict[str, Any]) -> Response:
    data = json.dumps(body).encode()
    headers = Headers([("Content-Type", "application/json"), ("Content-Length", str(len(data))),
                       ("Cache-Control", "no-store")])
    return Response(status.value, status.phrase, headers, data)


class Gateway:
    def __init__(self, settings: Settings, verifier: TokenVerifier, gate: SessionGate, relay: TurnRelay) -> None:
        self.settings = settings
        self._verifier = verifier
        self._gate = gate
        self._relay = relay

    # -- HTTP (before the upgrade) ------------------------------------------------
    def process_request(self, connection: ServerConnection, request: Request) -> Response | None:
        path = urlsplit(request.path).path
        if path in HEALTH_PATHS:
            return _json_response(http.HTTPStatus.OK, {"status": "ok", "connections": self._relay.connections})
        if path != WS_PATH:
            return _json_response(http.HTTPStatus.NOT_FOUND, {"error": {"code": "not_found", "message": "Not found"}})
        return None

    # -- WebSocket ------------------------------------------------------------------
    async def handle(self, ws: ServerConnection) -> None:
        conn_id = secrets.token_hex(4)
        query = parse_qs(urlsplit(ws.request.path).query if ws.request else "")
        session_id = (query.get("session_id") or [""])[0].strip()
        token = (query.get("token") or [""])[0].strip()
        fields: dict[str, Any] = {"connection_id": conn_id, "session_id": session_id or None}
        try:
            user_id, session = await self._authenticate(session_id, token)
        except MissionCommanderError as exc:
            log.info("connection refused", extra={"fields": {**fields, "code": exc.code.value}})
            await ws.close(CLOSE_CODE.get(exc.code, POLICY_VIOLATION), exc.message)
            return
        except Exception:  # noqa: BLE001 - the edge: log, close with a generic reason
            log.exception("authentication failed unexpectedly", extra={"fields": fields})
            await ws.close(CLOSE_CODE[ErrorCode.INTERNAL], "Internal error")
            return
        sub = self._relay.subscribe(session_id)
        forwarder = asyncio.create_task(self._forward(ws, sub, fields))
        log.info("connected", extra={"fields": fields})
        try:
            await ws.send(protocol.encode(protocol.connected()))
            await self._reply_in_progress(session_id, session, sub)
            async for frame in ws:
                reply = await self._on_frame(frame, session_id, user_id, fields)
                if reply is not None:
                    await ws.send(protocol.encode(reply))
        except Exception:  # noqa: BLE001
            if ws.state.name == "OPEN":
                log.exception("connection failed", extra={"fields": fields})
                await ws.close(CLOSE_CODE[ErrorCode.INTERNAL], "Internal error")
        finally:
            forwarder.cancel()
            self._relay.unsubscribe(sub)
            log.info("disconnected", extra={"fields": {**fields, "close_code": ws.close_code}})

    async def _authenticate(self, session_id: str, token: str) -> tuple[str, dict[str, Any]]:
        if not token:
            raise AuthError(ErrorCode.MISSING_TOKEN)
        if not session_id:
            raise SessionError(ErrorCode.MISSING_SESSION_ID)
        user_id = await asyncio.to_thread(self._verifier.verify, token)
        session = await self._gate.get_session(session_id)
        schema.check_session_access(session, user_id, schema.utc_now())
        return user_id, session or {}

    async def _reply_in_progress(self, session_id: str, session: dict[str, Any], sub: Subscription) -> None:
        """A client that (re)connects while a reply streams gets the text so far."""
        pending = session.get("pending_turn")
        if not pending:
            return
        for turn in await self._gate.turns_after(session_id, int(pending)):
            if turn.get("role") == schema.TurnRole.AGENT.value:
                sub.queue.put_nowait(turn)

    async def _on_frame(self, frame: str | bytes, session_id: str, user_id: str,
                        fields: dict[str, Any]) -> dict[str, Any] | None:
        try:
            message = protocol.parse_client_frame(frame, max_content_chars=self.settings.max_content_chars)
        except ProtocolError as exc:
            log.info("bad frame", extra={"fields": {**fields, "code": exc.code.value}})
            return protocol.error(exc.message, exc.code)
        if isinstance(message, protocol.Ping):
            return protocol.pong()
        try:
            plan = await self._gate.add_user_turn(session_id, user_id, message.content)
        except SessionError as exc:
            log.info("message refused", extra={"fields": {**fields, "code": exc.code.value}})
            return protocol.error(exc.message, exc.code)
        log.info("user turn stored", extra={"fields": {**fields, "seq": plan.seq}})
        return None

    async def _forward(self, ws: ServerConnection, sub: Subscription, fields: dict[str, Any]) -> None:
        """Send this session's agent turns in order: each final message once,
        and, while a reply streams, its text so far whenever it grows."""
        final_seq = 0
        delta_seq, delta_len = 0, 0
        while True:
            turn = await sub.queue.get()
            seq = int(turn.get("seq") or 0)
            message = schema.client_message_for_turn(turn)
            if message is None or seq <= final_seq:
                continue
            if message["type"] == "agent_message_delta":
                if seq == delta_seq and len(message["content"]) <= delta_len:
                    continue
                delta_seq, delta_len = seq, len(message["content"])
            else:
                final_seq = seq
            await ws.send(protocol.encode(message))
            if message["type"] == "mission_created":
                log.info("mission delivered", extra={"fields": fields})
                await ws.close(NORMAL_CLOSURE, "Mission created")
                return


async def run(settings: Settings, *, ready: asyncio.Event | None = None) -> None:
    """Serve until SIGTERM/SIGINT."""
    loop = asyncio.get_running_loop()
    relay = TurnRelay(firestore_client(settings))
    relay.start(loop)
    gateway = Gateway(settings, TokenVerifier(settings),
                      SessionGate(async_firestore_client(settings), settings.agent_timeout_seconds), relay)
    stop = loop.create_future()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, lambda: stop.done() or stop.set_result(None))
    server: Server
    async with serve(gateway.handle, settings.host, settings.port, process_request=gateway.process_request,
                     max_size=settings.max_frame_bytes, ping_interval=20, ping_timeout=20,
                     server_header="mission-commander") as server:
        log.info("gateway listening", extra={"fields": {"host": settings.host, "port": settings.port}})
        if ready is not None:
            ready.set()
        await stop
        log.info("gateway stopping")
        server.close()
        await server.wait_closed()
    relay.stop()
