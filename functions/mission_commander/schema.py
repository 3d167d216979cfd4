"""The Firestore document schema, shared by the functions and the gateway.

Collections::

    sessions/{session_id}                 owner, status, expiry, sequence counter, profile
    sessions/{session_id}/turns/{seq}     a learner's message (the trigger watches these only)
    sessions/{session_id}/replies/{seq}   the agent's reply to turn seq - 1 (never triggers anything)
    gateways/{gateway_id}/inbox/{id}      what one gateway process must relay: replies, stream chunks,
                                          replacement notices for the sessions it holds (removed once sent)
    rate_limits/sessions_{user_id}_{k}    slot k of a user's session-creation allowance (when it was taken)
    missions/{mission_id}                 the guide's mission object, as sent on the wire
    enrollments/{user_id}_{mission_id}    the guide's enrollment object, as sent on the wire

A user turn takes sequence ``n``; its reply is always ``n + 1`` (a
deterministic id, which is what makes a duplicate trigger harmless). Both
share one per-session sequence, so the conversation is the two collections
merged by ``seq``. Replies live apart from learner turns so that writing a
reply (and every streaming update of it) never invokes the trigger. Sessions
and turns hold native timestamps; missions and enrollments hold the exact
JSON the client receives (ISO-8601 UTC strings).
"""

from __future__ import annotations

import enum
import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any, Mapping

from . import protocol
from .errors import ErrorCode, SessionError
from .mission_plan import MissionDraft
from .profile import LearnerProfile

__all__ = [
    "ENROLLMENTS", "ENROLLMENT_PROGRESS_FIELDS", "MISSIONS", "RATE_LIMITS", "REPLIES", "SESSIONS", "TURNS",
    "SessionStatus", "TurnKind", "TurnRole", "TurnStatus", "UserTurnPlan",
    "check_session_access", "enrollment_document", "iso_utc", "mission_document", "mission_id_for",
    "client_message_for_turn", "content_digest", "new_session", "plan_user_turn", "repeated_user_seq",
    "reply_seq", "turn_id", "reply_document",
    "GATEWAYS", "INBOX", "InboxKind", "SESSION_GATEWAY_FIELDS", "connection_claim", "delivery_record",
    "inbox_delta_document", "inbox_heartbeat_document", "inbox_replace_document", "inbox_reply_document", "next_user_seq",
    "SESSION_CREATION_WINDOW_SECONDS", "creation_slot_document", "creation_slot_id",
]

SESSIONS = "sessions"
TURNS = "turns"
REPLIES = "replies"
MISSIONS = "missions"
ENROLLMENTS = "enrollments"
RATE_LIMITS = "rate_limits"
GATEWAYS = "gateways"
INBOX = "inbox"

# Fields the gateway writes on a session document (the functions write the rest).
SESSION_GATEWAY_FIELDS = ("gateway_id", "connection_id", "connected_at", "delivered_seq", "delivered_at")
"""``gateway_id``/``connection_id``: the process and connection holding the live socket (the trigger
routes replies to that process's inbox); ``delivered_seq``: the highest final reply recorded as sent,
written *before* the frame leaves (the resume point of a client that sends no ``last_seq``)."""

INBOX_TTL_SECONDS = 3600
"""Inbox documents carry ``expires_at`` this far ahead: a TTL policy removes what a dead process left."""


class InboxKind(str, enum.Enum):
    REPLY = "reply"
    """A reply turn, complete (the whole reply document as written)."""
    DELTA = "delta"
    """A streaming reply's text so far (each chunk document written once)."""
    REPLACE = "replace"
    """A newer connection to this session opened on another process: close ``connection_id``."""
    HEARTBEAT = "heartbeat"
    """Written by the process to its own inbox: if it never arrives, the listener went silent."""


class SessionStatus(str, enum.Enum):
    ACTIVE = "active"
    COMPLETED = "completed"
    EXPIRED = "expired"


class TurnRole(str, enum.Enum):
    USER = "user"
    AGENT = "agent"


class TurnKind(str, enum.Enum):
    MESSAGE = "message"
    ERROR = "error"
    MISSION_CREATED = "mission_created"


class TurnStatus(str, enum.Enum):
    PENDING = "pending"
    """The agent is working on this reply (text so far may be present)."""
    COMPLETE = "complete"


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


