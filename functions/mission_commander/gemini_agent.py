"""The Gemini interviewer (google-genai), behind :class:`~.agent.InterviewAgent`.

Both agents follow one step table (:mod:`.interview_steps`). Each learner
turn is first read by the offline reader (pure, microseconds), which decides
the next step — a question, a re-ask, a stated default or the summary — and
whether the message is a clear yes. Then:

1. *reply* — the streamed interview message, with a real system instruction
   holding the profile and that next step; it starts at once, so the first
   streamed text waits only for the model's own time to first token;
2. *understand* — at the same time, a small JSON call reads the message into
   the structured profile; it fills only what the offline reader could not;
3. *plan* — on a clear yes only: the mission, in a separate call with a
   pydantic response schema and no tools, checked by
   :func:`~.mission_plan.check_plan`, repaired once, else built offline (also
   when Gemini is down: the learner still gets their mission).

Thinking: Gemini 2.5 Flash thinks by default, and thinking tokens count against
``maxOutputTokens`` (a reply can finish MAX_TOKENS with no text at all). Every
call therefore sets ``types.ThinkingConfig(thinking_budget=...)`` — 0 (off) for
understand and reply, a bounded budget for the plan — and an output limit of
budget + room for the answer; a MAX_TOKENS with no usable text is retried once
with twice the room. Sources: Gemini API docs, "Gemini thinking"
(ai.google.dev/gemini-api/docs/thinking: thinkingBudget 0 turns thinking off on
2.5 Flash, Pro accepts 128-32768, -1 is dynamic); Firebase AI Logic, "Thinking"
(firebase.google.com/docs/ai-logic/thinking); the google-genai SDK reference for
``types.ThinkingConfig`` / ``GenerateContentConfig.thinking_config``
(googleapis.github.io/python-genai); python-genai issue #811 (empty text when
thinking uses the allowance) and #1039 (``parsed`` is None at MAX_TOKENS).

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
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, Sequence, cast

from google import genai
from google.genai import errors as genai_errors
from google.genai import types
from pydantic import BaseModel, Field, ValidationError, create_model

from .agent import AgentTurn, ChatEntry, TextSink, history_window
from .errors import AgentError, ErrorCode
from .interview import Reading, read_message
from .interview_steps import STEPS, apply_model_reading, missing, model_fields, summary_text
from .learner_text import clean_learner_text
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


def _profile_update_model() -> type[BaseModel]:
    """The understanding call's response schema, built from the step table's fields."""
    fields: dict[str, Any] = {}
    for f in model_fields():
        if f.choices:
            kind: Any = Literal[f.choices]  # type: ignore[valid-type]
        elif f.type is list:
            kind = list[str]
        else:
            kind = f.type
        fields[f.name] = (kind | None, Field(default=None, description=f.description))
    return create_model("ProfileUpdate", __doc__="What one learner message says about them (null: not said).",
                        **fields)


ProfileUpdate = _profile_update_model()


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
        """The plan with every text stripped of markup and control characters (the model may
        echo the learner's words)."""
        def clean(text: str) -> str:
            return clean_learner_text(text, 2000)

        return MissionDraft(
            title=clean(self.title), short_description=clean(self.short_description),
            description=clean(self.description), level=self.level,
            topics_to_cover=tuple(clean(t) for t in self.topics_to_cover),
            learning_goal=clean(self.learning_goal),
            byte_size_checkpoints=tuple(clean(c) for c in self.byte_size_checkpoints),
            skills=tuple(clean(s) for s in self.skills), hours_per_checkpoint=float(self.hours_per_checkpoint))


class _BadOutput(Exception):
    """The model answered, but not with something usable."""

    def __init__(self, reason: str, raw: str = "") -> None:
        super().__init__(reason)
        self.reason = reason
        self.raw = raw


@dataclass
class _TurnLedger:
    """What a turn spent: recorded on the reply's document (calls may run in two threads)."""

    started: float = field(default_factory=time.monotonic)
    calls: int = 0
    prompt_tokens: int = 0
    output_tokens: int = 0
    thinking_tokens: int = 0
    total_tokens: int = 0
    finish_reason: str | None = None
    last_error: str | None = None
    errors: dict[str, str] = field(default_factory=dict)
    """The last error of each kind of call ("reply": "ServerError (503)")."""
    notes: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def add_usage(self, usage: Any) -> None:
        if usage is None:
            return
        with self.lock:
            self.prompt_tokens += usage.prompt_token_count or 0
            self.output_tokens += usage.candidates_token_count or 0
            self.thinking_tokens += getattr(usage, "thoughts_token_count", None) or 0
            self.total_tokens += usage.total_token_count or 0

    def note(self, text: str) -> None:
        with self.lock:
            self.notes.append(text)

    def meta(self, model: str) -> dict[str, Any]:
        return {
            "agent": "gemini", "model": model, "gemini_calls": self.calls,
            "latency_ms": round((time.monotonic() - self.started) * 1000, 1),
            "finish_reason": self.finish_reason,
            "usage": {"prompt_tokens": self.prompt_tokens, "output_tokens": self.output_tokens,
                      "thinking_tokens": self.thinking_tokens, "total_tokens": self.total_tokens},
            "notes": list(self.notes),
        }


class GeminiUnavailable(AgentError):
    """Gemini failed for good this turn; ``meta`` says which model, how many
    attempts and the last error class (recorded on the error reply)."""

    def __init__(self, meta: dict[str, Any]) -> None:
        super().__init__(ErrorCode.AGENT_ERROR, UNAVAILABLE)
        self.meta = meta


@dataclass(frozen=True)
class CallShape:
    """Thinking budget and output room of one kind of call (room is on top of the budget)."""

    thinking_budget: int
    output_tokens: int


CALLS = {
    "understand": CallShape(thinking_budget=0, output_tokens=1024),
    "reply": CallShape(thinking_budget=0, output_tokens=1024),
    "plan": CallShape(thinking_budget=2048, output_tokens=4096),
}
PRO_MIN_THINKING_BUDGET = 128
"""2.5 Pro cannot turn thinking off; its smallest budget is 128."""


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
            "level": profile.level.value if profile.level else None, "weekly_hours": profile.weekly_hours,
            "prior_skills": list(profile.prior_skills)}
    return json.dumps(data, ensure_ascii=False, indent=2)


