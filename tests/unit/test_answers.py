import pytest

from mission_commander.answers import (extract_subject, is_confirmation, is_non_answer, is_rejection,
                                       parse_experience, parse_weekly_hours)
from mission_commander.profile import Level


@pytest.mark.parametrize("text, hours", [
    ("About 5 hours per week", 5),
    ("5 hours a week", 5),
    ("10 hours a week", 10),
    ("no, 10 hours a week", 10),
    ("ten hours weekly", 10),
    ("a couple of hours on weekends", 2),
    ("2 hours each weekend day", 4),
    ("30 minutes a day", 3.5),
    ("half an hour every day", 3.5),
    ("an hour a day", 7),
    ("1 hour per day on weekdays", 5),
    ("2h, 3 evenings a week", 6),
    ("5-6 hours", 5.5),
    ("between 3 to 4 hours", 3.5),
    ("20 hours a month", 4.6),
    ("1.5 hours a week", 1.5),
    ("around 90 minutes per week", 1.5),
])
def test_weekly_hours_from_free_form_answers(text, hours):
    assert parse_weekly_hours(text, bare_number_is_hours=True) == pytest.approx(hours, abs=0.05)


@pytest.mark.parametrize("text, hours", [("maybe 4", 4), ("5", 5), ("3 or 4", 3.5)])
def test_a_bare_number_counts_only_when_asked_about_time(text, hours):
    assert parse_weekly_hours(text, bare_number_is_hours=True) == hours
    assert parse_weekly_hours(text) is None


@pytest.mark.parametrize("text", ["not sure", "whenever I can", "none", "0 hours", "", "lots"])
def test_no_usable_time(text):
    assert parse_weekly_hours(text, bare_number_is_hours=True) is None


@pytest.mark.parametrize("text, level", [
    ("No, I'm a complete beginner", Level.BEGINNER),
    ("no", Level.BEGINNER),
    ("Never programmed before", Level.BEGINNER),
    ("I've done a few tutorials", Level.BEGINNER),
    ("just a little", Level.BEGINNER),
    ("I'm new to this", Level.BEGINNER),
    ("I've used it at work for 2 years", Level.INTERMEDIATE),
    ("I know the basics", Level.INTERMEDIATE),
    ("Some experience with JavaScript", Level.INTERMEDIATE),
    ("I've been learning it for 8 months", Level.INTERMEDIATE),
    ("I'm intermediate", Level.INTERMEDIATE),
    ("I'm a professional developer", Level.ADVANCED),
    ("10 years in industry", Level.ADVANCED),
    ("I'm fairly advanced", Level.ADVANCED),
])
def test_experience_levels(text, level):
    assert parse_experience(text) is level


@pytest.mark.parametrize("text", ["yes", "hmm", "purple", "what do you mean?"])
def test_unclear_experience_is_not_guessed(text):
    assert parse_experience(text) is None


@pytest.mark.parametrize("text, subject, motivation", [
    ("I want to learn Python for data analysis", "Python for data analysis", None),
    ("I want to learn Python", "Python", None),
    ("Python", "Python", None),
    ("Hello! I want to learn about machine learning.", "machine learning", None),
    ("teach me guitar please", "guitar", None),
    ("I'd like to learn Spanish because I'm moving to Madrid", "Spanish", "I'm moving to Madrid"),
    ("I want to get better at public speaking", "public speaking", None),
    ("I'm interested in photography", "photography", None),
    ("learn SQL so I can query our sales database", "SQL", "query our sales database"),
])
def test_subject_and_motivation_from_the_opening(text, subject, motivation):
    assert extract_subject(text) == (subject, motivation)


@pytest.mark.parametrize("text", ["hi", "hello", "?", "idk", "   ", "123"])
def test_no_subject_in_small_talk(text):
    assert extract_subject(text) is None


@pytest.mark.parametrize("text", ["Yes, that's correct", "yes", "Yep", "looks good!", "Sounds great",
                                  "perfect", "correct", "ok", "go ahead", "That’s right"])
def test_confirmations(text):
    assert is_confirmation(text)
    assert not is_rejection(text)


@pytest.mark.parametrize("text", ["no, 10 hours a week", "Nope", "not quite", "actually, make it Rust",
                                  "wrong"])
def test_rejections(text):
    assert is_rejection(text)
    assert not is_confirmation(text)


def test_yes_but_is_not_a_plain_confirmation():
    assert not is_confirmation("yes but make it 10 hours")


@pytest.mark.parametrize("text, expected", [("idk", True), ("?", True), ("hello", True),
                                            ("I want a better job", False), ("fun", False)])
def test_non_answers(text, expected):
    assert is_non_answer(text) is expected
