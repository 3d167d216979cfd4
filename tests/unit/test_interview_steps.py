"""The step table is the one declaration of the interview: both agents read it."""

from mission_commander import gemini_agent
from mission_commander.interview import OfflineInterviewer, question_for
from mission_commander.interview_steps import STEPS, apply_model_reading, missing, model_fields, summary_text
from mission_commander.profile import LearnerProfile, Level, Stage


def test_every_stage_before_the_summary_has_exactly_one_step_in_order():
    assert [s.stage for s in STEPS] == [Stage.SUBJECT, Stage.MOTIVATION, Stage.EXPERIENCE, Stage.WEEKLY_TIME]
    assert [s.stage for s in missing(LearnerProfile())] == [s.stage for s in STEPS]


def test_the_offline_interviewer_asks_the_tables_questions_and_re_asks():
    profile = LearnerProfile(subject="chess")
    for step in STEPS[1:]:
        assert question_for(step.stage, profile) == step.question(profile)
        assert question_for(step.stage, profile, retry=True) == step.reask(profile)
        assert step.reask(profile) != step.question(profile) and "example" in step.reask(profile).lower()


def test_the_gemini_prompts_and_schema_come_from_the_table():
    fields = {f.name for f in model_fields()}
    assert set(gemini_agent.ProfileUpdate.model_fields) == fields
    for step in STEPS:
        assert step.model_task.format(subject="the subject") in gemini_agent.steps_prompt()
    for field in model_fields():
        assert f"- {field.name}: {field.description}" in gemini_agent.fields_prompt()
    assert "$" not in gemini_agent._prompt("interviewer").safe_substitute(
        steps="", profile="", next_step="").replace("$$", "")


def test_a_default_is_stated_in_the_summary_until_corrected():
    agent, profile = OfflineInterviewer(), LearnerProfile()
    for text in ("guitar", "for fun", "hmm", "purple", "3 hours a week"):
        profile = agent.respond(profile, [], text).profile
    assert profile.stage is Stage.CONFIRM and profile.level is Level.BEGINNER and profile.assumed == ("level",)
    assert "I assumed you're starting from scratch — tell me if that's wrong." in summary_text(profile)
    corrected = agent.respond(profile, [], "actually I'm intermediate").profile
    assert corrected.level is Level.INTERMEDIATE and corrected.assumed == ()
    assert "I assumed" not in summary_text(corrected)


def test_a_models_reading_fills_only_empty_slots_and_is_cleaned():
    profile = LearnerProfile(subject="Python", stage=Stage.MOTIVATION)
    read = apply_model_reading(profile, {"subject": "Rust", "motivation": "<b>career</b> change", "level": "Expert",
                                         "weekly_hours": 500, "prior_skills": ["Java, 10 years"]}, only_empty=True)
    assert read.subject == "Python" and read.motivation == "career change"
    assert read.level is None and read.weekly_hours is None and read.prior_skills == ("Java, 10 years",)


def test_a_slot_a_model_filled_after_a_re_ask_is_kept_not_defaulted():
    asked_again = LearnerProfile(subject="chess", motivation="fun", level=Level.BEGINNER, stage=Stage.WEEKLY_TIME,
                                 retries=1, weekly_hours=2.2)  # the model read "a smidge over two hours"
    turn = OfflineInterviewer().respond(asked_again, [], "hmm")
    assert turn.profile.weekly_hours == 2.2 and turn.profile.assumed == ()
    assert turn.profile.stage is Stage.CONFIRM
