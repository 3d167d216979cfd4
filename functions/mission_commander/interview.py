"""The offline interviewer: deterministic, no network.

It follows the guide's conversation flow — what to learn, motivation, prior
experience, weekly time, a summary to confirm — and builds the mission with
:func:`~.mission_plan.build_offline_plan` once the learner says yes.
"""

from __future__ import annotations

from typing import Sequence

from . import answers
from .agent import AgentTurn, ChatEntry, TextSink
from .catalogue import find_subject
from .mission_plan import build_offline_plan, weekly_hours_phrase
from .profile import LearnerProfile, Level, Stage

__all__ = ["OfflineInterviewer", "question_for", "summary_text"]

_LEVEL_WORDS = {
    Level.BEGINNER: "starting out",
    Level.INTERMEDIATE: "some experience",
    Level.ADVANCED: "a lot of experience",
}


def summary_text(profile: LearnerProfile) -> str:
    level = profile.level or Level.BEGINNER
    experience = f"{_LEVEL_WORDS[level]} ({level.value} level)"
    return (
        "Here's what I have so far:\n"
        f"• Learn: {profile.subject}\n"
        f"• Why: {profile.motivation}\n"
        f"• Experience: {experience}\n"
        f"• Time: {weekly_hours_phrase(profile.weekly_hours or 0)}\n"
        "Is that correct? Reply \"yes\" and I'll create your mission, or tell me what to change."
    )


def question_for(stage: Stage, profile: LearnerProfile, retry: bool = False) -> str:
    """The offline interviewer's question for ``stage`` (also a safe fallback line)."""
    if stage in (Stage.CONFIRM, Stage.DONE):
        return summary_text(profile)
    return _question(stage, profile, retry)


def _question(stage: Stage, profile: LearnerProfile, retry: bool) -> str:
    subject = profile.subject or "this"
    if stage is Stage.SUBJECT:
        if retry:
            return ("I didn't catch what you'd like to learn. Tell me a skill or subject, for example "
                    "\"Python for data analysis\", \"conversational Spanish\" or \"guitar\".")
        return "Hi! What would you like to learn?"
    if stage is Stage.MOTIVATION:
        if retry:
            return (f"Could you say a bit more about why you want to learn {subject}? For example: "
                    "a new job, a project at work, or just for fun.")
        return f"Great choice! What's your main motivation for learning {subject}?"
    if stage is Stage.EXPERIENCE:
        entry = find_subject(subject)
        question = (entry.experience_question if entry else "Do you have any experience with {subject} already?")
        if retry:
            return ("Sorry, I couldn't tell your experience from that. Are you a complete beginner, do you "
                    "know the basics, or have you used it for a while (say, how many years)?")
        return question.format(subject=subject)
    if stage is Stage.WEEKLY_TIME:
        if retry:
            return ("How many hours a week could you realistically spend? A rough number is fine, for "
                    "example \"3 hours a week\" or \"30 minutes a day\".")
        return "How much time can you dedicate weekly?"
    raise ValueError(stage)


def _next(profile: LearnerProfile, *, retry: bool = False, lead: str = "") -> AgentTurn:
    missing = profile.missing()
    if missing:
        stage = missing[0]
        same = stage is profile.stage
        retries = profile.retries + 1 if (retry and same) else 0
        text = _question(stage, profile, retry and same)
        return AgentTurn(reply=(lead + text).strip(), profile=profile.with_(stage=stage, retries=retries))
    return AgentTurn(reply=(lead + summary_text(profile)).strip(),
                     profile=profile.with_(stage=Stage.CONFIRM, retries=0))


