"""Render docs/performance.md from a full benchmark report (bench/results/full.json).

    python -m bench.report bench/results/full.json > docs/performance.md
"""

from __future__ import annotations

import json
import sys
from typing import Any


def _ms(value: float | None) -> str:
    if value is None:
        return "n/a"
    return f"{value / 1000:.1f} s" if value >= 10000 else f"{value:.0f} ms" if value >= 10 else f"{value:.1f} ms"


def _mark(ok: bool) -> str:
    return "met" if ok else "**missed**"


def _phase_table(phases: dict[str, Any]) -> str:
    order = ["store_and_dispatch", "claim", "context", "agent", "complete"]
    names = {"store_and_dispatch": "gateway store + trigger dispatch (turn written → trigger running)",
             "claim": "claim the reply (`create`)", "context": "session + history reads (in parallel)",
             "agent": "the agent (offline interviewer)",
             "complete": "completing transaction (reply, session, holder's inbox)"}
    return "\n".join(f"| {names.get(k, k)} | {_ms(phases[k]['p50'])} | {_ms(phases[k]['p95'])} |"
                     for k in order if k in phases)


def render(r: dict[str, Any]) -> str:
    bare = r["bare_trigger"]["round_trip_ms"]
    conv = {c["concurrency"]: c for c in r["conversations"]}
    one = conv[min(conv)]
    live = r["live_sessions"]
    t = r["targets"]
    rows = "\n".join(
        f"| {c['concurrency']} | {_ms(c['turn_latency_ms']['p50'])} | {_ms(c['turn_latency_ms']['p95'])} | "
        f"{_ms(c['turn_latency_ms']['p99'])} | {c['conversations_completed']}/{c['concurrency'] * c['rounds']} | {c['errors']}"
        f"{' (' + ', '.join(f'{k}: {v}' for k, v in c['error_kinds'].items()) + ')' if c.get('error_kinds') else ''} | "
        f"{_ms(c['ack_latency_ms']['p50'])} | "
        f"{_ms(c['relay_overhead_ms']['p50'])} / {_ms(c['relay_overhead_ms']['p99'])} | "
        f"{_ms(c['relay_overhead_ms']['in_gateway']['p50'])} / {_ms(c['relay_overhead_ms']['in_gateway']['p99'])} |"
        for c in r["conversations"])
    seeded = "\n".join(
        f"| {c['concurrency']} | {c['relay_overhead_ms']['count']} | {_ms(c['relay_overhead_ms']['p50'])} | "
        f"{_ms(c['relay_overhead_ms']['p99'])} | {_ms(c['turn_latency_ms']['p50'])} | {c['errors']} |"
        for c in r["after_seed"])
    floor_rows = "\n".join(
        f"| {c['concurrency']} | {c.get('stored_replies', 0)} | {c['relay_overhead_ms']['count']} | {_ms(c['relay_overhead_ms']['p50'])} / "
        f"{_ms(c['relay_overhead_ms']['p99'])} | {_ms(c['relay_overhead_ms']['in_gateway']['p50'])} / "
        f"{_ms(c['relay_overhead_ms']['in_gateway']['p99'])} | {_floor(c)} |"
        for c in r.get("emulator_floor", []))
    guide = "\n".join(
        f"| {c['concurrency']} | {c['relay_overhead_ms']['count']} | {_ms(c['relay_overhead_ms']['p50'])} | "
        f"{_ms(c['relay_overhead_ms']['p99'])} | {_ms(c['turn_latency_ms']['p50'])} | {c['errors']} |"
        for c in r["guide_clients"])
    routed = "\n".join(
        f"| {i + 1} | {p['events_received']:.0f} | {p['events_for_own_sessions']:.0f} | {p['ratio']} |"
        for i, p in enumerate(r["routed"]["processes"]))
    ramp = ", ".join(f"{x['connected']}: {x['gateway_rss_kib'] / 1024:.0f} MiB" for x in live["ramp"])
    targets = "\n".join(f"| {name} | {_mark(ok)} |" for name, ok in t.items())
    phases = one.get("trigger_phases_ms") or {}
    return f"""# Performance

Measured with `make bench` on this project's machine kind: {r['environment']['cpus']} cores, Python
{r['environment']['python']}, with everything on the one machine (Firebase emulators, functions, gateway, nginx and the
load generator), through the front door, with the offline agent, in one run. The full run took
{r['wall_seconds'] / 60:.0f} minutes. Raw numbers: `docs/performance.json`, a copy of `bench/results/full.json`. This page is
generated from it: `python -m bench.report bench/results/full.json > docs/performance.md`.

![turn latency and gateway memory](performance.png)

## Targets

| target | result |
|---|---|
{targets}

## End-to-end turns

| concurrent conversations | turn p50 | turn p95 | turn p99 | completed | errors | send → `ack` p50 | relay overhead p50 / p99 | of which in the gateway p50 / p99 |
|---|---|---|---|---|---|---|---|---|
{rows}

* **Bare trigger round trip** (the baseline: write a user turn straight to Firestore with the gateway's
  own write path, wait on a document listener for the reply): p50 {_ms(bare['p50'])}, p95 {_ms(bare['p95'])}
  over {bare['count']} samples.
* **End-to-end first turn vs bare, p50:** {_ms(one['first_turn_latency_ms']['p50'])} vs {_ms(bare['p50'])} =
  **{r['e2e_over_bare_p50']}×** over {one['first_turn_latency_ms']['count']} sequential conversations (first turns
  only: a fresh session, the same work as the bare round trip).
* **Relay overhead** is the time from the reply's commit (its inbox document's update time, written
  by the trigger's completing transaction) to the frame being sent, read from the gateway's
  Prometheus `/metrics`: the emulator delivering the inbox listener's event, then the gateway. The
  clients above send `last_seq` (from `0` on their first connection), as the web app does, so their
  frames go out as soon as they arrive.
* **Where the relay's p99 goes.** {_relay_split(r)}

## How much of the relay is the emulator

No gateway can relay a document sooner than the emulator hands it to a listener. To measure that
floor, the same conversations ran again with a second listener on the gateway's inbox (the same query
as the gateway's own). It is a plain Python `on_snapshot` listener in a process of its own that does
nothing else (`bench/bare_listener.py`), and it times the same reply documents from their commit to
its callback. The second listener adds work to the emulator, so these runs are slower than the ones
above, which ran without it. Compare within a row.

| concurrent conversations | replies stored before | frames | relay overhead p50 / p99 | of which in the gateway p50 / p99 | bare listener p50 / p99 (documents) |
|---|---|---|---|---|---|
{floor_rows}

## Guide clients: the price of exactly-once without `last_seq`

A client that never sends `last_seq` gets each final frame only after its `seq` is recorded as
delivered on the session (README, "The delivery rule"): one Firestore write between the reply's
arrival and the frame. The same measurement with such clients:

| concurrent conversations | frames | relay overhead p50 | p99 | turn p50 | errors |
|---|---|---|---|---|---|
{guide}

## Relay overhead with a large database

{r['seeded']['replies']} replies were then stored in {r['seeded']['replies'] // 100} other sessions (in
{r['seeded']['seconds']} s), and the relay measured again:

| concurrent conversations | frames | relay overhead p50 | p99 | turn p50 | errors |
|---|---|---|---|---|---|
{seeded}

Each gateway process listens to its own inbox, whose live result set holds only what it has not yet
relayed (documents are deleted once sent), so neither the stored replies nor other processes'
traffic reach it: the gateway's own part does not grow. {_seed_floor(r)}

## Two gateway processes: each receives only its own traffic

{r['routed']['conversations']['concurrency']} conversations split between two gateway processes
({r['routed']['conversations']['conversations_completed']} completed, {r['routed']['conversations']['errors']} errors):

| process | inbox events received | events for its own sessions | ratio |
|---|---|---|---|
{routed}

Before this design every process listened to every reply in the system, so with N processes
Firestore delivered each reply N times.

## Where a turn's time goes (1 conversation at a time, trigger phases from its log)

| phase | p50 | p95 |
|---|---|---|
{_phase_table(phases)}

Plus the client's `user_message` → `ack` (the gateway's one batch write, through nginx):
{_ms(one['ack_latency_ms']['p50'])} p50, and the relay above. The claim is one `create()` (it was a transaction
reading the session and the reply), the session and both history queries run in parallel (they ran one
after another), and the completing transaction reads the reply and the session in one call. The
Functions emulator dispatches trigger events one at a time, which is why turns queue at 10 and 100
concurrent conversations; in production each event gets its own instance slot (see `docs/scaling.md`).

{_session_creation(r)}{_first_delta(r)}
## Live sessions on one gateway process

Sessions created through `POST /api/v1/sessions` on the front door ({live['created_over_http']['seconds']} s for
{live['target']}, {live['created_over_http']['failures']} failures, p50 {_ms(live['created_over_http']['latency_ms']['p50'])} at 16 concurrent
requests), then connected through nginx as clients would.
{live['connected']} of {live['target']} connected ({live['connect_failures']} failures), {live['kib_per_connection']} KiB per
connection (target ≤ 24); replies at the top: {live['replies_at_top']['answered']} of {live['replies_at_top']['probed']} probes answered.
Ramp (connections: gateway RSS): {ramp}.

## How to reproduce

```bash
make bench                      # writes bench/results/full.json and docs/performance.png
python -m bench.report bench/results/full.json > docs/performance.md
make bench-smoke                # the seconds-long version
```

Load goes only to 127.0.0.1. Every loop is bounded in count and time, and the bench stops the stack it
started.
"""


