"""The interview, declared once: a table of steps that both agents follow.

Each :class:`Step` says what it asks, the profile slot it fills, how an answer
is understood, what is asked again (once, differently, with examples), the
default taken when the answer still cannot be read, how the step shows in the
summary, and what a language model is told about it. The offline interviewer
(:mod:`.interview`) and the Gemini agent (:mod:`.gemini_agent`, its prompts)
read this table; adding or changing a question touches this file only.
Pure: no I/O, no SDK.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Mapping

from . import answers
from .catalogue import find_subject, generic_subject
from .learner_text import clean_learner_text
from .mission_plan import weekly_hours_phrase
from .profile import LearnerProfile, Level, Stage

__all__ = ["ModelField", "STEPS", "Step", "apply_model_reading", "missing", "model_fields", "next_stage",
           "step_for", "summary_text"]

Reading = Mapping[str, Any]
"""Profile changes an answer implies (``{"weekly_hours": 5.0}``)."""


_LEVEL_WORDS = {Level.BEGINNER: "starting out", Level.INTERMEDIATE: "some experience",
                Level.ADVANCED: "a lot of experience"}


@dataclass(frozen=True)
class ModelField:
    """One field a language model extracts for a step (its JSON name, type and meaning)."""

    name: str
    type: type
    description: str
    choices: tuple[str, ...] = ()


@dataclass(frozen=True)
class Step:
    stage: Stage
    slot: str
    """The profile field this step fills; the step is done when it is set."""
    question: Callable[[LearnerProfile], str]
    reask: Callable[[LearnerProfile], str]
    """Asked (once) when the answer could not be read: different words, with examples."""
    read: Callable[[str, LearnerProfile], Reading | None]
    """The answer's meaning as profile changes, or ``None`` when it cannot be read."""
    default: Reading
    assumption: str
    """How the summary states the default ("you're starting from scratch")."""
    summary_label: str
    summary_value: Callable[[LearnerProfile], str]
    model_task: str
    """What a language model is told to ask ("{subject}" is filled in)."""
    model_fields: tuple[ModelField, ...]
    glean: Callable[[str, LearnerProfile], Reading | None] | None = None
    """Reads this step's answer from a reply to another question ("… I have 5 hours a week")."""

    def done(self, profile: LearnerProfile) -> bool:
        return getattr(profile, self.slot) not in (None, "")


# -- the readers ---------------------------------------------------------------------------------

def _read_subject(text: str, profile: LearnerProfile) -> Reading | None:
    found = answers.extract_subject(text)
    if not found:
        return None
    subject, motivation = found
    changes: dict[str, Any] = {"subject": subject}
    if motivation and not profile.motivation:
        changes["motivation"] = clean_learner_text(motivation)
    return changes


def _read_motivation(text: str, profile: LearnerProfile) -> Reading | None:
    motivation = answers.parse_motivation(text)
    return {"motivation": motivation} if motivation else None


def _read_experience(text: str, profile: LearnerProfile) -> Reading | None:
    reading = answers.parse_experience(text, profile.subject)
    changes: dict[str, Any] = {}
    if reading.prior_skills:
        changes["prior_skills"] = tuple(dict.fromkeys(profile.prior_skills + reading.prior_skills))
    if reading.level is None:
        return None
    changes.update(level=reading.level, experience=clean_learner_text(text, 200))
    return changes


def _read_hours(text: str, profile: LearnerProfile) -> Reading | None:
    hours = answers.parse_weekly_hours(text, bare_number_is_hours=True)
    return {"weekly_hours": hours} if hours is not None else None


def _glean_experience(text: str, profile: LearnerProfile) -> Reading | None:
    if answers.stated_beginner(text):
        return {"level": Level.BEGINNER, "experience": clean_learner_text(text, 200)}
    return None


def _glean_hours(text: str, profile: LearnerProfile) -> Reading | None:
    hours = answers.parse_weekly_hours(text)
    return {"weekly_hours": hours} if hours is not None else None


# -- the questions -------------------------------------------------------------------------------

def _subject_name(profile: LearnerProfile) -> str:
    return profile.subject or "it"


def _experience_question(profile: LearnerProfile) -> str:
    entry = find_subject(profile.subject or "") or generic_subject(_subject_name(profile))
    return entry.experience_question.format(subject=_subject_name(profile))


