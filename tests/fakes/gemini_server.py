"""A local server that speaks the Gemini REST wire format, for the real
google-genai SDK to talk to (no Gemini endpoint is reachable here).

It serves ``POST /{version}/models/{model}:generateContent`` and
``:streamGenerateContent?alt=sse``. Each request is classified as one of the
agent's three calls — ``understand`` (JSON profile update), ``reply`` (the
streamed message) or ``plan`` (JSON mission) — and answered with the next
scripted step for that kind (or a default). Every request is recorded, with
the time it arrived.

Realistic timing and failures for benchmarks and tests: ``json_latency``
(seconds before a ``generateContent`` answer), ``first_token_latency`` (before
the first streamed event), ``down`` (every request gets 503, an outage), and
the :class:`Empty` step (a MAX_TOKENS answer with no text, as when thinking
used up the output allowance).
"""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Json:
    """A JSON answer (for understand/plan)."""
    data: Any
    finish: str = "STOP"


@dataclass
class Text:
    """Raw text as the model's answer (e.g. malformed JSON)."""
    text: str
    finish: str = "STOP"


@dataclass
class Stream:
    """A streamed answer: chunks of text, ``delay`` seconds apart."""
    chunks: list[str]
    finish: str = "STOP"
    delay: float = 0.0


@dataclass
class Status:
    """An HTTP error with Google's error body."""
    code: int
    status: str = ""


@dataclass
class Delay:
    """Wait, then answer with ``then``."""
    seconds: float
    then: Any = None


@dataclass
class Empty:
    """No text at all: ``finish`` (MAX_TOKENS by default), with the thinking tokens spent."""
    finish: str = "MAX_TOKENS"
    thoughts: int = 600


@dataclass
class Blocked:
    """The prompt itself is blocked (promptFeedback.blockReason)."""
    reason: str = "SAFETY"


STATUS_NAMES = {400: "INVALID_ARGUMENT", 408: "DEADLINE_EXCEEDED", 429: "RESOURCE_EXHAUSTED",
                500: "INTERNAL", 502: "UNAVAILABLE", 503: "UNAVAILABLE", 504: "DEADLINE_EXCEEDED"}
USAGE = {"promptTokenCount": 120, "candidatesTokenCount": 30, "totalTokenCount": 150}


def _candidate(text: str | None, finish: str | None) -> dict[str, Any]:
    candidate: dict[str, Any] = {"index": 0}
    if text is not None:
        candidate["content"] = {"role": "model", "parts": [{"text": text}]}
    if finish:
        candidate["finishReason"] = finish
    return candidate


