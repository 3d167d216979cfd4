"""The Gemini interviewer (google-genai), behind :class:`~.agent.InterviewAgent`.

Each learner turn makes up to three kinds of call:

1. *understand* — a small JSON call that reads the learner's message into
   the structured profile (falls back to the offline parsers on bad output);
2. *reply* — the streamed interview message, with a real system instruction
   holding the profile and the one thing to ask next;
3. *plan* — on confirmation only: the mission, in a separate call with a
   pydantic response schema and no tools, checked by
   :func:`~.mission_plan.check_plan`, repaired once, else built offline.

Transient errors (408/429/5xx) are retried by the SDK with backoff, inside
an overall time budget per turn. A persistent failure raises
:class:`AgentError`, which the trigger turns into an ``error`` the learner
can act on; the session is left as it was.
"""

from __future__ import annotations

import json
import logging
import re
import string
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, Sequence, cast

from google import genai
from google.genai import errors as genai_errors
from google.genai import types
from pydantic import BaseModel, Field, ValidationError

from .agent import AgentTurn, ChatEntry, TextSink, history_window
from .errors import AgentError, ErrorCode
from .interview import OfflineInterviewer, question_for
from .mission_plan import MissionDraft, build_offline_plan, check_plan, weekly_hours_phrase
from .profile import LearnerProfile, Level, Stage
from .settings import Settings

__all__ = ["GeminiInterviewer", "MissionPlan", "ProfileUpdate", "make_client"]

log = logging.getLogger(__name__)

PROMPTS = Path(__file__).with_name("prompts")
UNAVAILABLE = "The AI interviewer is not responding right now. Please try sending your message again."
SAFETY_REDIRECT = "I can't help with that, but I'd love to help you plan your learning."

_TRANSIENT: tuple[type[BaseException], ...] = (genai_errors.APIError, TimeoutError, ConnectionError)
try:  # the sync client's transport (pydantic's httpx fork) and httpx itself
    import httpx2

    _TRANSIENT += (httpx2.HTTPError,)
except ImportError:  # pragma: no cover
    pass
try:
    import httpx

    _TRANSIENT += (httpx.HTTPError,)
except ImportError:  # pragma: no cover
    pass


class ProfileUpdate(BaseModel):
    """What one learner message says about them (null: not said)."""

    subject: str | None = None
    motivation: str | None = None
    experience: str | None = None
    level: Literal["Beginner", "Intermediate", "Advanced"] | None = None
    weekly_hours: float | None = None
    learner_confirms_summary: bool = False


class MissionPlan(BaseModel):
    """The mission the model designs (checked before use)."""

    title: str
    short_description: str
    description: str
    level: Literal["Beginner", "Intermediate", "Advanced"]
    topics_to_cover: list[str] = Field(min_length=1)
    learning_goal: str
    byte_size_checkpoints: list[str] = Field(min_length=1)
    skills: list[str] = Field(min_length=1)
    hours_per_checkpoint: float

    def draft(self) -> MissionDraft:
        return MissionDraft(
            title=self.title.strip(), short_description=self.short_description.strip(),
            description=self.description.strip(), level=self.level,
            topics_to_cover=tuple(t.strip() for t in self.topics_to_cover),
            learning_goal=self.learning_goal.strip(),
            byte_size_checkpoints=tuple(c.strip() for c in self.byte_size_checkpoints),
            skills=tuple(s.strip() for s in self.skills), hours_per_checkpoint=float(self.hours_per_checkpoint))


class _BadOutput(Exception):
    """The model answered, but not with something usable."""

    def __init__(self, reason: str, raw: str = "") -> None:
        super().__init__(reason)
        self.reason = reason
        self.raw = raw


@dataclass
class _TurnLedger:
    """What a turn spent: recorded on the reply's document."""

    started: float = field(default_factory=time.monotonic)
    calls: int = 0
    prompt_tokens: int = 0
    output_tokens: int = 0
    total_tokens: int = 0
    finish_reason: str | None = None
    notes: list[str] = field(default_factory=list)

    def add_usage(self, usage: Any) -> None:
        if usage is None:
            return
        self.prompt_tokens += usage.prompt_token_count or 0
        self.output_tokens += usage.candidates_token_count or 0
        self.total_tokens += usage.total_token_count or 0

    def meta(self, model: str) -> dict[str, Any]:
        return {
            "agent": "gemini", "model": model, "gemini_calls": self.calls,
            "latency_ms": round((time.monotonic() - self.started) * 1000, 1),
            "finish_reason": self.finish_reason,
            "usage": {"prompt_tokens": self.prompt_tokens, "output_tokens": self.output_tokens,
                      "total_tokens": self.total_tokens},
            "notes": self.notes,
        }


