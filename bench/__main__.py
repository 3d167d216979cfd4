"""Run the benchmarks: `python -m bench full` (what `make bench` runs) or `python -m bench smoke`.

Both start their own local stack (Firebase emulators, gateway, nginx) on ports
shifted by 30000, with the offline agent, and write JSON (and, for the full
run, a PNG plot). Load goes to 127.0.0.1 only and every loop is bounded.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import sys
import time
from pathlib import Path
from typing import Any

from mission_commander.latency_stats import summarize
from tools.local_stack import ROOT, LocalStack, Ports

from . import harness
from .bare_listener import BareListener

PROFILES = {
    "full": {"bare_samples": 40, "concurrency": [1, 10, 100], "single_rounds": 40, "live_sessions": 10000,
             "live_step": 500, "seed_replies": 10000, "seed_rounds": 10, "creation_rounds": 20,
             "first_delta_samples": 20},
    "smoke": {"bare_samples": 3, "concurrency": [1, 3], "single_rounds": 2, "live_sessions": 40, "live_step": 20,
              "seed_replies": 200, "seed_rounds": 2, "creation_rounds": 1, "first_delta_samples": 2},
}


def run(stack: LocalStack, profile: dict[str, Any], log=print, *, tokens: list[str] | None = None,
        token: str = "bench-token-0", user_id: str = "bench-user-0",
        live_tokens: list[str] | None = None) -> dict[str, Any]:
    """Every scenario against ``stack``; returns the report. ``live_tokens``: the learners whose
    sessions the live-session ramp creates (default ``tokens``)."""
    db = harness.admin_client(stack)
    tokens = tokens or [f"bench-token-{i}" for i in range(max(profile["concurrency"]))]
    report: dict[str, Any] = {"environment": harness.environment(), "profile": profile}
    log("warming up (first trigger run is slow)...")
    asyncio.run(harness.conversations(stack, 1, tokens=tokens))
    log(f"bare trigger round trip x{profile['bare_samples']}...")
    report["bare_trigger"] = harness.bare_trigger(db, profile["bare_samples"], user_id)
    report["conversations"] = []
    for n in profile["concurrency"]:
        log(f"{n} concurrent conversations to mission_created...")
        rounds = profile["single_rounds"] if n == 1 else 1
        log_from = harness.log_size(stack)
        result = _relay_run(stack, n, tokens=tokens, rounds=rounds)
        result["trigger_phases_ms"] = harness.trigger_phases(stack, log_from)
        report["conversations"].append(result)
    log("the emulator's floor: a bare listener on the gateway's inbox beside the relay...")
    report["emulator_floor"] = [_relay_run(stack, n, with_floor=True, tokens=tokens,
                                           rounds=profile["seed_rounds"] if n == 1 else 1)
                                for n in (1, max(profile["concurrency"]))]
    log(f"storing {profile['seed_replies']} replies, then measuring the relay again...")
    report["seeded"] = harness.seed_replies(db, profile["seed_replies"])
    report["after_seed"] = []
    for n in (1, max(profile["concurrency"])):
        report["after_seed"].append(_relay_run(stack, n, tokens=tokens, rounds=profile["seed_rounds"] if n == 1 else 1))
    seeded_floor = _relay_run(stack, max(profile["concurrency"]), with_floor=True, tokens=tokens)
    report["emulator_floor"].append({**seeded_floor, "stored_replies": report["seeded"]["replies"]})
    report["guide_clients"] = []
    for n in (1, max(profile["concurrency"])):
        log(f"{n} concurrent guide clients (no last_seq: each final frame waits for its delivery record)...")
        harness.relay_overhead(stack, reset=True)
        result = asyncio.run(harness.conversations(stack, n, tokens=tokens, tracks_seq=False,
                                                   rounds=profile["seed_rounds"] if n == 1 else 1))
        result["relay_overhead_ms"] = harness.relay_overhead(stack)
        report["guide_clients"].append(result)
    log("time to first delta with the Gemini agent against the local Gemini wire server...")
    from . import first_delta
    report["first_delta"] = first_delta.run(samples=profile["first_delta_samples"], log=log)
    log("session creation under concurrency (10 at once by one user; over the limit)...")
    from . import session_creation
    report["session_creation"] = session_creation.run(stack, rounds=profile["creation_rounds"], over_rounds=profile["creation_rounds"],
                                                      log=log)
    log(f"two gateway processes, {max(profile['concurrency'])} conversations split between them...")
    report["routed"] = harness.routed_split(stack, max(profile["concurrency"]), tokens=tokens)
    log(f"ramping live sessions to {profile['live_sessions']} on one gateway process...")
    report["live_sessions"] = asyncio.run(harness.live_sessions(
        stack, profile["live_sessions"], tokens=live_tokens or tokens, step=profile["live_step"]))
    # Like for like: first turns of fresh sessions, as the bare round trip measures.
    single = report["conversations"][0]["first_turn_latency_ms"]["p50"]
    bare = report["bare_trigger"]["round_trip_ms"]["p50"]
    report["e2e_over_bare_p50"] = round(single / bare, 3) if single and bare else None
    relay_runs = report["conversations"] + report["after_seed"]
    all_overhead = [c["relay_overhead_ms"]["p99"] for c in relay_runs if c["relay_overhead_ms"]["p99"] is not None]
    busiest = report["conversations"][-1]
    report["targets"] = {
        "live_sessions_10000": report["live_sessions"]["connected"] >= profile["live_sessions"],
        "kib_per_connection_le_24": report["live_sessions"]["kib_per_connection"] <= 24,
        "replies_at_top": report["live_sessions"]["replies_at_top"]["answered"]
        == report["live_sessions"]["replies_at_top"]["probed"],
        "relay_overhead_p99_le_10ms": bool(all_overhead) and max(all_overhead) <= 10,
        "e2e_p50_le_1_2x_bare": report["e2e_over_bare_p50"] is not None and report["e2e_over_bare_p50"] <= 1.2,
        "every_turn_completes_at_top_concurrency": busiest["errors"] == 0
        and busiest["conversations_completed"] == busiest["concurrency"],
        "routed_events_ratio_le_1_05": report["routed"]["worst_ratio"] <= 1.05,
        **{f"session_creation_{k}": v for k, v in report["session_creation"]["targets"].items()},
    }
    return report


def _relay_run(stack: LocalStack, n: int, *, with_floor: bool = False, **kwargs: Any) -> dict[str, Any]:
    """Conversations with the gateway's relay overhead. ``with_floor``: beside it, the emulator's
    floor, a bare listener in its own process timing the same reply documents
    (bench/bare_listener.py). A second listener on the inbox adds work to the emulator, so the
    headline runs go without it."""
    harness.relay_overhead(stack, reset=True)
    floor = BareListener(stack, harness.gateway_id(stack.gateway_url)) if with_floor else None
    with floor or contextlib.nullcontext():
        result = asyncio.run(harness.conversations(stack, n, **kwargs))
        result["relay_overhead_ms"] = harness.relay_overhead(stack)
    if floor is not None:
        result["bare_listener_ms"] = summarize(floor.latencies_ms)
    return result


def plot(report: dict[str, Any], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (left, right) = plt.subplots(1, 2, figsize=(12, 4.5))
    rows = report["conversations"]
    labels = [str(r["concurrency"]) for r in rows]
    xs = range(len(rows))
    for offset, key in ((-0.25, "p50"), (0, "p95"), (0.25, "p99")):
        left.bar([x + offset for x in xs], [r["turn_latency_ms"][key] or 0 for r in rows], width=0.25, label=key)
    bare = report["bare_trigger"]["round_trip_ms"]["p50"]
    if bare:
        left.axhline(bare, color="black", linestyle="--", label=f"bare trigger p50 ({bare:.0f} ms)")
    left.set_xticks(list(xs), labels)
    left.set_xlabel("concurrent conversations")
    left.set_ylabel("turn latency (ms)")
    left.set_title("End-to-end turn latency (user_message → agent_message)")
    left.legend()
    ramp = report["live_sessions"]["ramp"]
    right.plot([r["connected"] for r in ramp], [r["gateway_rss_kib"] / 1024 for r in ramp], marker="o")
    right.set_xlabel("live sessions on one gateway process")
    right.set_ylabel("gateway RSS (MiB)")
    per = report["live_sessions"]["kib_per_connection"]
    right.set_title(f"Gateway memory ({per} KiB per connection)")
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("profile", choices=sorted(PROFILES), help="full (minutes) or smoke (seconds)")
    parser.add_argument("--out", type=Path, help="JSON report (default bench/results/<profile>.json)")
    parser.add_argument("--plot", type=Path, help="PNG plot (default bench/results/<profile>.png)")
    parser.add_argument("--live-sessions", type=int, help="override the live-session ramp target")
    args = parser.parse_args(argv)
    profile = dict(PROFILES[args.profile])
    if args.live_sessions:
        profile["live_sessions"] = args.live_sessions
    harness.raise_fd_limit()
    out = args.out or ROOT / "bench" / "results" / f"{args.profile}.json"
    stack = LocalStack(Ports().shifted(30000), name="bench",
                       dev_tokens=harness.bench_tokens(max(profile["concurrency"])),
                       extra_env={"SESSION_CREATIONS_PER_HOUR": "1000000", "LOG_LEVEL": "INFO", "METRICS_ENABLED": "true",
                                  "RATE_FRAME_BURST": "100", "PING_INTERVAL_SECONDS": "60"})
    started = time.time()
    print("starting the bench stack...", flush=True)
    stack.start()
    try:
        report = run(stack, profile, log=lambda m: print(m, flush=True))
    finally:
        stack.stop()
    report["wall_seconds"] = round(time.time() - started, 1)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps({k: report[k] for k in ("e2e_over_bare_p50", "targets")}, indent=2))
    print(f"report: {out}")
    try:
        png = args.plot or out.with_suffix(".png")
        plot(report, png)
        print(f"plot: {png}")
    except ImportError:
        print("matplotlib is not installed: no plot (pip install -r bench/requirements.txt)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