def _floor(c: dict) -> str:
    floor = c.get("bare_listener_ms")
    return f"{_ms(floor['p50'])} / {_ms(floor['p99'])} ({floor['count']})" if floor and floor["count"] else "n/a"


def _seed_floor(r: dict) -> str:
    floors = {bool(c.get("stored_replies")): c for c in r.get("emulator_floor", [])
              if c["concurrency"] == max(x["concurrency"] for x in r["conversations"])
              and c.get("bare_listener_ms", {}).get("count")}
    if len(floors) < 2:
        return ""
    before, after = floors[False]["bare_listener_ms"], floors[True]["bare_listener_ms"]
    text = (f"A bare listener on the same inbox (previous section) had a p50 of {_ms(before['p50'])} before the replies "
            f"were stored and {_ms(after['p50'])} after (p99 {_ms(before['p99'])} and {_ms(after['p99'])}), at "
            f"{floors[False]['concurrency']} conversations.")
    if after["p50"] > 1.3 * before["p50"]:
        text += (" The emulator's own delivery slows as the database grows, with no gateway involved: "
                 "that is what moves the relay's figures here.")
    return text


def _relay_split(r: dict) -> str:
    runs = r["conversations"] + r["after_seed"]
    total = max(c["relay_overhead_ms"]["p99"] for c in runs)
    inside = sorted(c["relay_overhead_ms"]["in_gateway"]["p99"] for c in runs)
    floors = [c for c in r.get("emulator_floor", []) if c.get("bare_listener_ms", {}).get("count")]
    if total <= 10:
        return "The ≤ 10 ms p99 target is met."
    verdict = (f"The ≤ 10 ms p99 target is **missed**: the worst p99 is {_ms(total)}, while the gateway's own part "
               f"(inbox event received → frame sent) has a p99 of {_ms(inside[0])} to {_ms(inside[-1])} across the "
               "runs (from the listener's callback, including the hop to the event loop). The rest is the Firestore "
               "emulator delivering the change to the Python client's watch stream, on a machine "
               "whose 2 cores also run the emulator JVM, the functions emulator and the load generator.")
    if floors:
        low = min(c["bare_listener_ms"]["p99"] for c in floors)
        high = max(c["bare_listener_ms"]["p99"] for c in floors)
        verdict += (f" A bare listener on the same documents, which does nothing but note the time, has a p99 of "
                    f"{_ms(low)} to {_ms(high)} in the runs of the next section"
                    + (": above the target before any gateway work, so on this emulator no relay can meet it."
                       if low > 10 else "."))
        stalls = [c for c in floors if c["relay_overhead_ms"]["in_gateway"]["p99"] > inside[-1]]
        if stalls:
            worst = max(stalls, key=lambda c: c["relay_overhead_ms"]["in_gateway"]["p99"])
            verdict += (f" The tail also varies from run to run on this shared 2-core machine: in one of those runs "
                        f"({worst['concurrency']} conversations) the gateway's own part had a p99 of "
                        f"{_ms(worst['relay_overhead_ms']['in_gateway']['p99'])}.")
    return verdict


def _session_creation(r: dict) -> str:
    if "session_creation" not in r:
        return ""
    from .session_creation import render as render_creation
    return render_creation(r["session_creation"]) + "\n"


def _first_delta(r: dict) -> str:
    if "first_delta" not in r:
        return ""
    from .first_delta import render as render_first_delta
    return render_first_delta(r["first_delta"]) + "\n"


def main(argv: list[str] | None = None) -> int:
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "functions"))  # the sections' own modules
    args = argv if argv is not None else sys.argv[1:]
    path = args[0] if args else "bench/results/full.json"
    with open(path) as handle:
        sys.stdout.write(render(json.load(handle)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