def iso_utc(moment: datetime) -> str:
    """"2025-10-25T10:30:00Z" (the guide's format; millisecond precision kept when present)."""
    moment = moment.astimezone(timezone.utc)
    if moment.microsecond:
        return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def turn_id(seq: int) -> str:
    return f"{seq:06d}"


def reply_seq(user_seq: int) -> int:
    return user_seq + 1


def mission_id_for(session_id: str) -> str:
    """The mission a session creates has an id derived from the session (one per session)."""
    return hashlib.sha256(f"mission:{session_id}".encode()).hexdigest()[:20]


def new_session(user_id: str, now: datetime, ttl_seconds: int) -> dict[str, Any]:
    return {
        "user_id": user_id,
        "status": SessionStatus.ACTIVE.value,
        "created_at": now,
        "updated_at": now,
        "expires_at": now + timedelta(seconds=ttl_seconds),
        "next_seq": 1,
        "pending_turn": None,
        "pending_since": None,
        "profile": LearnerProfile().to_dict(),
        "mission_id": None,
    }


def _as_utc(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=timezone.utc)
    return None


SESSION_CREATION_WINDOW_SECONDS = 3600
"""``SESSION_CREATIONS_PER_HOUR`` counts creations in any window this long (a sliding window)."""


def creation_slot_id(user_id: str, slot: int) -> str:
    """The document holding slot ``slot`` of a user's session-creation allowance, in ``rate_limits``."""
    return f"sessions_{user_id}_{slot:03d}"


def creation_slot_document(user_id: str, slot: int, session_id: str, now: datetime,
                           window_seconds: int = SESSION_CREATION_WINDOW_SECONDS) -> dict[str, Any]:
    """Slot ``slot`` taken by ``session_id``: free again ``window_seconds`` after ``taken_at``.
    ``expires_at`` lets a TTL policy remove it after that (a missing slot is a free one)."""
    return {"user_id": user_id, "slot": slot, "session_id": session_id, "taken_at": now,
            "expires_at": now + timedelta(seconds=window_seconds)}


def check_session_access(session: Mapping[str, Any] | None, user_id: str, now: datetime,
                         idle_seconds: int | None = None) -> None:
    """Raise :class:`SessionError` unless ``user_id`` may chat in this session now:
    it exists, is theirs, is active, and is within its absolute and idle limits."""
    if session is None or session.get("user_id") != user_id:
        # Another user's session is reported as missing: no existence leak.
        raise SessionError(ErrorCode.SESSION_NOT_FOUND)
    if session.get("status") != SessionStatus.ACTIVE.value:
        raise SessionError(ErrorCode.SESSION_INACTIVE)
    expires = _as_utc(session.get("expires_at"))
    if expires is not None and expires <= now:
        raise SessionError(ErrorCode.SESSION_INACTIVE, "Inactive session: it has expired")
    last_activity = _as_utc(session.get("updated_at"))
    if idle_seconds and last_activity is not None and now - last_activity >= timedelta(seconds=idle_seconds):
        raise SessionError(ErrorCode.SESSION_INACTIVE, "Inactive session: it was idle too long")


def has_undelivered_ending(session: Mapping[str, Any] | None, user_id: str, last_seq: int | None) -> bool:
    """A completed session whose owner has not yet received its final turns
    (by ``last_seq``): it may reconnect once more to collect them."""
    if not session or session.get("user_id") != user_id or last_seq is None:
        return False
    if session.get("status") != SessionStatus.COMPLETED.value:
        return False
    return last_seq < int(session.get("next_seq") or 1) - 1


def has_replies_after(session: Mapping[str, Any], seq: int) -> bool:
    """Whether the session may hold agent turns after ``seq`` (a reply in
    progress, or any turn beyond it): if not, a reconnect needs no catch-up read."""
    last_reserved = int(session.get("next_seq") or 1) - 1
    return bool(session.get("pending_turn")) or last_reserved > seq


@dataclass(frozen=True)
class UserTurnPlan:
    turn_id: str
    seq: int
    turn: dict[str, Any]
    session_update: dict[str, Any]


