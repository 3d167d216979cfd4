"""The one interface every interviewer implements (offline or Gemini)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, Sequence

from .mission_plan import MissionDraft
from .profile import LearnerProfile

__all__ = ["AgentTurn", "ChatEntry", "InterviewAgent"]


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


class InterviewAgent(Protocol):
    name: str

    def respond(self, profile: LearnerProfile, history: Sequence[ChatEntry], message: str) -> AgentTurn:
        """Answer the learner's ``message`` given the profile so far and the
        earlier turns (``history`` excludes ``message``)."""
        ...