@dataclass
class FakeGemini:
    scripts: dict[str, deque] = field(default_factory=lambda: {k: deque() for k in ("understand", "reply", "plan")})
    requests: list[dict[str, Any]] = field(default_factory=list)
    default_reply: str = "Tell me more about that."
    json_latency: float = 0.0
    """Seconds before each generateContent answer (e.g. 0.6)."""
    first_token_latency: float = 0.0
    """Seconds before the first event of each streamed answer (e.g. 0.4)."""
    down: bool = False
    """An outage: every request is answered 503 UNAVAILABLE."""

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:  # quiet
                pass

            def handle(self) -> None:
                try:
                    super().handle()
                except ConnectionResetError:
                    pass  # the client dropped a kept-alive connection between requests

            def do_POST(self) -> None:  # noqa: N802
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
                try:
                    fake._serve(self, body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (a timeout test)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    # -- control -----------------------------------------------------------------------
    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def start(self) -> "FakeGemini":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def push(self, kind: str, *steps: Any) -> None:
        with self._lock:
            self.scripts[kind].extend(steps)

    def reset(self) -> None:
        with self._lock:
            for queue in self.scripts.values():
                queue.clear()
            self.requests.clear()
            self.json_latency = self.first_token_latency = 0.0
            self.down = False

    def of_kind(self, kind: str) -> list[dict[str, Any]]:
        return [r for r in self.requests if r["kind"] == kind]

    # -- serving -----------------------------------------------------------------------
    @staticmethod
    def classify(path: str, body: dict[str, Any]) -> str:
        if ":streamGenerateContent" in path:
            return "reply"
        config = body.get("generationConfig") or {}
        schema = json.dumps(config.get("responseSchema") or config.get("responseJsonSchema") or {})
        return "plan" if "byte_size_checkpoints" in schema else "understand"

    def _serve(self, handler: BaseHTTPRequestHandler, body: dict[str, Any]) -> None:
        kind = self.classify(handler.path, body)
        with self._lock:
            self.requests.append({"kind": kind, "path": handler.path, "body": body, "at": time.monotonic(),
                                  "api_key": handler.headers.get("x-goog-api-key")})
            step = Status(503) if self.down else self.scripts[kind].popleft() if self.scripts[kind] else None
        while isinstance(step, Delay):
            time.sleep(step.seconds)
            step = step.then
        if step is None:
            step = Stream([self.default_reply]) if kind == "reply" else Json({})
        if isinstance(step, Status):
            payload = json.dumps({"error": {"code": step.code, "message": f"fake error {step.code}",
                                            "status": step.status or STATUS_NAMES.get(step.code, "UNKNOWN")}})
            self._send(handler, step.code, "application/json", payload.encode())
            return
        streaming = kind == "reply"
        if not streaming and self.json_latency:
            time.sleep(self.json_latency)
        if isinstance(step, Empty):
            usage = dict(USAGE, candidatesTokenCount=0, thoughtsTokenCount=step.thoughts,
                         totalTokenCount=USAGE["promptTokenCount"] + step.thoughts)
            events = [{"candidates": [_candidate(None, step.finish)], "usageMetadata": usage}]
        elif isinstance(step, Blocked):
            events = [{"promptFeedback": {"blockReason": step.reason}, "usageMetadata": USAGE}]
        elif isinstance(step, Stream):
            events = [{"candidates": [_candidate(chunk, step.finish if i == len(step.chunks) - 1 else None)]}
                      for i, chunk in enumerate(step.chunks)] or [{"candidates": [_candidate(None, step.finish)]}]
            events[-1]["usageMetadata"] = USAGE
        else:
            text = json.dumps(step.data) if isinstance(step, Json) else step.text
            events = [{"candidates": [_candidate(text, step.finish)], "usageMetadata": USAGE}]
        if not streaming:
            merged = events[0]
            self._send(handler, 200, "application/json", json.dumps(merged).encode())
            return
        handler.send_response(200)
        handler.send_header("Content-Type", "text/event-stream")
        handler.send_header("Transfer-Encoding", "chunked")
        handler.end_headers()
        delay = step.delay if isinstance(step, Stream) else 0.0
        for i, event in enumerate(events):
            if i == 0 and self.first_token_latency:
                time.sleep(self.first_token_latency)
            if i and delay:
                time.sleep(delay)
            data = f"data: {json.dumps(event)}\r\n\r\n".encode()
            handler.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
            handler.wfile.flush()
        handler.wfile.write(b"0\r\n\r\n")
        handler.wfile.flush()

    @staticmethod
    def _send(handler: BaseHTTPRequestHandler, status: int, content_type: str, data: bytes) -> None:
        handler.send_response(status)
        handler.send_header("Content-Type", content_type)
        handler.send_header("Content-Length", str(len(data)))
        handler.end_headers()
        handler.wfile.write(data)


def plan_for(subject: str = "Python for Data Analysis", level: str = "Beginner", hours: float = 4.0,
             checkpoints: int = 6) -> dict[str, Any]:
    """A plan that passes the checks for a learner of ``subject`` and ``level``."""
    steps = [f"{subject} step {i + 1}" for i in range(checkpoints - 1)] + [f"Final Project: {subject} in practice"]
    return {
        "title": subject, "short_description": f"Learn {subject}.",
        "description": f"A path through {subject}, paced for your week.", "level": level,
        "topics_to_cover": ["Basics", "Core ideas", "Practice", "Projects"],
        "learning_goal": f"Use {subject} to analyze business data", "byte_size_checkpoints": steps,
        "skills": ["Python", "Pandas", "Data Analysis"], "hours_per_checkpoint": hours,
    }
