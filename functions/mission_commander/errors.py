"""One error vocabulary for the whole product.

Every failure a client can see has an :class:`ErrorCode`. Each edge maps it in
one place: the HTTP function to a status (:data:`HTTP_STATUS`), the WebSocket
gateway to an ``error`` message or a close code (:data:`CLOSE_CODE`), the
trigger to an error turn.

Tree::

    MissionCommanderError
    ├── AuthError            (token missing, malformed, expired, revoked)
    ├── SessionError         (not found, not yours, inactive, busy)
    ├── ProtocolError        (a client frame we cannot accept)
    ├── AgentError           (the agent could not produce a reply)
    └── RateLimitError       (too many requests; carries retry_after_seconds)
"""

from __future__ import annotations

import enum

__all__ = [
    "AgentError",
    "AuthError",
    "CLOSE_CODE",
    "ErrorCode",
    "HTTP_STATUS",
    "MissionCommanderError",
    "ProtocolError",
    "RateLimitError",
    "SessionError",
]


class ErrorCode(str, enum.Enum):
    MISSING_TOKEN = "missing_token"
    INVALID_TOKEN = "invalid_token"
    MISSING_SESSION_ID = "missing_session_id"
    SESSION_NOT_FOUND = "session_not_found"
    SESSION_INACTIVE = "session_inactive"
    SESSION_REPLACED = "session_replaced"
    AGENT_BUSY = "agent_busy"
    INVALID_JSON = "invalid_json"
    INVALID_MESSAGE = "invalid_message"
    UNKNOWN_TYPE = "unknown_type"
    MISSING_CONTENT = "missing_content"
    EMPTY_CONTENT = "empty_content"
    CONTENT_TOO_LONG = "content_too_long"
    INVALID_CONTENT = "invalid_content"
    MESSAGE_NOT_STORED = "message_not_stored"
    BINARY_FRAME = "binary_frame"
    AGENT_ERROR = "agent_error"
    RATE_LIMITED = "rate_limited"
    ORIGIN_NOT_ALLOWED = "origin_not_allowed"
    NOT_FOUND = "not_found"
    METHOD_NOT_ALLOWED = "method_not_allowed"
    AUTH_UNAVAILABLE = "auth_unavailable"
    INTERNAL = "internal"


# The message a client sees when no more specific text is given.
DEFAULT_MESSAGE: dict[ErrorCode, str] = {
    ErrorCode.MISSING_TOKEN: "Missing token",
    ErrorCode.INVALID_TOKEN: "Invalid token",
    ErrorCode.MISSING_SESSION_ID: "Missing session_id",
    ErrorCode.SESSION_NOT_FOUND: "Session not found",
    ErrorCode.SESSION_INACTIVE: "Inactive session",
    ErrorCode.SESSION_REPLACED: "Replaced by a newer connection to this session",
    ErrorCode.AGENT_BUSY: (
        "Still answering your previous message. Send this one again once the reply arrives."
    ),
    ErrorCode.INVALID_JSON: "Invalid JSON",
    ErrorCode.INVALID_MESSAGE: "Invalid message: expected a JSON object with a 'type'",
    ErrorCode.UNKNOWN_TYPE: "Unknown message type",
    ErrorCode.MISSING_CONTENT: "Missing 'content' in user_message",
    ErrorCode.EMPTY_CONTENT: "Empty 'content' in user_message",
    ErrorCode.CONTENT_TOO_LONG: "Message 'content' is too long",
    ErrorCode.INVALID_CONTENT: (
        "Message 'content' holds characters that cannot be stored (a lone UTF-16 surrogate): "
        "nothing was stored"
    ),
    ErrorCode.MESSAGE_NOT_STORED: "Your message could not be saved: nothing was stored. Please send it again.",
    ErrorCode.BINARY_FRAME: "Binary frames are not supported: send JSON as a text frame",
    ErrorCode.AGENT_ERROR: (
        "Agent error: your message could not be answered. Please try sending it again."
    ),
    ErrorCode.RATE_LIMITED: "Too many requests: slow down and try again shortly",
    ErrorCode.ORIGIN_NOT_ALLOWED: "Origin not allowed",
    ErrorCode.NOT_FOUND: "Not found",
    ErrorCode.METHOD_NOT_ALLOWED: "Method not allowed",
    ErrorCode.AUTH_UNAVAILABLE: "Cannot check your token right now: try again in a moment.",
    ErrorCode.INTERNAL: "Internal error",
}

