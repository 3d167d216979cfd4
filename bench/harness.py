"""The benchmark scenarios, against a running local stack (loopback only,
bounded in count and time).

* conversations: N concurrent learners each run the guide's conversation to
  mission_created through the front door; every turn's latency (user_message
  sent -> agent_message received) is recorded.
* bare trigger: write a user turn straight to Firestore and wait for the
  trigger's reply (listener on the reply document): the baseline.
* relay overhead: read from the gateway's /metrics (Prometheus text, METRICS_ENABLED):
  reply committed -> frame sent, also after 10,000 replies are already stored.
* routed delivery: two gateway processes, conversations split between them;
  inbox events each process receives / events for its own sessions.
* where a turn's time goes: the client's send -> ack (gateway store), the
  trigger's phases (from its "turn answered" log lines), the relay.
* live sessions: ramp up authenticated, pinging WebSocket sessions on ONE
  gateway process; RSS per connection; replies still delivered at the top.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import resource
import secrets
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from typing import Any
from unittest import mock

import websockets
from google.auth.credentials import AnonymousCredentials
from google.cloud import firestore

from mission_commander import schema
from mission_commander.latency_stats import summarize
from mission_commander.store import SessionStore
from tools.local_stack import PROJECT_ID, LocalStack

GUIDE = ["I want to learn Python for data analysis", "I want to analyze business data",
         "No, I'm a complete beginner", "About 5 hours per week", "Yes, that's correct"]


def raise_fd_limit(wanted: int = 65536) -> int:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = min(wanted, hard) if hard != resource.RLIM_INFINITY else wanted
    if soft < target:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def _get_json(url: str) -> dict[str, Any]:
    with urllib.request.urlopen(url, timeout=10) as resp:
        return json.loads(resp.read())


def rss_kib(pid: int) -> int:
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def admin_client(stack: LocalStack) -> firestore.Client:
    """A Firestore client for ``stack``'s emulator (the benchmarks' own reads and seeding)."""
    with mock.patch.dict(os.environ, {"FIRESTORE_EMULATOR_HOST": f"127.0.0.1:{stack.ports.firestore}"}):
        return firestore.Client(project=PROJECT_ID, credentials=AnonymousCredentials())


def post_session(stack: LocalStack, token: str, timeout: float = 60) -> dict[str, Any]:
    """One ``POST /api/v1/sessions`` through the front door, as a client sends it: the status,
    the session id (on 200), ``Retry-After`` (on 429) and the milliseconds it took."""
    req = urllib.request.Request(f"{stack.front_url}/api/v1/sessions", method="POST",
                                 headers={"Authorization": f"Bearer {token}"})
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            status, headers, body = resp.status, resp.headers, resp.read()
    except urllib.error.HTTPError as err:
        status, headers, body = err.code, err.headers, err.read()
    return {"status": status, "ms": (time.perf_counter() - started) * 1000,
            "session_id": json.loads(body)["session_id"] if status == 200 else None,
            "retry_after": int(headers["Retry-After"]) if headers.get("Retry-After") else None}


def create_sessions_http(stack: LocalStack, tokens: list[str], count: int, workers: int = 16) -> dict[str, Any]:
    """``count`` sessions through the front door's ``POST /api/v1/sessions``, as clients create
    them (round robin over ``tokens``). Returns the (session id, token) pairs and the timings."""
    from concurrent.futures import ThreadPoolExecutor

    def post(i: int) -> tuple[str, str, float] | None:
        token = tokens[i % len(tokens)]
        started = time.perf_counter()
        for _ in range(3):
            try:
                session_id = post_session(stack, token)["session_id"]
            except OSError:  # counted below
                session_id = None
            if session_id:
                return session_id, token, (time.perf_counter() - started) * 1000
            time.sleep(0.5)
        return None

    started = time.perf_counter()
    with ThreadPoolExecutor(workers) as pool:
        results = list(pool.map(post, range(count)))
    made = [r for r in results if r is not None]
    return {"sessions": [(sid, token) for sid, token, _ in made], "failures": count - len(made),
            "seconds": round(time.perf_counter() - started, 1),
            "latency_ms": summarize([ms for _, _, ms in made])}


@dataclass
class ConversationResult:
    latencies_ms: list[float] = field(default_factory=list)
    ack_ms: list[float] = field(default_factory=list)
    """send -> ack: the gateway storing the learner's message."""
    first_turn_ms: list[float] = field(default_factory=list)
    """The first turn only: the same work as the bare trigger round trip (a fresh session)."""
    errors: int = 0
    completed: int = 0
    error_kinds: dict[str, int] = field(default_factory=dict)

    def fail(self, kind: str) -> None:
        self.errors += 1
        self.error_kinds[kind] = self.error_kinds.get(kind, 0) + 1


