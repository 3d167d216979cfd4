"""Rate limits as pure logic: a token bucket per connection, and a fixed
window per user for session creation (its state lives in Firestore)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Callable, Mapping

__all__ = ["TokenBucket", "WindowDecision", "session_creation_window"]


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
class WindowDecision:
    allowed: bool
    document: dict[str, Any]
    """The counter document to write back (unchanged when refused)."""
    retry_after_seconds: int = 0


def session_creation_window(doc: Mapping[str, Any] | None, now: datetime, limit: int,
                            window_seconds: int) -> WindowDecision:
    """Allow at most ``limit`` creations per ``window_seconds`` (a fixed window)."""
    start = (doc or {}).get("window_start")
    count = int((doc or {}).get("count") or 0)
    window = timedelta(seconds=window_seconds)
    if not isinstance(start, datetime) or now - start >= window:
        return WindowDecision(True, {"window_start": now, "count": 1})
    if count >= limit:
        retry = math.ceil((start + window - now).total_seconds())
        return WindowDecision(False, dict(doc or {}), max(1, retry))
    return WindowDecision(True, {"window_start": start, "count": count + 1})
