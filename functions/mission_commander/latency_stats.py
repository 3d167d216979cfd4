"""A small, bounded latency recorder with percentiles (pure)."""

from __future__ import annotations

import math
from collections import deque
from typing import Iterable

__all__ = ["LatencyWindow", "percentile", "summarize"]


def percentile(sorted_values: list[float], q: float) -> float | None:
    """The q-th percentile (0-100) by the nearest-rank method."""
    if not sorted_values:
        return None
    rank = max(1, math.ceil(q / 100 * len(sorted_values)))
    return sorted_values[min(rank, len(sorted_values)) - 1]


def summarize(values: Iterable[float]) -> dict[str, float | int | None]:
    data = sorted(values)
    return {"count": len(data), "p50": percentile(data, 50), "p95": percentile(data, 95),
            "p99": percentile(data, 99), "max": data[-1] if data else None}


class LatencyWindow:
    """The most recent ``size`` samples, in milliseconds."""

    def __init__(self, size: int = 20000) -> None:
        self._samples: deque[float] = deque(maxlen=size)

    def add(self, ms: float) -> None:
        self._samples.append(ms)

    def clear(self) -> None:
        self._samples.clear()

    def summary(self) -> dict[str, float | int | None]:
        return summarize(self._samples)

    def values(self) -> list[float]:
        return list(self._samples)
