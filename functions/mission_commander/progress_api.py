"""The progress HTTP API (framework-free, like :mod:`.session_api`). Beyond the guide, in its spirit:

``POST  /api/v1/enrollments/{enrollment_id}/start``                      record that the mission started
``PATCH /api/v1/enrollments/{enrollment_id}/checkpoints/{index}``  body ``{"done": true|false}``

Both take ``Authorization: Bearer <Firebase ID token>``, act only on the caller's own enrollment
(anything else is 404) and answer the progress fields plus ``next_checkpoint`` (the first open one).
Errors are the guide's JSON ``{"error": {"code", "message"}}``.
"""

from __future__ import annotations

import json
import logging
import re
from datetime import datetime
from typing import Any, Callable, Mapping

from .auth import bearer_token
from .errors import ErrorCode, MissionCommanderError
from .progress import checkpoint_update, progress_view, start_update
from .session_api import HttpResponse, cors_headers, error_response, refused_origin
from .settings import Settings

__all__ = ["PREFIX", "ProgressApi"]

log = logging.getLogger(__name__)

PREFIX = "/api/v1/enrollments/"
_START = re.compile(r"^/api/v1/enrollments/([A-Za-z0-9_-]{1,200})/start$")
_CHECKPOINT = re.compile(r"^/api/v1/enrollments/([A-Za-z0-9_-]{1,200})/checkpoints/(\d{1,3})$")

Change = Callable[[str, str, Callable[..., dict[str, Any]], datetime], tuple[dict[str, Any], int]]


class ProgressApi:
    def __init__(self, settings: Settings, verify_token: Callable[[str], str], change: Change,
                 clock: Callable[[], datetime]) -> None:
        self._settings = settings
        self._verify = verify_token
        self._change = change
        self._clock = clock

    def handle(self, method: str, path: str, headers: Mapping[str, str], body: bytes) -> HttpResponse:
        response = self._route(method.upper(), "/" + path.strip("/"), headers, body)
        cors = cors_headers(self._settings, headers.get("Origin"), "POST, PATCH, OPTIONS")
        return HttpResponse(response.status, response.body, {**response.headers, **cors})

    def _route(self, method: str, path: str, headers: Mapping[str, str], body: bytes) -> HttpResponse:
        refused = refused_origin(self._settings, headers)
        if refused is not None:
            return refused
        start, checkpoint = _START.match(path), _CHECKPOINT.match(path)
        if not start and not checkpoint:
            return error_response(ErrorCode.NOT_FOUND)
        allowed = "POST, OPTIONS" if start else "PATCH, OPTIONS"
        if method == "OPTIONS":
            return HttpResponse(204, {})
        if method != allowed.split(",")[0]:
            return error_response(ErrorCode.METHOD_NOT_ALLOWED, headers={"Allow": allowed})
        try:
            user_id = self._verify(bearer_token(headers.get("Authorization")))
            if start:
                enrollment_id = start.group(1)
                update = start_update
            else:
                enrollment_id, index = checkpoint.group(1), int(checkpoint.group(2))
                done = _done(body)
                update = lambda enrollment, total, now: checkpoint_update(enrollment, total, index, done, now)  # noqa: E731
            enrollment, total = self._change(user_id, enrollment_id, update, self._clock())
        except MissionCommanderError as exc:
            return error_response(exc.code, exc.message)
        except Exception:  # noqa: BLE001 - the edge: details to logs, a generic error to the client
            log.exception("progress update failed")
            return error_response(ErrorCode.INTERNAL)
        log.info("progress updated", extra={"fields": {"enrollment_id": enrollment_id}})
        return HttpResponse(200, progress_view(enrollment, total))


def _done(body: bytes) -> bool:
    try:
        data = json.loads(body or b"{}")
    except (ValueError, UnicodeDecodeError):
        raise MissionCommanderError(ErrorCode.INVALID_JSON, 'Invalid JSON: send {"done": true} or {"done": false}')
    if not isinstance(data, dict) or not isinstance(data.get("done"), bool):
        raise MissionCommanderError(ErrorCode.INVALID_MESSAGE, 'Expected {"done": true} or {"done": false}')
    return data["done"]
