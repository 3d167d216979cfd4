"""The one interface every interviewer implements (offline or Gemini)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping, Protocol, Sequence

from .mission_plan import MissionDraft
from .profile import LearnerProfile

__all__ = ["AgentTurn", "ChatEntry", "InterviewAgent", "TextSink", "estimate_tokens", "history_window"]

TextSink = Callable[[str], None]
"""Receives the reply's text so far while it is being generated."""


@dataclass(frozen=True)
class ChatEntry:
    """One earlier turn of the conversation, oldest first."""

    role: str  # "user" or "agent"
    text: str


@dataclass(frozen=True)
class AgentTurn:
    reply: str
    """What the agent says to the learner."""
    profile: LearnerProfile
    """The learner profile after this turn."""
    plan: MissionDraft | None = None
    """Set when the learner confirmed the summary: the mission to create."""
    meta: Mapping[str, Any] = field(default_factory=dict)
    """What to record on the turn document: model, finish reason, token usage..."""


class InterviewAgent(Protocol):
    name: str

    def describe(self) -> dict[str, Any]:
        """What /health shows about this agent (never a secret)."""
        ...

    def respond(self, profile: LearnerProfile, history: Sequence[ChatEntry], message: str,
                on_text: TextSink | None = None) -> AgentTurn:
        """Answer the learner's ``message`` given the profile so far and the
        earlier turns (``history`` excludes ``message``). ``on_text`` may be
        called with the reply's text so far while it streams."""
        ...


def estimate_tokens(text: str) -> int:
    """A cheap, conservative token estimate (about four characters a token)."""
    return max(1, math.ceil(len(text) / 4)) + 4


def history_window(history: Sequence[ChatEntry], max_tokens: int) -> list[ChatEntry]:
    """The most recent turns that fit in ``max_tokens``, oldest first, starting
    with a learner turn (the model expects the user to speak first)."""
    kept: list[ChatEntry] = []
    used = 0
    for entry in reversed(history):
        cost = estimate_tokens(entry.text)
        if used + cost > max_tokens:
            break
        kept.append(entry)
        used += cost
    kept.reverse()
    while kept and kept[0].role != "user":
        kept.pop(0)
    return kept