async def _create_session(stack: LocalStack, token: str) -> str:
    created = await asyncio.to_thread(post_session, stack, token, 30)
    if created["session_id"] is None:
        raise RuntimeError(f"POST /api/v1/sessions answered {created['status']}")
    return created["session_id"]


async def _one_conversation(stack: LocalStack, token: str, result: ConversationResult, timeout: float,
                            ws_url: str | None = None, tracks_seq: bool = False) -> None:
    try:
        try:
            session_id = await _create_session(stack, token)
        except Exception as exc:  # noqa: BLE001
            result.fail(f"create_session: {type(exc).__name__}")
            return
        resume = "&last_seq=0" if tracks_seq else ""  # a client that tracks seq says so from the start
        async with websockets.connect(f"{ws_url or stack.ws_url}?session_id={session_id}&token={token}{resume}",
                                      open_timeout=30, max_queue=64) as ws:
            await asyncio.wait_for(ws.recv(), timeout)
            for index, text in enumerate(GUIDE):
                sent = time.perf_counter()
                await ws.send(json.dumps({"type": "user_message", "content": text}))
                while True:
                    data = json.loads(await asyncio.wait_for(ws.recv(), timeout))
                    if data["type"] == "ack":
                        result.ack_ms.append((time.perf_counter() - sent) * 1000)
                    if data["type"] in ("agent_message", "mission_created", "error"):
                        break
                if data["type"] == "error":
                    result.fail(f"error message: {data.get('code')}")
                    return
                result.latencies_ms.append((time.perf_counter() - sent) * 1000)
                if index == 0:
                    result.first_turn_ms.append(result.latencies_ms[-1])
            result.completed += 1
    except Exception as exc:  # noqa: BLE001 - counted, the run goes on
        result.fail(type(exc).__name__)


def bench_tokens(count: int) -> str:
    """DEV_AUTH_TOKENS for ``count`` distinct learners (bench-token-i = bench-user-i)."""
    return ",".join(f"bench-token-{i}=bench-user-{i}" for i in range(count))


async def conversations(stack: LocalStack, concurrency: int, *, tokens: list[str],
                        timeout: float = 300.0, rounds: int = 1, ws_urls: list[str] | None = None,
                        tracks_seq: bool = True) -> dict[str, Any]:
    """``concurrency`` learners (one token each, round robin) run the guide's conversation,
    ``rounds`` times one after another (more samples at low concurrency); with ``ws_urls``, the
    learners are split between those gateways (round robin). ``tracks_seq``: clients that send
    ``last_seq`` (as the web app does); else guide clients, whose final frames wait for their
    delivery record."""
    result = ConversationResult()
    started = time.perf_counter()
    for _ in range(rounds):
        await asyncio.gather(*(_one_conversation(stack, tokens[i % len(tokens)], result, timeout,
                                                 ws_urls[i % len(ws_urls)] if ws_urls else None, tracks_seq)
                               for i in range(concurrency)))
    return {"concurrency": concurrency, "rounds": rounds, "tracks_seq": tracks_seq,
            "turn_latency_ms": summarize(result.latencies_ms),
            "ack_latency_ms": summarize(result.ack_ms),
            "first_turn_latency_ms": summarize(result.first_turn_ms),
            "conversations_completed": result.completed, "errors": result.errors,
            "error_kinds": result.error_kinds,
            "seconds": round(time.perf_counter() - started, 2)}


def bare_trigger(db: firestore.Client, samples: int, user_id: str = "bench-user") -> dict[str, Any]:
    """Write a user turn, wait for the trigger's reply via a document listener."""
    store = SessionStore(db)
    latencies = []
    for i in range(samples):
        session_id = store.create_session(user_id, schema.utc_now(), 3600)
        done = threading.Event()
        ref = (db.collection(schema.SESSIONS).document(session_id).collection(schema.REPLIES)
               .document(schema.turn_id(2)))

        def on_snapshot(docs, _changes, _read_time, done=done):
            if docs and docs[0].exists and (docs[0].to_dict() or {}).get("status") == "complete":
                done.set()

        watch = ref.on_snapshot(on_snapshot)
        try:
            time.sleep(0.05)  # the listener is established before the write
            started = time.perf_counter()
            store.add_user_turn(session_id, user_id, GUIDE[0], schema.utc_now(), 120)
            if done.wait(30):
                latencies.append((time.perf_counter() - started) * 1000)
        finally:
            watch.unsubscribe()
    return {"samples": samples, "round_trip_ms": summarize(latencies), "errors": samples - len(latencies)}


