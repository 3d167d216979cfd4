"""The session-creation allowance as slots: which slots a request may take, in what order, and the
honest Retry-After when none is free."""

from collections import Counter
from datetime import datetime, timedelta, timezone

from mission_commander import schema
from mission_commander.rate_limits import choose_creation_slot, slot_is_free

NOW = datetime(2025, 10, 25, 10, 30, tzinfo=timezone.utc)
HOUR = 3600


def ago(seconds: float) -> datetime:
    return NOW - timedelta(seconds=seconds)


def test_a_new_user_may_take_any_slot():
    choice = choose_creation_slot([None] * 30, NOW, HOUR, seed=7)
    assert sorted(choice.order) == list(range(30)) and choice.retry_after_seconds == 0


def test_slots_taken_within_the_hour_are_not_offered_and_older_ones_are():
    taken = [ago(10), None, ago(HOUR), ago(HOUR - 1), ago(5 * HOUR)]
    assert sorted(choose_creation_slot(taken, NOW, HOUR, seed=1).order) == [1, 2, 4]
    assert slot_is_free(ago(HOUR), NOW, HOUR) and not slot_is_free(ago(HOUR - 0.001), NOW, HOUR)


def test_concurrent_requests_start_on_different_slots():
    """Requests differ only by their seed: their first choices spread over the free slots, so ten at
    once mostly try ten different slots instead of queueing on one."""
    firsts = Counter(choose_creation_slot([None] * 30, NOW, HOUR, seed=seed).order[0] for seed in range(300))
    assert len(firsts) == 30 and max(firsts.values()) < 30


def test_the_same_seed_gives_the_same_order():
    taken = [None, ago(5), None, None, ago(HOUR * 2)]
    assert choose_creation_slot(taken, NOW, HOUR, seed=3) == choose_creation_slot(taken, NOW, HOUR, seed=3)


def test_at_the_limit_retry_after_is_when_the_oldest_slot_frees():
    choice = choose_creation_slot([ago(10), ago(1800), ago(20)], NOW, HOUR, seed=1)
    assert choice.order == () and choice.retry_after_seconds == 1800


def test_retry_after_rounds_up_and_is_never_zero():
    assert choose_creation_slot([ago(HOUR - 0.2)], NOW, HOUR, seed=1).retry_after_seconds == 1
    assert choose_creation_slot([ago(100.5)], NOW, HOUR, seed=1).retry_after_seconds == HOUR - 100
    # Taken "just now" by a process whose clock runs ahead: still honest, a full hour from that moment.
    assert choose_creation_slot([NOW + timedelta(seconds=2)], NOW, HOUR, seed=1).retry_after_seconds == HOUR + 2


def test_slot_documents_name_the_user_and_free_themselves_after_the_window():
    assert schema.creation_slot_id("u1", 7) == "sessions_u1_007"
    doc = schema.creation_slot_document("u1", "s1", NOW)
    assert doc == {"user_id": "u1", "session_id": "s1", "taken_at": NOW,
                   "expires_at": NOW + timedelta(seconds=schema.SESSION_CREATION_WINDOW_SECONDS)}
    assert slot_is_free(doc["taken_at"], doc["expires_at"], schema.SESSION_CREATION_WINDOW_SECONDS)
