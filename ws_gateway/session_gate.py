"""The gateway's Firestore access (async client): reading a session and
storing a learner message, by the shared schema's rules."""

from __future__ import annotations

import logging
from typing import Any

from google.cloud import firestore

from mission_commander import schema
from mission_commander.errors import ErrorCode, SessionError

__all__ = ["SessionGate"]

log = logging.getLogger(__name__)


class SessionGate:
    def __init__(self, client: firestore.AsyncClient, agent_timeout_seconds: int, idle_seconds: int) -> None:
        self._db = client
        self._agent_timeout = agent_timeout_seconds
        self._idle = idle_seconds

    def _session(self, session_id: str) -> firestore.AsyncDocumentReference:
        return self._db.collection(schema.SESSIONS).document(session_id)

    async def get_session(self, session_id: str) -> dict[str, Any] | None:
        snap = await self._session(session_id).get()
        return snap.to_dict() if snap.exists else None

    async def add_user_turn(self, session_id: str, user_id: str, content: str,
                            connection_id: str | None = None) -> schema.UserTurnPlan:
        """Store a learner message as the session's next turn (one transaction).
        Raises SessionError when the session is not usable or the agent is busy."""
        session_ref = self._session(session_id)
        transaction = self._db.transaction()

        @firestore.async_transactional
        async def run(tx: firestore.AsyncTransaction) -> schema.UserTurnPlan:
            snap = await session_ref.get(transaction=tx)
            live = (snap.to_dict() or {}).get("connection_id") if snap.exists else None
            if connection_id and live and live != connection_id:
                raise SessionError(ErrorCode.SESSION_REPLACED)
            plan = schema.plan_user_turn(session_id, snap.to_dict() if snap.exists else None, user_id,
                                         content, schema.utc_now(), self._agent_timeout, self._idle)
            tx.create(session_ref.collection(schema.TURNS).document(plan.turn_id), plan.turn)
            tx.update(session_ref, plan.session_update)
            return plan

        return await run(transaction)

    async def claim_connection(self, session_id: str, connection_id: str) -> None:
        """Record this connection as the session's live one: an older connection
        elsewhere finds out (and is closed with 4000) when it next stores a message."""
        await self._session(session_id).update({"connection_id": connection_id})

    async def mark_delivered(self, session_id: str, seq: int) -> None:
        """Remember the last final message sent, so a client that reconnects
        without ``last_seq`` still gets whatever it missed."""
        try:
            await self._session(session_id).update({"delivered_seq": seq})
        except Exception:  # noqa: BLE001 - best effort: last_seq resumption does not need it
            log.warning("could not record delivery", exc_info=True, extra={"fields": {"session_id": session_id}})

    async def turns_after(self, session_id: str, after_seq: int) -> list[dict[str, Any]]:
        """Agent replies with a sequence above ``after_seq``, in order (for catching up)."""
        query = (self._session(session_id).collection(schema.REPLIES)
                 .where(filter=firestore.FieldFilter("seq", ">", after_seq)).order_by("seq"))
        return [snap.to_dict() async for snap in query.stream()]
