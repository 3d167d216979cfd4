"""Firebase ID token verification (I/O edge), with local dev tokens.

Dev tokens (``DEV_AUTH_TOKENS``) exist only when :class:`Settings` accepted
them, which it does only against the emulators and a ``demo-`` project.
"""

from __future__ import annotations

import logging
import time

from firebase_admin import auth as firebase_auth

from .errors import AuthError, ErrorCode
from .firebase_app import admin_app
from .settings import Settings

__all__ = ["TokenVerifier", "bearer_token"]

log = logging.getLogger(__name__)

_CLOCK_SKEW_SECONDS = 60
_ISSUED_AT_SKEW_SECONDS = 10
"""A token minted by a client whose clock runs a little ahead is still accepted (firebase-admin allows 0 s by default)."""


def bearer_token(authorization: str | None) -> str:
    """The token of an ``Authorization: Bearer <token>`` header."""
    if not authorization or not authorization.strip():
        raise AuthError(ErrorCode.MISSING_TOKEN, "Missing token: send 'Authorization: Bearer <Firebase ID token>'")
    scheme, _, token = authorization.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise AuthError(ErrorCode.INVALID_TOKEN, "Invalid token: expected 'Authorization: Bearer <token>'")
    return token.strip()


class TokenVerifier:
    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._app = admin_app(settings)

    def verify(self, token: str | None) -> str:
        """The user id of a valid token; :class:`AuthError` otherwise."""
        if not token:
            raise AuthError(ErrorCode.MISSING_TOKEN)
        dev_uid = self._settings.dev_user(token)
        if dev_uid is not None:
            return dev_uid
        try:
            claims = firebase_auth.verify_id_token(token, app=self._app, check_revoked=self._settings.check_revoked,
                                                   clock_skew_seconds=_ISSUED_AT_SKEW_SECONDS)
        except firebase_auth.CertificateFetchError:
            log.warning("could not fetch Google's token certificates")
            raise AuthError(ErrorCode.AUTH_UNAVAILABLE) from None
        except firebase_auth.ExpiredIdTokenError:
            raise AuthError(ErrorCode.INVALID_TOKEN, "Invalid token: it has expired, refresh it") from None
        except (firebase_auth.RevokedIdTokenError, firebase_auth.UserDisabledError):
            raise AuthError(ErrorCode.INVALID_TOKEN, "Invalid token: it has been revoked") from None
        except firebase_auth.UserNotFoundError:
            raise AuthError(ErrorCode.INVALID_TOKEN, "Invalid token: no such user") from None
        except (firebase_auth.InvalidIdTokenError, ValueError) as exc:
            log.info("token rejected", extra={"fields": {"reason": type(exc).__name__}})
            raise AuthError(ErrorCode.INVALID_TOKEN) from None
        # Under the Auth emulator firebase_admin skips the signature AND the
        # expiry check; expiry is checked here too so it holds everywhere.
        exp = claims.get("exp")
        if not isinstance(exp, (int, float)) or exp + _CLOCK_SKEW_SECONDS < time.time():
            raise AuthError(ErrorCode.INVALID_TOKEN, "Invalid token: it has expired, refresh it")
        uid = claims.get("uid") or claims.get("sub")
        if not uid:
            raise AuthError(ErrorCode.INVALID_TOKEN)
        return str(uid)