STEPS: tuple[Step, ...] = (
    Step(
        stage=Stage.SUBJECT, slot="subject",
        question=lambda p: "Hi! What would you like to learn?",
        reask=lambda p: ("Tell me what you'd like to learn: one skill or subject, for example \"Python for "
                         "data analysis\", \"conversational Spanish\" or \"guitar\"."),
        read=_read_subject,
        default={"subject": "learning how to learn"},
        assumption="you'd like to start with learning how to learn",
        summary_label="Learn", summary_value=lambda p: p.subject or "",
        model_task="Find out what the learner wants to learn. Ask what subject or skill they want to learn.",
        model_fields=(ModelField("subject", str, "what they want to learn, in their own words, short "
                                                 "(e.g. \"Python for data analysis\"), without filler"),),
    ),
    Step(
        stage=Stage.MOTIVATION, slot="motivation",
        question=lambda p: f"Great choice! What's your main motivation for learning {_subject_name(p)}?",
        reask=lambda p: (f"Could you say a bit more about your motivation for learning {_subject_name(p)}? For example: "
                         "\"automate reports at work\", \"switch careers\", \"pass an exam\" or \"just for fun\"."),
        read=_read_motivation,
        default={"motivation": "personal interest"},
        assumption="you're learning out of personal interest",
        summary_label="Why", summary_value=lambda p: p.motivation or "",
        model_task="Ask about their main motivation for learning {subject}.",
        model_fields=(ModelField("motivation", str, "why they want to learn it, in their own words"),),
    ),
    Step(
        stage=Stage.EXPERIENCE, slot="level",
        question=_experience_question,
        reask=lambda p: (f"I couldn't tell your experience from that. Roughly where are you with "
                         f"{_subject_name(p)}? For example \"never tried it\", "
                         "\"I know the basics\" or \"I've used it for 3 years\"."),
        read=_read_experience,
        default={"level": Level.BEGINNER, "experience": "not stated"},
        assumption="you're starting from scratch",
        summary_label="Experience",
        summary_value=lambda p: (f"{_LEVEL_WORDS[p.level or Level.BEGINNER]} ({(p.level or Level.BEGINNER).value} "
                                 "level)" + (f"; you also know {', '.join(p.prior_skills)}" if p.prior_skills else "")),
        model_task="Ask about their prior experience with {subject} itself (experience in other skills is "
                   "worth hearing too, but the level is about {subject}).",
        model_fields=(
            ModelField("experience", str, "what they said about prior experience, in their own words"),
            ModelField("level", str, "their level in THIS subject only: Beginner (none or very little), "
                                     "Intermediate (has used it, knows the basics, about 1-3 years) or Advanced "
                                     "(professional, many years); negations count (\"not a professional\" is "
                                     "not Advanced); years in another skill do not raise it",
                       choices=("Beginner", "Intermediate", "Advanced")),
            ModelField("prior_skills", list, "other skills they mention experience in, e.g. [\"Java, 10 years\"]"),
        ),
        glean=_glean_experience,
    ),
    Step(
        stage=Stage.WEEKLY_TIME, slot="weekly_hours",
        question=lambda p: "How much time can you dedicate weekly?",
        reask=lambda p: ("How many hours a week could you realistically spend? A rough number is fine, for "
                         "example \"3 hours a week\", \"30 minutes a day\" or \"a couple of hours on weekends\"."),
        read=_read_hours,
        default={"weekly_hours": 3.0},
        assumption=f"you have {weekly_hours_phrase(3.0)}",
        summary_label="Time", summary_value=lambda p: weekly_hours_phrase(p.weekly_hours or 0),
        model_task="Ask how much time they can dedicate each week.",
        model_fields=(ModelField("weekly_hours", float, "hours per week as a number (30 minutes a day = 3.5; "
                                                        "\"a couple of hours on weekends\" = 2)"),),
        glean=_glean_hours,
    ),
)

_BY_STAGE = {step.stage: step for step in STEPS}


def step_for(stage: Stage) -> Step:
    return _BY_STAGE[stage]


def missing(profile: LearnerProfile) -> list[Step]:
    """The steps still to do, in interview order."""
    return [step for step in STEPS if not step.done(profile)]


def next_stage(profile: LearnerProfile) -> Stage:
    todo = missing(profile)
    return todo[0].stage if todo else Stage.CONFIRM


def summary_text(profile: LearnerProfile) -> str:
    """The summary the learner confirms; defaults taken are stated as assumptions."""
    lines = ["Here's what I have so far:"]
    lines += [f"• {step.summary_label}: {step.summary_value(profile)}" for step in STEPS]
    for step in STEPS:
        if step.slot in profile.assumed:
            lines.append(f"I assumed {step.assumption} — tell me if that's wrong.")
    lines.append("Is that correct? Reply \"yes\" and I'll create your mission, or tell me what to change.")
    return "\n".join(lines)


def model_fields() -> list[ModelField]:
    """Every field a model extracts, in step order (the understanding schema)."""
    return [f for step in STEPS for f in step.model_fields]


def apply_model_reading(profile: LearnerProfile, data: Mapping[str, Any], *, only_empty: bool = False) -> LearnerProfile:
    """``profile`` with what a model read from a message (unknown or invalid
    values ignored; learner words cleaned). With ``only_empty``, slots already
    filled are kept."""
    changes: dict[str, Any] = {}
    for name in ("subject", "motivation", "experience"):
        value = data.get(name)
        if isinstance(value, str) and clean_learner_text(value):
            changes[name] = clean_learner_text(value)
    level = data.get("level")
    if level in {lv.value for lv in Level}:
        changes["level"] = Level(level)
    hours = data.get("weekly_hours")
    if isinstance(hours, (int, float)) and 0 < hours <= 112:
        changes["weekly_hours"] = round(float(hours), 1)
    skills = data.get("prior_skills")
    if isinstance(skills, list):
        extra = tuple(clean_learner_text(s, 60) for s in skills if isinstance(s, str) and clean_learner_text(s, 60))
        if extra:
            changes["prior_skills"] = tuple(dict.fromkeys(profile.prior_skills + extra))
    if only_empty:
        slot_of = {"experience": "level"}
        changes = {k: v for k, v in changes.items()
                   if k == "prior_skills" or getattr(profile, slot_of.get(k, k)) in (None, "")}
    if changes:
        assumed = tuple(s for s in profile.assumed if s not in changes and not (s == "level" and "level" in changes))
        changes["assumed"] = assumed
    return profile.with_(**changes)
