"""The learner profile the interview builds, kept on the session document."""

from __future__ import annotations

import enum
from dataclasses import asdict, dataclass, field, replace
from typing import Any

__all__ = ["Level", "LearnerProfile", "Stage"]


class Level(str, enum.Enum):
    BEGINNER = "Beginner"
    INTERMEDIATE = "Intermediate"
    ADVANCED = "Advanced"


class Stage(str, enum.Enum):
    """Where the interview stands: the question the learner is answering next."""

    SUBJECT = "subject"
    MOTIVATION = "motivation"
    EXPERIENCE = "experience"
    WEEKLY_TIME = "weekly_time"
    CONFIRM = "confirm"
    DONE = "done"


@dataclass(frozen=True)
class LearnerProfile:
    subject: str | None = None
    """What the learner wants to learn, in their words ("Python for data analysis")."""
    motivation: str | None = None
    """Why, in their words ("I want to analyze business data")."""
    experience: str | None = None
    """What they said about prior experience."""
    level: Level | None = None
    """The level that experience implies."""
    weekly_hours: float | None = None
    """Hours per week they can give."""
    stage: Stage = Stage.SUBJECT
    retries: int = 0
    """How many times the current question was asked again (at most once, then a default)."""
    prior_skills: tuple[str, ...] = ()
    """Experience in neighbouring skills ("Java, 10 years"): kept, but never raises ``level``."""
    assumed: tuple[str, ...] = ()
    """Slots filled with the interview's default because the answer could not be read."""
    extra: dict[str, Any] = field(default_factory=dict)

    def with_(self, **changes: Any) -> "LearnerProfile":
        return replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["level"] = self.level.value if self.level else None
        data["stage"] = self.stage.value
        data["prior_skills"] = list(self.prior_skills)
        data["assumed"] = list(self.assumed)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> "LearnerProfile":
        if not data:
            return cls()
        level = data.get("level")
        hours = data.get("weekly_hours")
        return cls(
            subject=data.get("subject") or None,
            motivation=data.get("motivation") or None,
            experience=data.get("experience") or None,
            level=Level(level) if level else None,
            weekly_hours=float(hours) if hours is not None else None,
            stage=Stage(data.get("stage") or Stage.SUBJECT.value),
            retries=int(data.get("retries") or 0),
            prior_skills=tuple(str(s) for s in data.get("prior_skills") or ()),
            assumed=tuple(str(s) for s in data.get("assumed") or ()),
            extra=dict(data.get("extra") or {}),
        )
