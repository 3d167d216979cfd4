"""Firestore edge of mission progress (the rules live in :mod:`.progress`).

Each change is optimistic: read the enrollment, compute the new fields, write them with a
precondition on the version read (``last_update_time``); if another tab wrote in between, read
again and recompute. No transaction lock is held, so many concurrent ticks neither wait on a lock
nor time out, and none is lost.
"""

from __future__ import annotations

import random
import time
from datetime import datetime
from typing import Any, Callable, Mapping

from google.api_core import exceptions as gexc
from google.cloud import firestore

from . import schema
from .errors import ErrorCode, MissionCommanderError, RateLimitError

__all__ = ["ProgressStore"]

Update = Callable[[Mapping[str, Any], int, datetime], dict[str, Any]]

_ATTEMPTS = 40


class ProgressStore:
    def __init__(self, client: firestore.Client) -> None:
        self._db = client

    def change(self, user_id: str, enrollment_id: str, update: Update, now: datetime) -> tuple[dict[str, Any], int]:
        """Apply ``update(enrollment, checkpoint_count, now)`` to the caller's own enrollment.
        Returns the enrollment as written and its mission's checkpoint count."""
        enrollment_ref = self._db.collection(schema.ENROLLMENTS).document(enrollment_id)
        total: int | None = None
        for attempt in range(_ATTEMPTS):
            snap = enrollment_ref.get()
            enrollment = snap.to_dict() if snap.exists else None
            if not enrollment or enrollment.get("user_id") != user_id:
                # Someone else's enrollment is reported as missing: its existence is not disclosed.
                raise MissionCommanderError(ErrorCode.NOT_FOUND, "Enrollment not found")
            if total is None:
                mission = self._db.collection(schema.MISSIONS).document(str(enrollment.get("mission_id"))).get()
                if not mission.exists:
                    raise MissionCommanderError(ErrorCode.NOT_FOUND, "Mission not found")
                total = len((mission.to_dict() or {}).get("byte_size_checkpoints") or [])
            changes = update(enrollment, total, now)
            try:
                enrollment_ref.update(changes, option=self._db.write_option(last_update_time=snap.update_time))
            except (gexc.FailedPrecondition, gexc.Aborted):
                time.sleep(random.uniform(0, 0.01 * (attempt + 1)))  # another change won: read it, try again
                continue
            return {**enrollment, **changes}, total
        raise RateLimitError(1, "Too many changes to this enrollment at once: try again")