HTTP_STATUS: dict[ErrorCode, int] = {
    ErrorCode.MISSING_TOKEN: 401,
    ErrorCode.INVALID_TOKEN: 401,
    ErrorCode.MISSING_SESSION_ID: 400,
    ErrorCode.SESSION_NOT_FOUND: 404,
    ErrorCode.SESSION_INACTIVE: 409,
    ErrorCode.SESSION_REPLACED: 409,
    ErrorCode.AGENT_BUSY: 409,
    ErrorCode.INVALID_JSON: 400,
    ErrorCode.INVALID_MESSAGE: 400,
    ErrorCode.UNKNOWN_TYPE: 400,
    ErrorCode.MISSING_CONTENT: 400,
    ErrorCode.EMPTY_CONTENT: 400,
    ErrorCode.CONTENT_TOO_LONG: 413,
    ErrorCode.INVALID_CONTENT: 400,
    ErrorCode.MESSAGE_NOT_STORED: 503,
    ErrorCode.BINARY_FRAME: 400,
    ErrorCode.AGENT_ERROR: 502,
    ErrorCode.RATE_LIMITED: 429,
    ErrorCode.ORIGIN_NOT_ALLOWED: 403,
    ErrorCode.NOT_FOUND: 404,
    ErrorCode.METHOD_NOT_ALLOWED: 405,
    ErrorCode.AUTH_UNAVAILABLE: 503,
    ErrorCode.INTERNAL: 500,
}

NORMAL_CLOSURE = 1000
POLICY_VIOLATION = 1008
MESSAGE_TOO_BIG = 1009
INTERNAL_ERROR = 1011
SERVICE_RESTART = 1012
TRY_AGAIN_LATER = 1013
"""Sent to every live socket when a gateway shuts down: reconnect (elsewhere) and resume."""
REPLACED = 4000
"""Sent to a connection when the same session connects again (the newer one wins)."""

# Errors that end a WebSocket connection (everything else is an ``error`` message).
CLOSE_CODE: dict[ErrorCode, int] = {
    ErrorCode.MISSING_TOKEN: POLICY_VIOLATION,
    ErrorCode.INVALID_TOKEN: POLICY_VIOLATION,
    ErrorCode.MISSING_SESSION_ID: POLICY_VIOLATION,
    ErrorCode.SESSION_NOT_FOUND: POLICY_VIOLATION,
    ErrorCode.SESSION_INACTIVE: POLICY_VIOLATION,
    ErrorCode.SESSION_REPLACED: REPLACED,
    ErrorCode.AUTH_UNAVAILABLE: TRY_AGAIN_LATER,
    ErrorCode.INTERNAL: INTERNAL_ERROR,
}


class MissionCommanderError(Exception):
    """Base of every error that carries a client-facing code."""

    def __init__(self, code: ErrorCode, message: str | None = None) -> None:
        self.code = code
        self.message = message or DEFAULT_MESSAGE[code]
        super().__init__(self.message)


class AuthError(MissionCommanderError):
    pass


class SessionError(MissionCommanderError):
    pass


class ProtocolError(MissionCommanderError):
    pass


class AgentError(MissionCommanderError):
    pass


class RateLimitError(MissionCommanderError):
    """Too many requests; ``retry_after_seconds`` says when to try again."""

    def __init__(self, retry_after_seconds: int, message: str | None = None) -> None:
        super().__init__(ErrorCode.RATE_LIMITED, message)
        self.retry_after_seconds = retry_after_seconds
