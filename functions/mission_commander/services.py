"""The composition root of the functions: builds each service once per
process, on first use (never at import time, which deploys also run)."""

from __future__ import annotations

import functools
import logging

from .agent import InterviewAgent
from .auth import TokenVerifier
from .firebase_app import firestore_client
from .interview import OfflineInterviewer
from .schema import utc_now
from .errors import DEFAULT_MESSAGE, ErrorCode
from .progress_api import ProgressApi
from .progress_store import ProgressStore
from .session_api import HttpResponse, SessionApi
from .settings import Settings, load_settings
from .store import SessionStore
from .structured_logging import configure_logging
from .turn_handler import TurnHandler

__all__ = ["internal_error_response", "progress_api", "select_agent", "session_api", "turn_handler"]

log = logging.getLogger(__name__)


def select_agent(settings: Settings) -> InterviewAgent:
    """Gemini when configured (API key or Vertex AI), else the offline interviewer."""
    if settings.agent_kind == "gemini":
        from .gemini_agent import GeminiInterviewer

        return GeminiInterviewer.from_settings(settings)
    return OfflineInterviewer()


@functools.cache
def _settings() -> Settings:
    settings = load_settings()
    configure_logging(settings.log_level)
    return settings


@functools.cache
def _agent() -> InterviewAgent:
    agent = select_agent(_settings())
    log.info("agent selected", extra={"fields": agent.describe()})
    return agent


@functools.cache
def session_api() -> SessionApi:
    settings = _settings()
    store = SessionStore(firestore_client(settings))
    verifier = TokenVerifier(settings)
    return SessionApi(
        settings,
        verify_token=verifier.verify,
        create_session=lambda uid: store.create_session(uid, utc_now(), settings.session_ttl_seconds,
                                                        settings.session_creations_per_hour),
        describe_agent=lambda: _agent().describe(),
    )


@functools.cache
def progress_api() -> ProgressApi:
    settings = _settings()
    return ProgressApi(settings, verify_token=TokenVerifier(settings).verify,
                       change=ProgressStore(firestore_client(settings)).change, clock=utc_now)


@functools.cache
def turn_handler() -> TurnHandler:
    settings = _settings()
    return TurnHandler(SessionStore(firestore_client(settings)), _agent(),
                       lease_seconds=max(settings.agent_timeout_seconds, 60),
                       stream_interval_seconds=settings.stream_write_interval_ms / 1000)


def internal_error_response() -> HttpResponse:
    """Log the exception being handled; answer a generic 500 without details."""
    log.exception("request failed")
    code = ErrorCode.INTERNAL
    return HttpResponse(500, {"error": {"code": code.value, "message": DEFAULT_MESSAGE[code]}})
