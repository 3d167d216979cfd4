"""The Gemini interviewer with the REAL google-genai SDK against a local
server speaking the Gemini wire format (tests/fakes/gemini_server.py)."""

from __future__ import annotations

import time

import pytest

from mission_commander.agent import ChatEntry
from mission_commander.errors import AgentError
from mission_commander.gemini_agent import SAFETY_REDIRECT, GeminiInterviewer
from mission_commander.profile import LearnerProfile, Level, Stage
from mission_commander.settings import Settings

from ..fakes.gemini_server import Blocked, Delay, Empty, FakeGemini, Json, Status, Stream, Text, plan_for

READY = LearnerProfile(subject="Python for data analysis", motivation="I want to analyze business data",
                       experience="none", level=Level.BEGINNER, weekly_hours=4, stage=Stage.CONFIRM)


@pytest.fixture(scope="module")
def fake():
    server = FakeGemini().start()
    yield server
    server.stop()


@pytest.fixture
def agent(fake):
    fake.reset()
    settings = Settings.from_env({"GOOGLE_CLOUD_PROJECT": "demo-x", "GEMINI_API_KEY": "test-key",
                                  "GOOGLE_GEMINI_BASE_URL": fake.url, "GEMINI_RETRY_ATTEMPTS": "3",
                                  "GEMINI_REQUEST_TIMEOUT_SECONDS": "2", "AGENT_TURN_BUDGET_SECONDS": "20",
                                  "HISTORY_MAX_TOKENS": "1000"})
    return GeminiInterviewer.from_settings(settings)


def test_a_turn_understands_then_streams_one_question(agent, fake):
    fake.push("understand", Json({"subject": "Python for data analysis"}))
    fake.push("reply", Stream(["Great choice! ", "What's your main ", "motivation?"]))
    seen: list[str] = []
    turn = agent.respond(LearnerProfile(), [], "I want to learn Python for data analysis", on_text=seen.append)
    assert turn.reply == "Great choice! What's your main motivation?"
    assert seen == ["Great choice! ", "Great choice! What's your main ", turn.reply]
    assert turn.profile.subject == "Python for data analysis" and turn.profile.stage is Stage.MOTIVATION
    assert turn.plan is None
    meta = turn.meta
    assert meta["model"] == "gemini-2.5-flash" and meta["finish_reason"] == "STOP"
    assert meta["usage"]["total_tokens"] == 300 and meta["gemini_calls"] == 2

    understand, reply = fake.of_kind("understand")[0], fake.of_kind("reply")[0]
    assert understand["api_key"] == "test-key"
    assert understand["body"]["generationConfig"]["responseMimeType"] == "application/json"
    system = reply["body"]["systemInstruction"]["parts"][0]["text"]
    assert "Ask exactly ONE question" in system and '"subject": "Python for data analysis"' in system
    assert "main motivation" in system
    assert reply["body"]["contents"] == [{"role": "user", "parts": [{"text": "I want to learn Python for data analysis"}]}]


