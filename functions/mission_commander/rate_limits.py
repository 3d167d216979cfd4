"""Rate limits as pure logic: a token bucket per connection, and a sliding window of slots per
user for session creation (the slots live in Firestore, one document each)."""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Callable, Mapping

__all__ = ["MAX_SLOT_READS", "MAX_SLOT_TRIES", "SAMPLED_SLOT_READS", "SlotChoice", "TokenBucket",
           "choose_creation_slot", "first_slot", "slot_is_free", "slots_to_read"]


class TokenBucket:
    """``capacity`` frames at once, refilled at ``rate`` per second."""

    def __init__(self, capacity: float, rate: float, clock: Callable[[], float]) -> None:
        self.capacity = capacity
        self.rate = rate
        self._clock = clock
        self._tokens = capacity
        self._at = clock()

    def take(self) -> bool:
        now = self._clock()
        self._tokens = min(self.capacity, self._tokens + (now - self._at) * self.rate)
        self._at = now
        if self._tokens >= 1:
            self._tokens -= 1
            return True
        return False

    def wait_seconds(self) -> float:
        """How long until the next frame would be accepted."""
        return 0.0 if self._tokens >= 1 else (1 - self._tokens) / self.rate


MAX_SLOT_TRIES = 4
"""Free slots one request tries before it reads the slots again (it reads again only if others took
every one of them in the meantime)."""
MAX_SLOT_READS = 500
"""Allowances up to this are exact: a request reads every slot (by key, in one call)."""
SAMPLED_SLOT_READS = 64
"""Beyond that (an allowance that is in effect no limit), a request reads this many slots at random."""


@dataclass(frozen=True)
class SlotChoice:
    """Where one session creation may go: free slots to try, in order, or none."""

    order: tuple[int, ...]
    """Free slot numbers to try, in this order (empty: the user is at the limit)."""
    retry_after_seconds: int = 0
    """With no free slot: whole seconds until the oldest taken slot frees (at least 1)."""


def slot_is_free(taken_at: datetime | None, now: datetime, window_seconds: int) -> bool:
    """A slot is free when it was never taken, or was taken a whole window ago or more."""
    return taken_at is None or now - taken_at >= timedelta(seconds=window_seconds)


def slots_to_read(allowance: int, seed: int) -> list[int]:
    """The slot numbers a request reads: every one up to :data:`MAX_SLOT_READS`, else
    :data:`SAMPLED_SLOT_READS` drawn at random (near such an allowance, a request may be refused while
    a few unread slots are still free)."""
    if allowance <= MAX_SLOT_READS:
        return list(range(allowance))
    return random.Random(seed).sample(range(allowance), SAMPLED_SLOT_READS)


def first_slot(allowance: int, seed: int) -> int:
    """The slot a request tries first, before reading any: drawn at random (concurrent requests
    rarely draw the same one)."""
    return random.Random(seed).randrange(allowance)


def choose_creation_slot(taken_at: Mapping[int, datetime | None], now: datetime, window_seconds: int,
                         seed: int, tries: int = MAX_SLOT_TRIES) -> SlotChoice:
    """A user's allowance is numbered slots, each holding when it was last taken; ``taken_at`` has
    the slots read (``None``: never taken). A creation takes one free slot, so no more creations than
    slots fall in any ``window_seconds``: a sliding window, with no shared counter to contend on.

    Concurrent requests try free slots in different orders (shuffled with ``seed``), so they rarely
    collide; one that loses a slot to another moves to its next. With none free, the answer is how
    long until the oldest slot frees: the honest ``Retry-After``."""
    free = [k for k, taken in sorted(taken_at.items()) if slot_is_free(taken, now, window_seconds)]
    if free:
        random.Random(seed).shuffle(free)
        return SlotChoice(tuple(free[:tries]))
    oldest = min((t for t in taken_at.values() if t is not None), default=now)
    wait = (oldest + timedelta(seconds=window_seconds) - now).total_seconds()
    return SlotChoice((), max(1, math.ceil(wait)))
