import pytest

from mission_commander.answers import (ConfirmationReading, Unreadable, classify_unreadable, digits,
                                       extract_subject, is_non_answer, parse_confirmation, parse_experience,
                                       parse_subject_change, parse_weekly_hours)
from mission_commander.learner_text import clean_learner_text
from mission_commander.profile import Level


def is_confirmation(text):
    return parse_confirmation(text) is ConfirmationReading.YES


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
    assert parse_experience(text).level is level


@pytest.mark.parametrize("text", ["yes", "hmm", "purple", "what do you mean?"])
def test_unclear_experience_is_not_guessed(text):
    assert parse_experience(text).level is None


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


@pytest.mark.parametrize("text", ["no, 10 hours a week", "Nope", "not quite", "actually, make it Rust",
                                  "wrong", "no thanks", "yes? maybe", "hold on", "not yet", "yes, no, wait",
                                  "hmm", "I guess", "ok but change the time", "yes... well, actually no",
                                  "sí", "what happens next?", "yeah no", "no, yes", "not sure yet"])
def test_anything_but_a_clear_yes_is_not_a_confirmation(text):
    assert not is_confirmation(text)


def test_yes_but_is_not_a_plain_confirmation():
    assert not is_confirmation("yes but make it 10 hours")


@pytest.mark.parametrize("text, expected", [("idk", True), ("?", True), ("hello", True),
                                            ("I want a better job", False), ("fun", False)])
def test_non_answers(text, expected):
    assert is_non_answer(text) is expected


@pytest.mark.parametrize("text, hours", [
    ("two hours", 2), ("two hours a week", 2), ("half an hour a day", 3.5), ("fifteen minutes every day", 1.8),
    ("an hour and a half per week", 1.5), ("two and a half hours", 2.5), ("twenty five hours a month", 5.8),
    ("1h30 twice a week", 3), ("three to four hours", 3.5), ("one or two hours each weekday", 7.5),
    ("a few hours on weekends", 3), ("an hour after work", 5), ("2 to 3 evenings a week, an hour each", 2.5),
])
def test_numbers_in_words_and_time_forms(text, hours):
    assert parse_weekly_hours(text, bare_number_is_hours=True) == pytest.approx(hours, abs=0.05)


def test_digits_uses_words_and_phrases():
    assert digits("Twenty five minutes, a couple of times") == "25 minutes, 2 times"


@pytest.mark.parametrize("text, subject, level, prior", [
    ("I'm not a professional", "Python", Level.BEGINNER, ()),
    ("never did it", "guitar", Level.BEGINNER, ()),
    ("I'm no expert but I know the basics", "SQL", Level.INTERMEDIATE, ()),
    ("kind of advanced I guess", "Excel", Level.INTERMEDIATE, ()),
    ("I'm not a beginner", "chess", Level.INTERMEDIATE, ()),
    ("10 years of Java but never touched Python", "Python", Level.BEGINNER, ("Java, 10 years",)),
    ("I've been a professional C++ developer for 8 years", "Rust", Level.BEGINNER, ("C++, 8 years",)),
    ("I've used Python at work for two years", "Python", Level.INTERMEDIATE, ()),
    ("I speak French fluently, no Spanish at all", "Spanish", Level.BEGINNER, ("French",)),
])
def test_negation_hedging_and_neighbouring_skills(text, subject, level, prior):
    reading = parse_experience(text, subject)
    assert reading.level is level and reading.prior_skills == prior


@pytest.mark.parametrize("text, kind", [
    ("hello!", Unreadable.GREETING), ("idk", Unreadable.UNSURE), ("🙂🙂", Unreadable.NO_WORDS),
    ("¿Qué quieres decir?", Unreadable.OTHER_LANGUAGE), ("何を学びたいですか", Unreadable.OTHER_LANGUAGE),
    ("why do you ask?", Unreadable.QUESTION),
])
def test_unreadable_replies_are_told_apart(text, kind):
    assert classify_unreadable(text) is kind


@pytest.mark.parametrize("text, subject", [
    ("no, I'd rather learn Rust", "Rust"), ("make it chess instead", "chess"),
    ("change the subject to machine learning", "machine learning"), ("make it 4 hours", None),
])
def test_subject_changes(text, subject):
    assert parse_subject_change(text) == subject


def test_learner_words_lose_markup_and_control_characters():
    assert clean_learner_text('<img src=x onerror=alert(1)>Python <b>fast</b>\x07\u202e') == "Python fast"
    assert clean_learner_text("a < b and c > d") == "a b and c d"
