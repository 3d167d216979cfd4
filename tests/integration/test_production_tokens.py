"""Production token checks, proven offline.

Under the Auth emulator firebase-admin checks no signature at all. Here emulator mode is off, as in
production, and firebase-admin fetches its certificates from a local server holding our own RSA key
(tests/fakes/google_auth_server.py; only the two Google URL constants are patched, in the test
process or the test's gateway launcher). Through our real verification (`TokenVerifier`, the
session API as `services` composes it, and the gateway process): a correctly signed token is
accepted; `alg: none`, a wrong key, an edited payload, an expired token, another project's token, a
revoked, disabled or unknown user are all refused with the guide's `Invalid token`.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
import socket
import sys
import time
from unittest import mock

import firebase_admin
import pytest
from firebase_admin import _token_gen, _user_mgt
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

from mission_commander import firebase_app, services, settings as settings_module
from mission_commander.auth import TokenVerifier
from mission_commander.errors import AuthError, ErrorCode
from mission_commander.schema import utc_now
from tests.fakes.google_auth_server import FakeGoogleAuth, SigningKey, b64url
from tools.local_stack import PROJECT_ID, ROOT, ManagedProcess

INVALID = "Invalid token"
EXPIRED = "Invalid token: it has expired, refresh it"
REVOKED = "Invalid token: it has been revoked"
NO_USER = "Invalid token: no such user"


@pytest.fixture(scope="module")
def google():
    fake = FakeGoogleAuth(PROJECT_ID).start()
    yield fake
    fake.stop()


def _forget_process_state() -> None:
    """Each test builds the app, settings and services afresh (they are per process otherwise)."""
    for name in list(firebase_admin._apps):
        if name == firebase_app._APP_NAME:
            firebase_admin.delete_app(firebase_admin.get_app(name))
    for cached in (settings_module.load_settings, services._settings, services.session_api):
        cached.cache_clear()


@pytest.fixture
def production(stack, google, monkeypatch, tmp_path):
    """This process configured as production is: no Auth emulator, Application Default Credentials
    from a service-account file, revocation checked (the default). Firestore stays the emulator."""
    for name in ("FIREBASE_AUTH_EMULATOR_HOST", "DEV_AUTH_TOKENS", "FUNCTIONS_EMULATOR", "CHECK_REVOKED_TOKENS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("GOOGLE_CLOUD_PROJECT", PROJECT_ID)
    monkeypatch.setenv("FIRESTORE_EMULATOR_HOST", f"127.0.0.1:{stack.ports.firestore}")
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(google.service_account_file(tmp_path / "sa.json")))
    monkeypatch.setattr(_token_gen, "ID_TOKEN_CERT_URI", f"{google.url}/certs")
    monkeypatch.setattr(_user_mgt.UserManager, "ID_TOOLKIT_URL", f"{google.url}/v1")
    _forget_process_state()
    with mock.patch.object(services, "configure_logging"):  # keep pytest's own log handlers
        yield google
    _forget_process_state()


def new_user(google, **record) -> str:
    uid = f"prod-{secrets.token_hex(6)}"
    google.add_user(uid, **record)
    return uid


def post_session(token: str):
    return services.session_api().handle("POST", "/api/v1/sessions", {"Authorization": f"Bearer {token}"})


def unsigned(claims, **header) -> str:
    return f"{b64url({'alg': 'none', 'typ': 'JWT', **header})}.{b64url(claims)}."


def forged(google, case: str, uid: str) -> str:
    """A token for ``uid`` that must be refused, made the way an attacker (or a mistake) would."""
    now = int(time.time())
    claims = google.claims(uid)
    if case == "alg none (the emulator's own kind)":
        return unsigned(claims)
    if case == "alg none with the real kid":
        return unsigned(claims, kid=google.key.kid)
    if case == "RS256 header, signature removed":
        return google.mint(uid).rsplit(".", 1)[0] + "."
    if case == "signed by another key under the real kid":
        return google.mint(uid, key=SigningKey.generate(kid=google.key.kid))
    if case == "signed by an unknown key":
        return google.mint(uid, key=SigningKey.generate())
    if case == "payload edited after signing":
        header, _, signature = google.mint(f"attacker-{uid}").split(".")  # their own valid token
        return f"{header}.{b64url(claims)}.{signature}"
    if case == "HS256 keyed with the public certificate":
        signing_input = f"{b64url({'alg': 'HS256', 'typ': 'JWT', 'kid': google.key.kid})}.{b64url(claims)}"
        mac = hmac.new(google.key.cert_pem.encode(), signing_input.encode(), hashlib.sha256).digest()
        return f"{signing_input}.{base64.urlsafe_b64encode(mac).decode().rstrip('=')}"
    if case == "expired an hour ago":
        return google.mint(uid, iat=now - 7200, auth_time=now - 7200, exp=now - 3600)
    if case == "for another project (audience)":
        return google.mint(uid, aud="someone-elses-project")
    if case == "from another issuer":
        return google.mint(uid, iss="https://securetoken.google.com/someone-elses-project")
    raise AssertionError(case)


FORGERIES = {
    "alg none (the emulator's own kind)": INVALID,
    "alg none with the real kid": INVALID,
    "RS256 header, signature removed": INVALID,
    "signed by another key under the real kid": INVALID,
    "signed by an unknown key": INVALID,
    "payload edited after signing": INVALID,
    "HS256 keyed with the public certificate": INVALID,
    "expired an hour ago": EXPIRED,
    "for another project (audience)": INVALID,
    "from another issuer": INVALID,
}


def test_a_correctly_signed_token_is_accepted_and_checked_against_the_published_keys(production, client):
    google = production
    uid = new_user(google)
    lookup = f"/v1/projects/{PROJECT_ID}/accounts:lookup"
    certs_before, lookups_before = google.count("GET", "/certs"), google.count("POST", lookup)
    assert TokenVerifier(settings_module.load_settings()).verify(google.mint(uid)) == uid
    assert google.count("GET", "/certs") == certs_before + 1  # the signature was checked against our key
    assert google.count("POST", lookup) == lookups_before + 1  # and the user's revocation state
    response = post_session(google.mint(uid))
    assert response.status == 200 and response.body["user_id"] == uid
    assert client.session_doc(response.body["session_id"])["user_id"] == uid


@pytest.mark.parametrize("case", sorted(FORGERIES))
def test_forged_and_stale_tokens_are_refused_with_the_guides_error(production, client, fault_log, case):
    google = production
    uid = new_user(google)
    token = forged(google, case, uid)
    with pytest.raises(AuthError) as refused:
        TokenVerifier(settings_module.load_settings()).verify(token)
    assert refused.value.code is ErrorCode.INVALID_TOKEN and refused.value.message == FORGERIES[case]
    response = post_session(token)
    assert response.status == 401 and response.headers["WWW-Authenticate"] == "Bearer"
    assert response.body == {"error": {"code": "invalid_token", "message": FORGERIES[case]}}
    assert client.count("sessions", user_id=uid) == 0 and client.count("sessions", user_id=f"attacker-{uid}") == 0
    fault_log.record("security", f"production token check (signatures verified): {case}",
                     f"refused by TokenVerifier and the session API: HTTP 401 `{FORGERIES[case]}`")


@pytest.mark.parametrize("case, message", [("disabled", REVOKED), ("revoked", REVOKED), ("unknown user", NO_USER)])
def test_a_valid_signature_of_a_revoked_disabled_or_unknown_user_is_refused(production, client, case, message):
    google = production
    if case == "disabled":
        uid = new_user(google, disabled=True)
    elif case == "revoked":  # the user's sessions were revoked after this token was issued
        uid = new_user(google, valid_since=int(time.time()) + 60)
    else:
        uid = f"nobody-{secrets.token_hex(4)}"
    response = post_session(google.mint(uid))
    assert response.status == 401 and response.body["error"] == {"code": "invalid_token", "message": message}
    assert client.count("sessions", user_id=uid) == 0


def test_the_forgeries_pass_under_the_auth_emulator_which_is_why_this_file_exists(production, monkeypatch):
    """The control: the very tokens refused above verify under the Auth emulator (no signature
    check), so their refusal comes from production mode's signature path, not from their shape."""
    google = production
    monkeypatch.setenv("FIREBASE_AUTH_EMULATOR_HOST", "127.0.0.1:1")  # never contacted: revocation off
    monkeypatch.setenv("CHECK_REVOKED_TOKENS", "false")
    _forget_process_state()
    verifier = TokenVerifier(settings_module.load_settings())
    for case in ("alg none (the emulator's own kind)", "signed by another key under the real kid",
                 "payload edited after signing"):
        uid = f"control-{secrets.token_hex(4)}"
        assert verifier.verify(forged(google, case, uid)) == uid, case


