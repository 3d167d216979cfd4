"""The session-creation allowance as slots: which slots a request reads, which it may take and in
what order, and the honest Retry-After when none is free."""

from collections import Counter
from datetime import datetime, timedelta, timezone

from mission_commander import schema
from mission_commander.rate_limits import (MAX_SLOT_READS, MAX_SLOT_TRIES, SAMPLED_SLOT_READS, choose_creation_slot,
                                           first_slot, slot_is_free, slots_to_read)

NOW = datetime(2025, 10, 25, 10, 30, tzinfo=timezone.utc)
HOUR = 3600


def ago(seconds: float) -> datetime:
    return NOW - timedelta(seconds=seconds)


def never(count: int) -> dict[int, None]:
    return dict.fromkeys(range(count))


def test_a_new_user_may_take_any_slot():
    choice = choose_creation_slot(never(30), NOW, HOUR, seed=7)
    assert len(set(choice.order)) == MAX_SLOT_TRIES and set(choice.order) <= set(range(30))
    assert choice.retry_after_seconds == 0
    offered = set().union(*(choose_creation_slot(never(30), NOW, HOUR, seed=s).order for s in range(100)))
    assert offered == set(range(30))


def test_slots_taken_within_the_hour_are_not_offered_and_older_ones_are():
    taken = {0: ago(10), 1: None, 2: ago(HOUR), 3: ago(HOUR - 1), 4: ago(5 * HOUR)}
    assert sorted(choose_creation_slot(taken, NOW, HOUR, seed=1).order) == [1, 2, 4]  # fewer than MAX_SLOT_TRIES
    assert slot_is_free(ago(HOUR), NOW, HOUR) and not slot_is_free(ago(HOUR - 0.001), NOW, HOUR)


def test_only_free_slots_are_offered_whatever_the_shuffle():
    taken = {k: ago(k) if k % 2 == 0 else None for k in range(30)}  # every even slot taken in the last minute
    for seed in range(200):
        order = choose_creation_slot(taken, NOW, HOUR, seed=seed).order
        assert order and len(set(order)) == len(order) and all(k % 2 == 1 for k in order)


def test_concurrent_requests_start_on_different_slots():
    """Requests differ only by their seed: their first choices spread over the free slots, so ten at
    once mostly try ten different slots instead of queueing on one."""
    firsts = Counter(choose_creation_slot(never(30), NOW, HOUR, seed=seed).order[0] for seed in range(300))
    assert len(firsts) == 30 and max(firsts.values()) < 30


def test_the_same_seed_gives_the_same_order():
    taken = {0: None, 1: ago(5), 2: None, 3: None, 4: ago(HOUR * 2)}
    assert choose_creation_slot(taken, NOW, HOUR, seed=3) == choose_creation_slot(dict(reversed(taken.items())),
                                                                                  NOW, HOUR, seed=3)


def test_every_slot_is_read_up_to_the_read_bound_and_a_random_sample_beyond():
    assert slots_to_read(30, seed=1) == list(range(30))
    assert slots_to_read(MAX_SLOT_READS, seed=1) == list(range(MAX_SLOT_READS))
    huge = slots_to_read(10**12, seed=1)  # an allowance that is in effect no limit (benchmarks use one)
    assert len(huge) == len(set(huge)) == SAMPLED_SLOT_READS and all(0 <= k < 10**12 for k in huge)
    assert slots_to_read(10**12, seed=2) != huge


def test_at_the_limit_retry_after_is_when_the_oldest_slot_frees():
    choice = choose_creation_slot({0: ago(10), 1: ago(1800), 2: ago(20)}, NOW, HOUR, seed=1)
    assert choice.order == () and choice.retry_after_seconds == 1800


def test_retry_after_rounds_up_and_is_never_zero():
    assert choose_creation_slot({0: ago(HOUR - 0.2)}, NOW, HOUR, seed=1).retry_after_seconds == 1
    assert choose_creation_slot({0: ago(100.5)}, NOW, HOUR, seed=1).retry_after_seconds == HOUR - 100
    # Taken "just now" by a process whose clock runs ahead: still honest, a full hour from that moment.
    assert choose_creation_slot({0: NOW + timedelta(seconds=2)}, NOW, HOUR, seed=1).retry_after_seconds == HOUR + 2


def test_slot_documents_name_the_user_and_free_themselves_after_the_window():
    assert schema.creation_slot_id("u1", 7) == "sessions_u1_007"
    doc = schema.creation_slot_document("u1", 7, "s1", NOW)
    assert doc == {"user_id": "u1", "slot": 7, "session_id": "s1", "taken_at": NOW,
                   "expires_at": NOW + timedelta(seconds=schema.SESSION_CREATION_WINDOW_SECONDS)}
    assert slot_is_free(doc["taken_at"], doc["expires_at"], schema.SESSION_CREATION_WINDOW_SECONDS)


def test_the_unread_first_try_is_spread_over_the_whole_allowance():
    firsts = Counter(first_slot(30, seed) for seed in range(600))
    assert set(firsts) == set(range(30)) and max(firsts.values()) < 60
    assert first_slot(1, seed=9) == 0
