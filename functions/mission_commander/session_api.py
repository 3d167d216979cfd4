"""The session HTTP API, independent of any web framework.

``POST /api/v1/sessions`` (Bearer Firebase ID token) → ``{"session_id", "user_id"}``;
``GET /health`` → 200. Errors are JSON ``{"error": {"code", "message"}}``.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from typing import Callable, Mapping

from .auth import bearer_token
from .errors import DEFAULT_MESSAGE, HTTP_STATUS, ErrorCode, MissionCommanderError, RateLimitError
from .settings import Settings

__all__ = ["HttpResponse", "SessionApi", "cors_headers", "error_response", "refused_origin"]

log = logging.getLogger(__name__)

SESSIONS_PATH = "/api/v1/sessions"
HEALTH_PATHS = ("/health", "/api/v1/health")


@dataclass(frozen=True)
class HttpResponse:
    status: int
    body: dict
    headers: dict[str, str] = field(default_factory=dict)

    def encoded(self) -> bytes:
        return json.dumps(self.body).encode()


def _error(code: ErrorCode, message: str | None = None, headers: dict[str, str] | None = None) -> HttpResponse:
    status = HTTP_STATUS[code]
    extra = {"WWW-Authenticate": "Bearer"} if status == 401 else {}
    return HttpResponse(status, {"error": {"code": code.value, "message": message or DEFAULT_MESSAGE[code]}},
                        {**extra, **(headers or {})})


error_response = _error


def cors_headers(settings: Settings, origin: str | None, methods: str) -> dict[str, str]:
    """CORS headers for an allowed ``origin`` (none for a refused one), for every API response."""
    if not settings.origin_allowed(origin):
        return {}
    return {
        "Access-Control-Allow-Origin": origin or "",
        "Access-Control-Allow-Methods": methods,
        "Access-Control-Allow-Headers": "Authorization, Content-Type",
        "Access-Control-Max-Age": "3600",
        "Vary": "Origin",
    }


def refused_origin(settings: Settings, headers: Mapping[str, str]) -> HttpResponse | None:
    """A browser request from a refused origin is turned away before anything is created or
    counted (with or without a preflight); requests without an Origin (curl, servers) pass."""
    if headers.get("Origin") and not settings.origin_allowed(headers.get("Origin")):
        return _error(ErrorCode.ORIGIN_NOT_ALLOWED)
    return None


class SessionApi:
    def __init__(self, settings: Settings, verify_token: Callable[[str], str],
                 create_session: Callable[[str], str],
                 describe_agent: Callable[[], Mapping[str, str]] = lambda: {"agent": "offline"}) -> None:
        self._settings = settings
        self._verify = verify_token
        self._create = create_session
        self._describe_agent = describe_agent

    def handle(self, method: str, path: str, headers: Mapping[str, str]) -> HttpResponse:
        response = self._route(method.upper(), "/" + path.strip("/"), headers)
        cors = cors_headers(self._settings, headers.get("Origin"), "POST, GET, OPTIONS")
        return HttpResponse(response.status, response.body, {**response.headers, **cors})

    def _route(self, method: str, path: str, headers: Mapping[str, str]) -> HttpResponse:
        if path in HEALTH_PATHS:
            if method not in ("GET", "HEAD"):
                return _error(ErrorCode.METHOD_NOT_ALLOWED, headers={"Allow": "GET, HEAD"})
            return HttpResponse(200, {"status": "ok", **self._describe_agent()})
        if path != SESSIONS_PATH:
            return _error(ErrorCode.NOT_FOUND)
        refused = refused_origin(self._settings, headers)
        if refused is not None:
            return refused
        if method == "OPTIONS":
            return HttpResponse(204, {})
        if method != "POST":
            return _error(ErrorCode.METHOD_NOT_ALLOWED, headers={"Allow": "POST, OPTIONS"})
        try:
            user_id = self._verify(bearer_token(headers.get("Authorization")))
            session_id = self._create(user_id)
        except RateLimitError as exc:
            return _error(exc.code, exc.message, headers={"Retry-After": str(exc.retry_after_seconds)})
        except MissionCommanderError as exc:
            return _error(exc.code, exc.message)
        except Exception:  # noqa: BLE001 - the edge: details to logs, a generic error to the client
            log.exception("session creation failed")
            return _error(ErrorCode.INTERNAL)
        log.info("session created", extra={"fields": {"session_id": session_id}})
        return HttpResponse(200, {"session_id": session_id, "user_id": user_id})
