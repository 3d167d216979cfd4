"""The emulator's own floor for the relay: how long the Firestore emulator takes to hand a
committed inbox document to a plain Python listener that does nothing else.

``BareListener`` runs, in a process of its own (so the benchmark's clients do not
share its interpreter), one ``on_snapshot`` listener on the gateway's inbox: the
same query as the gateway's own listener. For each reply document it sees added
it records the time from the document's commit (its update time, the same reference the gateway's relay
overhead uses) to the callback. The gateway's relay overhead for the same documents
cannot be lower than this, whatever the gateway does.

Run alone: ``python -m bench.bare_listener GATEWAY_ID`` with ``FIRESTORE_EMULATOR_HOST`` set;
it prints ``ready`` once listening and, on SIGTERM, the latencies as one JSON list.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from typing import Any

from tools.local_stack import PROJECT_ID, ROOT, LocalStack

__all__ = ["BareListener"]


class BareListener:
    """``with BareListener(stack, gateway_id) as floor: ...``; then ``floor.latencies_ms``."""

    def __init__(self, stack: LocalStack, gateway_id: str) -> None:
        self._gateway_id = gateway_id
        self._env = {**os.environ, "FIRESTORE_EMULATOR_HOST": f"127.0.0.1:{stack.ports.firestore}",
                     "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "functions")])}
        self._proc: subprocess.Popen[str] | None = None
        self.latencies_ms: list[float] = []

    def __enter__(self) -> "BareListener":
        self._proc = subprocess.Popen([sys.executable, "-m", "bench.bare_listener", self._gateway_id], cwd=ROOT,
                                      env=self._env, stdout=subprocess.PIPE, text=True, start_new_session=True)
        assert self._proc.stdout is not None
        line = self._proc.stdout.readline()  # blocks until the first snapshot arrived (or the process died)
        if line.strip() != "ready":
            self._stop()
            raise RuntimeError(f"the bare listener did not start: {line!r}")
        return self

    def __exit__(self, *_exc: Any) -> None:
        self._stop()

    def _stop(self) -> None:
        proc, self._proc = self._proc, None
        if proc is None:
            return
        try:
            proc.send_signal(signal.SIGTERM)
            out, _ = proc.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate()
            return
        last = out.strip().splitlines()[-1:] if out else []
        self.latencies_ms = json.loads(last[0]) if last and last[0].startswith("[") else []


def _main(gateway_id: str) -> None:
    from google.auth.credentials import AnonymousCredentials
    from google.cloud import firestore

    from mission_commander import schema

    db = firestore.Client(project=PROJECT_ID, credentials=AnonymousCredentials())
    latencies: list[float] = []
    ready = threading.Event()

    def on_snapshot(_docs: Any, changes: Any, _read_time: Any) -> None:
        now = time.time()
        for change in changes:
            doc = change.document
            if change.type.name == "ADDED" and (doc.to_dict() or {}).get("inbox_kind") == schema.InboxKind.REPLY.value:
                latencies.append(round((now - doc.update_time.timestamp()) * 1000, 3))
        ready.set()

    watch = db.collection(schema.GATEWAYS).document(gateway_id).collection(schema.INBOX).on_snapshot(on_snapshot)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    ready.wait(30)
    print("ready", flush=True)
    while not stop.wait(0.5):
        pass
    watch.unsubscribe()
    print(json.dumps(latencies), flush=True)


if __name__ == "__main__":
    _main(sys.argv[1])
