"""POST /api/v1/sessions through the front door (nginx → functions emulator)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from tools.local_stack import PROJECT_ID

from .conftest import ALLOWED_ORIGIN
from .support import unsigned_token


def post(client, headers=None, path="/api/v1/sessions", method="POST"):
    return client.http.request(method, f"{client.stack.front_url}{path}", headers=headers or {}, timeout=30)


def test_create_session_with_the_guides_dev_token(client):
    before = datetime.now(timezone.utc)
    resp = post(client, {"Authorization": "Bearer test-token"})
    assert resp.status_code == 200
    body = resp.json()
    assert set(body) == {"session_id", "user_id"} and body["user_id"] == "user123"
    doc = client.session_doc(body["session_id"])
    assert doc["user_id"] == "user123" and doc["status"] == "active"
    assert before - timedelta(seconds=5) <= doc["created_at"] <= datetime.now(timezone.utc) + timedelta(seconds=5)
    assert doc["expires_at"] > doc["created_at"] + timedelta(hours=1)


def test_create_session_with_a_real_auth_emulator_token(client):
    uid, token = client.sign_up("someone@example.com")
    resp = post(client, {"Authorization": f"Bearer {token}"})
    assert resp.status_code == 200 and resp.json()["user_id"] == uid
    assert client.session_doc(resp.json()["session_id"])["user_id"] == uid


def _claims(uid, **changes):
    now = int(datetime.now(timezone.utc).timestamp())
    claims = {"iss": f"https://securetoken.google.com/{PROJECT_ID}", "aud": PROJECT_ID, "auth_time": now,
              "user_id": uid, "sub": uid, "iat": now, "exp": now + 3600,
              "firebase": {"sign_in_provider": "anonymous"}}
    claims.update(changes)
    return claims


@pytest.mark.parametrize("case", ["missing", "empty", "not bearer", "garbage", "expired", "other project"])
def test_bad_tokens_are_401_with_a_json_error(client, case):
    headers = {
        "missing": {},
        "empty": {"Authorization": "Bearer "},
        "not bearer": {"Authorization": "Basic dXNlcjpwYXNz"},
        "garbage": {"Authorization": "Bearer not-a-jwt"},
        "expired": {"Authorization": "Bearer " + unsigned_token(_claims("u1", exp=1000, iat=0, auth_time=0))},
        "other project": {"Authorization": "Bearer " + unsigned_token(
            _claims("u1", aud="demo-other", iss="https://securetoken.google.com/demo-other"))},
    }[case]
    resp = post(client, headers)
    assert resp.status_code == 401
    assert resp.headers["Content-Type"].startswith("application/json")
    error = resp.json()["error"]
    assert error["code"] in ("missing_token", "invalid_token")
    assert error["message"].startswith(("Missing token", "Invalid token"))


def test_wrong_method_is_405(client):
    resp = post(client, {"Authorization": "Bearer test-token"}, method="GET")
    assert resp.status_code == 405 and resp.json()["error"]["code"] == "method_not_allowed"
    assert "POST" in resp.headers["Allow"]


def test_unknown_path_on_the_function_is_404(client):
    url = f"http://127.0.0.1:{client.stack.ports.functions}/{PROJECT_ID}/us-central1/api/api/v1/nothing"
    resp = client.http.post(url, timeout=30)
    assert resp.status_code == 404 and resp.json()["error"]["code"] == "not_found"


def test_cors_only_for_allowed_origins(client):
    ok = post(client, {"Origin": ALLOWED_ORIGIN, "Access-Control-Request-Method": "POST"}, method="OPTIONS")
    assert ok.status_code == 204 and ok.headers["Access-Control-Allow-Origin"] == ALLOWED_ORIGIN
    assert "Authorization" in ok.headers["Access-Control-Allow-Headers"]
    evil = post(client, {"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"}, method="OPTIONS")
    assert evil.status_code == 403 and "Access-Control-Allow-Origin" not in evil.headers
    created = post(client, {"Origin": ALLOWED_ORIGIN, "Authorization": "Bearer test-token"})
    assert created.status_code == 200 and created.headers["Access-Control-Allow-Origin"] == ALLOWED_ORIGIN
    other = post(client, {"Origin": "https://evil.example", "Authorization": "Bearer test-token"})
    assert "Access-Control-Allow-Origin" not in other.headers


def test_the_session_api_through_firebase_hosting_rewrites(client):
    resp = client.http.post(f"{client.stack.hosting_url}/api/v1/sessions",
                            headers={"Authorization": "Bearer test-token"}, timeout=30)
    assert resp.status_code == 200 and resp.json()["user_id"] == "user123"
    assert client.http.get(f"{client.stack.hosting_url}/health", timeout=30).status_code == 200


def test_a_refused_origin_creates_nothing_and_uses_no_allowance(client):
    """A POST from a refused origin without a preflight (a "simple" request a browser may send):
    403 with the guide's error shape, before any session is created or the hourly allowance counted."""
    uid, token = client.sign_up()
    refused = post(client, {"Origin": "https://evil.example", "Authorization": f"Bearer {token}"})
    assert refused.status_code == 403
    assert refused.json() == {"error": {"code": "origin_not_allowed", "message": "Origin not allowed"}}
    assert client.count("sessions", user_id=uid) == 0
    assert client.doc("rate_limits", f"sessions_{uid}") is None
    allowed = post(client, {"Origin": ALLOWED_ORIGIN, "Authorization": f"Bearer {token}"})
    assert allowed.status_code == 200 and client.count("sessions", user_id=uid) == 1