def steps_prompt() -> str:
    """The interviewer prompt's list of steps, from the step table."""
    return "\n".join(f"{i}. {step.summary_label.lower()}: {step.model_task.format(subject='the subject')}"
                     for i, step in enumerate(STEPS, 1))


def fields_prompt() -> str:
    """The understanding prompt's list of fields, from the step table."""
    return "\n".join(f"- {f.name}: {f.description}" + (f" (one of {', '.join(f.choices)})" if f.choices else "")
                     for f in model_fields())


def next_step(profile: LearnerProfile, offline_reply: str | None = None) -> str:
    """The system instruction's task line for the message to write: the step
    table's task, and the offline interviewer's words for it (re-ask, stated
    default, summary) as the content to convey."""
    todo = missing(profile)
    if todo:
        step = todo[0]
        if profile.stage is step.stage and profile.retries:
            task = ("The learner's last answer did not tell you this. Ask again, differently and with examples: "
                    + step.model_task.format(subject=profile.subject or "it"))
        else:
            task = step.model_task.format(subject=profile.subject or "it")
    else:
        task = ("You now know everything. Summarise it back as a short bulleted list — what they will learn, why, "
                f"their experience ({(profile.level or Level.BEGINNER).value} level), and "
                f"{weekly_hours_phrase(profile.weekly_hours or 0)} — state any assumption you made, then ask them "
                "to reply \"yes\" to create their mission, or to tell you what to change.\n"
                f"The summary:\n{summary_text(profile)}")
    if offline_reply:
        task += f"\nSay this, in your own words, keeping every fact and the one question:\n{offline_reply}"
    return task


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
_RETRYABLE_STATUS = {408, 429, 500, 502, 503, 504}