async def live_sessions(stack: LocalStack, target: int, *, tokens: list[str], ping_every: float = 20.0,
                        step: int = 500, probe: int = 20) -> dict[str, Any]:
    """Sessions created through the HTTP endpoint, then a ramp to ``target`` connected through
    the front door (nginx) to the one gateway process; measure its RSS; probe replies at the top."""
    gateway_pid = stack.gateway.proc.pid
    base_rss = rss_kib(gateway_pid)
    created = await asyncio.to_thread(create_sessions_http, stack, tokens, target)
    session_ids = created.pop("sessions")
    sockets: list[Any] = []
    ramp: list[dict[str, Any]] = []
    failures = 0
    stop = asyncio.Event()

    async def pinger(ws):
        while not stop.is_set():
            await asyncio.sleep(ping_every * (0.5 + random.random()))
            try:
                await ws.send('{"type":"ping"}')
            except Exception:  # noqa: BLE001
                return

    pingers = []
    sem = asyncio.Semaphore(50)

    async def open_one(session_id, token):
        nonlocal failures
        async with sem:
            try:
                ws = await websockets.connect(f"{stack.ws_url}?session_id={session_id}&token={token}&last_seq=0",
                                              open_timeout=60, ping_interval=None, max_queue=4)
                first = json.loads(await asyncio.wait_for(ws.recv(), 60))
                if first.get("type") != "connected":
                    failures += 1
                    await ws.close()
                    return
                sockets.append((session_id, ws))
                pingers.append(asyncio.create_task(pinger(ws)))
            except Exception:  # noqa: BLE001
                failures += 1

    started = time.perf_counter()
    try:
        for start in range(0, target, step):
            await asyncio.gather(*(open_one(s, t) for s, t in session_ids[start:start + step]))
            await asyncio.sleep(1)
            rss = rss_kib(gateway_pid)
            ramp.append({"connected": len(sockets), "gateway_rss_kib": rss,
                         "kib_per_connection": round((rss - base_rss) / max(1, len(sockets)), 1),
                         "seconds": round(time.perf_counter() - started, 1)})
        await asyncio.sleep(3)
        health = _get_json(f"{stack.gateway_url}/health")
        # At the top of the ramp: do replies still arrive?
        sample = random.Random(5).sample(sockets, min(probe, len(sockets)))
        probe_ok, probe_latency = 0, []

        async def probe_one(ws):
            nonlocal probe_ok
            sent = time.perf_counter()
            await ws.send(json.dumps({"type": "user_message", "content": GUIDE[0]}))
            while True:
                data = json.loads(await asyncio.wait_for(ws.recv(), 60))
                if data["type"] == "agent_message":
                    probe_ok += 1
                    probe_latency.append((time.perf_counter() - sent) * 1000)
                    return
                if data["type"] == "error":
                    return

        await asyncio.gather(*(probe_one(ws) for _, ws in sample), return_exceptions=True)
        top_rss = rss_kib(gateway_pid)
        return {
            "target": target, "created_over_http": created, "connected": len(sockets), "connect_failures": failures,
            "gateway_reported_connections": health.get("connections"),
            "gateway_rss_kib_before": base_rss, "gateway_rss_kib_top": top_rss,
            "kib_per_connection": round((top_rss - base_rss) / max(1, len(sockets)), 1),
            "replies_at_top": {"probed": len(sample), "answered": probe_ok,
                               "latency_ms": summarize(probe_latency)},
            "ramp": ramp, "seconds": round(time.perf_counter() - started, 1),
        }
    finally:
        stop.set()
        for task in pingers:
            task.cancel()
        await asyncio.gather(*(ws.close() for _, ws in sockets), return_exceptions=True)


def gateway_metrics(base_url: str, *, reset: bool = False) -> dict[str, float]:
    """The gateway's Prometheus metrics as {sample name with labels: value}."""
    with urllib.request.urlopen(f"{base_url}/metrics{'?reset=1' if reset else ''}", timeout=10) as resp:
        text = resp.read().decode()
    out = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            name, _, value = line.rpartition(" ")
            out[name] = float(value)
    return out


def gateway_id(base_url: str) -> str:
    """The gateway process's id (its inbox), from its ``mc_gateway_info`` metric."""
    for name in gateway_metrics(base_url):
        if name.startswith('mc_gateway_info{gateway_id="'):
            return name.split('"')[1]
    raise RuntimeError(f"{base_url}/metrics has no mc_gateway_info")


