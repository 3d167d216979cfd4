"""Firebase Admin app and Firestore clients for this process (I/O edge).

Under the emulators the app gets anonymous credentials (the default ones fail
there, even though nothing is checked); in production, Application Default
Credentials. A named app keeps us independent of the one the Functions SDK
may create for itself.
"""

from __future__ import annotations

import functools
import threading

import firebase_admin
from firebase_admin import credentials
from google.auth.credentials import AnonymousCredentials
from google.cloud import firestore

from .settings import Settings

__all__ = ["admin_app", "firestore_client", "async_firestore_client"]

_APP_NAME = "mission-commander"
_lock = threading.Lock()


class _EmulatorCredential(credentials.Base):
    def get_credential(self):  # noqa: D401 - firebase_admin's interface
        return AnonymousCredentials()


def admin_app(settings: Settings) -> firebase_admin.App:
    with _lock:
        try:
            return firebase_admin.get_app(_APP_NAME)
        except ValueError:
            cred = _EmulatorCredential() if settings.uses_emulators else credentials.ApplicationDefault()
            return firebase_admin.initialize_app(cred, {"projectId": settings.project_id}, name=_APP_NAME)


def _credentials(settings: Settings):
    return AnonymousCredentials() if settings.firestore_emulator_host else None


@functools.cache
def firestore_client(settings: Settings) -> firestore.Client:
    return firestore.Client(project=settings.project_id, credentials=_credentials(settings))


def async_firestore_client(settings: Settings) -> firestore.AsyncClient:
    """A new async client (bind it to the event loop that uses it)."""
    return firestore.AsyncClient(project=settings.project_id, credentials=_credentials(settings))
