"""The whole local stack in one process tree, for `make dev` and the tests.

Starts, each in its own process group (so stopping leaves nothing behind):
  1. the Firebase emulators (auth, firestore, functions, hosting) via firebase-tools,
  2. the WebSocket gateway (python -m ws_gateway),
  3. nginx as the front door (deploy/nginx/front-door.conf.template).

Run `python -m tools.local_stack` (what `make dev` does) and press Ctrl-C to stop.
"""

from __future__ import annotations

import dataclasses
import json
import os
import resource
import shutil
import signal
import socket
import string
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PROJECT_ID = "demo-mission-commander"
DEFAULT_DEV_TOKENS = "test-token=user123"
CACHE = ROOT / ".cache"


@dataclass(frozen=True)
class Ports:
    front: int = 8000
    hub: int = 4400
    logging: int = 4500
    auth: int = 9099
    firestore: int = 8080
    firestore_ws: int = 9150
    functions: int = 5001
    hosting: int = 5000
    gateway: int = 8765

    def shifted(self, offset: int) -> "Ports":
        return Ports(**{f.name: getattr(self, f.name) + offset for f in dataclasses.fields(self)})


class StackError(RuntimeError):
    pass


def dev_origins(ports: Ports, extra: tuple[str, ...] = ()) -> list[str]:
    """The origins allowed by CORS and the gateway's Origin check: the stack's own front door and
    hosting, then ``extra`` (your own frontend), without duplicates."""
    origins = [f"http://{host}:{port}" for port in (ports.front, ports.hosting) for host in ("localhost", "127.0.0.1")]
    for origin in extra:
        origin = origin.strip().rstrip("/")
        if origin and origin not in origins:
            origins.append(origin)
    return origins


def origins_from_env(environ: dict[str, str]) -> tuple[str, ...]:
    """Extra origins for `make dev`: ``ALLOW_ORIGINS`` and ``EXTRA_ALLOWED_ORIGINS`` (comma-separated),
    added to the defaults rather than replacing them."""
    raw = ",".join(environ.get(var, "") for var in ("ALLOW_ORIGINS", "EXTRA_ALLOWED_ORIGINS"))
    return tuple(o.strip() for o in raw.split(",") if o.strip())


def nginx_inline_json(data: dict) -> str:
    """``data`` as JSON fit for a single-quoted nginx string (no variables, quotes escaped)."""
    text = json.dumps(data, ensure_ascii=True, separators=(",", ":"))
    if "$" in text:
        raise StackError("the web config may not contain '$' (nginx would read it as a variable)")
    return text.replace("\\", "\\\\").replace("'", "\\'")


def _port_open(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.2)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def _http_ok(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=1) as resp:
            return resp.status == 200
    except OSError:
        return False


