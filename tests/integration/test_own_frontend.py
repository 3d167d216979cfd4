"""'Use your own frontend' (README): the integration guide's own vanilla MissionChat class, served
from another origin (a small local HTTP server, like a developer's http://localhost:3000), talks
to the stack in Chromium — CORS preflight, session, WebSocket Origin check — through to the mission.
The stack allows that origin the way `ALLOW_ORIGINS=... make dev` does (conftest)."""

from __future__ import annotations

import http.server
import re
import threading
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tools.local_stack import ROOT

from .conftest import OWN_FRONTEND_PORT
from .support import GUIDE_CONVERSATION
from .test_web_app import ARTIFACTS, browser  # noqa: F401 - the shared Chromium fixture

FIXTURE = ROOT / "tests" / "fixtures" / "own_frontend" / "index.html"


def serve_page(port: int, front_port: int) -> http.server.ThreadingHTTPServer:
    """Serve the fixture page; the guide hard-codes http://localhost:8000, the test stack is elsewhere."""
    page = FIXTURE.read_text().replace("localhost:8000", f"localhost:{front_port}").encode()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - the stdlib's name
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(page)))
            self.end_headers()
            self.wfile.write(page)

        def log_message(self, *args):  # quiet
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@pytest.fixture
def own_frontend(stack):
    server = serve_page(OWN_FRONTEND_PORT, stack.ports.front)
    yield f"http://localhost:{OWN_FRONTEND_PORT}/"
    server.shutdown()
    server.server_close()


def test_the_guides_mission_chat_from_another_origin_completes_the_conversation(browser, client, own_frontend):  # noqa: F811
    _, token = client.sign_up()
    context = browser.new_context(viewport={"width": 1000, "height": 800})
    page = context.new_page()
    refused = []
    page.on("response", lambda r: refused.append(r.url) if r.status == 403 else None)
    try:
        page.goto(f"{own_frontend}#{token}")
        expect(page.locator("#status")).to_have_text("connected", timeout=30000)
        for i, text in enumerate(GUIDE_CONVERSATION):
            page.locator("#message-input").fill(text)
            page.locator("#send-btn").click()
            if i < len(GUIDE_CONVERSATION) - 1:
                expect(page.locator("#messages .message-agent")).to_have_count(i + 1, timeout=30000)
        expect(page.locator("#mission-result h2")).to_have_text("Python for Data Analysis", timeout=30000)
        expect(page.locator("#chat")).to_be_hidden()
        expect(page.locator("#mission-result a")).to_have_attribute("href", re.compile(r"^/missions/[0-9a-f]{20}$"))
        assert page.locator("#errors").text_content() == ""
        assert refused == []
        page.screenshot(path=str(ARTIFACTS / "20-own-frontend-mission.png"), full_page=True)
    finally:
        context.close()


def test_an_origin_that_is_not_allowed_is_refused(browser, client, stack):  # noqa: F811
    """The same page from an origin nobody allowed: the preflight is refused and nothing starts."""
    uid, token = client.sign_up()
    server = serve_page(OWN_FRONTEND_PORT + 1, stack.ports.front)
    context = browser.new_context()
    page = context.new_page()
    failed = []
    page.on("requestfailed", lambda r: failed.append(r.url))
    try:
        page.goto(f"http://localhost:{OWN_FRONTEND_PORT + 1}/#{token}")
        page.wait_for_timeout(3000)
        assert any("/api/v1/sessions" in url for url in failed)
        expect(page.locator("#status")).to_have_text("not connected")
        assert client.count("sessions", user_id=uid) == 0
    finally:
        context.close()
        server.shutdown()
        server.server_close()
