"""The Gemini agent end to end: a second local stack whose functions run the
Gemini interviewer against the local Gemini wire-format server."""

from __future__ import annotations

import json

import pytest
from websockets.exceptions import ConnectionClosed

from tools.local_stack import LocalStack, Ports

from ..fakes.gemini_server import FakeGemini, Json, Status, Stream, plan_for
from .conftest import PORT_OFFSET
from .support import StackClient


@pytest.fixture(scope="module")
def fake():
    server = FakeGemini().start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def gemini(fake):
    stack = LocalStack(Ports().shifted(PORT_OFFSET + 10000), name="test-gemini", extra_env={
        "GEMINI_API_KEY": "test-key", "GOOGLE_GEMINI_BASE_URL": fake.url, "GEMINI_RETRY_ATTEMPTS": "2",
        "GEMINI_REQUEST_TIMEOUT_SECONDS": "5", "AGENT_TURN_BUDGET_SECONDS": "30", "STREAM_WRITE_INTERVAL_MS": "100"})
    stack.start()
    try:
        yield StackClient(stack)
    finally:
        stack.stop()


def collect_reply(client, ws):
    """Messages up to and including the next final message (the gateway's ``ack`` skipped)."""
    out = []
    while True:
        message = client.recv(ws, timeout=30)
        if message["type"] == "ack":
            continue
        out.append(message)
        if message["type"] != "agent_message_delta":
            return out


SCRIPT = [
    ("I want to learn Python for data analysis", {"subject": "Python for data analysis"},
     ["Great choice! ", "What's your main ", "motivation ", "for learning it?"]),
    ("I want to analyze business data", {"motivation": "I want to analyze business data"},
     ["Do you have any ", "programming experience?"]),
    ("No, I'm a complete beginner", {"experience": "complete beginner", "level": "Beginner"},
     ["How much time can you ", "dedicate weekly?"]),
    ("About 5 hours per week", {"weekly_hours": 5},
     ["Here's your plan: Python for data analysis, ", "to analyze business data, beginner, ",
      "5 hours a week. Shall I create it?"]),
]


def test_health_shows_the_gemini_agent(gemini):
    health = gemini.http.get(f"{gemini.stack.front_url}/health", timeout=30).json()
    assert health == {"status": "ok", "agent": "gemini", "model": "gemini-2.5-flash"}


def test_full_interview_with_streamed_replies_to_a_gemini_mission(gemini, fake):
    fake.reset()
    for _, update, chunks in SCRIPT:
        fake.push("understand", Json(update))
        fake.push("reply", Stream(chunks, delay=1.1))  # > REPLY_REWRITE_SECONDS: the reply document is rewritten mid-stream
    fake.push("understand", Json({"learner_confirms_summary": True}))
    fake.push("plan", Json(plan_for(hours=4)))

    session_id = gemini.create_session()
    with gemini.connect(session_id) as ws:
        gemini.recv(ws)
        for i, (text, _, chunks) in enumerate(SCRIPT):
            ws.send(json.dumps({"type": "user_message", "content": text}))
            messages = collect_reply(gemini, ws)
            final = messages[-1]
            assert final == {"type": "agent_message", "content": "".join(chunks).strip(), "seq": 2 * i + 2}
            deltas = [m["content"] for m in messages[:-1]]
            assert deltas, "the reply should stream"
            assert all(m["type"] == "agent_message_delta" for m in messages[:-1])
            assert all(final["content"].startswith(d.strip()) for d in deltas)
            assert [len(d) for d in deltas] == sorted(set(len(d) for d in deltas))  # growing, in order
        ws.send(json.dumps({"type": "user_message", "content": "Yes, that's correct"}))
        created = collect_reply(gemini, ws)[-1]
        assert created["type"] == "mission_created"
        with pytest.raises(ConnectionClosed):
            ws.recv(timeout=10)
    mission = created["mission"]
    assert mission["title"] == "Python for Data Analysis"
    assert mission["byte_size_checkpoints"][-1] == "Final Project: Python for Data Analysis in practice"
    assert gemini.doc("missions", mission["id"]) == mission

    session = gemini.session_doc(session_id)
    assert session["profile"]["weekly_hours"] == 5 and session["profile"]["level"] == "Beginner"
    assert session["profile"]["subject"] == "Python for data analysis"
    replies = [t for t in gemini.turns(session_id) if t["role"] == "agent"]
    for turn in replies:
        assert turn["model"] == "gemini-2.5-flash" and turn["latency_ms"] > 0
        assert turn["usage"]["total_tokens"] > 0
    assert [t["finish_reason"] for t in replies[:-1]] == ["STOP"] * 4
    assert all(t["partial_writes"] >= 1 for t in replies[:-1])


