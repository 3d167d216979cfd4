import dataclasses

import pytest

from mission_commander.catalogue import CATALOGUE, find_subject
from mission_commander.mission_plan import build_offline_plan, check_plan, title_case
from mission_commander.profile import LearnerProfile, Level

SUBJECTS = ["Python for data analysis", "Python", "machine learning", "React", "SQL", "Excel",
            "conversational Spanish", "guitar", "photography", "woodworking", "public speaking",
            "quantum computing"]


@pytest.mark.parametrize("subject", SUBJECTS)
@pytest.mark.parametrize("level", list(Level))
@pytest.mark.parametrize("hours", [1, 5, 20])
def test_offline_plans_pass_every_check(subject, level, hours):
    profile = LearnerProfile(subject=subject, motivation="I want to change careers", level=level,
                             weekly_hours=hours)
    plan = build_offline_plan(profile)
    assert check_plan(plan, profile) == []
    assert 4 <= len(plan.byte_size_checkpoints) <= 10
    assert plan.level == level.value
    assert subject.lower() in plan.description.lower()


def test_catalogue_prefers_the_specific_subject():
    assert find_subject("Python for data analysis").key == "python-data"
    assert find_subject("python").key == "python"
    assert find_subject("woodworking") is None


def test_generic_plan_uses_the_learners_words():
    plan = build_offline_plan(LearnerProfile(subject="woodworking", motivation="build a table",
                                             level=Level.BEGINNER, weekly_hours=3))
    assert plan.title == "Woodworking"
    assert all("Woodworking" in c or c.startswith("Common") for c in plan.byte_size_checkpoints[:2])
    assert plan.learning_goal == "Learn woodworking to build a table"


def test_title_case():
    assert title_case("python for data analysis") == "Python for Data Analysis"
    assert title_case("SQL and the iPhone") == "SQL and the iPhone"


GOOD = build_offline_plan(LearnerProfile(subject="Python", motivation="fun", level=Level.BEGINNER, weekly_hours=5))
PROFILE = LearnerProfile(subject="Python", motivation="fun", level=Level.BEGINNER, weekly_hours=5)


@pytest.mark.parametrize("change, problem", [
    (dict(byte_size_checkpoints=("A", "B", "Final project")), "4 to 10"),
    (dict(byte_size_checkpoints=tuple(f"Step {i}" for i in range(11)) + ("Project",)), "4 to 10"),
    (dict(byte_size_checkpoints=("A", "A", "B", "Final project")), "duplicate"),
    (dict(byte_size_checkpoints=("A", " ", "B", "Final project")), "empty entry"),
    (dict(byte_size_checkpoints=("A", "B", "C", "D")), "project"),
    (dict(level="Advanced"), "does not fit"),
    (dict(level="Intermediate"), "too high"),
    (dict(level="Expert"), "must be one of"),
    (dict(hours_per_checkpoint=40.0), "not bite-size"),
    (dict(title="Cooking Basics", learning_goal="Cook well"), "do not mention the subject"),
    (dict(skills=()), "skills is empty"),
    (dict(description=""), "description is empty"),
])
def test_check_plan_reports_each_problem(change, problem):
    assert check_plan(GOOD, PROFILE) == []
    bad = dataclasses.replace(GOOD, **change)
    problems = check_plan(bad, PROFILE)
    assert any(problem in p for p in problems), problems


def test_check_plan_catches_a_plan_too_long_for_the_time():
    profile = dataclasses.replace(PROFILE, weekly_hours=0.5)
    plan = dataclasses.replace(GOOD, hours_per_checkpoint=1.5, byte_size_checkpoints=tuple(
        f"Step {i}" for i in range(9)) + ("Final project",))
    assert check_plan(plan, profile) == []
    plan = dataclasses.replace(plan, hours_per_checkpoint=3.0)
    assert any("weeks" in p for p in check_plan(plan, profile))


def test_every_catalogue_entry_is_well_formed():
    for entry in CATALOGUE:
        assert len(entry.topics) >= 4 and entry.skills and "Project" in entry.project
        assert len(set(entry.foundations + entry.core + entry.deeper)) == len(entry.foundations + entry.core + entry.deeper)
