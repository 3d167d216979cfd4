"""The offline interviewer over whole conversations, phrased many ways."""

import pytest

from mission_commander.interview import OfflineInterviewer
from mission_commander.mission_plan import check_plan
from mission_commander.profile import LearnerProfile, Level, Stage


def chat(*messages):
    agent, profile, turns = OfflineInterviewer(), LearnerProfile(), []
    for message in messages:
        turn = agent.respond(profile, [], message)
        profile = turn.profile
        turns.append(turn)
    return turns


def test_the_guides_conversation_flow():
    turns = chat("I want to learn Python for data analysis", "I want to analyze business data",
                 "No, I'm a complete beginner", "About 5 hours per week", "Yes, that's correct")
    replies = [t.reply for t in turns]
    assert "motivation" in replies[0].lower()
    assert "programming experience" in replies[1].lower()
    assert "time" in replies[2].lower() and "week" in replies[2].lower()
    assert "Python for data analysis" in replies[3] and "5 hours per week" in replies[3]
    assert "Beginner" in replies[3] and replies[3].rstrip().endswith("tell me what to change.")
    assert all(t.plan is None for t in turns[:4])
    plan = turns[4].plan
    assert plan is not None and turns[4].profile.stage is Stage.DONE
    assert plan.title == "Python for Data Analysis"
    assert plan.level == "Beginner"
    assert "analyze business data" in plan.learning_goal
    assert plan.byte_size_checkpoints[0] == "Introduction to Python Programming"
    assert plan.byte_size_checkpoints[-1].startswith("Final Project")
    assert "Pandas" in plan.skills
    assert check_plan(plan, turns[4].profile) == []


@pytest.mark.parametrize("experience, hours, level, weekly", [
    ("I've used it at work for 2 years", "a couple of hours on weekends", Level.INTERMEDIATE, 2),
    ("never", "30 minutes a day", Level.BEGINNER, 3.5),
    ("I'm a professional developer", "10h per week", Level.ADVANCED, 10),
    ("a little bit", "maybe 4", Level.BEGINNER, 4),
])
def test_free_form_answers_fill_the_profile(experience, hours, level, weekly):
    turns = chat("teach me SQL", "my job needs reports", experience, hours)
    profile = turns[-1].profile
    assert profile.level is level
    assert profile.weekly_hours == weekly
    assert profile.stage is Stage.CONFIRM


def test_unusable_answers_are_asked_again():
    turns = chat("hi", "I want to learn guitar", "idk", "to play songs for my kids", "purple",
                 "never played", "whenever", "3 hours a week")
    assert "what you'd like to learn" in turns[0].reply
    assert turns[0].profile.subject is None
    assert turns[1].profile.subject == "guitar"
    assert "bit more" in turns[2].reply and turns[2].profile.motivation is None
    assert turns[3].profile.motivation == "to play songs for my kids"
    assert "couldn't tell your experience" in turns[4].reply
    assert turns[5].profile.level is Level.BEGINNER
    assert "realistically" in turns[6].reply and turns[6].profile.weekly_hours is None
    assert turns[7].profile.stage is Stage.CONFIRM


def test_repeated_non_answers_fall_back_instead_of_looping():
    turns = chat("Python", "idk", "dunno")
    assert turns[-1].profile.motivation == "personal interest"
    assert turns[-1].profile.stage is Stage.EXPERIENCE


@pytest.mark.parametrize("correction, check", [
    ("no, 10 hours a week", lambda p: p.weekly_hours == 10),
    ("Actually I'm intermediate", lambda p: p.level is Level.INTERMEDIATE),
    ("no, I'd rather learn Rust", lambda p: p.subject == "Rust"),
    ("wait, my goal is to get a data job", lambda p: "data job" in p.motivation),
])
def test_the_learner_can_correct_the_summary(correction, check):
    turns = chat("I want to learn Python for data analysis", "I want to analyze business data",
                 "No, I'm a complete beginner", "About 5 hours per week", correction)
    assert turns[-1].plan is None
    assert check(turns[-1].profile)
    assert "updated" in turns[-1].reply and "Is that correct?" in turns[-1].reply
    final = OfflineInterviewer().respond(turns[-1].profile, [], "yes")
    assert final.plan is not None and check(final.profile)


def test_a_plain_no_asks_what_to_change():
    turns = chat("Python", "career change", "beginner", "5 hours", "no")
    assert turns[-1].plan is None and "What should I change?" in turns[-1].reply
    assert turns[-1].profile.stage is Stage.CONFIRM


def test_answers_given_early_are_not_asked_again():
    turns = chat("I'd like to learn Spanish because I'm moving to Madrid", "none at all", "an hour a day")
    assert "experience" in turns[0].reply.lower() or "studied" in turns[0].reply.lower()
    assert turns[0].profile.motivation == "I'm moving to Madrid"
    assert turns[-1].profile.stage is Stage.CONFIRM


def test_corrected_summary_changes_the_mission():
    turns = chat("I want to learn Python for data analysis", "I want to analyze business data",
                 "No, I'm a complete beginner", "About 5 hours per week", "no, 10 hours a week", "yes")
    assert "10 hours per week" in turns[-1].plan.description


def test_after_the_mission_the_interview_is_over():
    turns = chat("Python", "fun", "beginner", "5 hours", "yes", "another one?")
    assert turns[-1].plan is None and "already created" in turns[-1].reply