class GeminiInterviewer:
    name = "gemini"

    def __init__(self, client: genai.Client, *, model: str, budget_seconds: float = 60,
                 request_timeout_seconds: float = 30, history_max_tokens: int = 8000, retry_attempts: int = 3,
                 understand_concurrently: bool = True) -> None:
        self._client = client  # keep the client referenced: a dropped one closes its transport
        self._model = model
        self._budget = budget_seconds
        self._request_timeout = request_timeout_seconds
        self._history_max_tokens = history_max_tokens
        self._retry_attempts = retry_attempts
        self._concurrent = understand_concurrently
        """False only for the benchmark's "before" figure: understand, then reply, in series."""
        self._pool = ThreadPoolExecutor(max_workers=32, thread_name_prefix="gemini-understand")
        self._prompts = {name: _prompt(name) for name in ("interviewer", "understand", "mission", "repair")}

    @classmethod
    def from_settings(cls, settings: Settings, **kwargs: Any) -> "GeminiInterviewer":
        return cls(make_client(settings), model=settings.gemini_model,
                   budget_seconds=settings.agent_turn_budget_seconds,
                   request_timeout_seconds=settings.gemini_request_timeout_seconds,
                   history_max_tokens=settings.history_max_tokens,
                   retry_attempts=settings.gemini_retry_attempts, **kwargs)

    def describe(self) -> dict[str, str]:
        return {"agent": self.name, "model": self._model}

    # -- the turn ----------------------------------------------------------------------
    def respond(self, profile: LearnerProfile, history: Sequence[ChatEntry], message: str,
                on_text: TextSink | None = None) -> AgentTurn:
        ledger = _TurnLedger()
        deadline = ledger.started + self._budget
        reading = read_message(profile, message)
        if reading.confirmed:
            plan = self._plan(reading.profile, deadline, ledger)
            return AgentTurn(reply="", profile=reading.profile, plan=plan, meta=ledger.meta(self._model))
        if profile.stage is Stage.DONE:
            return AgentTurn(reply=reading.reply, profile=profile, meta=ledger.meta(self._model))
        if self._concurrent:
            understood = self._pool.submit(self._understand, profile, message, deadline, ledger)
            text = self._reply_or_raise(reading, history, message, deadline, ledger, on_text, understood)
            try:
                update = understood.result(timeout=max(0.1, deadline - time.monotonic()))
            except FutureTimeout:
                understood.cancel()
                ledger.note("understand: no answer within the turn budget; offline reading kept")
                update = None
        else:
            update = self._understand(profile, message, deadline, ledger)
            text = self._reply_or_raise(reading, history, message, deadline, ledger, on_text, None)
        updated = reading.profile
        if update is not None:
            updated = apply_model_reading(reading.profile, update, only_empty=True)
        return AgentTurn(reply=text, profile=updated, meta=ledger.meta(self._model))

    def _reply_or_raise(self, reading: Reading, history: Sequence[ChatEntry], message: str, deadline: float,
                        ledger: _TurnLedger, on_text: TextSink | None, understood: Any) -> str:
        try:
            return self._reply(reading, history, message, deadline, ledger, on_text)
        except AgentError:
            if understood is not None:
                understood.cancel()
            meta = ledger.meta(self._model)
            last = ledger.errors.get("reply", ledger.last_error)
            meta.update(attempts=self._attempts(last), last_error=last)
            raise GeminiUnavailable(meta) from None

    def _attempts(self, last_error: str | None) -> int:
        """HTTP attempts behind a failure: the SDK retries 408/429/5xx up to ``retry_attempts``."""
        status = last_error and re.search(r"\((\d{3})\)", last_error)
        return self._retry_attempts if status and int(status.group(1)) in _RETRYABLE_STATUS else 1

    # -- calls -------------------------------------------------------------------------
    def _config(self, deadline: float, kind: str, room: int = 1, **kwargs: Any) -> types.GenerateContentConfig:
        remaining = deadline - time.monotonic()
        if remaining <= 1:
            raise AgentError(ErrorCode.AGENT_ERROR, UNAVAILABLE)
        timeout_ms = int(min(self._request_timeout, remaining) * 1000)
        shape = CALLS[kind]
        budget = shape.thinking_budget
        if "pro" in self._model.lower():
            budget = max(budget, PRO_MIN_THINKING_BUDGET)
        return types.GenerateContentConfig(
            http_options=types.HttpOptions(timeout=timeout_ms),
            thinking_config=types.ThinkingConfig(thinking_budget=budget),
            max_output_tokens=budget + shape.output_tokens * room, **kwargs)

    def _failed(self, ledger: _TurnLedger, kind: str, exc: BaseException) -> AgentError:
        status = getattr(exc, "code", None)
        ledger.last_error = type(exc).__name__ + (f" ({status})" if isinstance(status, int) else "")
        ledger.errors[kind] = ledger.last_error
        log.warning("gemini call failed", extra={"fields": {"call": kind, "error": type(exc).__name__,
                                                           "status": status}})
        return AgentError(ErrorCode.AGENT_ERROR, UNAVAILABLE)

    def _generate(self, contents: Any, config: types.GenerateContentConfig, ledger: _TurnLedger,
                  kind: str) -> Any:
        with ledger.lock:
            ledger.calls += 1
        try:
            response = self._client.models.generate_content(model=self._model, contents=contents, config=config)
        except _TRANSIENT as exc:
            raise self._failed(ledger, kind, exc) from exc
        ledger.add_usage(getattr(response, "usage_metadata", None))
        return response

    def _json_call(self, kind: str, system: str, contents: Any, schema: type[BaseModel], deadline: float,
                   ledger: _TurnLedger) -> BaseModel:
        for room in (1, 2):
            config = self._config(deadline, kind, room, system_instruction=system,
                                  response_mime_type="application/json", response_schema=schema, temperature=0.2)
            response = self._generate(contents, config, ledger, kind)
            finish = _finish(response)
            raw = _text_of(response)
            if finish in _BLOCKED:
                raise _BadOutput(f"blocked ({finish})", raw)
            if finish == "MAX_TOKENS":
                try:
                    return schema.model_validate_json(raw)
                except ValidationError:
                    if room == 1:
                        ledger.note(f"{kind}: cut off at the token limit (MAX_TOKENS); retried with more room")
                        continue
                    raise _BadOutput("output cut off at the token limit (MAX_TOKENS)", raw) from None
            try:
                return schema.model_validate_json(raw)
            except ValidationError as exc:
                raise _BadOutput(f"unparseable: invalid JSON for {schema.__name__}: {exc.error_count()} error(s)",
                                 raw) from None
        raise _BadOutput("output cut off at the token limit (MAX_TOKENS)")  # pragma: no cover

    def _understand(self, profile: LearnerProfile, message: str, deadline: float,
                    ledger: _TurnLedger) -> dict[str, Any] | None:
        """The model's reading of ``message`` (a dict of fields), or ``None`` with a note saying why."""
        system = self._prompts["understand"].substitute(profile=_profile_json(profile), stage=profile.stage.value,
                                                         fields=fields_prompt())
        try:
            update = self._json_call("understand", system, message, ProfileUpdate, deadline, ledger)
        except _BadOutput as bad:
            ledger.note(f"understand: {bad.reason}; offline reading kept")
            return None
        except AgentError:
            ledger.note(f"understand: Gemini down ({ledger.errors.get('understand', 'no time left')}); "
                        "offline reading kept")
            return None
        return update.model_dump(exclude_none=True)

    def _reply(self, reading: Reading, history: Sequence[ChatEntry], message: str, deadline: float,
               ledger: _TurnLedger, on_text: TextSink | None) -> str:
        profile = reading.profile
        system = self._prompts["interviewer"].substitute(profile=_profile_json(profile), steps=steps_prompt(),
                                                          next_step=next_step(profile, reading.reply))
        window = history_window([*history, ChatEntry("user", message)], self._history_max_tokens)
        contents = [types.Content(role="user" if e.role == "user" else "model", parts=[types.Part(text=e.text)])
                    for e in window]
        fallback = reading.reply
        for room in (1, 2):
            text, finish = self._stream(contents, system, deadline, ledger, on_text, room)
            ledger.finish_reason = finish
            if finish in _BLOCKED:
                ledger.note(f"reply: blocked ({finish}); offline question used")
                return f"{SAFETY_REDIRECT} {fallback}"
            text = text.strip()
            if finish == "MAX_TOKENS":
                if not text and room == 1:
                    ledger.note("reply: MAX_TOKENS with no text; retried with more room")
                    continue
                ledger.note("reply: cut off at the token limit (MAX_TOKENS)")
                text = _trim_to_sentence(text)
            if not text:
                ledger.note("reply: empty; offline question used")
                return fallback
            return text
        return fallback  # pragma: no cover

    def _stream(self, contents: Any, system: str, deadline: float, ledger: _TurnLedger,
                on_text: TextSink | None, room: int) -> tuple[str, str | None]:
        config = self._config(deadline, "reply", room, system_instruction=system, temperature=0.7)
        with ledger.lock:
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
                        on_text(_safe_reply(text))
                if time.monotonic() > deadline:
                    raise TimeoutError("turn budget exceeded while streaming")
        except _TRANSIENT as exc:
            raise self._failed(ledger, "reply", exc) from exc
        ledger.add_usage(usage)
        return _safe_reply(text), finish

    def _plan(self, profile: LearnerProfile, deadline: float, ledger: _TurnLedger) -> MissionDraft:
        """The mission for a confirmed profile; never fails: the offline plan when Gemini is down
        or its plan fails the checks after one repair (the notes say which)."""
        system = self._prompts["mission"].substitute(profile=_profile_json(profile))
        request = "Design my mission now."
        raw = ""
        try:
            plan = cast(MissionPlan, self._json_call("plan", system, request, MissionPlan, deadline, ledger))
            draft = plan.draft()
            raw = plan.model_dump_json()
            problems = check_plan(draft, profile)
        except _BadOutput as bad:
            problems, raw = [bad.reason], bad.raw
        except AgentError:
            ledger.note("plan: Gemini unavailable; offline plan used")
            ledger.note(f"plan: Gemini down ({ledger.errors.get('plan', 'no time left')}); offline mission created")
            return build_offline_plan(profile)
        if not problems:
            ledger.note("plan: gemini")
            return draft
        log.info("plan failed its checks; asking for a repair", extra={"fields": {"problems": len(problems)}})
        ledger.note(f"plan: failed checks ({'; '.join(problems)[:300]}); repair asked")
        repair = self._prompts["repair"].substitute(problems="\n".join(f"- {p}" for p in problems), plan=raw or "{}")
        try:
            conversation = [types.Content(role="user", parts=[types.Part(text=request)]),
                            types.Content(role="model", parts=[types.Part(text=raw or "{}")]),
                            types.Content(role="user", parts=[types.Part(text=repair)])]
            plan = cast(MissionPlan, self._json_call("plan", system, conversation, MissionPlan, deadline, ledger))
            draft = plan.draft()
            problems = check_plan(draft, profile)
        except (_BadOutput, AgentError) as exc:
            problems = [getattr(exc, "reason", None) or "repair call failed"]
        if not problems:
            ledger.note("plan: gemini (repaired)")
            return draft
        ledger.note("plan: failed checks after repair; offline plan used")
        return build_offline_plan(profile)


def _safe_reply(text: str) -> str:
    """A model reply as the learner sees it: no markup (the model may echo the learner's words)."""
    return clean_learner_text(text, 20000, keep_lines=True) if ("<" in text or ">" in text) else text


def _trim_to_sentence(text: str) -> str:
    """Text cut off mid-sentence, trimmed back to its last full sentence."""
    match = re.search(r"^(.*[.!?])[^.!?]*$", text, flags=re.DOTALL)
    return match.group(1).strip() if match and len(match.group(1)) >= 20 else text
