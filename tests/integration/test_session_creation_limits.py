"""Session creation under concurrency, on the real emulators: a user's concurrent requests under the
hourly allowance all succeed; over it, exactly the allowance succeeds and the rest get 429 with an
honest Retry-After; other users are unaffected."""

from __future__ import annotations

import secrets
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from google.cloud import firestore

from mission_commander import schema
from mission_commander.errors import RateLimitError

from .conftest import SESSION_CREATIONS_PER_HOUR

HOUR = schema.SESSION_CREATION_WINDOW_SECONDS


@pytest.fixture(scope="module", autouse=True)
def api_ready(client):
    """The functions emulator may answer 404 while it still loads the function: wait until it serves."""
    deadline = time.monotonic() + 120
    while client.http.get(f"{client.stack.front_url}/health", timeout=60).status_code != 200:
        assert time.monotonic() < deadline, "the session API never came up"
        time.sleep(0.5)


def post_sessions(client, token, count):
    """``count`` POST /api/v1/sessions at once through the front door, as separate clients would."""
    def one(_):
        resp = client.http.post(f"{client.stack.front_url}/api/v1/sessions",
                                headers={"Authorization": f"Bearer {token}"}, timeout=120)
        body = resp.json() if resp.headers.get("Content-Type", "").startswith("application/json") else resp.text
        return resp.status_code, resp.headers.get("Retry-After"), body
    with ThreadPoolExecutor(count) as pool:
        return list(pool.map(one, range(count)))


def store_creations(client, user_id, count, now, limit):
    """``count`` creations at once straight through the store (the function's own code path)."""
    def one(_):
        try:
            return client.store.create_session(user_id, now, 3600, limit)
        except RateLimitError as exc:
            return exc
    with ThreadPoolExecutor(count) as pool:
        return list(pool.map(one, range(count)))


def test_ten_concurrent_creations_by_one_user_all_succeed(client, fault_log):
    uid, token = client.sign_up()
    results = post_sessions(client, token, 10)
    assert [status for status, _, _ in results] == [200] * 10, results
    ids = {body["session_id"] for _, _, body in results}
    assert len(ids) == 10 and all(body["user_id"] == uid for _, _, body in results)
    assert all(client.session_doc(i)["user_id"] == uid for i in ids)
    slots = [s.to_dict() for s in client.db.collection(schema.RATE_LIMITS)
             .where(filter=firestore.FieldFilter("user_id", "==", uid)).stream()]
    assert sorted(s["session_id"] for s in slots) == sorted(ids)  # one slot per session, none lost
    fault_log.record("limits", "10 concurrent POST /api/v1/sessions by one user, under the hourly limit",
                     "all 10 answered 200 with distinct sessions (no spurious 429)")


def test_over_the_limit_exactly_the_allowance_succeeds_and_the_rest_wait_honestly(client, fault_log):
    uid, token = client.sign_up()
    started = time.time()
    left = 5
    filled = store_creations(client, uid, SESSION_CREATIONS_PER_HOUR - left, schema.utc_now(),
                             SESSION_CREATIONS_PER_HOUR)
    assert all(isinstance(r, str) for r in filled)
    results = post_sessions(client, token, left + 3)
    statuses = sorted(status for status, _, _ in results)
    assert statuses == [200] * left + [429] * 3, results
    elapsed = time.time() - started
    for status, retry_after, body in results:
        if status == 429:
            assert body["error"]["code"] == "rate_limited"
            # The oldest of this user's sessions was created `elapsed` seconds ago: it frees then.
            assert HOUR - elapsed - 1 <= int(retry_after) <= HOUR, (retry_after, elapsed)
            assert retry_after in body["error"]["message"]
    _, other_token = client.sign_up()
    assert [s for s, _, _ in post_sessions(client, other_token, 3)] == [200] * 3
    fault_log.record("limits", f"{left + 3} concurrent creations by one user with {left} left in the hour",
                     f"exactly {left} answered 200, 3 got 429 with Retry-After = seconds until the oldest "
                     "creation is an hour old; another user unaffected")


def test_the_allowance_is_a_sliding_hour(client):
    """Store level with a chosen clock: 4 slots taken at t0 are refused until t0 + 1 h, then reusable;
    racing requests for the reused slots again get exactly the allowance."""
    user = f"slots-{secrets.token_hex(4)}"
    t0 = schema.utc_now() - timedelta(hours=3)
    first = store_creations(client, user, 6, t0, 4)
    assert sum(isinstance(r, str) for r in first) == 4
    refused = [r for r in first if isinstance(r, RateLimitError)]
    assert len(refused) == 2 and all(r.retry_after_seconds == HOUR for r in refused)
    half = store_creations(client, user, 1, t0 + timedelta(minutes=30), 4)[0]
    assert isinstance(half, RateLimitError) and half.retry_after_seconds == HOUR - 1800
    again = store_creations(client, user, 7, t0 + timedelta(hours=1), 4)
    assert sum(isinstance(r, str) for r in again) == 4
    assert all(r.retry_after_seconds == HOUR for r in again if isinstance(r, RateLimitError))
    assert client.count("sessions", user_id=user) == 8
