"""A local stand-in for the Google endpoints that production ID-token checks call, so that
firebase-admin's real verification (signatures included, which the Auth emulator skips) runs
offline. No Google endpoint is reachable here.

It holds an RSA signing key and serves, on 127.0.0.1:

* ``GET /certs``: ``{kid: PEM X.509 certificate}``, the format of Google's
  ``securetoken@system.gserviceaccount.com`` certificate endpoint, with its caching header;
* ``POST /token``: an OAuth 2.0 token endpoint for a service account's signed assertion (what
  Application Default Credentials call before any Admin API request);
* ``POST /v1/projects/{project}/accounts:lookup``: the Identity Toolkit user lookup that
  ``check_revoked`` makes (``users`` holds the records: ``disabled``, ``validSince``).

``mint`` makes ID tokens the way Firebase Auth does (RS256, ``kid`` header, Firebase claims).
Tests point firebase-admin at this server by patching its two URL constants in the test process.
"""

from __future__ import annotations

import base64
import datetime
import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from google.auth import crypt, jwt

__all__ = ["FakeGoogleAuth", "SigningKey", "b64url"]


def b64url(data: bytes | dict[str, Any]) -> str:
    raw = json.dumps(data).encode() if isinstance(data, dict) else data
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


@dataclass(frozen=True)
class SigningKey:
    """An RSA key with its key id and a self-signed certificate (PEM), as Google publishes them."""

    kid: str
    private_pem: bytes = field(repr=False)
    cert_pem: str

    @classmethod
    def generate(cls, kid: str | None = None) -> "SigningKey":
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "securetoken.system.gserviceaccount.com")])
        now = datetime.datetime.now(datetime.timezone.utc)
        cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
                .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(days=1))
                .not_valid_after(now + datetime.timedelta(days=2)).sign(key, hashes.SHA256()))
        private_pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                        serialization.NoEncryption())
        return cls(kid or secrets.token_hex(20), private_pem, cert.public_bytes(serialization.Encoding.PEM).decode())

    def sign(self, claims: dict[str, Any], header: dict[str, Any] | None = None) -> str:
        """An RS256 JWT with this key (``kid`` in the header unless ``header`` says otherwise)."""
        signer = crypt.RSASigner.from_string(self.private_pem, key_id=self.kid)
        return jwt.encode(signer, claims, header=header).decode()


class FakeGoogleAuth:
    def __init__(self, project_id: str) -> None:
        self.project_id = project_id
        self.key = SigningKey.generate()
        self.users: dict[str, dict[str, Any]] = {}
        """uid -> the user record accounts:lookup returns (``localId``, ``disabled``, ``validSince``)."""
        self.requests: list[tuple[str, str]] = []
        self._lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:  # quiet
                pass

            def do_GET(self) -> None:  # noqa: N802
                fake._record("GET", self.path)
                if self.path == "/certs":
                    fake._send(self, 200, {fake.key.kid: fake.key.cert_pem},
                               {"Cache-Control": "public, max-age=19800, must-revalidate, no-transform"})
                else:
                    fake._send(self, 404, {"error": "not found"})

            def do_POST(self) -> None:  # noqa: N802
                fake._record("POST", self.path)
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if self.path == "/token":
                    fake._send(self, 200, {"access_token": "local-" + secrets.token_hex(8), "expires_in": 3600,
                                           "token_type": "Bearer"})
                elif self.path == f"/v1/projects/{fake.project_id}/accounts:lookup":
                    if not (self.headers.get("Authorization") or "").startswith("Bearer local-"):
                        fake._send(self, 401, {"error": {"code": 401, "message": "UNAUTHENTICATED"}})
                        return
                    wanted = json.loads(body or b"{}").get("localId") or []
                    found = [fake.users[uid] for uid in wanted if uid in fake.users]
                    fake._send(self, 200, {"kind": "identitytoolkit#GetAccountInfoResponse",
                                           **({"users": found} if found else {})})
                else:
                    fake._send(self, 404, {"error": "not found"})

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def start(self) -> "FakeGoogleAuth":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _record(self, method: str, path: str) -> None:
        with self._lock:
            self.requests.append((method, path))

    def count(self, method: str, path: str) -> int:
        with self._lock:
            return sum(1 for r in self.requests if r == (method, path))

    @staticmethod
    def _send(handler: BaseHTTPRequestHandler, status: int, body: dict[str, Any],
              headers: dict[str, str] | None = None) -> None:
        data = json.dumps(body).encode()
        handler.send_response(status)
        handler.send_header("Content-Type", "application/json; charset=UTF-8")
        handler.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            handler.send_header(name, value)
        handler.end_headers()
        handler.wfile.write(data)

    # -- users and tokens ------------------------------------------------------------------
    def add_user(self, uid: str, *, disabled: bool = False, valid_since: int | None = None) -> None:
        self.users[uid] = {"localId": uid, "disabled": disabled,
                           "validSince": str(valid_since if valid_since is not None else int(time.time()) - 3600)}

    def claims(self, uid: str, **changes: Any) -> dict[str, Any]:
        """The claims of a Firebase ID token for ``uid`` in this project, issued now."""
        now = int(time.time())
        return {"iss": f"https://securetoken.google.com/{self.project_id}", "aud": self.project_id,
                "auth_time": now - 5, "user_id": uid, "sub": uid, "iat": now - 5, "exp": now + 3595,
                "firebase": {"identities": {}, "sign_in_provider": "anonymous"}, **changes}

    def mint(self, uid: str, *, key: SigningKey | None = None, **changes: Any) -> str:
        """A Firebase ID token for ``uid`` signed with this server's key (or ``key``)."""
        return (key or self.key).sign(self.claims(uid, **changes))

    def service_account_file(self, path: Path) -> Path:
        """A service-account key file whose token endpoint is this server (for GOOGLE_APPLICATION_CREDENTIALS)."""
        path.write_text(json.dumps({
            "type": "service_account", "project_id": self.project_id, "private_key_id": self.key.kid,
            "private_key": self.key.private_pem.decode(),
            "client_email": f"firebase-adminsdk@{self.project_id}.iam.gserviceaccount.com",
            "client_id": "1", "token_uri": f"{self.url}/token"}))
        return path
