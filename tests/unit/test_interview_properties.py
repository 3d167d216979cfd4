"""Properties of the offline interview over ANY sequence of learner messages (hypothesis):
it reaches the summary within a bounded number of turns, never asks a question three times,
and never creates a mission without a clear yes."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from mission_commander.answers import ConfirmationReading, parse_confirmation
from mission_commander.interview import OfflineInterviewer
from mission_commander.interview_steps import STEPS
from mission_commander.mission_plan import check_plan
from mission_commander.profile import LearnerProfile, Stage

PHRASES = ["hi", "idk", "🙂", "?", "hola", "Python", "I want to learn guitar", "for fun", "career change",
           "never", "10 years of Java", "two hours a day", "5", "no", "yes", "hold on", "yes but make it 4 hours",
           "what do you mean?", "<b>x</b>", "not a professional", "maybe", "ok", "", "   ", "\x00", "👍",
           "I'd rather learn Rust", "a couple of hours on weekends", "why?", "asdf"]
MESSAGES = st.one_of(st.sampled_from(PHRASES), st.text(max_size=60))
MAX_TURNS_TO_SUMMARY = 2 * len(STEPS)
"""Each step asks at most twice (its question, one re-ask), then takes its default."""


def run(messages):
    agent, profile, turns = OfflineInterviewer(), LearnerProfile(), []
    for message in messages:
        before = profile
        turn = agent.respond(profile, [], message)
        turns.append((before, message, turn))
        profile = turn.profile
    return turns


@settings(max_examples=400, deadline=None)
@given(st.lists(MESSAGES, min_size=MAX_TURNS_TO_SUMMARY, max_size=20))
def test_any_messages_reach_the_summary_and_only_a_clear_yes_creates_the_mission(messages):
    turns = run(messages)
    reached = next((i for i, (_, _, t) in enumerate(turns) if t.profile.stage in (Stage.CONFIRM, Stage.DONE)), None)
    assert reached is not None and reached < MAX_TURNS_TO_SUMMARY
    asked: dict[tuple[Stage, str], int] = {}
    for before, message, turn in turns:
        if turn.plan is not None:
            assert before.stage is Stage.CONFIRM
            assert parse_confirmation(message) is ConfirmationReading.YES
            assert check_plan(turn.plan, turn.profile) == []
            assert "<" not in turn.plan.title + turn.plan.description
        else:
            assert turn.profile.stage is not Stage.DONE or before.stage is Stage.DONE
        assert turn.reply.strip()
        if turn.profile.stage not in (Stage.CONFIRM, Stage.DONE):
            key = (turn.profile.stage, turn.reply)
            asked[key] = asked.get(key, 0) + 1
            assert asked[key] < 3, f"asked three times: {turn.reply}"


@settings(max_examples=200, deadline=None)
@given(st.lists(MESSAGES.filter(lambda m: parse_confirmation(m) is not ConfirmationReading.YES), max_size=8))
def test_at_the_summary_nothing_but_a_clear_yes_creates_anything(replies):
    profile = run(["Python", "for fun", "never", "5 hours a week"])[-1][2].profile
    assert profile.stage is Stage.CONFIRM
    for reply in replies:
        turn = OfflineInterviewer().respond(profile, [], reply)
        assert turn.plan is None and turn.profile.stage is Stage.CONFIRM
        profile = turn.profile
