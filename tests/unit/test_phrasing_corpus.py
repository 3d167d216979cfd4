"""The phrasing corpus (tests/data/interview_phrasings.yaml) against the offline interviewer:
every answer, at its own question, must be understood as written down there."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from mission_commander.catalogue import find_subject
from mission_commander.interview import read_message
from mission_commander.profile import LearnerProfile, Level, Stage

CORPUS = yaml.safe_load((Path(__file__).parents[1] / "data" / "interview_phrasings.yaml").read_text("utf-8"))
STAGES = {"subject": Stage.SUBJECT, "motivation": Stage.MOTIVATION, "experience": Stage.EXPERIENCE,
          "weekly_time": Stage.WEEKLY_TIME, "confirm": Stage.CONFIRM}
COMPLETE = dict(subject="Python", motivation="for fun", experience="none", level=Level.BEGINNER, weekly_hours=5.0)
CASES = [pytest.param(section, case, id=f"{section}: {case['say']}") for section, cases in CORPUS.items()
         for case in cases]


def starting_profile(section: str, known: dict) -> LearnerProfile:
    stage = STAGES[section]
    order = ["subject", "motivation", "level", "weekly_hours"]
    filled = {} if stage is Stage.CONFIRM else None
    if filled is None:
        upto = order.index({"subject": "subject", "motivation": "motivation", "experience": "level",
                            "weekly_time": "weekly_hours"}[section])
        filled = {k: v for k, v in COMPLETE.items() if k in order[:upto] or (k == "experience" and upto > 2)}
    else:
        filled = dict(COMPLETE)
    filled.update({k: Level(v) if k == "level" else v for k, v in (known or {}).items()})
    return LearnerProfile(stage=stage, **filled)


def test_the_corpus_is_large_and_covers_every_slot():
    assert len(CASES) >= 150
    assert set(CORPUS) == set(STAGES)
    for section, cases in CORPUS.items():
        if section != "confirm":
            assert any(c.get("reask") for c in cases), f"{section} has no unreadable answers"
    confirm = CORPUS["confirm"]
    assert sum(c["confirmed"] for c in confirm) >= 10 and sum(not c["confirmed"] for c in confirm) >= 20


@pytest.mark.parametrize("section, case", CASES)
def test_phrasing(section, case):
    before = starting_profile(section, case.get("known"))
    reading = read_message(before, case["say"])
    after = reading.profile
    if case.get("reask"):
        assert after.stage is before.stage and after.retries == 1, reading.reply
        assert reading.reply and not reading.confirmed
        return
    if section != "confirm":
        assert after.stage is not before.stage, f"asked again: {reading.reply}"
    if "confirmed" in case:
        assert reading.confirmed is case["confirmed"], reading.reply
        assert (after.stage is Stage.DONE) is case["confirmed"]
    if "subject" in case:
        assert after.subject == case["subject"]
    if "entry" in case:
        entry = find_subject(after.subject)
        assert (entry.key if entry else None) == case["entry"]
    if "entry_not" in case:
        entry = find_subject(after.subject)
        assert entry is None or entry.key != case["entry_not"]
    if "motivation" in case:
        assert after.motivation == case["motivation"]
    if "motivation_has" in case:
        assert case["motivation_has"] in after.motivation
    if "level" in case:
        assert after.level is Level(case["level"])
    if "weekly_hours" in case:
        assert after.weekly_hours == pytest.approx(case["weekly_hours"], abs=0.05)
    if "prior_skills" in case:
        assert list(after.prior_skills) == case["prior_skills"]
    for text in (after.subject, after.motivation, reading.reply):
        assert text is None or ("<" not in text and ">" not in text)
