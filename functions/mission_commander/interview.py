"""The offline interviewer: deterministic, no network.

It walks the step table (:mod:`.interview_steps`): what to learn, motivation,
prior experience, weekly time, then a summary to confirm. An answer that
cannot be read is asked again once, differently and with examples; after
that the step's default is taken and stated in the summary. Only a clear yes
creates the mission (:func:`~.mission_plan.build_offline_plan`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from . import answers
from .agent import AgentTurn, ChatEntry, TextSink
from .answers import ConfirmationReading, Unreadable
from .interview_steps import STEPS, missing, step_for, summary_text
from .learner_text import clean_learner_text
from .mission_plan import build_offline_plan
from .profile import LearnerProfile, Stage

__all__ = ["OfflineInterviewer", "Reading", "question_for", "summary_text"]

_REDIRECT = {
    Unreadable.GREETING: "Hi there! ",
    Unreadable.UNSURE: "No problem, a rough idea is enough. ",
    Unreadable.QUESTION: "Good question! I ask so I can fit your mission to you. ",
    Unreadable.NO_WORDS: "",
    Unreadable.OTHER_LANGUAGE: "Sorry, I can only run this interview in English for now. ",
    Unreadable.UNCLEAR: "Sorry! ",
}

WHAT_TO_CHANGE = ("No problem. What should I change? You can correct what you want to learn, why, your "
                  "experience, or your weekly time (for example \"make it 10 hours a week\").")
ALREADY_DONE = "Your mission is already created. Start a new session to plan another."
CREATING = "Perfect! Creating your mission now..."


def question_for(stage: Stage, profile: LearnerProfile, retry: bool = False) -> str:
    """The question for ``stage`` (the summary at the end): also a safe fallback line."""
    if stage in (Stage.CONFIRM, Stage.DONE):
        return summary_text(profile)
    step = step_for(stage)
    return step.reask(profile) if retry else step.question(profile)


@dataclass(frozen=True)
class Reading:
    """What one message means for the interview: the next profile, what to say,
    and whether it is the learner's clear yes to the summary."""

    profile: LearnerProfile
    reply: str
    confirmed: bool = False


def _advance(profile: LearnerProfile, lead: str = "") -> Reading:
    todo = missing(profile)
    if todo:
        step = todo[0]
        return Reading(profile.with_(stage=step.stage, retries=0), (lead + step.question(profile)).strip())
    return Reading(profile.with_(stage=Stage.CONFIRM, retries=0), (lead + summary_text(profile)).strip())


def _glean(profile: LearnerProfile, text: str, skip: Stage) -> LearnerProfile:
    """Take answers to later questions given early ("… and I have 5 hours a week")."""
    for step in STEPS:
        if step.glean is not None and step.stage is not skip and not step.done(profile):
            found = step.glean(text, profile)
            if found:
                profile = profile.with_(**found)
    return profile


def read_message(profile: LearnerProfile, message: str) -> Reading:
    """The offline reading of ``message`` at the profile's stage (pure)."""
    text = message.strip()
    stage = profile.stage
    if stage is Stage.DONE:
        return Reading(profile, ALREADY_DONE)
    if stage is Stage.CONFIRM:
        return _confirm(profile, text)
    step = step_for(stage)
    changes = step.read(text, profile)
    if changes is None:
        redirect = _REDIRECT[answers.classify_unreadable(text)]
        if profile.retries >= 1 and step.done(profile):  # the model's reading filled it meanwhile: keep it
            return _advance(profile, lead=redirect)
        if profile.retries >= 1:  # asked twice already: take the default and say so
            taken = profile.with_(**{**step.default, "assumed": tuple(dict.fromkeys(profile.assumed + (step.slot,)))})
            return _advance(taken, lead=f"{redirect}No problem, I'll assume {step.assumption} for now; "
                                        "you can change it at the end. ")
        return Reading(profile.with_(retries=1), (redirect + step.reask(profile)).strip())
    updated = profile.with_(**changes, assumed=tuple(s for s in profile.assumed if s != step.slot))
    return _advance(_glean(updated, text, stage))


def _confirm(profile: LearnerProfile, text: str) -> Reading:
    corrected = _corrections(profile, text)
    if corrected != profile:
        return _advance(corrected, lead="Got it, I've updated that. ")
    if answers.parse_confirmation(text) is ConfirmationReading.YES:
        return Reading(profile.with_(stage=Stage.DONE, retries=0), CREATING, confirmed=True)
    return Reading(profile, WHAT_TO_CHANGE)


def _corrections(profile: LearnerProfile, text: str) -> LearnerProfile:
    """Any field corrected in a reply to the summary ("no, 10 hours a week",
    "actually I'm intermediate", "I'd rather learn Rust", "yes but make it 4 hours")."""
    lowered = text.lower()
    updated = profile
    hours = answers.parse_weekly_hours(text)
    if hours is not None:
        updated = updated.with_(weekly_hours=hours)
    if any(w in lowered for w in ("beginner", "intermediate", "advanced", "expert", "experience", "years",
                                  "never", "basics", "professional", "used it", "new to", "no idea")):
        reading = answers.parse_experience(text, profile.subject)
        if reading.level is not None:
            updated = updated.with_(level=reading.level, experience=clean_learner_text(text, 200))
        if reading.prior_skills:
            updated = updated.with_(prior_skills=tuple(dict.fromkeys(updated.prior_skills + reading.prior_skills)))
    subject = answers.parse_subject_change(text)
    if subject:
        updated = updated.with_(subject=subject)
    for lead in ("my motivation is", "my goal is", "because", "the reason is", "i want it for", "it's for",
                 "it is for", "my reason is"):
        index = lowered.find(lead)
        if index >= 0:
            motivation = clean_learner_text(text[index:].strip(" .!"))
            if len(motivation) > len(lead) + 2:
                updated = updated.with_(motivation=motivation)
            break
    if updated != profile:
        changed = {step.slot for step in STEPS if getattr(updated, step.slot) != getattr(profile, step.slot)}
        updated = updated.with_(assumed=tuple(s for s in updated.assumed if s not in changed))
    return updated


class OfflineInterviewer:
    """Deterministic interviewer behind :class:`~.agent.InterviewAgent`."""

    name = "offline"

    def describe(self) -> dict[str, str]:
        return {"agent": self.name}

    def respond(self, profile: LearnerProfile, history: Sequence[ChatEntry], message: str,
                on_text: TextSink | None = None) -> AgentTurn:
        reading = read_message(profile, message)
        plan = build_offline_plan(reading.profile) if reading.confirmed else None
        return AgentTurn(reply=reading.reply, profile=reading.profile, plan=plan, meta={"agent": self.name})
