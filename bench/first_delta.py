"""Time to first delta: how long a learner waits for the first streamed text of a
Gemini reply, against the Gemini server's own time to first token.

The real google-genai SDK talks to the local Gemini wire-format server
(tests/fakes/gemini_server.py) set to realistic latencies: ``json_ms`` (600 ms)
for every JSON call (the understanding) and ``ttft_ms`` (400 ms) before the
first streamed token. Three things are timed, each ``samples`` times, in-process
and on loopback only:

* **model TTFT**: a bare streamed call through the SDK, nothing else (the floor);
* **before**: the agent in its old call order, understanding first, then the
  streamed reply (``understand_concurrently=False``);
* **after**: the agent as it runs now, the reply streamed at once while the
  understanding runs beside it.

    python -m bench.first_delta [--samples 20] [--json-ms 600] [--ttft-ms 400]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
for _path in (ROOT / "functions", ROOT):
    if str(_path) not in sys.path:
        sys.path.insert(0, str(_path))

from google.genai import types  # noqa: E402

from mission_commander.gemini_agent import GeminiInterviewer  # noqa: E402
from mission_commander.latency_stats import summarize  # noqa: E402
from mission_commander.profile import LearnerProfile, Stage  # noqa: E402
from mission_commander.settings import Settings  # noqa: E402
from tests.fakes.gemini_server import FakeGemini, Json, Stream  # noqa: E402

__all__ = ["run", "render"]

REPLY = ["Great choice! ", "What's your main ", "motivation for learning it?"]
TURNS = [  # (profile before, learner message): a first message and a mid-interview answer
    (LearnerProfile(), "I want to learn Python for data analysis"),
    (LearnerProfile(subject="Python", stage=Stage.MOTIVATION), "to automate reports at work"),
]


def _settings(url: str) -> Settings:
    return Settings.from_env({"GOOGLE_CLOUD_PROJECT": "demo-bench", "GEMINI_API_KEY": "bench-key",
                              "GOOGLE_GEMINI_BASE_URL": url, "GEMINI_RETRY_ATTEMPTS": "1",
                              "GEMINI_REQUEST_TIMEOUT_SECONDS": "30", "AGENT_TURN_BUDGET_SECONDS": "60"})


def _first_delta_ms(agent: GeminiInterviewer, fake: FakeGemini, profile: LearnerProfile, message: str) -> float:
    fake.push("understand", Json({"subject": "Python"}))
    fake.push("reply", Stream(REPLY))
    first: list[float] = []
    started = time.perf_counter()
    agent.respond(profile, [], message, on_text=lambda _text: first or first.append(time.perf_counter()))
    if not first:
        raise RuntimeError("the reply did not stream")
    return (first[0] - started) * 1000


def _model_ttft_ms(agent: GeminiInterviewer, fake: FakeGemini) -> float:
    fake.push("reply", Stream(REPLY))
    client = agent._client  # the same SDK client and transport the agent uses
    config = types.GenerateContentConfig(thinking_config=types.ThinkingConfig(thinking_budget=0))
    started = time.perf_counter()
    for _chunk in client.models.generate_content_stream(model="gemini-2.5-flash", contents="hi", config=config):
        return (time.perf_counter() - started) * 1000
    raise RuntimeError("no chunk")


def run(samples: int = 20, json_ms: float = 600, ttft_ms: float = 400, log: Any = print) -> dict[str, Any]:
    """Time to first delta before and after, with the model's own TTFT; returns the figures."""
    fake = FakeGemini().start()
    try:
        settings = _settings(fake.url)
        after_agent = GeminiInterviewer.from_settings(settings)
        before_agent = GeminiInterviewer.from_settings(settings, understand_concurrently=False)
        fake.json_latency, fake.first_token_latency = json_ms / 1000, ttft_ms / 1000
        _first_delta_ms(after_agent, fake, *TURNS[0])  # warm up the connection pool
        model, before, after = [], [], []
        log(f"time to first delta: {samples} samples each, JSON calls {json_ms:g} ms, TTFT {ttft_ms:g} ms...")
        for i in range(samples):
            profile, message = TURNS[i % len(TURNS)]
            model.append(_model_ttft_ms(after_agent, fake))
            before.append(_first_delta_ms(before_agent, fake, profile, message))
            after.append(_first_delta_ms(after_agent, fake, profile, message))
        time.sleep(json_ms / 1000 + 0.2)  # let the last background understanding finish before the server stops
    finally:
        fake.stop()
    result = {"samples": samples, "server": {"json_call_ms": json_ms, "ttft_ms": ttft_ms},
              "model_ttft_ms": summarize(model), "before_ms": summarize(before), "after_ms": summarize(after)}
    floor = result["model_ttft_ms"]["p50"]
    result["before_over_model_p50_ms"] = round(result["before_ms"]["p50"] - floor, 1)
    result["after_over_model_p50_ms"] = round(result["after_ms"]["p50"] - floor, 1)
    return result


def _ms(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.0f} ms"


def render(result: dict[str, Any]) -> str:
    """A markdown section for docs/performance.md."""
    server = result["server"]
    rows = "\n".join(
        f"| {name} | {_ms(result[key]['p50'])} | {_ms(result[key]['p95'])} | {extra} |"
        for name, key, extra in (
            ("model's own time to first token (bare streamed call)", "model_ttft_ms", "the floor"),
            ("before: understand, then stream the reply", "before_ms",
             f"+{result['before_over_model_p50_ms']:.0f} ms"),
            ("after: stream at once, understand beside it", "after_ms",
             f"+{result['after_over_model_p50_ms']:.0f} ms"),
        ))
    return f"""## Gemini: time to first streamed text

The agent with the real google-genai SDK against the local Gemini wire-format server, set to
{server['json_call_ms']:g} ms per JSON call and {server['ttft_ms']:g} ms to the first streamed token;
{result['samples']} turns each, timed from the agent's start to its first `on_text` (the first
`agent_message_delta` the trigger writes). `python -m bench.first_delta` reproduces it.

| what | p50 | p95 | over the model's TTFT (p50) |
|---|---|---|---|
{rows}

Before, every turn waited for the whole understanding call before the reply could start. Now the
offline reader picks the next step in microseconds, the reply streams at once, and the
understanding runs beside it, filling only what the offline reader could not read.
"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=20)
    parser.add_argument("--json-ms", type=float, default=600)
    parser.add_argument("--ttft-ms", type=float, default=400)
    parser.add_argument("--json", action="store_true", help="print the raw figures as JSON too")
    args = parser.parse_args(argv)
    result = run(samples=args.samples, json_ms=args.json_ms, ttft_ms=args.ttft_ms,
                 log=lambda m: print(m, file=sys.stderr))
    if args.json:
        print(json.dumps(result, indent=2))
    print(render(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
