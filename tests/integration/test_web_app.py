"""The web app in a real browser: Playwright driving Debian's Chromium against
the local stack's front door (hosting emulator + session function + gateway)."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect, sync_playwright

from tools.local_stack import ROOT

from .support import GUIDE_CONVERSATION

ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


expect.set_options(timeout=20000)


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail("Chromium is not installed: run scripts/setup.sh")
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, stack):
    context = browser.new_context(viewport={"width": 1100, "height": 850}, base_url=stack.front_url)
    page = context.new_page()
    page.set_default_timeout(20000)
    yield page
    context.close()


def shot(page: Page, name: str) -> None:
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def sign_up(page: Page, email: str) -> None:
    page.goto("/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password (6+ characters)").fill("correct horse")
    shot(page, "01-sign-in")
    page.get_by_role("button", name="Create account").click()
    expect(page.locator("#status")).to_have_text("Connected")


def say(page: Page, text: str) -> None:
    box = page.get_by_label("Your message")
    expect(box).to_be_enabled()
    box.fill(text)
    box.press("Enter")


def agent_messages(page: Page):
    return page.locator("#messages .message-agent")


def test_sign_in_full_conversation_mission_page_and_reload(page, stack):
    sign_up(page, f"web-{time.time_ns()}@example.com")
    for i, text in enumerate(GUIDE_CONVERSATION[:-1]):
        say(page, text)
        expect(page.get_by_label("Your message")).to_be_disabled()  # input waits for the reply
        expect(agent_messages(page)).to_have_count(i + 1)
    expect(agent_messages(page).last).to_contain_text("Is that correct?")
    expect(page.locator("#messages .message-user")).to_have_count(4)
    shot(page, "02-chat-summary")
    say(page, GUIDE_CONVERSATION[-1])

    page.wait_for_url(re.compile(r"/missions/[0-9a-f]{20}$"))
    expect(page.locator("#mission-title")).to_have_text("Python for Data Analysis")
    expect(page.locator("#mission-level")).to_have_text("Beginner")
    expect(page.locator("#mission-checkpoints li").last).to_contain_text("Final Project")
    expect(page.locator("#mission-skills li")).to_contain_text(["Python"])
    expect(page.locator("#mission-progress")).to_have_attribute("aria-valuenow", "0")
    shot(page, "03-mission")

    page.reload()
    expect(page.locator("#mission-title")).to_have_text("Python for Data Analysis")
    page.get_by_role("button", name="Start mission").click()
    expect(page.locator("#started")).to_contain_text("Introduction to Python Programming")

    page.get_by_role("link", name="My missions").click()
    expect(page.locator("#mission-list li")).to_have_count(1)
    expect(page.locator("#mission-list")).to_contain_text("Python for Data Analysis")
    shot(page, "04-my-missions")


def test_guest_at_phone_width_with_keyboard_only(browser, stack):
    context = browser.new_context(viewport={"width": 390, "height": 844}, base_url=stack.front_url,
                                  is_mobile=True, has_touch=True)
    page = context.new_page()
    page.set_default_timeout(20000)
    try:
        page.goto("/")
        page.get_by_role("button", name="Just try it (no account)").focus()
        page.keyboard.press("Enter")
        expect(page.locator("#status")).to_have_text("Connected")
        expect(page.locator("#messages")).to_have_attribute("aria-live", "polite")
        page.get_by_label("Your message").focus()
        page.keyboard.type("I want to learn guitar")
        page.keyboard.press("Enter")
        expect(agent_messages(page)).to_have_count(1)
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        shot(page, "05-phone-chat")
    finally:
        context.close()


def test_error_banner_and_try_again_when_the_gateway_is_down(page, stack):
    stack.stop_gateway()
    try:
        sign_up_started = f"down-{time.time_ns()}@example.com"
        page.goto("/")
        page.get_by_label("Email").fill(sign_up_started)
        page.get_by_label("Password (6+ characters)").fill("correct horse")
        page.get_by_role("button", name="Create account").click()
        banner = page.locator("#error-banner")
        expect(banner).to_be_visible(timeout=30000)
        expect(banner).to_contain_text("Unable to connect")
        expect(page.locator("#status")).to_have_text("Disconnected")
        expect(page.get_by_label("Your message")).to_be_disabled()
        shot(page, "06-error-banner")
    finally:
        stack.start_gateway()
    page.get_by_role("button", name="Try again").click()
    expect(page.locator("#status")).to_have_text("Connected")
    expect(page.locator("#error-banner")).to_be_hidden()
    say(page, "I want to learn SQL")
    expect(agent_messages(page)).to_have_count(1)


def test_reconnects_by_itself_after_the_socket_drops(page, stack):
    sign_up(page, f"drop-{time.time_ns()}@example.com")
    say(page, "I want to learn photography")
    expect(agent_messages(page)).to_have_count(1)
    stack.stop_gateway()
    try:
        expect(page.locator("#status")).to_have_text(re.compile("Reconnecting|Disconnected"))
    finally:
        stack.start_gateway()
    expect(page.locator("#status")).to_have_text("Connected", timeout=30000)
    if page.locator("#error-banner").is_visible():  # gave up before the gateway was back
        page.get_by_role("button", name="Try again").click()
        expect(page.locator("#status")).to_have_text("Connected")
    say(page, "to take better pictures of my kids")
    expect(agent_messages(page)).to_have_count(2)
    expect(page.locator("#messages .message-user")).to_have_count(2)


def test_export_conversation_as_text(page, stack):
    sign_up(page, f"export-{time.time_ns()}@example.com")
    say(page, "I want to learn chess")
    expect(agent_messages(page)).to_have_count(1)
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Export conversation").click()
    text = Path(download_info.value.path()).read_text()
    assert "You: I want to learn chess" in text and "Agent: Great choice!" in text
