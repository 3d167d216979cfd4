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
@pytest.mark.parametrize("hours", [0.1, 1, 5, 20])
@pytest.mark.parametrize("motivation", ["I want to change careers", "automate reports at work", "for fun",
                                        "pass my exam", "travel", "analyse data at work"])
def test_offline_plans_pass_every_check(subject, level, hours, motivation):
    profile = LearnerProfile(subject=subject, motivation=motivation, level=level, weekly_hours=hours)
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


@pytest.mark.parametrize("subject, motivation, title, checkpoint, skill", [
    ("Python", "automate boring reports at work", "Python for Workplace Automation", "Automating a Repetitive Task",
     "Task Automation"),
    ("Python", "analyse data at work", "Python for Data Analysis", "Introduction to Pandas", "Pandas"),
    ("Spanish", "I'm moving to Madrid", "Spanish for Travel", "Travel Situations", "Everyday Conversation"),
    ("woodworking", "get a job as a carpenter", "Woodworking for a Career Move", "Portfolio", "Portfolio Building"),
    ("photosynthesis", "pass my biology exam", "Photosynthesis Exam Preparation", "Mock Exam", "Exam Technique"),
    ("guitar", "just for fun", "Guitar for Your Own Projects", "Your Own Guitar Project", "Project Planning"),
    ("Python for data analysis", "analyze business data", "Python for Data Analysis", "Introduction to Pandas",
     "Pandas"),
])
def test_motivation_shapes_the_plan(subject, motivation, title, checkpoint, skill):
    profile = LearnerProfile(subject=subject, motivation=motivation, level=Level.BEGINNER, weekly_hours=4)
    plan = build_offline_plan(profile)
    assert plan.title == title
    assert any(checkpoint in c for c in plan.byte_size_checkpoints), plan.byte_size_checkpoints
    assert skill in plan.skills and check_plan(plan, profile) == []


def test_prior_skills_shape_a_beginners_plan_without_raising_its_level():
    profile = LearnerProfile(subject="Python", motivation="fun", level=Level.BEGINNER, weekly_hours=4,
                             prior_skills=("Java, 10 years",))
    plan = build_offline_plan(profile)
    assert plan.level == "Beginner"
    assert plan.byte_size_checkpoints[0] == "Python for Programmers Coming from Java: What's Different"
    assert "Java, 10 years" in plan.description


def test_learner_words_never_carry_markup_into_the_plan():
    profile = LearnerProfile(subject="<img src=x onerror=alert(1)>Guitar\u202e", motivation="<b>fun</b>\x07",
                             level=Level.BEGINNER, weekly_hours=2)
    plan = build_offline_plan(profile)
    for text in (plan.title, plan.description, plan.short_description, plan.learning_goal, *plan.byte_size_checkpoints):
        assert "<" not in text and ">" not in text and "\x07" not in text and "\u202e" not in text
    assert plan.title == "Guitar for Your Own Projects"
    marked = dataclasses.replace(plan, title="Guitar <script>")
    assert "title contains markup or control characters" in check_plan(marked, profile)