def plan_user_turn(session_id: str, session: Mapping[str, Any] | None, user_id: str, content: str,
                   now: datetime, agent_timeout_seconds: int, idle_seconds: int | None = None) -> UserTurnPlan:
    """What to write (inside one transaction) to store a learner's message."""
    check_session_access(session, user_id, now, idle_seconds)
    session = session or {}
    pending = session.get("pending_turn")
    since = _as_utc(session.get("pending_since"))
    if pending and since is not None and now - since < timedelta(seconds=agent_timeout_seconds):
        raise SessionError(ErrorCode.AGENT_BUSY)
    seq = int(session.get("next_seq") or 1)
    tid = turn_id(seq)
    turn = {
        "session_id": session_id,
        "user_id": user_id,
        "seq": seq,
        "role": TurnRole.USER.value,
        "kind": TurnKind.MESSAGE.value,
        "status": TurnStatus.COMPLETE.value,
        "content": content,
        "created_at": now,
        "updated_at": now,
    }
    update = {"next_seq": seq + 2, "pending_turn": tid, "pending_since": now, "updated_at": now,
              "last_user_digest": content_digest(content)}
    return UserTurnPlan(turn_id=tid, seq=seq, turn=turn, session_update=update)


def content_digest(content: str) -> str:
    """A short fingerprint of a learner's message, kept on the session (never the text itself):
    a message sent again before its reply reached the client is recognised as the same one."""
    return hashlib.sha256(content.encode("utf-8", "surrogatepass")).hexdigest()[:16]


def repeated_user_seq(session: Mapping[str, Any], content: str) -> int | None:
    """The ``seq`` of the session's last learner message if ``content`` is that message again
    (each stored message takes ``seq`` and ``seq + 1`` for its reply, so it is ``next_seq - 2``)."""
    if session.get("last_user_digest") != content_digest(content):
        return None
    seq = next_user_seq(session) - 2
    return seq if seq >= 1 else None


def reply_document(session_id: str, user_id: str, user_seq: int, now: datetime, *,
                   kind: TurnKind = TurnKind.MESSAGE, status: TurnStatus = TurnStatus.PENDING,
                   content: str = "", agent: str = "", claim: str = "") -> dict[str, Any]:
    return {
        "session_id": session_id,
        "user_id": user_id,
        "seq": reply_seq(user_seq),
        "reply_to": turn_id(user_seq),
        "role": TurnRole.AGENT.value,
        "kind": kind.value,
        "status": status.value,
        "content": content,
        "agent": agent,
        "claim": claim,
        "created_at": now,
        "updated_at": now,
    }


MISSION_FIELDS = ("id", "title", "short_description", "description", "level", "topics_to_cover",
                  "learning_goal", "byte_size_checkpoints", "skills", "creator_id", "is_public",
                  "created_at", "updated_at")
ENROLLMENT_FIELDS = ("id", "user_id", "mission_id", "enrolled_at", "progress", "last_accessed_at",
                     "completed", "created_at", "updated_at")


def _in_order(data: Mapping[str, Any], order: tuple[str, ...]) -> dict[str, Any]:
    """The guide's field order (Firestore returns fields sorted by name)."""
    return {**{k: data[k] for k in order if k in data}, **{k: v for k, v in data.items() if k not in order}}


def mission_document(mission_id: str, draft: MissionDraft, user_id: str, now: datetime) -> dict[str, Any]:
    stamp = iso_utc(now)
    return {
        "id": mission_id,
        "title": draft.title,
        "short_description": draft.short_description,
        "description": draft.description,
        "level": draft.level,
        "topics_to_cover": list(draft.topics_to_cover),
        "learning_goal": draft.learning_goal,
        "byte_size_checkpoints": list(draft.byte_size_checkpoints),
        "skills": list(draft.skills),
        "creator_id": user_id,
        "is_public": True,
        "created_at": stamp,
        "updated_at": stamp,
    }


def enrollment_id(user_id: str, mission_id: str) -> str:
    return f"{user_id}_{mission_id}"


def enrollment_document(mission_id: str, user_id: str, now: datetime) -> dict[str, Any]:
    stamp = iso_utc(now)
    return {
        "id": enrollment_id(user_id, mission_id),
        "user_id": user_id,
        "mission_id": mission_id,
        "enrolled_at": stamp,
        "progress": 0.0,
        "last_accessed_at": stamp,
        "completed": False,
        "created_at": stamp,
        "updated_at": stamp,
    }