class OfflineInterviewer:
    """Deterministic interviewer behind :class:`~.agent.InterviewAgent`."""

    name = "offline"
    max_retries = 2
    """Unusable answers to the same question before a sensible default is taken."""

    def describe(self) -> dict[str, str]:
        return {"agent": self.name}

    def respond(self, profile: LearnerProfile, history: Sequence[ChatEntry], message: str,
                on_text: TextSink | None = None) -> AgentTurn:
        turn = self._respond(profile, message.strip())
        return AgentTurn(reply=turn.reply, profile=turn.profile, plan=turn.plan, meta={"agent": self.name})

    def understand(self, profile: LearnerProfile, message: str) -> tuple[LearnerProfile, bool]:
        """What this message tells us (profile, and whether it confirms the
        summary) by the offline parsers: the fallback when a model's reading fails."""
        turn = self._respond(profile, message.strip())
        return turn.profile, turn.plan is not None

    def _respond(self, profile: LearnerProfile, text: str) -> AgentTurn:
        stage = profile.stage
        if stage is Stage.DONE:
            return AgentTurn(reply="Your mission is already created. Start a new session to plan another.",
                             profile=profile)
        if stage is Stage.CONFIRM:
            return self._confirm(profile, text)
        if stage is Stage.SUBJECT:
            found = answers.extract_subject(text)
            if not found:
                return _next(profile, retry=True)
            subject, motivation = found
            return _next(profile.with_(subject=subject, motivation=motivation or profile.motivation))
        if stage is Stage.MOTIVATION:
            if answers.is_non_answer(text):
                if profile.retries + 1 >= self.max_retries:
                    return _next(profile.with_(motivation="personal interest"))
                return _next(profile, retry=True)
            return _next(self._opportunistic(profile.with_(motivation=text), text))
        if stage is Stage.EXPERIENCE:
            level = answers.parse_experience(text)
            if level is None:
                if profile.retries + 1 >= self.max_retries and answers.is_non_answer(text):
                    level = Level.BEGINNER
                else:
                    return _next(profile, retry=True)
            updated = profile.with_(experience=text, level=level)
            hours = answers.parse_weekly_hours(text)
            if hours is not None and updated.weekly_hours is None:
                updated = updated.with_(weekly_hours=hours)
            return _next(updated)
        if stage is Stage.WEEKLY_TIME:
            hours = answers.parse_weekly_hours(text, bare_number_is_hours=True)
            if hours is None:
                return _next(profile, retry=True)
            return _next(profile.with_(weekly_hours=hours))
        raise ValueError(stage)

    @staticmethod
    def _opportunistic(profile: LearnerProfile, text: str) -> LearnerProfile:
        """Take answers to later questions given early ("... I have 5 hours a week")."""
        hours = answers.parse_weekly_hours(text)
        if hours is not None and profile.weekly_hours is None:
            profile = profile.with_(weekly_hours=hours)
        return profile

    def _confirm(self, profile: LearnerProfile, text: str) -> AgentTurn:
        corrected = self._corrections(profile, text)
        if corrected != profile:
            return _next(corrected.with_(stage=Stage.CONFIRM), lead="Got it, I've updated that. ")
        if answers.is_confirmation(text):
            done = profile.with_(stage=Stage.DONE, retries=0)
            return AgentTurn(reply="Perfect! Creating your mission now...", profile=done,
                             plan=build_offline_plan(done))
        if answers.is_rejection(text):
            return AgentTurn(
                reply=("No problem. What should I change? You can correct what you want to learn, why, "
                       "your experience, or your weekly time (for example \"10 hours a week\")."),
                profile=profile,
            )
        return AgentTurn(
            reply=("Shall I create this mission? Reply \"yes\" to confirm, or tell me what to change "
                   "(for example \"no, 10 hours a week\")."),
            profile=profile,
        )

    @staticmethod
    def _corrections(profile: LearnerProfile, text: str) -> LearnerProfile:
        lowered = text.lower()
        hours = answers.parse_weekly_hours(text)
        if hours is not None:
            profile = profile.with_(weekly_hours=hours)
        if any(w in lowered for w in ("beginner", "intermediate", "advanced", "expert", "experience",
                                      "years", "never", "basics")):
            level = answers.parse_experience(text)
            if level is not None:
                profile = profile.with_(level=level, experience=text)
        subject = answers.parse_subject_change(text)
        if subject:
            found = answers.extract_subject(subject)
            if found:
                profile = profile.with_(subject=found[0])
        for lead in ("my motivation is", "my goal is", "because", "the reason is"):
            index = lowered.find(lead)
            if index >= 0 and not lowered.startswith("yes"):
                motivation = text[index:].strip(" .!")
                if len(motivation) > len(lead) + 2:
                    profile = profile.with_(motivation=motivation)
                break
        return profile
