"""Helpers for talking to the local stack the way a client would."""

from __future__ import annotations

import base64
import json
import os
import time
from unittest import mock
from typing import Any

import requests
from google.auth.credentials import AnonymousCredentials
from google.cloud import firestore
from websockets.sync.client import ClientConnection, connect

from tools.local_stack import PROJECT_ID, LocalStack

from mission_commander.interview import OfflineInterviewer
from mission_commander.store import SessionStore
from mission_commander.turn_handler import TurnHandler

GUIDE_CONVERSATION = [
    "I want to learn Python for data analysis",
    "I want to analyze business data",
    "No, I'm a complete beginner",
    "About 5 hours per week",
    "Yes, that's correct",
]


def unsigned_token(claims: dict[str, Any]) -> str:
    """A JWT like the Auth emulator's (alg none), with the claims we choose."""
    def part(data: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")
    return f"{part({'alg': 'none', 'typ': 'JWT'})}.{part(claims)}."


class StackClient:
    def __init__(self, stack: LocalStack) -> None:
        self.stack = stack
        self.http = requests.Session()
        # The client reads the emulator's address when it is built; the admin
        # ("owner") requests it then makes bypass the security rules.
        with mock.patch.dict(os.environ, {"FIRESTORE_EMULATOR_HOST": f"127.0.0.1:{stack.ports.firestore}"}):
            self.db = firestore.Client(project=PROJECT_ID, credentials=AnonymousCredentials())
        self.store = SessionStore(self.db)

    # -- auth --------------------------------------------------------------------
    def sign_up(self, email: str | None = None) -> tuple[str, str]:
        body = {"returnSecureToken": True}
        if email:
            body.update(email=email, password="correct horse battery")
        resp = self.http.post(
            f"http://127.0.0.1:{self.stack.ports.auth}/identitytoolkit.googleapis.com/v1/accounts:signUp?key=any",
            json=body, timeout=10)
        resp.raise_for_status()
        data = resp.json()
        return data["localId"], data["idToken"]

    # -- HTTP --------------------------------------------------------------------
    def create_session(self, token: str = "test-token") -> str:
        resp = self.http.post(f"{self.stack.front_url}/api/v1/sessions",
                              headers={"Authorization": f"Bearer {token}"}, timeout=30)
        assert resp.status_code == 200, resp.text
        return resp.json()["session_id"]

    # -- WebSocket -----------------------------------------------------------------
    def connect(self, session_id: str, token: str = "test-token", **kwargs: Any) -> ClientConnection:
        return connect(f"{self.stack.ws_url}?session_id={session_id}&token={token}", open_timeout=15, **kwargs)

    @staticmethod
    def recv(ws: ClientConnection, timeout: float = 20.0) -> dict[str, Any]:
        return json.loads(ws.recv(timeout=timeout))

    def say(self, ws: ClientConnection, content: str, timeout: float = 20.0) -> dict[str, Any]:
        """Send a learner message; the next frame after its ``ack`` (or the refusal, which has none)."""
        ws.send(json.dumps({"type": "user_message", "content": content}))
        first = self.recv(ws, timeout)
        if first.get("type") == "ack":
            assert isinstance(first.get("seq"), int) and first["seq"] % 2 == 1, first
            return self.recv(ws, timeout)
        return first

    # -- Firestore (admin) -----------------------------------------------------------
    def session_doc(self, session_id: str) -> dict[str, Any] | None:
        snap = self.db.collection("sessions").document(session_id).get()
        return snap.to_dict() if snap.exists else None

    def turns(self, session_id: str) -> list[dict[str, Any]]:
        """The whole conversation: learner turns and agent replies, by sequence."""
        session = self.db.collection("sessions").document(session_id)
        docs = [s.to_dict() for name in ("turns", "replies") for s in session.collection(name).stream()]
        return sorted(docs, key=lambda t: t["seq"])

    def doc(self, collection: str, doc_id: str) -> dict[str, Any] | None:
        snap = self.db.collection(collection).document(doc_id).get()
        return snap.to_dict() if snap.exists else None

    def count(self, collection: str, **equals: Any) -> int:
        query = self.db.collection(collection)
        for field, value in equals.items():
            query = query.where(filter=firestore.FieldFilter(field, "==", value))
        return len(list(query.stream()))

    def wait_for_turn(self, session_id: str, seq: int, timeout: float = 20.0) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        ref = self.db.collection("sessions").document(session_id).collection("replies").document(f"{seq:06d}")
        while time.monotonic() < deadline:
            snap = ref.get()
            if snap.exists and (snap.to_dict() or {}).get("status") == "complete":
                return snap.to_dict()
            time.sleep(0.05)
        raise AssertionError(f"turn {seq} of {session_id} never completed")

    def turn_handler(self) -> TurnHandler:
        """The trigger's own logic, to deliver an event again (as Cloud Functions may)."""
        return TurnHandler(self.store, OfflineInterviewer())
