"""The gateway's Firestore access (async client): reading a session, storing a
learner message, claiming the live connection, recording deliveries. Every
write here is a plain write or a batch: no read-write transaction, so a
process killed at any instant leaves no lock behind."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from google.api_core import exceptions as gexc
from google.cloud import firestore

from mission_commander import schema
from mission_commander.store import user_turn_batch

__all__ = ["SessionGate", "TurnConflict"]

log = logging.getLogger(__name__)

RECORD_ATTEMPTS = 3


class TurnConflict(Exception):
    """Another writer stored a turn with this sequence first."""


class SessionGate:
    def __init__(self, client: firestore.AsyncClient) -> None:
        self._db = client

    def _session(self, session_id: str) -> firestore.AsyncDocumentReference:
        return self._db.collection(schema.SESSIONS).document(session_id)

    def _inbox(self, gateway_id: str) -> firestore.AsyncCollectionReference:
        return self._db.collection(schema.GATEWAYS).document(gateway_id).collection(schema.INBOX)

    async def get_session(self, session_id: str) -> dict[str, Any] | None:
        snap = await self._session(session_id).get()
        return snap.to_dict() if snap.exists else None

    async def store_turn(self, session_id: str, plan: schema.UserTurnPlan) -> None:
        """Store a planned learner turn (one atomic batch). Raises TurnConflict if the sequence is taken."""
        try:
            await user_turn_batch(self._db, session_id, plan).commit()
        except gexc.AlreadyExists:
            raise TurnConflict(plan.seq) from None

    async def claim(self, session_id: str, gateway_id: str, connection_id: str,
                    previous: dict[str, Any]) -> None:
        """Make this connection the session's live one. If the previous holder was another
        process, tell it through its inbox (it closes the older connection at once)."""
        batch = self._db.batch()
        batch.update(self._session(session_id), schema.connection_claim(gateway_id, connection_id, schema.utc_now()))
        old_gateway, old_connection = previous.get("gateway_id"), previous.get("connection_id")
        if old_gateway and old_connection and old_gateway != gateway_id:
            doc_id, doc = schema.inbox_replace_document(session_id, old_connection, schema.utc_now())
            batch.set(self._inbox(old_gateway).document(doc_id), doc)
        await batch.commit()

    async def record_delivery(self, session_id: str, seq: int) -> bool:
        """``delivered_seq`` = ``seq`` (before the frame is sent). False if it could not be written."""
        for attempt in range(RECORD_ATTEMPTS):
            try:
                await self._session(session_id).update(schema.delivery_record(seq, schema.utc_now()))
                return True
            except (gexc.NotFound, gexc.InvalidArgument):
                return False
            except Exception:  # noqa: BLE001 - transient: try again shortly
                log.warning("could not record delivery", exc_info=attempt == RECORD_ATTEMPTS - 1,
                            extra={"fields": {"session_id": session_id, "seq": seq}})
                await asyncio.sleep(0.05 * (attempt + 1))
        await asyncio.sleep(1.0)  # the core asks again: back off meanwhile
        return False

    async def replies_after(self, session_id: str, after_seq: int) -> list[dict[str, Any]]:
        """Agent replies with a sequence above ``after_seq``, in order (for catching up)."""
        query = (self._session(session_id).collection(schema.REPLIES)
                 .where(filter=firestore.FieldFilter("seq", ">", after_seq)).order_by("seq"))
        return [snap.to_dict() async for snap in query.stream()]

    async def put_inbox(self, gateway_id: str, doc_id: str, doc: dict[str, Any]) -> None:
        await self._inbox(gateway_id).document(doc_id).set(doc)

    async def delete_inbox(self, gateway_id: str, doc_ids: list[str]) -> None:
        """Remove relayed inbox documents (its listener's result set stays only the undelivered)."""
        inbox = self._inbox(gateway_id)
        for start in range(0, len(doc_ids), 400):
            batch = self._db.batch()
            for doc_id in doc_ids[start:start + 400]:
                batch.delete(inbox.document(doc_id))
            await batch.commit()

    async def turn_exists(self, session_id: str, plan: schema.UserTurnPlan) -> bool:
        """Whether a write whose outcome is unknown stored this very turn."""
        try:
            snap = await self._session(session_id).collection(schema.TURNS).document(plan.turn_id).get()
        except Exception:  # noqa: BLE001 - cannot tell: report it as not stored (the learner resends)
            return False
        data = snap.to_dict() if snap.exists else None
        return bool(data) and data.get("content") == plan.turn["content"] and data.get("user_id") == plan.turn["user_id"]