class ManagedProcess:
    """A child process in its own process group, logged to a file."""

    def __init__(self, name: str, cmd: list[str], env: dict[str, str], log_path: Path, cwd: Path = ROOT) -> None:
        self.name = name
        self.log_path = log_path
        self._log = open(log_path, "ab")
        self.proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=self._log, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL, start_new_session=True)

    def alive(self) -> bool:
        return self.proc.poll() is None

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def send_signal(self, sig: int) -> None:
        try:
            os.killpg(self.proc.pid, sig)
        except ProcessLookupError:
            pass

    def descendants(self) -> list[int]:
        """Every process below ours, by parent links (some, like the Firestore
        emulator's JVM, start a session of their own and leave our group)."""
        children: dict[int, list[int]] = {}
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
                except (OSError, IndexError, ValueError):
                    continue
                children.setdefault(ppid, []).append(int(entry.name))
        found, todo = [], [self.proc.pid]
        while todo:
            for child in children.get(todo.pop(), []):
                found.append(child)
                todo.append(child)
        return found

    def stop(self, timeout: float = 15.0, sig: int = signal.SIGTERM) -> None:
        """Stop the whole process group: the signal, then SIGKILL for stragglers,
        including descendants that left the group."""
        strays = self.descendants()
        self.send_signal(sig)
        try:
            self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            pass
        # firebase-tools leaves Python workers behind (firebase-tools#11069): sweep the group.
        self.send_signal(signal.SIGKILL)
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            pass
        for pid in strays:
            try:
                os.kill(pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
        self._log.close()


FRONT_DOOR_SOCKETS = 12_000
"""Proxied WebSockets the local front door must carry: the 10,000-session benchmark plus headroom."""


def front_door_sizing(sockets: int = FRONT_DOOR_SOCKETS) -> dict[str, int]:
    """nginx workers and connections for ``sockets`` proxied WebSockets within this process's
    open-file limit (an unprivileged nginx cannot raise it): two descriptors per socket."""
    hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
    per_worker_files = min(hard if hard != resource.RLIM_INFINITY else 65536, 65536)
    per_worker = max(512, (per_worker_files - 64) // 2)
    workers = max(1, min(8, -(-sockets // per_worker)))
    return {"NGINX_WORKERS": workers, "NGINX_NOFILE": per_worker_files,
            "NGINX_WORKER_CONNECTIONS": per_worker * 2}


class LocalStack:
    def __init__(self, ports: Ports = Ports(), *, name: str = "dev", dev_tokens: str = DEFAULT_DEV_TOKENS,
                 extra_env: dict[str, str] | None = None, run_dir: Path | None = None,
                 web_overrides: dict | None = None, extra_origins: tuple[str, ...] = ()) -> None:
        self.web_overrides = dict(web_overrides or {})
        self.ports = ports
        self.name = name
        self.dev_tokens = dev_tokens
        self.extra_env = {"ALLOW_ORIGINS": ",".join(dev_origins(ports, extra_origins)), **(extra_env or {})}
        self.run_dir = run_dir or ROOT / ".run" / name
        self.run_dir.mkdir(parents=True, exist_ok=True)
        self.emulators: ManagedProcess | None = None
        self.gateway: ManagedProcess | None = None
        self.front_door: ManagedProcess | None = None

    # -- addresses ------------------------------------------------------------------
    @property
    def front_url(self) -> str:
        return f"http://127.0.0.1:{self.ports.front}"

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.ports.front}/api/v1/mission-commander/ws"

    @property
    def hosting_url(self) -> str:
        return f"http://127.0.0.1:{self.ports.hosting}"

    @property
    def gateway_url(self) -> str:
        return f"http://127.0.0.1:{self.ports.gateway}"

    def web_config(self) -> dict:
        """The web app's /config.json for this stack: same-origin API, the emulators."""
        return {
            "apiUrl": "", "wsUrl": "",
            "firebase": {"apiKey": "demo-key", "projectId": PROJECT_ID, "authDomain": "localhost"},
            "emulators": {"auth": f"http://127.0.0.1:{self.ports.auth}",
                          "firestore": {"host": "127.0.0.1", "port": self.ports.firestore}},
            **self.web_overrides,
        }

    def service_env(self) -> dict[str, str]:
        """What a process needs to talk to this stack's emulators."""
        return {
            "GOOGLE_CLOUD_PROJECT": PROJECT_ID,
            "GCLOUD_PROJECT": PROJECT_ID,
            "FIRESTORE_EMULATOR_HOST": f"127.0.0.1:{self.ports.firestore}",
            "FIREBASE_AUTH_EMULATOR_HOST": f"127.0.0.1:{self.ports.auth}",
        }

    # -- configuration --------------------------------------------------------------
    def _firebase_config(self) -> Path:
        base = ROOT / "firebase.json"
        if self.ports == Ports():
            return base
        config = json.loads(base.read_text())
        emulators = config["emulators"]
        for key, port in (("hub", self.ports.hub), ("logging", self.ports.logging), ("auth", self.ports.auth),
                          ("functions", self.ports.functions), ("hosting", self.ports.hosting)):
            emulators[key]["port"] = port
        emulators["firestore"]["port"] = self.ports.firestore
        emulators["firestore"]["websocketPort"] = self.ports.firestore_ws
        # firebase-tools resolves paths against the config's folder: keep it at the root.
        path = ROOT / f".firebase.{self.name}.json"
        path.write_text(json.dumps(config, indent=2))
        return path

    def _tool_env(self) -> dict[str, str]:
        env = dict(os.environ)
        java_home = (CACHE / "java_home").read_text().strip() if (CACHE / "java_home").exists() else ""
        if not java_home:
            raise StackError("run scripts/setup.sh first (no JDK >= 21 recorded in .cache/java_home)")
        env.update(
            JAVA_HOME=java_home,
            PATH=f"{java_home}/bin:{ROOT / 'node_modules' / '.bin'}:{env.get('PATH', '')}",
            FIREBASE_EMULATORS_PATH=str(CACHE / "emulators"),
            FIRESTORE_EMULATOR_BINARY_PATH=str(CACHE / "firestore-emulator-shim.jar"),
            CI=env.get("CI", "true"),
        )
        (CACHE / "emulators").mkdir(parents=True, exist_ok=True)
        for var in ("FIRESTORE_EMULATOR_HOST", "FIREBASE_AUTH_EMULATOR_HOST"):
            env.pop(var, None)
        return env

    # -- lifecycle ------------------------------------------------------------------
    def _check_ports_free(self) -> None:
        busy = [f"{f.name}={getattr(self.ports, f.name)}" for f in dataclasses.fields(self.ports)
                if _port_open(getattr(self.ports, f.name))]
        if busy:
            raise StackError(f"ports already in use ({', '.join(busy)}): is another stack running?")

    def start(self) -> "LocalStack":
        self._check_ports_free()
        for old_log in self.run_dir.glob("*.log"):
            old_log.unlink()  # each start begins with fresh logs
        try:
            self.start_emulators()
            self.start_gateway()
            self.start_front_door()
        except BaseException:
            self.stop()
            raise
        return self

    def start_emulators(self, timeout: float = 180.0) -> None:
        env = self._tool_env()
        env.update({"DEV_AUTH_TOKENS": self.dev_tokens, **self.extra_env})
        cmd = [str(ROOT / "node_modules" / ".bin" / "firebase"), "emulators:start",
               "--only", "auth,firestore,functions,hosting", "--project", PROJECT_ID,
               "--config", str(self._firebase_config())]
        log_path = self.run_dir / "emulators.log"
        log_path.write_text("")
        self.emulators = ManagedProcess("emulators", cmd, env, log_path)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if "All emulators ready" in log_path.read_text(errors="replace"):
                return
            if not self.emulators.alive():
                raise StackError(f"the Firebase emulators exited:\n{self.emulators.log_tail()}")
            time.sleep(0.25)
        raise StackError(f"the Firebase emulators were not ready in {timeout:.0f}s:\n{self.emulators.log_tail()}")

    def start_gateway(self, timeout: float = 30.0) -> ManagedProcess:
        """The gateway behind the front door."""
        self.gateway = self.spawn_gateway(self.ports.gateway, timeout=timeout)
        return self.gateway

    def spawn_gateway(self, port: int, *, timeout: float = 30.0, name: str = "gateway",
                      env_overrides: dict[str, str] | None = None) -> ManagedProcess:
        """A gateway process on ``port`` (the caller stops extra ones)."""
        env = dict(os.environ)
        env.update(self.service_env())
        env.update({"PORT": str(port), "HOST": "127.0.0.1", "DEV_AUTH_TOKENS": self.dev_tokens,
                    "PYTHONPATH": str(ROOT / "functions"), "PYTHONUNBUFFERED": "1", **self.extra_env,
                    **(env_overrides or {})})
        proc = ManagedProcess(name, [sys.executable, "-m", "ws_gateway"], env, self.run_dir / f"{name}.log")
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if _http_ok(f"http://127.0.0.1:{port}/health"):
                return proc
            if not proc.alive():
                raise StackError(f"the gateway exited:\n{proc.log_tail()}")
            time.sleep(0.1)
        proc.stop()
        raise StackError(f"the gateway was not ready in {timeout:.0f}s:\n{proc.log_tail()}")

    def stop_gateway(self, sig: int = signal.SIGTERM) -> None:
        if self.gateway is not None:
            self.gateway.stop(sig=sig)
            self.gateway = None

    def start_front_door(self, timeout: float = 15.0) -> None:
        nginx = shutil.which("nginx") or "/usr/sbin/nginx"
        if not Path(nginx).exists():
            raise StackError("nginx is not installed: run scripts/setup.sh")
        template = string.Template((ROOT / "deploy" / "nginx" / "front-door.conf.template").read_text())
        conf = self.run_dir / "nginx.conf"
        conf.write_text(template.safe_substitute(
            FRONT_PORT=self.ports.front, FUNCTIONS_PORT=self.ports.functions, GATEWAY_PORT=self.ports.gateway,
            HOSTING_PORT=self.ports.hosting, PROJECT_ID=PROJECT_ID, RUN_DIR=str(self.run_dir),
            WEB_CONFIG_JSON=nginx_inline_json(self.web_config()), **front_door_sizing()))
        self.front_door = ManagedProcess("front-door", [nginx, "-p", str(self.run_dir), "-c", str(conf),
                                                        "-e", str(self.run_dir / "nginx-error.log")],
                                         dict(os.environ), self.run_dir / "front-door.log")
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if _port_open(self.ports.front):
                return
            if not self.front_door.alive():
                raise StackError(f"nginx exited:\n{self.front_door.log_tail()}\n"
                                 f"{(self.run_dir / 'nginx-error.log').read_text(errors='replace')[-2000:]}")
            time.sleep(0.1)
        raise StackError("nginx did not open the front door in time")

    def stop(self) -> None:
        for attr in ("front_door", "gateway", "emulators"):
            proc = getattr(self, attr)
            if proc is not None:
                proc.stop()
                setattr(self, attr, None)

    def reset_firestore(self) -> None:
        """Delete every document (the emulator's own reset endpoint)."""
        req = urllib.request.Request(
            f"http://127.0.0.1:{self.ports.firestore}/emulator/v1/projects/{PROJECT_ID}/databases/(default)/documents",
            method="DELETE")
        urllib.request.urlopen(req, timeout=10).close()


def main() -> int:
    stack = LocalStack(extra_origins=origins_from_env(dict(os.environ)))
    stopping = False

    def on_signal(signum, _frame):  # noqa: ANN001
        nonlocal stopping
        if not stopping:
            stopping = True
            raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    print("Starting Mission Commander (Firebase emulators, gateway, front door)... this takes ~20 s", flush=True)
    try:
        stack.start()
        p = stack.ports
        print(f"""
Mission Commander is running. Connect to:
  Front door (the API):   {stack.front_url}
    POST {stack.front_url}/api/v1/sessions      (Authorization: Bearer test-token)
    {stack.ws_url}?session_id=...&token=test-token
  Web app:                {stack.front_url}/   (served by the hosting emulator, {stack.hosting_url})
  Emulators:              auth 127.0.0.1:{p.auth}  firestore 127.0.0.1:{p.firestore}  functions 127.0.0.1:{p.functions}
  Gateway (direct):       {stack.gateway_url}/health
  Allowed origins:        {stack.extra_env["ALLOW_ORIGINS"]}
  Logs:                   {stack.run_dir}
Try it:  .venv/bin/python -m tools.chat      Press Ctrl-C to stop everything.
""", flush=True)
        while True:
            for proc in (stack.emulators, stack.gateway, stack.front_door):
                if proc is not None and not proc.alive():
                    print(f"{proc.name} exited unexpectedly:\n{proc.log_tail()}", file=sys.stderr)
                    return 1
            time.sleep(1)
    except KeyboardInterrupt:
        return 0
    except StackError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    finally:
        print("Stopping...", flush=True)
        stack.stop()


if __name__ == "__main__":
    sys.exit(main())
