"""Mission plans: the offline builder and the checks every plan must pass.

A :class:`MissionDraft` is the learner-facing content of a mission; the
document fields (id, creator, timestamps) are added by :mod:`.schema`.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from .answers import clean_motivation
from .catalogue import CatalogueSubject, find_subject, generic_subject
from .profile import LearnerProfile, Level

__all__ = ["MIN_CHECKPOINTS", "MAX_CHECKPOINTS", "MissionDraft", "build_offline_plan",
           "check_plan", "title_case", "weekly_hours_phrase"]

MIN_CHECKPOINTS = 4
MAX_CHECKPOINTS = 10
MAX_WEEKS = 52


@dataclass(frozen=True)
class MissionDraft:
    title: str
    short_description: str
    description: str
    level: str
    topics_to_cover: tuple[str, ...]
    learning_goal: str
    byte_size_checkpoints: tuple[str, ...]
    skills: tuple[str, ...]
    hours_per_checkpoint: float


_SMALL_WORDS = {"a", "an", "and", "as", "at", "but", "by", "for", "in", "of", "on", "or", "the", "to",
                "with", "vs", "via"}


def title_case(text: str) -> str:
    """"python for data analysis" → "Python for Data Analysis" (acronyms and
    words with capitals inside are kept as written)."""
    words = text.split()
    out = []
    for i, word in enumerate(words):
        if any(c.isupper() for c in word[1:]) or word.isupper():
            out.append(word)
        elif i > 0 and word.lower() in _SMALL_WORDS:
            out.append(word.lower())
        else:
            out.append(word[:1].upper() + word[1:])
    return " ".join(out)


def weekly_hours_phrase(hours: float) -> str:
    shown = f"{hours:g}"
    return f"about {shown} hour{'s' if hours != 1 else ''} per week"


_PRONOUNS = [(r"\bI'm\b", "you're"), (r"\bI am\b", "you are"), (r"\bI've\b", "you've"),
             (r"\bI\b", "you"), (r"\bmy\b", "your"), (r"\bme\b", "you"), (r"\bmyself\b", "yourself"),
             (r"\bmine\b", "yours")]


def _second_person(text: str) -> str:
    for pattern, repl in _PRONOUNS:
        text = re.sub(pattern, repl, text, flags=re.IGNORECASE)
    return text


def learning_goal(subject: str, motivation: str | None) -> str:
    if not motivation:
        return f"Learn {subject} with confidence"
    rest, verb_phrase = clean_motivation(motivation)
    rest = _second_person(rest)
    rest = rest[:1].lower() + rest[1:] if rest[:2] != rest[:2].upper() else rest
    return f"Learn {subject} to {rest}" if verb_phrase else f"Learn {subject} because {rest}"


def _select_checkpoints(entry: CatalogueSubject, level: Level) -> list[str]:
    if level is Level.BEGINNER:
        picked = list(entry.foundations) + list(entry.core)
    elif level is Level.INTERMEDIATE:
        picked = list(entry.core) + list(entry.deeper[:2])
    else:
        picked = list(entry.core[-1:]) + list(entry.deeper)
    spare = [c for c in list(entry.deeper) + list(entry.core) + list(entry.foundations) if c not in picked]
    while len(picked) < MIN_CHECKPOINTS - 1 and spare:
        picked.append(spare.pop(0))
    return picked[: MAX_CHECKPOINTS - 1] + [entry.project]


def build_offline_plan(profile: LearnerProfile) -> MissionDraft:
    """A complete, sensible mission from the interview answers alone."""
    subject = profile.subject or "a new skill"
    level = profile.level or Level.BEGINNER
    hours = profile.weekly_hours or 3.0
    entry = find_subject(subject) or generic_subject(subject)
    checkpoints = _select_checkpoints(entry, level)
    per_checkpoint = round(min(max(hours, 1.5), 8.0), 1)
    weeks = math.ceil(len(checkpoints) * per_checkpoint / hours)
    goal = learning_goal(subject, profile.motivation)
    topics = entry.topics if level is Level.BEGINNER else entry.topics[1:]
    short = f"Learn {subject} in {len(checkpoints)} bite-size checkpoints, at {level.value.lower()} level"
    why = f" Your goal: {goal[:1].lower()}{goal[1:]}." if profile.motivation else ""
    description = (
        f"This mission guides you through {subject}, starting from {_start_point(level)}.{why} "
        f"It has {len(checkpoints)} bite-size checkpoints of roughly {per_checkpoint:g} hours each, "
        f"paced for {weekly_hours_phrase(hours)}, so expect to finish in about {weeks} "
        f"week{'s' if weeks != 1 else ''}. It ends with a project: {entry.project.split(': ', 1)[-1]}."
    )
    return MissionDraft(
        title=title_case(subject),
        short_description=short,
        description=description,
        level=level.value,
        topics_to_cover=tuple(topics),
        learning_goal=goal,
        byte_size_checkpoints=tuple(checkpoints),
        skills=entry.skills,
        hours_per_checkpoint=per_checkpoint,
    )


def _start_point(level: Level) -> str:
    return {
        Level.BEGINNER: "the very basics",
        Level.INTERMEDIATE: "what you already know",
        Level.ADVANCED: "an advanced level",
    }[level]


def _words(text: str) -> set[str]:
    return {w for w in re.findall(r"[a-z0-9+#]+", text.lower()) if len(w) > 2 and w not in _SMALL_WORDS}


def check_plan(draft: MissionDraft, profile: LearnerProfile) -> list[str]:
    """Every reason this plan does not fit the learner (empty when it does)."""
    problems: list[str] = []
    checkpoints = [c.strip() for c in draft.byte_size_checkpoints]
    if not MIN_CHECKPOINTS <= len(checkpoints) <= MAX_CHECKPOINTS:
        problems.append(f"byte_size_checkpoints must have {MIN_CHECKPOINTS} to {MAX_CHECKPOINTS} entries, "
                        f"it has {len(checkpoints)}")
    for name, values in (("byte_size_checkpoints", checkpoints),
                         ("topics_to_cover", [t.strip() for t in draft.topics_to_cover]),
                         ("skills", [s.strip() for s in draft.skills])):
        if not values:
            problems.append(f"{name} is empty")
        if any(not v for v in values):
            problems.append(f"{name} has an empty entry")
        lowered = [v.lower() for v in values if v]
        if len(set(lowered)) != len(lowered):
            problems.append(f"{name} has duplicate entries")
    if checkpoints and "project" not in checkpoints[-1].lower():
        problems.append("the last checkpoint must be a project")
    for name in ("title", "short_description", "description", "learning_goal"):
        if not getattr(draft, name).strip():
            problems.append(f"{name} is empty")
    if draft.level not in {lv.value for lv in Level}:
        problems.append(f"level must be one of Beginner, Intermediate, Advanced, not {draft.level!r}")
    elif profile.level is not None:
        order = [Level.BEGINNER.value, Level.INTERMEDIATE.value, Level.ADVANCED.value]
        if abs(order.index(draft.level) - order.index(profile.level.value)) > 1 or (
            profile.level is Level.BEGINNER and draft.level == Level.ADVANCED.value
        ):
            problems.append(f"level {draft.level} does not fit the stated experience ({profile.level.value})")
        elif profile.level is Level.BEGINNER and draft.level != Level.BEGINNER.value:
            problems.append(f"level {draft.level} is too high for a complete beginner")
    if profile.weekly_hours:
        if draft.hours_per_checkpoint <= 0:
            problems.append("hours_per_checkpoint must be positive")
        else:
            weeks = len(checkpoints) * draft.hours_per_checkpoint / profile.weekly_hours
            if draft.hours_per_checkpoint > max(3 * profile.weekly_hours, 2):
                problems.append(f"checkpoints of {draft.hours_per_checkpoint:g} hours are not bite-size for "
                                f"{weekly_hours_phrase(profile.weekly_hours)}")
            if weeks > MAX_WEEKS:
                problems.append(f"the plan needs about {math.ceil(weeks)} weeks at "
                                f"{weekly_hours_phrase(profile.weekly_hours)}; keep it within {MAX_WEEKS}")
    if profile.subject:
        subject_words = _words(profile.subject)
        if subject_words and not subject_words & (_words(draft.title) | _words(draft.learning_goal)):
            problems.append(f"title and learning_goal do not mention the subject ({profile.subject!r})")
    return problems