def _summary(metrics: dict[str, float], name: str) -> dict[str, Any]:
    return {"count": int(metrics.get(f"{name}_count", 0)),
            **{f"p{q}": metrics.get(f'{name}{{quantile="0.{q}"}}') for q in ("5", "95", "99")}}


def relay_overhead(stack: LocalStack, *, reset: bool = False, base_url: str | None = None) -> dict[str, Any]:
    """The gateway's relay overhead (commit -> sent) and its in-process part (callback -> sent)."""
    metrics = gateway_metrics(base_url or stack.gateway_url, reset=reset)
    relay = _summary(metrics, "mc_gateway_relay_overhead_ms")
    relay["p50"] = relay.pop("p5")
    inside = _summary(metrics, "mc_gateway_in_process_overhead_ms")
    inside["p50"] = inside.pop("p5")
    return {**relay, "in_gateway": inside}


def seed_replies(db: firestore.Client, count: int, per_session: int = 100) -> dict[str, Any]:
    """``count`` complete agent replies already stored (in sessions of their own), as a database
    that has served many conversations holds."""
    started = time.perf_counter()
    now = schema.utc_now()
    written = 0
    while written < count:
        session_ref = db.collection(schema.SESSIONS).document(secrets.token_hex(12))
        batch = db.batch()
        batch.create(session_ref, {**schema.new_session("bench-seed", now, 3600), "status": "completed"})
        for i in range(min(per_session, count - written)):
            doc = schema.reply_document(session_ref.id, "bench-seed", 2 * i + 1, now, status=schema.TurnStatus.COMPLETE,
                                        content="A stored reply.", agent="offline")
            batch.create(session_ref.collection(schema.REPLIES).document(schema.turn_id(doc["seq"])), doc)
            written += 1
        batch.commit()
    return {"replies": written, "seconds": round(time.perf_counter() - started, 1)}


def routed_split(stack: LocalStack, conversations_total: int, *, tokens: list[str], port_offset: int = 17) -> dict[str, Any]:
    """Two gateway processes, ``conversations_total`` concurrent conversations split between them:
    how many inbox events each process receives per event for its own sessions."""
    extra_port = stack.ports.gateway + port_offset
    second = stack.spawn_gateway(extra_port, name="gateway-bench-2", env_overrides={"METRICS_ENABLED": "true"})
    try:
        urls = [stack.gateway_url, f"http://127.0.0.1:{extra_port}"]
        for url in urls:
            gateway_metrics(url, reset=True)
        before = [gateway_metrics(url) for url in urls]
        result = asyncio.run(conversations(stack, conversations_total, tokens=tokens,
                                           ws_urls=[u.replace("http://", "ws://") + "/api/v1/mission-commander/ws"
                                                    for u in urls]))
        processes = []
        for url, start in zip(urls, before):
            now = gateway_metrics(url)
            received = now["mc_gateway_inbox_events_total"] - start["mc_gateway_inbox_events_total"]
            own = now["mc_gateway_inbox_events_own_total"] - start["mc_gateway_inbox_events_own_total"]
            processes.append({"events_received": received, "events_for_own_sessions": own,
                              "ratio": round(received / own, 3) if own else None})
        return {"conversations": result, "processes": processes,
                "worst_ratio": max((p["ratio"] or float("inf")) for p in processes)}
    finally:
        second.stop()


def trigger_phases(stack: LocalStack, since_bytes: int = 0) -> dict[str, Any]:
    """Percentiles of the trigger's phases, from its "turn answered" log lines after ``since_bytes``."""
    log_path = stack.run_dir / "emulators.log"
    phases: dict[str, list[float]] = {}
    with open(log_path, errors="replace") as handle:
        handle.seek(since_bytes)
        for line in handle:
            start = line.find("{")
            if start < 0 or '"turn answered"' not in line:
                continue
            try:
                entry = json.loads(line[start:])
            except ValueError:
                continue
            for name, ms in (entry.get("phases_ms") or {}).items():
                phases.setdefault(name, []).append(ms)
    return {name: summarize(values) for name, values in phases.items()}


def log_size(stack: LocalStack) -> int:
    return (stack.run_dir / "emulators.log").stat().st_size


def environment() -> dict[str, Any]:
    return {"cpus": os.cpu_count(), "python": os.sys.version.split()[0], "fd_limit": raise_fd_limit(),
            "machine": os.uname().machine}