def test_history_is_ordered_and_capped_by_tokens(agent, fake):
    history = []
    for i in range(40):
        history += [ChatEntry("user", f"user {i} " + "x" * 400), ChatEntry("agent", f"agent {i} " + "y" * 400)]
    agent.respond(READY.with_(stage=Stage.WEEKLY_TIME, weekly_hours=None), history, "5 hours a week")
    contents = fake.of_kind("reply")[0]["body"]["contents"]
    assert 2 < len(contents) < 20
    assert contents[0]["role"] == "user" and contents[-1]["parts"][0]["text"] == "5 hours a week"
    assert [c["role"] for c in contents] == ["user", "model"] * ((len(contents) - 1) // 2) + ["user"]
    numbers = [int(c["parts"][0]["text"].split()[1]) for c in contents[:-1]]
    assert numbers == sorted(numbers) and numbers[-1] == 39
    assert sum(len(c["parts"][0]["text"]) for c in contents) <= 4 * 1000


def test_confirmation_builds_a_validated_gemini_mission(agent, fake):
    fake.push("understand", Json({"learner_confirms_summary": True}))
    fake.push("plan", Json(plan_for()))
    turn = agent.respond(READY, [], "Yes, that's correct")
    assert turn.plan is not None and turn.plan.title == "Python for Data Analysis"
    assert turn.plan.byte_size_checkpoints[-1] == "Final Project: Python for Data Analysis in practice"
    assert turn.profile.stage is Stage.DONE and "plan: gemini" in turn.meta["notes"]
    plan_request = fake.of_kind("plan")[0]["body"]
    assert "responseSchema" in plan_request["generationConfig"] and "tools" not in plan_request
    assert not fake.of_kind("reply")


def test_429_then_success_is_retried(agent, fake):
    fake.push("understand", Status(429), Json({"motivation": "to analyze data"}))
    fake.push("reply", Status(503), Stream(["And your experience?"]))
    turn = agent.respond(READY.with_(stage=Stage.MOTIVATION, motivation=None), [], "to analyze data")
    assert turn.reply == "And your experience?" and turn.profile.motivation == "to analyze data"
    assert len(fake.of_kind("understand")) == 2 and len(fake.of_kind("reply")) == 2


def test_persistent_500_on_the_plan_falls_back_to_the_offline_mission(agent, fake):
    fake.push("understand", Json({"learner_confirms_summary": True}))
    fake.push("plan", *[Status(500)] * 3)
    turn = agent.respond(READY, [], "yes")
    assert turn.plan is not None and turn.plan.title == "Python for Data Analysis"
    assert turn.plan.byte_size_checkpoints[0] == "Introduction to Python Programming"  # the offline builder's
    assert "plan: Gemini unavailable; offline plan used" in turn.meta["notes"]
    assert len(fake.of_kind("plan")) == 3


def test_persistent_500_on_a_reply_is_an_error_the_learner_can_act_on(agent, fake):
    fake.push("understand", Json({}))
    fake.push("reply", *[Status(500)] * 3)
    with pytest.raises(AgentError) as info:
        agent.respond(READY.with_(stage=Stage.SUBJECT, subject=None), [], "hi")
    assert "try sending your message again" in info.value.message


def test_timeout_is_an_error_within_the_budget(agent, fake):
    fake.push("reply", *[Delay(5, Stream(["Why Go?"]))] * 3)
    started = time.monotonic()
    with pytest.raises(AgentError) as info:
        agent.respond(LearnerProfile(), [], "I want to learn Go")
    assert time.monotonic() - started < 20
    assert info.value.meta["model"] == "gemini-2.5-flash" and info.value.meta["last_error"]


def test_a_slow_or_failing_understanding_never_holds_up_the_reply(agent, fake):
    fake.push("understand", *[Delay(5, Json({}))] * 3)
    fake.push("reply", Stream(["Why Go?"]))
    turn = agent.respond(LearnerProfile(), [], "I want to learn Go")
    assert turn.reply == "Why Go?" and turn.profile.subject == "Go"  # the offline reading
    assert any(note.startswith("understand: Gemini down") for note in turn.meta["notes"])
    understand, reply = fake.of_kind("understand")[0], fake.of_kind("reply")[0]
    assert reply["at"] - understand["at"] < 1  # the reply was asked for while the understanding was pending


def test_malformed_then_still_bad_plan_is_repaired_once_then_offline(agent, fake):
    fake.push("understand", Json({"learner_confirms_summary": True}))
    fake.push("plan", Text('{"title": "Python", "level": '), Text("not json at all"))
    turn = agent.respond(READY, [], "yes")
    assert len(fake.of_kind("plan")) == 2
    repair = fake.of_kind("plan")[1]["body"]["contents"][-1]["parts"][0]["text"]
    assert "invalid JSON for MissionPlan" in repair
    assert "plan: failed checks after repair; offline plan used" in turn.meta["notes"]
    assert turn.plan.byte_size_checkpoints[0] == "Introduction to Python Programming"


def test_schema_violating_plan_is_repaired(agent, fake):
    fake.push("understand", Json({"learner_confirms_summary": True}))
    bad = plan_for(checkpoints=3) | {"level": "Advanced"}
    fake.push("plan", Json(bad), Json(plan_for()))
    turn = agent.respond(READY, [], "yes")
    repair = fake.of_kind("plan")[1]["body"]["contents"][-1]["parts"][0]["text"]
    assert "4 to 10 entries" in repair and "does not fit the stated experience" in repair
    assert "plan: gemini (repaired)" in turn.meta["notes"]
    assert len(turn.plan.byte_size_checkpoints) == 6


def test_max_tokens_reply_is_trimmed_to_a_whole_sentence(agent, fake):
    fake.push("understand", Json({}))
    fake.push("reply", Stream(["Thanks, that helps a lot. ", "How many hours could you"], finish="MAX_TOKENS"))
    turn = agent.respond(READY.with_(stage=Stage.WEEKLY_TIME, weekly_hours=None), [], "hmm")
    assert turn.reply == "Thanks, that helps a lot." and turn.meta["finish_reason"] == "MAX_TOKENS"


def test_max_tokens_on_understand_falls_back_to_offline_parsing(agent, fake):
    fake.push("understand", Text('{"weekly_hours": 1', finish="MAX_TOKENS"))
    fake.push("reply", Stream(["Here is your summary..."]))
    turn = agent.respond(READY.with_(stage=Stage.WEEKLY_TIME, weekly_hours=None), [], "about 6 hours a week")
    assert turn.profile.weekly_hours == 6 and turn.profile.stage is Stage.CONFIRM
    assert any("MAX_TOKENS" in note for note in turn.meta["notes"])


def test_safety_block_gets_a_redirect_and_the_next_question(agent, fake):
    fake.push("understand", Json({}))
    fake.push("reply", Stream(["something unsafe"], finish="SAFETY"))
    seen: list[str] = []
    turn = agent.respond(READY.with_(stage=Stage.MOTIVATION, motivation=None), [], "...", on_text=seen.append)
    assert turn.reply.startswith(SAFETY_REDIRECT) and "motivation" in turn.reply
    assert seen == [] and turn.meta["finish_reason"] == "SAFETY"
    fake.push("understand", Json({}))
    fake.push("reply", Blocked())
    turn = agent.respond(READY.with_(stage=Stage.MOTIVATION, motivation=None), [], "...")
    assert turn.reply.startswith(SAFETY_REDIRECT)


def test_corrections_at_the_summary_are_summarised_again(agent, fake):
    fake.push("understand", Json({"weekly_hours": 10}))
    fake.push("reply", Stream(["Updated: 10 hours a week. Is that right?"]))
    turn = agent.respond(READY, [], "no, 10 hours a week")
    assert turn.plan is None and turn.profile.weekly_hours == 10 and turn.profile.stage is Stage.CONFIRM
    system = fake.of_kind("reply")[0]["body"]["systemInstruction"]["parts"][0]["text"]
    assert "Summarise it back" in system and "about 10 hours per week" in system


def test_every_call_sets_a_thinking_budget_and_room_for_the_answer(agent, fake):
    fake.push("understand", Json({"weekly_hours": 4}))
    fake.push("reply", Stream(["Summary..."]))
    agent.respond(READY.with_(stage=Stage.WEEKLY_TIME, weekly_hours=None), [], "4 hours a week")
    fake.push("plan", Json(plan_for()))
    agent.respond(READY, [], "yes")
    configs = {r["kind"]: r["body"]["generationConfig"] for r in fake.requests}
    # google-genai 3.3 writes the field in proto snake_case, which the API's JSON parser accepts too
    budget = {k: c["thinkingConfig"].get("thinkingBudget", c["thinkingConfig"].get("thinking_budget"))
              for k, c in configs.items()}
    assert budget["understand"] == 0 and budget["reply"] == 0
    assert 0 < budget["plan"] <= 4096
    for kind, config in configs.items():
        assert config["maxOutputTokens"] >= budget[kind] + 1024


def test_max_tokens_with_no_text_is_retried_once_with_more_room(agent, fake):
    fake.push("understand", Empty(), Json({"motivation": "to change careers"}))
    fake.push("reply", Empty(), Stream(["And your experience?"]))
    turn = agent.respond(READY.with_(stage=Stage.MOTIVATION, motivation=None), [], "hmm, a career change")
    assert turn.reply == "And your experience?"
    replies, understands = fake.of_kind("reply"), fake.of_kind("understand")
    assert len(replies) == 2 and len(understands) == 2
    first, second = (r["body"]["generationConfig"]["maxOutputTokens"] for r in replies)
    assert second > first
    assert "reply: MAX_TOKENS with no text; retried with more room" in turn.meta["notes"]
    assert turn.meta["usage"]["thinking_tokens"] == 1200


def test_gemini_down_at_the_yes_still_creates_the_offline_mission(agent, fake):
    fake.down = True
    turn = agent.respond(READY, [], "Yes, that's correct")
    assert turn.plan is not None and turn.profile.stage is Stage.DONE
    assert turn.plan.byte_size_checkpoints[0] == "Introduction to Python Programming"
    assert "plan: Gemini unavailable; offline plan used" in turn.meta["notes"]
    assert any("offline mission created" in n and "ServerError (503)" in n for n in turn.meta["notes"])


def test_gemini_down_mid_interview_is_an_error_that_records_what_failed(agent, fake):
    fake.down = True
    with pytest.raises(AgentError) as info:
        agent.respond(READY.with_(stage=Stage.MOTIVATION, motivation=None), [], "for fun")
    meta = info.value.meta
    assert meta["model"] == "gemini-2.5-flash" and meta["attempts"] == 3
    assert meta["last_error"] == "ServerError (503)"


def test_hesitation_at_the_summary_never_plans(agent, fake):
    for text in ("hold on", "no", "yes but make it 6 hours", "hmm, not sure", "sí"):
        fake.reset()
        turn = agent.respond(READY, [], text)
        assert turn.plan is None and turn.profile.stage is Stage.CONFIRM and not fake.of_kind("plan")
        assert turn.profile.weekly_hours == (6 if "6 hours" in text else 4)


def test_plans_from_gemini_lose_markup(agent, fake):
    fake.push("plan", Json(plan_for() | {"title": "Python for Data Analysis<script>alert(1)</script>"}))
    turn = agent.respond(READY, [], "yes")
    assert turn.plan.title == "Python for Data Analysis"  # the script element and its content dropped


def test_a_reply_that_echoes_markup_reaches_the_learner_without_it(agent, fake):
    fake.push("reply", Stream(["You want to learn <img src=x onerror=alert(1)>", "guitar.\nWhy guitar?"]))
    seen: list[str] = []
    turn = agent.respond(LearnerProfile(), [], "guitar", on_text=seen.append)
    assert turn.reply == "You want to learn guitar.\nWhy guitar?"
    assert all("<" not in s for s in seen)