ENROLLMENT_PROGRESS_FIELDS = ("completed_checkpoints", "started_at")
"""Written on an enrollment by the progress API (beside the guide's ``progress``, ``completed``,
``last_accessed_at``, ``updated_at``): ``completed_checkpoints``, the sorted indexes of the ticked
``byte_size_checkpoints``; ``started_at``, when the learner first pressed Start mission (ISO-8601)."""


def client_message_for_turn(turn: Mapping[str, Any]) -> dict[str, Any] | None:
    """The protocol message an agent turn becomes: the final message when it
    is complete, a delta with the text so far while it streams (``None`` for
    user turns and replies with no text yet). Each carries the turn's ``seq``,
    which a client may send back as ``last_seq`` to resume after a reconnect."""
    if turn.get("role") != TurnRole.AGENT.value:
        return None
    seq = {"seq": turn["seq"]} if isinstance(turn.get("seq"), int) else {}
    if turn.get("status") != TurnStatus.COMPLETE.value:
        text = turn.get("content") or ""
        return {**protocol.agent_message_delta(text), **seq} if text else None
    kind = turn.get("kind")
    if kind == TurnKind.MISSION_CREATED.value:
        message = protocol.mission_created(_in_order(turn.get("mission") or {}, MISSION_FIELDS),
                                           _in_order(turn.get("enrollment") or {}, ENROLLMENT_FIELDS),
                                           message=turn.get("content") or protocol.MISSION_CREATED_MESSAGE)
    elif kind == TurnKind.ERROR.value:
        message = protocol.error(turn.get("content") or "Agent error", turn.get("error_code") or "agent_error")
    else:
        message = protocol.agent_message(turn.get("content") or "")
    return {**message, **seq}


# -- the gateway's fields and the per-process inbox ----------------------------------------------------

def connection_claim(gateway_id: str, connection_id: str, now: datetime) -> dict[str, Any]:
    """The session update that makes a connection the live one (the newest connection wins)."""
    return {"gateway_id": gateway_id, "connection_id": connection_id, "connected_at": now}


def delivery_record(seq: int, now: datetime) -> dict[str, Any]:
    """The session update written before a final frame ``seq`` is sent."""
    return {"delivered_seq": seq, "delivered_at": now}


def next_user_seq(session: Mapping[str, Any]) -> int:
    return int(session.get("next_seq") or 1)


def _inbox_base(session_id: str, seq: int, kind: InboxKind, now: datetime) -> dict[str, Any]:
    return {"session_id": session_id, "seq": seq, "inbox_kind": kind.value, "created_at": now,
            "expires_at": now + timedelta(seconds=INBOX_TTL_SECONDS)}


def inbox_reply_document(reply: Mapping[str, Any], now: datetime) -> tuple[str, dict[str, Any]]:
    """(id, document) telling the holder's process a reply is complete."""
    doc = {**reply, **_inbox_base(reply["session_id"], int(reply["seq"]), InboxKind.REPLY, now)}
    return f"{reply['session_id']}_{turn_id(int(reply['seq']))}", doc


def inbox_delta_document(session_id: str, seq: int, chunk: int, text_so_far: str,
                         now: datetime) -> tuple[str, dict[str, Any]]:
    """(id, document) for one streaming chunk: the text so far, written once."""
    doc = {**_inbox_base(session_id, seq, InboxKind.DELTA, now), "role": TurnRole.AGENT.value,
           "status": TurnStatus.PENDING.value, "kind": TurnKind.MESSAGE.value, "content": text_so_far,
           "chunk": chunk}
    return f"{session_id}_{turn_id(seq)}_{chunk:04d}", doc


def inbox_replace_document(session_id: str, connection_id: str, now: datetime) -> tuple[str, dict[str, Any]]:
    doc = {**_inbox_base(session_id, 0, InboxKind.REPLACE, now), "connection_id": connection_id}
    return f"{session_id}_replace_{connection_id}", doc


def inbox_heartbeat_document(number: int, now: datetime) -> tuple[str, dict[str, Any]]:
    return f"heartbeat_{number}", {**_inbox_base("", number, InboxKind.HEARTBEAT, now)}