def _prompt(name: str) -> string.Template:
    return string.Template((PROMPTS / f"{name}.md").read_text(encoding="utf-8"))


def make_client(settings: Settings) -> genai.Client:
    http = types.HttpOptions(
        base_url=settings.gemini_base_url,
        timeout=settings.gemini_request_timeout_seconds * 1000,
        retry_options=types.HttpRetryOptions(attempts=settings.gemini_retry_attempts, initial_delay=0.5,
                                             max_delay=4.0, exp_base=2.0, jitter=0.2),
    )
    if settings.use_vertex:
        return genai.Client(vertexai=True, project=settings.project_id, location=settings.location,
                            http_options=http)
    return genai.Client(api_key=settings.gemini_api_key, http_options=http)


def _profile_json(profile: LearnerProfile) -> str:
    data = {"subject": profile.subject, "motivation": profile.motivation, "experience": profile.experience,
            "level": profile.level.value if profile.level else None, "weekly_hours": profile.weekly_hours}
    return json.dumps(data, ensure_ascii=False, indent=2)


_STEP = {
    Stage.SUBJECT: "Find out what the learner wants to learn. Ask what subject or skill they want to learn.",
    Stage.MOTIVATION: "Ask about their main motivation for learning {subject}.",
    Stage.EXPERIENCE: "Ask about their prior experience with {subject} (or with programming, for a "
                      "programming subject).",
    Stage.WEEKLY_TIME: "Ask how much time they can dedicate each week.",
}


def next_step(profile: LearnerProfile) -> str:
    """The system instruction's task line for the message to write."""
    missing = profile.missing()
    if missing:
        return _STEP[missing[0]].format(subject=profile.subject or "it")
    return (
        "You now know everything. Summarise it back as a short bulleted list — what they will learn, why, "
        f"their experience ({(profile.level or Level.BEGINNER).value} level), and "
        f"{weekly_hours_phrase(profile.weekly_hours or 0)} — then ask them to reply \"yes\" to create "
        "their mission, or to tell you what to change."
    )


def _merge(profile: LearnerProfile, update: ProfileUpdate) -> LearnerProfile:
    changes: dict[str, Any] = {}
    for name in ("subject", "motivation", "experience"):
        value = getattr(update, name)
        if isinstance(value, str) and value.strip():
            changes[name] = value.strip()[:300]
    if update.level:
        changes["level"] = Level(update.level)
    if update.weekly_hours is not None and 0 < update.weekly_hours <= 112:
        changes["weekly_hours"] = round(float(update.weekly_hours), 1)
    return profile.with_(**changes)


def _candidate(response: Any) -> Any:
    candidates = getattr(response, "candidates", None) or []
    return candidates[0] if candidates else None


def _text_of(response: Any) -> str:
    candidate = _candidate(response)
    parts = getattr(getattr(candidate, "content", None), "parts", None) or []
    return "".join(p.text for p in parts if getattr(p, "text", None) and not getattr(p, "thought", False))


def _finish(response: Any) -> str | None:
    candidate = _candidate(response)
    reason = getattr(candidate, "finish_reason", None)
    if reason is None:
        feedback = getattr(response, "prompt_feedback", None)
        if feedback is not None and getattr(feedback, "block_reason", None):
            return "SAFETY"
        return None
    return getattr(reason, "name", str(reason))


_BLOCKED = {"SAFETY", "BLOCKLIST", "PROHIBITED_CONTENT", "SPII", "RECITATION", "MODEL_ARMOR"}


