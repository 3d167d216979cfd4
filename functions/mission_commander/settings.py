"""Settings, read from the environment once per process into one frozen object."""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass, field
from typing import Mapping

__all__ = ["Settings", "SettingsError", "load_settings"]


class SettingsError(ValueError):
    """The environment asks for something unsafe or malformed; the process must not start."""


def _int(env: Mapping[str, str], name: str, default: int, minimum: int = 1) -> int:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SettingsError(f"{name} must be a whole number, got {raw!r}") from None
    if value < minimum:
        raise SettingsError(f"{name} must be at least {minimum}, got {value}")
    return value


def _dev_tokens(raw: str) -> tuple[tuple[str, str], ...]:
    tokens: dict[str, str] = {}
    for item in filter(None, (part.strip() for part in raw.split(","))):
        token, sep, uid = item.partition("=")
        if not sep or not token.strip() or not uid.strip():
            raise SettingsError("DEV_AUTH_TOKENS must look like 'test-token=user123,other=uid2'")
        tokens[token.strip()] = uid.strip()
    return tuple(tokens.items())


@dataclass(frozen=True)
class Settings:
    project_id: str
    firestore_emulator_host: str | None = None
    auth_emulator_host: str | None = None
    dev_tokens: tuple[tuple[str, str], ...] = ()
    """Local development (token, user id) pairs. Only ever set against the emulators."""
    allow_origins: tuple[str, ...] = ()
    max_content_chars: int = 4000
    max_frame_bytes: int = 64 * 1024
    session_ttl_seconds: int = 24 * 3600
    agent_timeout_seconds: int = 120
    """How long a user turn may wait for its reply before the learner may send again."""
    port: int = 8080
    host: str = "0.0.0.0"
    log_level: str = "INFO"
    gemini_api_key: str | None = field(default=None, repr=False)
    """Gemini Developer API key (GEMINI_API_KEY or GOOGLE_API_KEY)."""
    use_vertex: bool = False
    """GOOGLE_GENAI_USE_VERTEXAI: Gemini through Vertex AI (project + location, ADC)."""
    location: str = "us-central1"
    gemini_model: str = "gemini-2.5-flash"
    gemini_base_url: str | None = None
    """GOOGLE_GEMINI_BASE_URL: another endpoint speaking the Gemini API (a proxy, or a local stub)."""
    agent_turn_budget_seconds: int = 60
    """The most one learner turn may spend in Gemini calls, retries included."""
    gemini_request_timeout_seconds: int = 30
    gemini_retry_attempts: int = 3
    history_max_tokens: int = 8000
    """How much of the conversation (estimated tokens) the model sees."""
    stream_write_interval_ms: int = 250
    """Minimum time between writes of a streaming reply's text so far (at most 4 per second)."""
    session_idle_seconds: int = 1800
    """A session with no activity for this long is inactive (the absolute limit is session_ttl_seconds)."""
    session_creations_per_hour: int = 30
    frames_per_second: float = 5.0
    """Per-connection sustained frame rate (a token bucket)..."""
    frame_burst: int = 20
    """...and the burst it allows."""
    ping_interval_seconds: int = 20
    """The gateway pings every client this often and drops it after as long again without a pong."""
    shutdown_grace_seconds: int = 8
    """On SIGTERM: time to close live sockets (1012) and finish in-flight writes (Cloud Run gives 10 s)."""
    relay_check_seconds: int = 15
    """How often the gateway checks that its inbox listener is alive (and renews it if not)."""
    gateway_id: str | None = None
    """GATEWAY_ID: this gateway process's identity (its inbox); a fresh random one when unset."""
    metrics_enabled: bool = False
    """METRICS_ENABLED: serve Prometheus metrics at /metrics (off by default: not for the public)."""
    check_revoked: bool = True
    """Refuse ID tokens whose user's sessions were revoked (one Auth lookup per check)."""

    @property
    def agent_kind(self) -> str:
        """"gemini" when Gemini is configured (API key or Vertex AI), else "offline"."""
        return "gemini" if (self.gemini_api_key or self.use_vertex) else "offline"

    @property
    def uses_emulators(self) -> bool:
        return bool(self.firestore_emulator_host and self.auth_emulator_host)

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> "Settings":
        project_id = (env.get("GOOGLE_CLOUD_PROJECT") or env.get("GCLOUD_PROJECT") or "").strip()
        if not project_id:
            raise SettingsError("GOOGLE_CLOUD_PROJECT (or GCLOUD_PROJECT) must name the Firebase project")
        firestore_host = env.get("FIRESTORE_EMULATOR_HOST", "").strip() or None
        auth_host = env.get("FIREBASE_AUTH_EMULATOR_HOST", "").strip() or None
        dev_tokens = _dev_tokens(env.get("DEV_AUTH_TOKENS", ""))
        if dev_tokens:
            missing = [name for name, value in (("FIRESTORE_EMULATOR_HOST", firestore_host),
                                                ("FIREBASE_AUTH_EMULATOR_HOST", auth_host)) if not value]
            if missing or not project_id.startswith("demo-"):
                raise SettingsError(
                    "DEV_AUTH_TOKENS is for local emulators only: it needs FIRESTORE_EMULATOR_HOST and "
                    "FIREBASE_AUTH_EMULATOR_HOST set and a 'demo-' project id "
                    f"(missing: {', '.join(missing) or 'none'}; project: {project_id})"
                )
        if auth_host and not project_id.startswith("demo-") and env.get("FUNCTIONS_EMULATOR") != "true":
            raise SettingsError(
                "FIREBASE_AUTH_EMULATOR_HOST makes any unsigned token valid; refusing to run with it "
                f"against the real project {project_id!r}"
            )
        origins = tuple(o.strip().rstrip("/") for o in env.get("ALLOW_ORIGINS", "").split(",") if o.strip())
        return cls(
            project_id=project_id,
            firestore_emulator_host=firestore_host,
            auth_emulator_host=auth_host,
            dev_tokens=dev_tokens,
            allow_origins=origins,
            max_content_chars=_int(env, "MAX_CONTENT_CHARS", 4000),
            max_frame_bytes=_int(env, "MAX_FRAME_BYTES", 64 * 1024, minimum=1024),
            session_ttl_seconds=_int(env, "SESSION_TTL_SECONDS", 24 * 3600),
            agent_timeout_seconds=_int(env, "AGENT_TIMEOUT_SECONDS", 120),
            port=_int(env, "PORT", 8080),
            host=env.get("HOST", "0.0.0.0").strip() or "0.0.0.0",
            log_level=(env.get("LOG_LEVEL", "INFO").strip() or "INFO").upper(),
            gemini_api_key=(env.get("GEMINI_API_KEY") or env.get("GOOGLE_API_KEY") or "").strip() or None,
            use_vertex=env.get("GOOGLE_GENAI_USE_VERTEXAI", "").strip().lower() in ("1", "true", "yes"),
            location=env.get("GOOGLE_CLOUD_LOCATION", "").strip() or "us-central1",
            gemini_model=env.get("GEMINI_MODEL", "").strip() or "gemini-2.5-flash",
            gemini_base_url=env.get("GOOGLE_GEMINI_BASE_URL", "").strip() or None,
            agent_turn_budget_seconds=_int(env, "AGENT_TURN_BUDGET_SECONDS", 60),
            gemini_request_timeout_seconds=_int(env, "GEMINI_REQUEST_TIMEOUT_SECONDS", 30),
            gemini_retry_attempts=_int(env, "GEMINI_RETRY_ATTEMPTS", 3),
            history_max_tokens=_int(env, "HISTORY_MAX_TOKENS", 8000, minimum=200),
            stream_write_interval_ms=_int(env, "STREAM_WRITE_INTERVAL_MS", 250, minimum=50),
            session_idle_seconds=_int(env, "SESSION_IDLE_SECONDS", 1800),
            session_creations_per_hour=_int(env, "SESSION_CREATIONS_PER_HOUR", 30),
            frames_per_second=float(_int(env, "RATE_FRAMES_PER_SECOND", 5)),
            frame_burst=_int(env, "RATE_FRAME_BURST", 20),
            ping_interval_seconds=_int(env, "PING_INTERVAL_SECONDS", 20),
            shutdown_grace_seconds=_int(env, "SHUTDOWN_GRACE_SECONDS", 8),
            relay_check_seconds=_int(env, "RELAY_CHECK_SECONDS", 15),
            gateway_id=env.get("GATEWAY_ID", "").strip() or None,
            metrics_enabled=env.get("METRICS_ENABLED", "").strip().lower() in ("1", "true", "yes"),
            check_revoked=env.get("CHECK_REVOKED_TOKENS", "true").strip().lower() not in ("0", "false", "no"),
        )

    def dev_user(self, token: str) -> str | None:
        """The user id of a local development token, if it is one."""
        for known, uid in self.dev_tokens:
            if known == token:
                return uid
        return None

    def origin_allowed(self, origin: str | None) -> bool:
        if not origin:
            return False
        return "*" in self.allow_origins or origin.rstrip("/") in self.allow_origins


@functools.cache
def load_settings() -> Settings:
    """The process's settings (read on first use, never at import time)."""
    return Settings.from_env(os.environ)
