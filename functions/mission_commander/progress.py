"""Following a mission: the pure rules for an enrollment's progress (no I/O).

A learner ticks or unticks checkpoints (by their index in the mission's
``byte_size_checkpoints``) and presses Start mission. Each change is computed
here from the enrollment as read, inside the store's transaction, so two tabs
ticking at once both count. ``progress`` is the share of ticked checkpoints
(0.0-1.0, as in the guide); ``completed`` is true once every one is ticked.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Mapping

from .errors import ErrorCode, MissionCommanderError
from .schema import iso_utc

__all__ = ["ProgressChange", "checkpoint_update", "progress_view", "start_update"]


@dataclass(frozen=True)
class ProgressChange:
    """Tick (``done=True``) or untick checkpoint ``index``; or ``start`` the mission."""

    index: int | None = None
    done: bool = True
    start: bool = False


def _ticked(enrollment: Mapping[str, Any], total: int) -> set[int]:
    raw = enrollment.get("completed_checkpoints") or []
    return {i for i in raw if isinstance(i, int) and 0 <= i < total}


def _summary(ticked: set[int], total: int, now: datetime) -> dict[str, Any]:
    stamp = iso_utc(now)
    return {
        "completed_checkpoints": sorted(ticked),
        "progress": round(len(ticked) / total, 4) if total else 0.0,
        "completed": bool(total) and len(ticked) == total,
        "last_accessed_at": stamp,
        "updated_at": stamp,
    }


def checkpoint_update(enrollment: Mapping[str, Any], total: int, index: int, done: bool,
                      now: datetime) -> dict[str, Any]:
    """The enrollment fields after ticking (or unticking) checkpoint ``index`` of ``total``."""
    if not isinstance(index, int) or isinstance(index, bool) or not 0 <= index < total:
        raise MissionCommanderError(ErrorCode.NOT_FOUND, f"No checkpoint {index}: this mission has {total}")
    ticked = _ticked(enrollment, total)
    if done:
        ticked.add(index)
    else:
        ticked.discard(index)
    update = _summary(ticked, total, now)
    if not enrollment.get("started_at"):
        update["started_at"] = update["updated_at"]  # ticking a checkpoint starts the mission too
    return update


def start_update(enrollment: Mapping[str, Any], total: int, now: datetime) -> dict[str, Any]:
    """The enrollment fields after Start mission (the first start is kept)."""
    update = _summary(_ticked(enrollment, total), total, now)
    update["started_at"] = enrollment.get("started_at") or update["updated_at"]
    return update


def progress_view(enrollment: Mapping[str, Any], total: int) -> dict[str, Any]:
    """What the API answers: the enrollment's progress fields, and the first open checkpoint."""
    ticked = _ticked(enrollment, total)
    open_ones = [i for i in range(total) if i not in ticked]
    return {
        "id": enrollment.get("id"),
        "progress": enrollment.get("progress", 0.0),
        "completed": bool(enrollment.get("completed")),
        "completed_checkpoints": sorted(ticked),
        "started_at": enrollment.get("started_at"),
        "last_accessed_at": enrollment.get("last_accessed_at"),
        "updated_at": enrollment.get("updated_at"),
        "next_checkpoint": open_ones[0] if open_ones else None,
    }