class GeminiInterviewer:
    name = "gemini"

    def __init__(self, client: genai.Client, *, model: str, budget_seconds: float = 60,
                 request_timeout_seconds: float = 30, history_max_tokens: int = 8000) -> None:
        self._client = client  # keep the client referenced: a dropped one closes its transport
        self._model = model
        self._budget = budget_seconds
        self._request_timeout = request_timeout_seconds
        self._history_max_tokens = history_max_tokens
        self._offline = OfflineInterviewer()
        self._prompts = {name: _prompt(name) for name in ("interviewer", "understand", "mission", "repair")}

    @classmethod
    def from_settings(cls, settings: Settings) -> "GeminiInterviewer":
        return cls(make_client(settings), model=settings.gemini_model,
                   budget_seconds=settings.agent_turn_budget_seconds,
                   request_timeout_seconds=settings.gemini_request_timeout_seconds,
                   history_max_tokens=settings.history_max_tokens)

    def describe(self) -> dict[str, str]:
        return {"agent": self.name, "model": self._model}

    # -- the turn ----------------------------------------------------------------------
    def respond(self, profile: LearnerProfile, history: Sequence[ChatEntry], message: str,
                on_text: TextSink | None = None) -> AgentTurn:
        ledger = _TurnLedger()
        deadline = ledger.started + self._budget
        try:
            updated, confirmed = self._understand(profile, message, deadline, ledger)
        except _BadOutput as bad:
            ledger.notes.append(f"understand fell back to offline parsing: {bad.reason}")
            updated, confirmed = self._offline.understand(profile, message)
        if profile.stage is Stage.CONFIRM and confirmed and not updated.missing():
            done = updated.with_(stage=Stage.DONE, retries=0)
            plan = self._plan(done, deadline, ledger)
            return AgentTurn(reply="", profile=done, plan=plan, meta=ledger.meta(self._model))
        missing = updated.missing()
        asked = updated.with_(stage=missing[0] if missing else Stage.CONFIRM, retries=0)
        text = self._reply(asked, history, message, deadline, ledger, on_text)
        return AgentTurn(reply=text, profile=asked, meta=ledger.meta(self._model))

    # -- calls -------------------------------------------------------------------------
    def _config(self, deadline: float, **kwargs: Any) -> types.GenerateContentConfig:
        remaining = deadline - time.monotonic()
        if remaining <= 1:
            raise AgentError(ErrorCode.AGENT_ERROR, UNAVAILABLE)
        timeout_ms = int(min(self._request_timeout, remaining) * 1000)
        return types.GenerateContentConfig(http_options=types.HttpOptions(timeout=timeout_ms), **kwargs)

    def _generate(self, contents: Any, config: types.GenerateContentConfig, ledger: _TurnLedger) -> Any:
        ledger.calls += 1
        try:
            response = self._client.models.generate_content(model=self._model, contents=contents, config=config)
        except _TRANSIENT as exc:
            log.warning("gemini call failed", extra={"fields": {"error": type(exc).__name__,
                                                               "status": getattr(exc, "code", None)}})
            raise AgentError(ErrorCode.AGENT_ERROR, UNAVAILABLE) from exc
        ledger.add_usage(getattr(response, "usage_metadata", None))
        return response

    def _json_call(self, system: str, contents: Any, schema: type[BaseModel], deadline: float,
                   ledger: _TurnLedger, max_output_tokens: int) -> BaseModel:
        config = self._config(deadline, system_instruction=system, response_mime_type="application/json",
                              response_schema=schema, temperature=0.2, max_output_tokens=max_output_tokens)
        response = self._generate(contents, config, ledger)
        finish = _finish(response)
        raw = _text_of(response)
        if finish in _BLOCKED:
            raise _BadOutput(f"blocked ({finish})", raw)
        if finish == "MAX_TOKENS":
            raise _BadOutput("output cut off at the token limit (MAX_TOKENS)", raw)
        try:
            return schema.model_validate_json(raw)
        except ValidationError as exc:
            raise _BadOutput(f"invalid JSON for {schema.__name__}: {exc.error_count()} error(s)", raw) from None

    def _understand(self, profile: LearnerProfile, message: str, deadline: float,
                    ledger: _TurnLedger) -> tuple[LearnerProfile, bool]:
        system = self._prompts["understand"].substitute(profile=_profile_json(profile), stage=profile.stage.value)
        update = cast(ProfileUpdate, self._json_call(system, message, ProfileUpdate, deadline, ledger,
                                                     max_output_tokens=512))
        return _merge(profile, update), update.learner_confirms_summary

    def _reply(self, profile: LearnerProfile, history: Sequence[ChatEntry], message: str, deadline: float,
               ledger: _TurnLedger, on_text: TextSink | None) -> str:
        system = self._prompts["interviewer"].substitute(profile=_profile_json(profile), next_step=next_step(profile))
        window = history_window([*history, ChatEntry("user", message)], self._history_max_tokens)
        contents = [types.Content(role="user" if e.role == "user" else "model", parts=[types.Part(text=e.text)])
                    for e in window]
        config = self._config(deadline, system_instruction=system, temperature=0.7, max_output_tokens=600)
        ledger.calls += 1
        text, finish, usage = "", None, None
        try:
            for chunk in self._client.models.generate_content_stream(model=self._model, contents=contents,
                                                                     config=config):
                piece = _text_of(chunk)
                finish = _finish(chunk) or finish
                if getattr(chunk, "usage_metadata", None) is not None:
                    usage = chunk.usage_metadata
                if piece:
                    text += piece
                    if on_text is not None and finish not in _BLOCKED:
                        on_text(text)
                if time.monotonic() > deadline:
                    raise TimeoutError("turn budget exceeded while streaming")
        except _TRANSIENT as exc:
            log.warning("gemini stream failed", extra={"fields": {"error": type(exc).__name__,
                                                                 "status": getattr(exc, "code", None)}})
            raise AgentError(ErrorCode.AGENT_ERROR, UNAVAILABLE) from exc
        ledger.add_usage(usage)
        ledger.finish_reason = finish
        fallback = question_for(profile.stage, profile)
        if finish in _BLOCKED:
            ledger.notes.append(f"reply blocked ({finish}); offline question used")
            return f"{SAFETY_REDIRECT} {fallback}"
        text = text.strip()
        if finish == "MAX_TOKENS":
            ledger.notes.append("reply cut off at the token limit (MAX_TOKENS)")
            text = _trim_to_sentence(text)
        if not text:
            ledger.notes.append("empty reply; offline question used")
            return fallback
        return text

    def _plan(self, profile: LearnerProfile, deadline: float, ledger: _TurnLedger) -> MissionDraft:
        system = self._prompts["mission"].substitute(profile=_profile_json(profile))
        request = "Design my mission now."
        raw = ""
        try:
            plan = cast(MissionPlan, self._json_call(system, request, MissionPlan, deadline, ledger,
                                                     max_output_tokens=2048))
            draft = plan.draft()
            raw = plan.model_dump_json()
            problems = check_plan(draft, profile)
        except _BadOutput as bad:
            problems, raw = [bad.reason], bad.raw
        except AgentError:
            ledger.notes.append("plan: Gemini unavailable; offline plan used")
            return build_offline_plan(profile)
        if not problems:
            ledger.notes.append("plan: gemini")
            return draft
        log.info("plan failed its checks; asking for a repair", extra={"fields": {"problems": len(problems)}})
        repair = self._prompts["repair"].substitute(problems="\n".join(f"- {p}" for p in problems), plan=raw or "{}")
        try:
            conversation = [types.Content(role="user", parts=[types.Part(text=request)]),
                            types.Content(role="model", parts=[types.Part(text=raw or "{}")]),
                            types.Content(role="user", parts=[types.Part(text=repair)])]
            plan = cast(MissionPlan, self._json_call(system, conversation, MissionPlan, deadline, ledger,
                                                     max_output_tokens=2048))
            draft = plan.draft()
            problems = check_plan(draft, profile)
        except (_BadOutput, AgentError) as exc:
            problems = [getattr(exc, "reason", None) or "repair call failed"]
        if not problems:
            ledger.notes.append("plan: gemini (repaired)")
            return draft
        ledger.notes.append("plan: failed checks after repair; offline plan used")
        return build_offline_plan(profile)


def _trim_to_sentence(text: str) -> str:
    """Text cut off mid-sentence, trimmed back to its last full sentence."""
    match = re.search(r"^(.*[.!?])[^.!?]*$", text, flags=re.DOTALL)
    return match.group(1).strip() if match and len(match.group(1)) >= 20 else text