def test_persistent_gemini_failure_is_an_error_and_the_conversation_survives(gemini, fake):
    fake.reset()
    fake.push("reply", Status(500), Status(500))
    session_id = gemini.create_session()
    with gemini.connect(session_id) as ws:
        gemini.recv(ws)
        failed = gemini.say(ws, "I want to learn Rust", timeout=30)
        assert failed["type"] == "error" and failed["code"] == "agent_error"
        assert "try sending your message again" in failed["message"]
        error_reply = [t for t in gemini.turns(session_id) if t["role"] == "agent"][-1]
        assert error_reply["model"] == "gemini-2.5-flash" and error_reply["attempts"] == 2
        assert error_reply["last_error"] == "ServerError (500)"
        fake.push("understand", Json({"subject": "Rust"}))
        fake.push("reply", Stream(["Why Rust?"]))
        ws.send(json.dumps({"type": "user_message", "content": "I want to learn Rust"}))
        messages = collect_reply(gemini, ws)
        assert messages[-1] == {"type": "agent_message", "content": "Why Rust?", "seq": 4}
    assert gemini.session_doc(session_id)["profile"]["subject"] == "Rust"


def test_reconnecting_mid_reply_gets_the_text_so_far(gemini, fake):
    fake.reset()
    fake.push("understand", Json({"subject": "chess"}))
    chunks = ["Chess is ", "a wonderful ", "game. ", "What draws ", "you to it?"]
    fake.push("reply", Stream(chunks, delay=0.6))
    session_id = gemini.create_session()
    with gemini.connect(session_id) as ws:
        gemini.recv(ws)
        ws.send(json.dumps({"type": "user_message", "content": "I want to learn chess"}))
        first = gemini.recv(ws, timeout=30)
        if first["type"] == "ack":
            first = gemini.recv(ws, timeout=30)
        assert first["type"] == "agent_message_delta"
    with gemini.connect(session_id) as ws:
        assert gemini.recv(ws)["type"] == "connected"
        messages = collect_reply(gemini, ws)
    assert messages[0]["type"] == "agent_message_delta" and len(messages[0]["content"]) >= len(first["content"])
    assert messages[-1] == {"type": "agent_message", "content": "".join(chunks), "seq": 2}


def test_the_web_app_shows_the_reply_as_it_streams(gemini, fake):
    from playwright.sync_api import expect, sync_playwright

    from .test_web_app import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS

    fake.reset()
    fake.push("understand", Json({"subject": "astronomy"}))
    fake.push("reply", Stream(["Astronomy is ", "a great pick. ", "What draws you ", "to the stars?"], delay=0.7))
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(base_url=gemini.stack.front_url)
            page.goto("/")
            page.get_by_role("button", name="Just try it (no account)").click()
            expect(page.locator("#status")).to_have_text("Connected", timeout=20000)
            box = page.get_by_label("Your message")
            box.fill("I want to learn astronomy")
            box.press("Enter")
            typing = page.locator("#typing")
            expect(typing).to_contain_text("Astronomy is", timeout=20000)  # partial text, before the end
            expect(typing).not_to_contain_text("to the stars?")
            page.screenshot(path=str(ARTIFACTS / "07-streaming.png"))
            expect(page.locator("#messages .message-agent")).to_have_count(1, timeout=20000)
            expect(page.locator("#messages .message-agent")).to_contain_text(
                "Astronomy is a great pick. What draws you to the stars?")
            expect(typing).to_be_hidden()
        finally:
            browser.close()


def test_gemini_down_at_the_yes_still_creates_the_mission(gemini, fake):
    fake.reset()
    session_id = gemini.create_session()
    with gemini.connect(session_id) as ws:
        gemini.recv(ws)
        for text in ("I want to learn Python", "to automate reports at work", "never", "3 hours a week"):
            ws.send(json.dumps({"type": "user_message", "content": text}))
            assert collect_reply(gemini, ws)[-1]["type"] == "agent_message"
        fake.down = True
        ws.send(json.dumps({"type": "user_message", "content": "yes"}))
        created = collect_reply(gemini, ws)[-1]
    fake.down = False
    assert created["type"] == "mission_created"
    assert created["mission"]["title"] == "Python for Workplace Automation"
    final = [t for t in gemini.turns(session_id) if t["role"] == "agent"][-1]
    assert any("offline mission created" in note for note in final["notes"])
