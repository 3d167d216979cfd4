"""Session creation under concurrency: many `POST /api/v1/sessions` at once by one user.

    PYTHONPATH=functions python -m bench.session_creation [--rounds 20] [--port-offset 30000]

Run as a module, it starts its own local stack (Firebase emulators, gateway, nginx; offline agent);
`run(stack)` uses a running one. It measures through the front door (nginx → functions emulator →
Firestore emulator):

* under the limit: `concurrency` (10) creations at once by one fresh Auth-emulator user, `rounds`
  times; the latency of each request (sent → answered) and every status (all should be 200).
  Alternated with it, the baseline: as many creations at once by as many different users (no
  allowance shared), which shows what the limit itself adds. The first burst, which may start the
  functions emulator's workers, is reported apart.
* over the limit: a user with `free` creations left in the hour sends `free + extra` at once:
  exactly `free` should be answered 200 and the rest 429, with a `Retry-After` equal to the seconds
  until the user's oldest creation is an hour old. When the stack's allowance is too large to fill
  (benchmark stacks set it to a million), this case runs through the store (the function's own code
  path, without HTTP) with an allowance of `free`.

Load goes to 127.0.0.1 only; every loop is bounded.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import threading
import time
import urllib.request
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Callable

from google.cloud import firestore

from mission_commander import schema
from mission_commander.errors import RateLimitError
from mission_commander.latency_stats import summarize
from mission_commander.store import SessionStore
from tools.local_stack import ROOT, LocalStack, Ports

from .harness import admin_client, post_session

__all__ = ["main", "render", "run"]

DEFAULT_ALLOWANCE = 30
"""The allowance of the stack this module starts (SESSION_CREATIONS_PER_HOUR's default)."""
MAX_PREFILL = 5000
"""The most slots the over-limit case fills to bring a user near the limit."""


def _sign_up(stack: LocalStack) -> tuple[str, str]:
    """A fresh Auth-emulator user: (uid, ID token)."""
    url = (f"http://127.0.0.1:{stack.ports.auth}/identitytoolkit.googleapis.com/v1/accounts:signUp?key=any")
    req = urllib.request.Request(url, data=b'{"returnSecureToken": true}', method="POST",
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=30) as resp:
        data = json.loads(resp.read())
    return data["localId"], data["idToken"]


def _at_once(count: int, call: Callable[[], dict[str, Any]]) -> list[dict[str, Any]]:
    """``count`` calls released together (a barrier), each on its own thread."""
    barrier = threading.Barrier(count)

    def one(_: int) -> dict[str, Any]:
        barrier.wait(timeout=60)
        return call()
    with ThreadPoolExecutor(count) as pool:
        return list(pool.map(one, range(count)))


def _prefill(db: firestore.Client, user_id: str, slots: int) -> None:
    """Take ``slots`` of the user's slots now, as that many earlier creations would have."""
    now = schema.utc_now()
    for start in range(0, slots, 400):
        batch = db.batch()
        for k in range(start, min(slots, start + 400)):
            ref = db.collection(schema.RATE_LIMITS).document(schema.creation_slot_id(user_id, k))
            batch.create(ref, schema.creation_slot_document(user_id, k, f"earlier-{k}", now))
        batch.commit()


def _burst(results: list[dict[str, Any]]) -> dict[str, Any]:
    return {"latency_ms": summarize(r["ms"] for r in results),
            "statuses": dict(sorted(Counter(str(r["status"]) for r in results).items()))}


def _over_limit_burst(stack: LocalStack, db: firestore.Client, allowance: int, free: int,
                      extra: int) -> dict[str, Any]:
    """One user with ``free`` creations left sends ``free + extra`` at once."""
    uid, token = _sign_up(stack)
    prefilled = allowance - free <= MAX_PREFILL
    if prefilled:
        filled_at = time.time()
        _prefill(db, uid, allowance - free)
        results = _at_once(free + extra, lambda: post_session(stack, token))
    else:
        allowance, filled_at = free, time.time()
        store = SessionStore(db)

        def create() -> dict[str, Any]:
            started = time.perf_counter()
            try:
                store.create_session(uid, schema.utc_now(), 3600, allowance)
                status, retry = 200, None
            except RateLimitError as exc:
                status, retry = 429, exc.retry_after_seconds
            return {"status": status, "ms": (time.perf_counter() - started) * 1000, "retry_after": retry}
        results = _at_once(free + extra, create)
    # Honest: the seconds from a refusal until the user's oldest slot is a window old. With a prefill
    # that slot was taken before the burst; without, during it (possibly after a refusal's clock).
    window, elapsed = schema.SESSION_CREATION_WINDOW_SECONDS, time.time() - filled_at
    for r in results:
        r["honest_retry_after"] = (window - elapsed, window if prefilled else window + elapsed)
    return {"results": results, "exact": sum(r["status"] == 200 for r in results) == free
            and sum(r["status"] == 429 for r in results) == extra}


def _over_limit(stack: LocalStack, allowance: int, free: int, extra: int, rounds: int) -> dict[str, Any]:
    db = admin_client(stack)
    path = "front door" if allowance - free <= MAX_PREFILL else "store"
    bursts = [_over_limit_burst(stack, db, allowance, free, extra) for _ in range(rounds)]
    results = [r for b in bursts for r in b["results"]]
    created = [r for r in results if r["status"] == 200]
    refused = [r for r in results if r["status"] == 429]
    honest = [r for r in refused if r["retry_after"] is not None
              and r["honest_retry_after"][0] - 1 <= r["retry_after"] <= math.ceil(r["honest_retry_after"][1])]
    retry_afters = sorted(r["retry_after"] for r in refused if r["retry_after"] is not None)
    return {
        "path": path, "allowance": allowance if path == "front door" else free, "free": free,
        "sent": free + extra, "rounds": rounds, "created": len(created), "refused": len(refused),
        "other_statuses": dict(Counter(str(r["status"]) for r in results if r["status"] not in (200, 429))),
        "created_latency_ms": summarize(r["ms"] for r in created),
        "refused_latency_ms": summarize(r["ms"] for r in refused),
        "retry_after_seconds": {"min": retry_afters[0] if retry_afters else None,
                                "max": retry_afters[-1] if retry_afters else None,
                                "honest_min": round(min(r["honest_retry_after"][0] for r in results), 1),
                                "honest_max": round(max(r["honest_retry_after"][1] for r in results), 1)},
        "exact_rounds": sum(b["exact"] for b in bursts),
        "exactly_free_created": all(b["exact"] for b in bursts),
        "retry_after_honest": bool(refused) and len(honest) == len(refused),
    }


def run(stack: LocalStack, *, concurrency: int = 10, rounds: int = 20, free: int = 10, extra: int = 5,
        over_rounds: int = 5, allowance: int | None = None, log: Callable[[str], Any] = print) -> dict[str, Any]:
    """Both cases against a running ``stack``; ``allowance`` is its SESSION_CREATIONS_PER_HOUR (read
    from the stack's settings when not given)."""
    if allowance is None:
        allowance = int(stack.extra_env.get("SESSION_CREATIONS_PER_HOUR", DEFAULT_ALLOWANCE))
    if max(concurrency, free + extra) > allowance:
        raise ValueError(f"{max(concurrency, free + extra)} concurrent creations exceed the stack's allowance "
                         f"of {allowance}")
    # The functions emulator starts a worker per concurrent request: the first burst, as large as
    # the largest below, starts them all, and is reported apart.
    first = max(concurrency, free + extra)
    log(f"session creation: {first} at once by one user (first burst)...")
    first_token = _sign_up(stack)[1]
    cold = _burst(_at_once(first, lambda: post_session(stack, first_token)))
    log(f"session creation: {concurrency} at once by one user, and by {concurrency} users, {rounds} rounds...")
    samples: list[dict[str, Any]] = []
    baseline: list[dict[str, Any]] = []
    for _ in range(rounds):  # alternated, so both see the same machine
        token = _sign_up(stack)[1]
        samples.extend(_at_once(concurrency, lambda token=token: post_session(stack, token)))
        tokens = iter([_sign_up(stack)[1] for _ in range(concurrency)])
        lock = threading.Lock()

        def next_token() -> str:
            with lock:
                return next(tokens)
        baseline.extend(_at_once(concurrency, lambda: post_session(stack, next_token())))
    under = {**_burst(samples), "rounds": rounds, "requests": len(samples)}
    distinct = {**_burst(baseline), "rounds": rounds, "requests": len(baseline)}
    log(f"session creation: {free + extra} at once by a user with {free} left, {over_rounds} rounds...")
    over = _over_limit(stack, allowance, free, extra, over_rounds)
    p50 = under["latency_ms"]["p50"]
    return {
        "concurrency": concurrency, "allowance": allowance, "cold": cold, "under_limit": under,
        "distinct_users": distinct, "over_limit": over,
        "targets": {
            "under_limit_all_200": under["statuses"] == {"200": len(samples)},
            "under_limit_p50_le_200ms": p50 is not None and p50 <= 200,
            "over_limit_exactly_the_allowance": over["exactly_free_created"],
            "retry_after_honest": over["retry_after_honest"],
        },
    }


def _ms(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.0f} ms" if value >= 10 else f"{value:.1f} ms"


def render(result: dict[str, Any]) -> str:
    """The markdown section for docs/performance.md."""
    n = result["concurrency"]
    under, cold, over = result["under_limit"], result["cold"], result["over_limit"]
    distinct = result["distinct_users"]

    def row(name: str, burst: dict[str, Any]) -> str:
        lat = burst["latency_ms"]
        statuses = ", ".join(f"{k}: {v}" for k, v in burst["statuses"].items())
        return f"| {name} | {lat['count']} | {_ms(lat['p50'])} | {_ms(lat['p95'])} | {_ms(lat['max'])} | {statuses} |"
    ra = over["retry_after_seconds"]
    created, refused = over["created_latency_ms"], over["refused_latency_ms"]
    others = f"; other statuses: {over['other_statuses']}" if over["other_statuses"] else ""
    targets = "\n".join(f"| {name} | {'met' if ok else '**missed**'} |" for name, ok in result["targets"].items())
    where = ("through the front door" if over["path"] == "front door" else
             f"through the store, the function's own code path without HTTP, with an allowance of "
             f"{over['allowance']}; this stack's allowance of {result['allowance']} is too large to fill")
    return f"""## Session creation under concurrency

{n} `POST /api/v1/sessions` at once by one user (a fresh Auth-emulator user per burst), through the
front door to the functions emulator, with an hourly allowance of {result['allowance']}. The
allowance is one slot document per creation, taken by a `create` (or, for a slot over an hour old,
an update with a precondition) in the same batch as the session: no transaction, so concurrent
requests never wait on each other's locks. A request first tries one random slot without reading;
only if that slot exists does it read the user's slots.

| burst | requests | p50 | p95 | max | statuses |
|---|---|---|---|---|---|
{row(f"first burst, {cold['latency_ms']['count']} at once (starts the functions emulator's workers)", cold)}
{row(f"{n} at once by one user × {under['rounds']}", under)}
{row(f"{n} at once by {n} users × {distinct['rounds']} (no allowance shared: the baseline)", distinct)}

**Over the limit** ({where}): {over['rounds']} times, a fresh user with {over['free']} creations left
sent {over['sent']} at once. In {over['exact_rounds']} of {over['rounds']} rounds exactly {over['free']} were created.
Created: {over['created']} (p50 {_ms(created['p50'])}, p95 {_ms(created['p95'])});
refused with 429: {over['refused']} (p50 {_ms(refused['p50'])}, p95 {_ms(refused['p95'])}){others}.
Their `Retry-After` was {ra['min']}–{ra['max']} s; the honest value (seconds until the user's oldest
creation is an hour old) was between {ra['honest_min']:.0f} and {ra['honest_max']:.0f} s.

| target | |
|---|---|
{targets}
"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=20, help="bursts under the limit (default 20)")
    parser.add_argument("--concurrency", type=int, default=10, help="creations per burst (default 10)")
    parser.add_argument("--port-offset", type=int, default=30000, help="the stack's ports, shifted (default 30000)")
    parser.add_argument("--out", type=Path, help="JSON result (default bench/results/session_creation.json)")
    args = parser.parse_args(argv)
    stack = LocalStack(Ports().shifted(args.port_offset), name="bench-sessions",
                       extra_env={"SESSION_CREATIONS_PER_HOUR": str(DEFAULT_ALLOWANCE)})
    print("starting the bench stack...", flush=True)
    stack.start()
    try:
        result = run(stack, concurrency=args.concurrency, rounds=args.rounds, allowance=DEFAULT_ALLOWANCE,
                     log=lambda m: print(m, flush=True))
    finally:
        stack.stop()
    out = args.out or ROOT / "bench" / "results" / "session_creation.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(render(result))
    print(f"result: {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