# -- the gateway's path: the real gateway process, production mode ---------------------------------

def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def production_gateway(stack, google, tmp_path_factory):
    port = _free_port()
    credentials = google.service_account_file(tmp_path_factory.mktemp("gateway") / "sa.json")
    env = {k: v for k, v in os.environ.items()
           if k not in ("FIREBASE_AUTH_EMULATOR_HOST", "DEV_AUTH_TOKENS", "FUNCTIONS_EMULATOR", "CHECK_REVOKED_TOKENS")}
    env.update({"GOOGLE_CLOUD_PROJECT": PROJECT_ID, "FIRESTORE_EMULATOR_HOST": f"127.0.0.1:{stack.ports.firestore}",
                "GOOGLE_APPLICATION_CREDENTIALS": str(credentials),
                "MC_TEST_GOOGLE_AUTH_URL": google.url, "PORT": str(port), "HOST": "127.0.0.1",
                "PYTHONPATH": f"{ROOT / 'functions'}:{ROOT}", "PYTHONUNBUFFERED": "1"})
    proc = ManagedProcess("production-gateway", [sys.executable, "-m", "tests.fakes.production_gateway"], env,
                          stack.run_dir / "production-gateway.log")
    try:
        deadline = time.monotonic() + 30
        while not _port_open(port):
            assert proc.alive() and time.monotonic() < deadline, proc.log_tail()
            time.sleep(0.1)
        yield f"ws://127.0.0.1:{port}/api/v1/mission-commander/ws"
    finally:
        proc.stop()


