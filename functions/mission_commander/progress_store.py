"""Firestore edge of mission progress: one transaction per change (the rules live in :mod:`.progress`)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Callable, Mapping

from google.cloud import firestore

from . import schema
from .errors import ErrorCode, MissionCommanderError

__all__ = ["ProgressStore"]

Update = Callable[[Mapping[str, Any], int, datetime], dict[str, Any]]


class ProgressStore:
    def __init__(self, client: firestore.Client) -> None:
        self._db = client

    def change(self, user_id: str, enrollment_id: str, update: Update, now: datetime) -> tuple[dict[str, Any], int]:
        """Apply ``update(enrollment, checkpoint_count, now)`` to the caller's own enrollment in a
        transaction (a concurrent change is retried on top of this one, so none is lost).
        Returns the enrollment as written and its mission's checkpoint count."""
        enrollment_ref = self._db.collection(schema.ENROLLMENTS).document(enrollment_id)
        transaction = self._db.transaction(max_attempts=10)

        @firestore.transactional
        def run(tx: firestore.Transaction) -> tuple[dict[str, Any], int]:
            snap = enrollment_ref.get(transaction=tx)
            enrollment = snap.to_dict() if snap.exists else None
            if not enrollment or enrollment.get("user_id") != user_id:
                # Someone else's enrollment is reported as missing: its existence is not disclosed.
                raise MissionCommanderError(ErrorCode.NOT_FOUND, "Enrollment not found")
            mission = self._db.collection(schema.MISSIONS).document(str(enrollment.get("mission_id"))).get(
                transaction=tx)
            if not mission.exists:
                raise MissionCommanderError(ErrorCode.NOT_FOUND, "Mission not found")
            total = len((mission.to_dict() or {}).get("byte_size_checkpoints") or [])
            changes = update(enrollment, total, now)
            tx.update(enrollment_ref, changes)
            return {**enrollment, **changes}, total

        return run(transaction)
