"""The WebSocket message protocol of the frontend integration guide.

Client → server: ``user_message`` (with ``content``) and ``ping``.
Server → client: ``connected``, ``agent_message``, ``mission_created``,
``error`` and ``pong`` (the guide's), plus ``agent_message_delta`` (a reply
being written) and ``ack`` (a learner message was stored, with its ``seq``);
guide clients switch on the types they know and ignore the other two. Parsing is pure: it takes the raw frame and returns a
typed message or raises :class:`ProtocolError` naming the problem.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Union

from .errors import ErrorCode, ProtocolError

__all__ = [
    "CONNECTED_MESSAGE",
    "MISSION_CREATED_MESSAGE",
    "Ping",
    "UserMessage",
    "ClientMessage",
    "parse_client_frame",
    "ack",
    "agent_message",
    "agent_message_delta",
    "connected",
    "encode",
    "error",
    "mission_created",
    "pong",
]

CONNECTED_MESSAGE = "Connected to Mission Commander. Starting your learning journey..."
MISSION_CREATED_MESSAGE = "Mission created successfully!"


@dataclass(frozen=True)
class UserMessage:
    """A learner's chat message (``content`` stripped of surrounding white space)."""

    content: str


@dataclass(frozen=True)
class Ping:
    """An application-level heartbeat; always answered with ``pong``."""


ClientMessage = Union[UserMessage, Ping]


def parse_client_frame(frame: str | bytes, *, max_content_chars: int) -> ClientMessage:
    """Parse one WebSocket frame from a client.

    Raises :class:`ProtocolError` with a message that names the problem.
    """
    if isinstance(frame, (bytes, bytearray, memoryview)):
        raise ProtocolError(ErrorCode.BINARY_FRAME)
    try:
        data = json.loads(frame)
    except (ValueError, RecursionError):
        raise ProtocolError(ErrorCode.INVALID_JSON, "Invalid JSON: could not parse the message") from None
    if not isinstance(data, dict):
        raise ProtocolError(ErrorCode.INVALID_MESSAGE)
    kind = data.get("type")
    if not isinstance(kind, str):
        raise ProtocolError(ErrorCode.INVALID_MESSAGE, "Invalid message: 'type' must be a string")
    if kind == "ping":
        return Ping()
    if kind != "user_message":
        shown = kind if len(kind) <= 40 else kind[:40] + "..."
        raise ProtocolError(
            ErrorCode.UNKNOWN_TYPE,
            f"Unknown message type {shown!r}: expected 'user_message' or 'ping'",
        )
    if "content" not in data or data["content"] is None:
        raise ProtocolError(ErrorCode.MISSING_CONTENT)
    content = data["content"]
    if not isinstance(content, str):
        raise ProtocolError(ErrorCode.MISSING_CONTENT, "Invalid 'content': it must be a string")
    content = content.strip()
    if not storable_text(content):
        raise ProtocolError(ErrorCode.INVALID_CONTENT)
    if not content:
        raise ProtocolError(ErrorCode.EMPTY_CONTENT)
    if len(content) > max_content_chars:
        raise ProtocolError(
            ErrorCode.CONTENT_TOO_LONG,
            f"Message 'content' is too long: {len(content)} characters, the limit is {max_content_chars}",
        )
    return UserMessage(content=content)


def storable_text(text: str) -> bool:
    """Whether Firestore can store ``text``: it must encode as UTF-8, so no lone UTF-16
    surrogate (valid in JSON as ``"\\ud800"``). NUL, RTL marks and 4-byte characters are fine."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def encode(message: dict[str, Any]) -> str:
    """One frame's JSON text. Always valid UTF-8: a string that is not (a lone
    surrogate echoed back in an error) is sent as a JSON escape instead."""
    text = json.dumps(message, ensure_ascii=False, separators=(",", ":"))
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        return json.dumps(message, ensure_ascii=True, separators=(",", ":"))


def ack(seq: int) -> dict[str, Any]:
    """The learner's message was stored as turn ``seq``: its reply will come
    (after a reconnect too). Never sent for a message that was not stored."""
    return {"type": "ack", "seq": seq}


def connected(message: str = CONNECTED_MESSAGE) -> dict[str, Any]:
    return {"type": "connected", "message": message}


def agent_message(content: str) -> dict[str, Any]:
    return {"type": "agent_message", "content": content}


def agent_message_delta(text_so_far: str) -> dict[str, Any]:
    """A reply still being written. ``content`` is the whole text so far (not
    just the new part): show it in place of the previous delta. The final
    ``agent_message`` follows with the complete text, which may differ."""
    return {"type": "agent_message_delta", "content": text_so_far}


def mission_created(mission: dict[str, Any], enrollment: dict[str, Any],
                    message: str = MISSION_CREATED_MESSAGE) -> dict[str, Any]:
    return {"type": "mission_created", "message": message, "mission": mission, "enrollment": enrollment}


def error(message: str, code: ErrorCode | str | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"type": "error", "message": message}
    if code is not None:
        out["code"] = code.value if isinstance(code, ErrorCode) else code
    return out


def pong() -> dict[str, Any]:
    return {"type": "pong"}