def _port_open(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.2)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def _open(url: str, session_id: str, token: str) -> tuple[list[dict], int | None, str]:
    """Connect and read until the server closes or says `connected`: (frames, close code, reason)."""
    frames = []
    with connect(f"{url}?session_id={session_id}&token={token}", open_timeout=15) as ws:
        try:
            frames.append(json.loads(ws.recv(timeout=15)))
            if frames[-1]["type"] == "connected":
                return frames, None, ""
            ws.recv(timeout=15)
        except ConnectionClosed:
            pass
        return frames, ws.close_code, ws.close_reason


def test_the_gateway_accepts_a_signed_token_and_closes_forged_ones_with_1008(production_gateway, google, client,
                                                                            fault_log):
    uid = new_user(google)
    session_id = client.store.create_session(uid, utc_now(), 3600)
    frames, code, _ = _open(production_gateway, session_id, google.mint(uid))
    assert frames and frames[0]["type"] == "connected" and code is None
    for case in ("alg none (the emulator's own kind)", "signed by another key under the real kid",
                 "payload edited after signing", "expired an hour ago", "for another project (audience)"):
        frames, code, reason = _open(production_gateway, session_id, forged(google, case, uid))
        assert [f for f in frames if f["type"] == "connected"] == [], case
        assert code == 1008 and reason == FORGERIES[case], (case, code, reason)
    revoked = new_user(google, valid_since=int(time.time()) + 60)
    frames, code, reason = _open(production_gateway, client.store.create_session(revoked, utc_now(), 3600),
                                 google.mint(revoked))
    assert code == 1008 and reason == REVOKED
    fault_log.record("security", "gateway in production mode: alg none, wrong key, edited payload, expired, "
                     "other project, revoked", "closed with 1008 and the guide's `Invalid token`; "
                     "a signed token connects")


def test_a_token_from_a_clock_a_few_seconds_ahead_is_accepted(production):
    google = production
    uid = new_user(google)
    now = int(time.time())
    token = google.mint(uid, iat=now + 3, auth_time=now + 3, exp=now + 3603)
    assert TokenVerifier(settings_module.load_settings()).verify(token) == uid


def test_unreachable_certificates_are_a_retryable_503_not_an_internal_error(production, monkeypatch, client):
    google = production
    uid = new_user(google)
    monkeypatch.setattr(_token_gen, "ID_TOKEN_CERT_URI", f"http://127.0.0.1:{_free_port()}/certs")
    with pytest.raises(AuthError) as refused:
        TokenVerifier(settings_module.load_settings()).verify(google.mint(uid))
    assert refused.value.code is ErrorCode.AUTH_UNAVAILABLE
    response = post_session(google.mint(uid))
    assert response.status == 503
    assert response.body["error"]["code"] == "auth_unavailable"
    assert client.count("sessions", user_id=uid) == 0
