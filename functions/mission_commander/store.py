"""Firestore persistence for the functions (sync client). The document shapes
come from :mod:`.schema`; this module only reads and writes them."""

from __future__ import annotations

import dataclasses
import logging
import secrets
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from google.api_core import exceptions as gexc
from google.cloud import firestore
from google.cloud.firestore_v1.base_query import FieldFilter

from . import schema
from .agent import ChatEntry
from .errors import RateLimitError
from .rate_limits import MAX_SLOT_READS, choose_creation_slot, first_slot, slots_to_read
from .mission_plan import MissionDraft
from .profile import LearnerProfile
from .schema import TurnKind, TurnRole, TurnStatus

__all__ = ["Claim", "SessionStore", "user_turn_batch"]

log = logging.getLogger(__name__)


def user_turn_batch(db: Any, session_id: str, plan: schema.UserTurnPlan) -> Any:
    """The one way a learner message is stored (gateway, tools, tests, benchmarks): the turn's
    ``create`` and the session's update in one atomic batch. No read, no transaction, so no lock
    outlives a process that dies mid-write; the ``create`` fails (AlreadyExists) when another
    writer took that sequence. Works with the sync and the async client (commit or await commit)."""
    session_ref = db.collection(schema.SESSIONS).document(session_id)
    batch = db.batch()
    batch.create(session_ref.collection(schema.TURNS).document(plan.turn_id), plan.turn)
    batch.update(session_ref, plan.session_update)
    return batch


@dataclass(frozen=True)
class Claim:
    """The right to write one reply: only the holder may complete it."""

    session_id: str
    user_id: str
    user_seq: int
    token: str
    profile: dict[str, Any]
    """The session's stored profile, as stored (the agent parses it)."""
    holder: str | None = None
    """The gateway process holding the session's live connection when the reply was claimed."""


# Each turn reads two things in parallel; a trigger instance runs up to TURN_CONCURRENCY (20) turns.
_READS = ThreadPoolExecutor(max_workers=40, thread_name_prefix="firestore-read")


def _conversation(docs: list[dict[str, Any]]) -> list[ChatEntry]:
    """Learner turns and replies merged by seq, oldest first, without failed exchanges."""
    turns = sorted(docs, key=lambda t: t["seq"])
    failed = {t["seq"] for t in turns if t.get("kind") == TurnKind.ERROR.value}
    out = []
    for t in turns:
        if t.get("status") != TurnStatus.COMPLETE.value or t.get("kind") == TurnKind.ERROR.value:
            continue
        if t.get("role") == TurnRole.USER.value and schema.reply_seq(t["seq"]) in failed:
            continue
        out.append(ChatEntry(role=t["role"], text=t.get("content") or ""))
    return out


