"""Rate limits as pure logic: a token bucket per connection, and a sliding window of slots per
user for session creation (the slots live in Firestore, one document each)."""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Callable, Sequence

__all__ = ["SlotChoice", "TokenBucket", "choose_creation_slot", "slot_is_free"]


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


@dataclass(frozen=True)
class SlotChoice:
    """Where one session creation may go: the free slots to try, in order, or none."""

    order: tuple[int, ...]
    """Free slot numbers to try, in this order (empty: the user is at the limit)."""
    retry_after_seconds: int = 0
    """With no free slot: whole seconds until the oldest taken slot frees (at least 1)."""


def slot_is_free(taken_at: datetime | None, now: datetime, window_seconds: int) -> bool:
    """A slot is free when it was never taken, or was taken a whole window ago or more."""
    return taken_at is None or now - taken_at >= timedelta(seconds=window_seconds)


def choose_creation_slot(taken_at: Sequence[datetime | None], now: datetime, window_seconds: int,
                         seed: int) -> SlotChoice:
    """The hourly allowance is ``len(taken_at)`` slots, each holding the moment it was last taken
    (``None``: never). A creation takes one free slot, so no more than ``len(taken_at)`` creations
    fall in any ``window_seconds``: a sliding window, with no shared counter to contend on.

    Concurrent requests try the free slots in different orders (shuffled by ``seed``), so they
    rarely collide; one that loses a slot to another moves to its next. With none free, the
    answer is how long until the oldest slot frees: the honest ``Retry-After``."""
    free = [k for k, taken in enumerate(taken_at) if slot_is_free(taken, now, window_seconds)]
    if free:
        random.Random(seed).shuffle(free)
        return SlotChoice(tuple(free))
    oldest = min(t for t in taken_at if t is not None) if taken_at else now
    wait = (oldest + timedelta(seconds=window_seconds) - now).total_seconds()
    return SlotChoice((), max(1, math.ceil(wait)))