class SessionStore:
    def __init__(self, client: firestore.Client) -> None:
        self._db = client

    def _session(self, session_id: str) -> firestore.DocumentReference:
        return self._db.collection(schema.SESSIONS).document(session_id)

    def _turn(self, session_id: str, seq: int) -> firestore.DocumentReference:
        return self._session(session_id).collection(schema.TURNS).document(schema.turn_id(seq))

    def _reply(self, session_id: str, seq: int) -> firestore.DocumentReference:
        return self._session(session_id).collection(schema.REPLIES).document(schema.turn_id(seq))

    def create_session(self, user_id: str, now: datetime, ttl_seconds: int,
                       creations_per_hour: int | None = None) -> str:
        """A new session for ``user_id``; at most ``creations_per_hour`` per user in any hour
        (RateLimitError beyond, with the seconds until the oldest of them is an hour old).

        The allowance is one slot document per creation (:func:`choose_creation_slot`). A creation
        is one batch: the slot's write, with a precondition (``create``, or an update only if the slot
        is unchanged since read), plus the session's ``create``. No transaction, so no lock: requests
        that race for a slot lose only that write and try another free one. A user holding few
        slots usually needs one write and no read."""
        ref = self._db.collection(schema.SESSIONS).document(secrets.token_hex(12))
        session = schema.new_session(user_id, now, ttl_seconds)
        if creations_per_hour is None:
            ref.create(session)
            return ref.id
        # First, one slot drawn at random, unread: a slot never taken is free, and most users hold
        # few. If it exists, read the slots and take a free one.
        if self._take_slot(user_id, first_slot(creations_per_hour, secrets.randbits(32)), None, ref, session, now):
            return ref.id
        # Each round either takes a slot or finds every slot it tried taken by others since it read,
        # so the free slots shrink each round and the loop ends within the slots read + 1 rounds.
        for _ in range(min(creations_per_hour, MAX_SLOT_READS) + 1):
            slots = self._creation_slots(user_id, slots_to_read(creations_per_hour, secrets.randbits(32)))
            choice = choose_creation_slot({k: taken for k, (_, taken) in slots.items()}, now,
                                          schema.SESSION_CREATION_WINDOW_SECONDS, seed=secrets.randbits(32))
            if not choice.order:
                raise RateLimitError(choice.retry_after_seconds,
                                     f"Too many sessions created: try again in {choice.retry_after_seconds} s")
            if any(self._take_slot(user_id, k, slots[k][0], ref, session, now) for k in choice.order):
                return ref.id
        raise RateLimitError(1, "Too many sessions created at once: try again in 1 s")

    def _take_slot(self, user_id: str, slot: int, update_time: Any, ref: firestore.DocumentReference,
                   session: dict[str, Any], now: datetime) -> bool:
        """Take ``slot`` and create the session, in one batch; False if another request has the slot.
        ``update_time`` None: the slot must not exist (``create``); else it must be unchanged since
        it was read with that update time (it was taken over an hour ago)."""
        slot_ref = self._db.collection(schema.RATE_LIMITS).document(schema.creation_slot_id(user_id, slot))
        slot_doc = schema.creation_slot_document(user_id, slot, ref.id, now)
        batch = self._db.batch()
        if update_time is None:
            batch.create(slot_ref, slot_doc)
        else:
            batch.update(slot_ref, slot_doc, option=self._db.write_option(last_update_time=update_time))
        batch.create(ref, session)
        try:
            batch.commit()
            return True
        except (gexc.AlreadyExists, gexc.FailedPrecondition):
            return False

    def _creation_slots(self, user_id: str, numbers: list[int]) -> dict[int, tuple[Any, datetime | None]]:
        """The given slots of a user, read by key in one call: number -> (update time, taken_at), both
        ``None`` for a slot never taken. (Key reads cost the same however many slots other users hold.)"""
        refs = {self._db.collection(schema.RATE_LIMITS).document(schema.creation_slot_id(user_id, k)).path: k
                for k in numbers}
        slots: dict[int, tuple[Any, datetime | None]] = {k: (None, None) for k in numbers}
        for snap in self._db.get_all([self._db.document(path) for path in refs]):
            if snap.exists:
                slots[refs[snap.reference.path]] = (snap.update_time, (snap.to_dict() or {}).get("taken_at"))
        return slots

    def add_user_turn(self, session_id: str, user_id: str, content: str, now: datetime,
                      agent_timeout_seconds: int) -> schema.UserTurnPlan:
        """Store a learner message by the gateway's rules and its write path (for tools and tests)."""
        snap = self._session(session_id).get()
        plan = schema.plan_user_turn(session_id, snap.to_dict() if snap.exists else None, user_id,
                                     content, now, agent_timeout_seconds)
        user_turn_batch(self._db, session_id, plan).commit()
        return plan

    def claim_reply(self, session_id: str, user_turn: dict[str, Any], now: datetime,
                    agent: str, lease_seconds: int) -> Claim | None:
        """Reserve the reply to ``user_turn``; ``None`` when it is already
        answered or being answered (a duplicate event). The claim is the reply's
        ``create`` (one write, no transaction); only a reply left pending past its
        lease (a crashed run) is taken over, in a transaction."""
        user_seq = int(user_turn["seq"])
        reply_ref = self._reply(session_id, schema.reply_seq(user_seq))
        token = secrets.token_hex(8)
        claim = Claim(session_id=session_id, user_id=user_turn["user_id"], user_seq=user_seq, token=token,
                      profile={})
        doc = schema.reply_document(session_id, user_turn["user_id"], user_seq, now, agent=agent, claim=token)
        try:
            reply_ref.create(doc)
            return claim
        except gexc.AlreadyExists:
            pass
        transaction = self._db.transaction(max_attempts=10)

        @firestore.transactional
        def take_over(tx: firestore.Transaction) -> Claim | None:
            reply_snap = reply_ref.get(transaction=tx)
            reply = reply_snap.to_dict() or {}
            stale = (reply.get("status") == TurnStatus.PENDING.value
                     and reply.get("updated_at") is not None
                     and now - reply["updated_at"] > timedelta(seconds=lease_seconds))
            if not stale:
                return None
            tx.set(reply_ref, doc)
            return claim

        try:
            return take_over(transaction)
        except (ValueError, gexc.Aborted):
            # Still contended after every retry: another delivery of this event
            # holds the reply's lock and is answering it.
            log.warning("reply claim contended; leaving it to the other delivery",
                        extra={"fields": {"session_id": session_id, "seq": user_seq}})
            return None

    def turn_context(self, claim: Claim) -> tuple[Claim, list[ChatEntry]] | None:
        """What the agent needs, read in parallel (one round trip): the session's profile and live
        holder, and the conversation so far. ``None`` if the session is gone."""
        before = claim.user_seq
        futures = [_READS.submit(self._session(claim.session_id).get)] + [
            _READS.submit(lambda name=name: list(self._session(claim.session_id).collection(name)
                                                 .where(filter=FieldFilter("seq", "<", before)).stream()))
            for name in (schema.TURNS, schema.REPLIES)]
        session_snap, turns, replies = (f.result() for f in futures)
        if not session_snap.exists:
            return None
        session = session_snap.to_dict() or {}
        claim = dataclasses.replace(claim, profile=dict(session.get("profile") or {}), holder=session.get("gateway_id"))
        return claim, _conversation([s.to_dict() for s in turns + replies])

    def history(self, session_id: str, before_seq: int) -> list[ChatEntry]:
        """The conversation before ``before_seq``, oldest first, without failed exchanges."""
        return _conversation([snap.to_dict() for name in (schema.TURNS, schema.REPLIES)
                              for snap in self._session(session_id).collection(name)
                              .where(filter=FieldFilter("seq", "<", before_seq)).stream()])

    def write_partial(self, claim: Claim, text: str, now: datetime) -> None:
        """The reply's text so far, on the reply itself (for a client that reconnects mid-reply; also
        renews the claim's lease). Callers keep this under one write per second per reply."""
        self._reply(claim.session_id, schema.reply_seq(claim.user_seq)).update({"content": text, "updated_at": now})

    def holder(self, session_id: str) -> str | None:
        """The gateway process holding the session's live connection now."""
        snap = self._session(session_id).get(field_paths=["gateway_id"])
        return (snap.to_dict() or {}).get("gateway_id") if snap.exists else None

    def send_chunk(self, holder: str, claim: Claim, chunk: int, text: str, now: datetime) -> None:
        """One streaming chunk (the text so far) to the holder's inbox: a new document, written once."""
        doc_id, doc = schema.inbox_delta_document(claim.session_id, schema.reply_seq(claim.user_seq), chunk,
                                                  text, now)
        self._inbox(holder).document(doc_id).set(doc)

    def _inbox(self, gateway_id: str) -> firestore.CollectionReference:
        return self._db.collection(schema.GATEWAYS).document(gateway_id).collection(schema.INBOX)

    def complete_reply(self, claim: Claim, now: datetime, *, kind: TurnKind, content: str,
                       profile: LearnerProfile | None = None, draft: MissionDraft | None = None,
                       extra: dict[str, Any] | None = None) -> dict[str, Any] | None:
        """Write the final reply (and, with ``draft``, the mission, the enrollment
        and the session's completion) in one transaction. ``None`` if the claim was lost."""
        reply_ref = self._reply(claim.session_id, schema.reply_seq(claim.user_seq))
        session_ref = self._session(claim.session_id)
        transaction = self._db.transaction()

        @firestore.transactional
        def run(tx: firestore.Transaction) -> dict[str, Any] | None:
            snaps = {snap.reference.path: snap for snap in tx.get_all([reply_ref, session_ref])}
            reply_snap, session_snap = snaps[reply_ref.path], snaps[session_ref.path]
            reply = reply_snap.to_dict() if reply_snap.exists else None
            if not reply or reply.get("claim") != claim.token or reply.get("status") != TurnStatus.PENDING.value:
                return None
            session = session_snap.to_dict() or {}
            update: dict[str, Any] = {"kind": kind.value, "status": TurnStatus.COMPLETE.value,
                                      "content": content, "updated_at": now, **(extra or {})}
            session_update: dict[str, Any] = {"updated_at": now}
            if session.get("pending_turn") == schema.turn_id(claim.user_seq):
                session_update.update(pending_turn=None, pending_since=None)
            if profile is not None:
                session_update["profile"] = profile.to_dict()
            if draft is not None:
                mission_id = schema.mission_id_for(claim.session_id)
                mission = schema.mission_document(mission_id, draft, claim.user_id, now)
                enrollment = schema.enrollment_document(mission_id, claim.user_id, now)
                tx.create(self._db.collection(schema.MISSIONS).document(mission_id), mission)
                tx.create(self._db.collection(schema.ENROLLMENTS).document(enrollment["id"]), enrollment)
                update.update(mission=mission, enrollment=enrollment)
                session_update.update(status=schema.SessionStatus.COMPLETED.value, mission_id=mission_id)
            tx.update(reply_ref, update)
            tx.update(session_ref, session_update)
            holder = session.get("gateway_id")
            if holder:  # routed to the process holding the live connection (read in this transaction)
                inbox_id, inbox_doc = schema.inbox_reply_document({**reply, **update}, now)
                tx.set(self._inbox(holder).document(inbox_id), inbox_doc)
            return {**reply, **update}

        try:
            return run(transaction)
        except gexc.AlreadyExists:
            return None
