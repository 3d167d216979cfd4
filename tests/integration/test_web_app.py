"""The web app in a real browser: Playwright driving Debian's Chromium against
the local stack's front door (hosting emulator + session function + gateway)."""

from __future__ import annotations

import math
import re
import time
from pathlib import Path

import pytest
from google.cloud.firestore import FieldFilter
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


def pct(done: int, total: int) -> str:
    """The page's percentage: the stored share (4 places), rounded as JavaScript's Math.round does."""
    return str(math.floor(round(done / total, 4) * 100 + 0.5))


def finish_conversation(page: Page) -> None:
    for i, text in enumerate(GUIDE_CONVERSATION[:-1]):
        say(page, text)
        expect(agent_messages(page)).to_have_count(i + 1)
    say(page, GUIDE_CONVERSATION[-1])
    expect(page.locator("#mission-card")).to_be_visible()


def test_sign_in_full_conversation_mission_page_and_reload(page, stack):
    sign_up(page, f"web-{time.time_ns()}@example.com")
    # Every change of the input's disabled state, with the number of agent messages shown at that
    # moment (recorded in the page, so a fast reply cannot slip between two polls of the test).
    page.evaluate("""() => { window.inputLog = []; const box = document.getElementById('message-input');
        new MutationObserver(() => window.inputLog.push([box.disabled,
            document.querySelectorAll('#messages .message-agent').length]))
        .observe(box, { attributes: true, attributeFilter: ['disabled'] }); }""")
    for i, text in enumerate(GUIDE_CONVERSATION[:-1]):
        say(page, text)
        expect(agent_messages(page)).to_have_count(i + 1)
        expect(page.get_by_label("Your message")).to_be_enabled()
        log = page.evaluate("window.inputLog.splice(0)")
        assert [True, i] in log and log[-1] == [False, i + 1], log  # input waits for the reply
        # Each learner message is marked sent once the server acknowledged it.
        expect(page.locator("#messages .message-user").last).to_have_attribute("data-status", "sent")
    expect(agent_messages(page).last).to_contain_text("Is that correct?")
    expect(page.locator("#messages .message-user")).to_have_count(4)
    shot(page, "02-chat-summary")
    say(page, GUIDE_CONVERSATION[-1])

    # The mission arrives as a card in the chat: no jump away, the conversation stays.
    card = page.locator("#mission-card")
    expect(card).to_contain_text("Python for Data Analysis")
    expect(card).to_contain_text("Mission created")
    expect(page.locator("#messages .message-user")).to_have_count(5)
    expect(page.locator("#status")).to_have_text("Mission ready")
    assert page.url.endswith("/")
    expect(page.get_by_role("link", name="Open your mission")).to_be_in_viewport()
    shot(page, "03-chat-mission-card")
    page.get_by_role("link", name="Open your mission").click()

    page.wait_for_url(re.compile(r"/missions/[0-9a-f]{20}$"))
    expect(page.locator("#mission-title")).to_have_text("Python for Data Analysis")
    expect(page.locator("#mission-level")).to_have_text("Beginner")
    expect(page.locator("#mission-checkpoints li").last).to_contain_text("Final Project")
    expect(page.locator("#mission-skills li")).to_contain_text(["Python"])
    expect(page.locator("#mission-progress")).to_have_attribute("aria-valuenow", "0")
    shot(page, "04-mission")

    # Back shows the finished conversation with its card, not an empty chat.
    page.go_back()
    expect(page.locator("#mission-card")).to_contain_text("Python for Data Analysis")
    expect(page.locator("#messages .message-user")).to_have_count(5)
    page.go_forward()

    page.reload()
    expect(page.locator("#mission-title")).to_have_text("Python for Data Analysis")
    page.locator("#nav-missions").click()
    expect(page.locator("#mission-list li")).to_have_count(1)
    expect(page.locator("#mission-list")).to_contain_text("Python for Data Analysis")
    shot(page, "05-my-missions")


def test_following_a_mission_start_ticks_progress_and_reload(page, stack, client):
    sign_up(page, f"follow-{time.time_ns()}@example.com")
    finish_conversation(page)
    page.get_by_role("link", name="Open your mission").click()
    expect(page.locator("#mission-title")).to_have_text("Python for Data Analysis")
    mission_id = page.url.rsplit("/", 1)[1]
    boxes = page.locator("#mission-checkpoints input[type=checkbox]")
    total = boxes.count()
    assert total >= 4

    # Start mission: recorded, and the learner lands on the first open checkpoint.
    page.get_by_role("button", name="Start mission").click()
    expect(page.locator("#progress-status")).to_contain_text("Mission started")
    expect(boxes.nth(0)).to_be_focused()
    expect(page.locator("#mission-checkpoints li.next")).to_have_count(1)
    assert "null" not in page.locator("section.mission").inner_text()
    enrollment = next(e for e in client.db.collection("enrollments").where(filter=FieldFilter("mission_id", "==", mission_id)).stream())
    assert enrollment.to_dict()["started_at"]

    # Tick the first two checkpoints (keyboard and mouse).
    page.keyboard.press("Space")
    expect(page.locator("#mission-progress")).to_have_attribute("aria-valuenow", pct(1, total))
    page.get_by_label(page.locator("#mission-checkpoints label").nth(1).inner_text()).check()
    expect(page.locator("#mission-progress")).to_have_attribute("aria-valuenow", pct(2, total))
    shot(page, "06-mission-progress")

    page.reload()  # it survives reloads: read back from the enrollment
    expect(boxes.nth(0)).to_be_checked()
    expect(boxes.nth(1)).to_be_checked()
    expect(boxes.nth(2)).not_to_be_checked()
    expect(page.locator("#mission-progress")).to_have_attribute("aria-valuenow", pct(2, total))
    expect(page.locator("#started")).to_contain_text("Started")
    page.get_by_role("button", name="Continue mission").click()
    expect(boxes.nth(2)).to_be_focused()  # the first open one
    stored = client.doc("enrollments", enrollment.id)
    assert stored["completed_checkpoints"] == [0, 1] and stored["completed"] is False
    assert stored["progress"] == pytest.approx(2 / total, abs=1e-3)

    # Untick one and tick every other: completed.
    boxes.nth(1).uncheck()
    expect(page.locator("#mission-progress")).to_have_attribute("aria-valuenow", pct(1, total))
    for i in range(1, total):
        boxes.nth(i).check()
        expect(boxes.nth(i)).to_be_enabled()
    expect(page.locator("#progress-text")).to_contain_text("100% complete: mission accomplished!")
    assert client.doc("enrollments", enrollment.id)["completed"] is True

    # The conversation that created it, read-only.
    page.get_by_role("link", name="Read the conversation").click()
    expect(page.locator("#transcript .message-user")).to_have_count(5)
    expect(page.locator("#transcript")).to_contain_text("I want to learn Python for data analysis")
    expect(page.locator("#transcript")).to_contain_text("Is that correct?")
    expect(page.locator("textarea, input[type=text]")).to_have_count(0)
    shot(page, "07-conversation")
    page.get_by_role("link", name="Back to the mission").click()
    expect(page.locator("#mission-title")).to_be_visible()


def test_my_missions_cards_sorted_by_last_access_and_empty_state(page, stack, client):
    email = f"cards-{time.time_ns()}@example.com"
    sign_up(page, email)
    page.locator("#nav-missions").click()
    expect(page.locator("#mission-list-empty")).to_contain_text("No missions yet")
    shot(page, "08-my-missions-empty")
    page.get_by_role("button", name="Plan your first mission").click()
    expect(page.locator("#status")).to_have_text("Connected")

    # Two missions on the same subject, made through the API as this learner.
    resp = client.http.post(
        f"http://127.0.0.1:{stack.ports.auth}/identitytoolkit.googleapis.com/v1/accounts:signInWithPassword?key=any",
        json={"email": email, "password": "correct horse", "returnSecureToken": True}, timeout=10)
    id_token = resp.json()["idToken"]
    enrollments = []
    for _ in range(2):
        session_id = client.create_session(id_token)
        with client.connect(session_id, id_token) as ws:
            client.recv(ws)
            final = [client.say(ws, text) for text in GUIDE_CONVERSATION][-1]
        enrollments.append(final["enrollment"]["id"])
    # Touch the older one: it moves to the top.
    time.sleep(1.1)
    tick = client.http.patch(f"{stack.front_url}/api/v1/enrollments/{enrollments[0]}/checkpoints/0",
                             json={"done": True}, headers={"Authorization": f"Bearer {id_token}"}, timeout=30)
    assert tick.status_code == 200
    page.locator("#nav-missions").click()
    items = page.locator("#mission-list li")
    expect(items).to_have_count(2)
    first = items.nth(0)
    expect(first.locator("h2")).to_have_text("Python for Data Analysis")
    expect(first).to_contain_text("Beginner")
    expect(first).to_contain_text("Created ")
    expect(first.locator(".mission-short")).not_to_be_empty()
    total = len(client.doc("missions", client.doc("enrollments", enrollments[0])["mission_id"])["byte_size_checkpoints"])
    expect(first.get_by_role("progressbar")).to_have_attribute("aria-valuenow", pct(1, total))
    expect(items.nth(1).get_by_role("progressbar")).to_have_attribute("aria-valuenow", "0")
    shot(page, "09-my-missions-cards")
    first.get_by_role("link").click()
    expect(page).to_have_url(re.compile(client.doc("enrollments", enrollments[0])["mission_id"] + "$"))


def test_unknown_mission_says_not_found_and_someone_elses_private_one_says_so(page, stack, client):
    sign_up(page, f"lost-{time.time_ns()}@example.com")
    page.goto("/missions/this-id-does-not-exist")
    expect(page.locator("#mission-missing")).to_have_text("Mission not found")
    shot(page, "10-mission-not-found")
    page.get_by_role("link", name="Back to My missions").click()
    expect(page.locator("#missions-title")).to_be_visible()

    private_id = f"private-{time.time_ns()}"
    client.db.collection("missions").document(private_id).set(
        {"id": private_id, "title": "Secret", "creator_id": "someone-else", "is_public": False,
         "byte_size_checkpoints": ["a"], "topics_to_cover": [], "skills": []})
    page.goto(f"/missions/{private_id}")
    expect(page.locator("#mission-private")).to_have_text("This mission is private")
    expect(page.get_by_role("link", name="Back to My missions")).to_be_visible()


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


def test_resume_by_seq_ack_not_sent_retry_and_repeated_frames(page, stack):
    """The web app's one resume mechanism: ?last_seq=N (0 on a session's first connect), frames
    with a seq already shown dropped, a message without an ack before a disconnect shown as not
    sent with a retry. A routed WebSocket repeats every agent frame and drops one learner message."""
    urls: list[str] = []
    drop = {"armed": True}

    def handler(ws):
        urls.append(ws.url)
        server = ws.connect_to_server()

        def from_page(message):
            if drop["armed"] and "DROP" in str(message):
                drop["armed"] = False
                ws.close()  # the socket goes down before the message reached the server
                return
            server.send(message)

        def from_server(message):
            ws.send(message)
            if '"agent_message"' in str(message):
                ws.send(message)  # the same frame again (same seq): must be shown once

        ws.on_message(from_page)
        server.on_message(from_server)

    page.route_web_socket(re.compile(r".*/api/v1/mission-commander/ws.*"), handler)
    sign_up(page, f"seq-{time.time_ns()}@example.com")
    assert "last_seq=0" in urls[0]
    say(page, GUIDE_CONVERSATION[0])
    expect(agent_messages(page)).to_have_count(1)
    expect(page.locator("#messages .message-user").last).to_have_attribute("data-status", "sent")
    page.wait_for_timeout(500)
    expect(agent_messages(page)).to_have_count(1)  # the repeated frame was dropped

    say(page, "DROP: I want to analyze business data")
    failed = page.locator("#messages .message-user").last
    expect(failed).to_have_attribute("data-status", "failed")
    expect(failed).to_contain_text("Not sent")
    shot(page, "11-not-sent-retry")
    expect(page.locator("#status")).to_have_text("Connected", timeout=30000)
    assert "last_seq=2" in urls[-1]  # resumes after the reply it showed
    failed.get_by_role("button", name="Retry").click()
    expect(agent_messages(page)).to_have_count(2)
    expect(page.locator("#messages .message-user").last).to_have_attribute("data-status", "sent")
    expect(page.locator("#messages .message-user")).to_have_count(2)

    page.reload()  # the shown conversation and the resume point survive a reload
    expect(page.locator("#status")).to_have_text("Connected")
    assert "last_seq=4" in urls[-1]
    expect(agent_messages(page)).to_have_count(2)
    expect(page.locator("#messages .message-user")).to_have_count(2)


def test_a_config_that_cannot_load_is_a_clear_error_and_nothing_else_is_contacted(page, stack):
    elsewhere: list[str] = []
    page.on("request", lambda r: None if r.url.startswith(stack.front_url) else elsewhere.append(r.url))
    page.route("**/config.json", lambda route: route.fulfill(status=403, body="Forbidden"))
    page.goto("/")
    expect(page.locator("#startup-error")).to_contain_text(
        "Mission Commander cannot start: its configuration (/config.json) could not be loaded: HTTP 403")
    expect(page.get_by_role("button", name="Create account")).to_have_count(0)
    assert elsewhere == []  # no Firebase project of any kind was contacted
    shot(page, "12-config-error")


def test_guest_is_warned_before_sign_out_and_keeps_missions_by_linking_an_email(page, stack, client):
    page.goto("/")
    page.get_by_role("button", name="Just try it (no account)").click()
    expect(page.locator("#status")).to_have_text("Connected")
    finish_conversation(page)
    page.locator("#nav-missions").click()
    expect(page.locator("#mission-list li")).to_have_count(1)
    expect(page.locator("#guest-note")).to_contain_text("lost if you sign out")

    page.locator("#sign-out").click()
    dialog = page.locator("#signout-dialog")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("your missions and conversations will be lost")
    shot(page, "13-guest-sign-out-warning")
    dialog.get_by_role("button", name="Cancel").click()
    expect(dialog).to_have_count(0)
    expect(page.locator("#who")).to_have_text("Guest")  # still signed in

    page.locator("#sign-out").click()
    page.get_by_role("button", name="Keep my missions").click()
    expect(page.locator("#account-title")).to_have_text("Keep your missions")
    email = f"kept-{time.time_ns()}@example.com"
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password (6+ characters)").fill("correct horse")
    page.get_by_role("button", name="Save my account").click()
    expect(page.locator("#account-saved")).to_contain_text(email)
    expect(page.locator("#who")).to_have_text(email)
    shot(page, "14-account-saved")

    # The same uid: signing in with the email gives the account that owns the guest's enrollment.
    resp = client.http.post(
        f"http://127.0.0.1:{stack.ports.auth}/identitytoolkit.googleapis.com/v1/accounts:signInWithPassword?key=any",
        json={"email": email, "password": "correct horse", "returnSecureToken": True}, timeout=10)
    assert client.count("enrollments", user_id=resp.json()["localId"]) == 1

    page.locator("#sign-out").click()  # an email account signs out without a warning
    expect(page.get_by_label("Email")).to_be_visible()
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password (6+ characters)").fill("correct horse")
    page.get_by_role("button", name="Sign in").click()
    page.locator("#nav-missions").click()
    expect(page.locator("#mission-list li")).to_have_count(1)


def test_phone_header_is_one_row_and_the_chat_fills_the_screen(browser, stack):
    context = browser.new_context(viewport={"width": 390, "height": 844}, base_url=stack.front_url,
                                  is_mobile=True, has_touch=True)
    page = context.new_page()
    try:
        page.goto("/")
        page.get_by_role("button", name="Just try it (no account)").click()
        expect(page.locator("#status")).to_have_text("Connected")
        say(page, "I want to learn guitar")
        expect(agent_messages(page)).to_have_count(1)
        box = page.evaluate("""() => {
            const r = (s) => document.querySelector(s).getBoundingClientRect();
            const header = r('header.top'), brand = r('.brand'), out = r('#sign-out'), mine = r('#nav-missions');
            const form = r('.input-area');
            return { header: header.height, brandMid: brand.top + brand.height / 2, outMid: out.top + out.height / 2,
                     minesMid: mine.top + mine.height / 2, right: out.right, formBottom: form.bottom,
                     inner: window.innerHeight, scroll: document.documentElement.scrollHeight,
                     width: document.documentElement.scrollWidth };
        }""")
        assert box["header"] < 64, box  # one row
        assert abs(box["brandMid"] - box["outMid"]) < 4 and abs(box["brandMid"] - box["minesMid"]) < 4, box
        assert box["right"] <= 390 and box["width"] <= 390, box
        assert box["inner"] - box["formBottom"] < 40, box  # the input sits at the bottom: no dead space
        assert box["scroll"] <= box["inner"] + 1, box
        shot(page, "15-phone-header-chat")
    finally:
        context.close()


AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"


def axe_violations(page: Page) -> list[dict]:
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    return page.evaluate("""async () => (await axe.run(document, { resultTypes: ['violations'] })).violations
        .map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.map((n) => n.target.join(' ')) }))""")


@pytest.mark.parametrize("width", [1100, 390])
def test_axe_finds_no_violations_on_any_page(browser, stack, client, width):
    """axe-core (from npm) on every page and state: sign-in, chat, mission card, mission page,
    conversation, My missions (full and empty), not found, private, account, sign-out warning,
    config error."""
    found: dict[str, list] = {}

    def check(page: Page, name: str) -> None:
        page.wait_for_timeout(300)  # let the view settle (busy states, focus)
        violations = axe_violations(page)
        if violations:
            found[name] = violations
        page.screenshot(path=str(ARTIFACTS / f"axe-{width}-{name}.png"), full_page=True)

    def new_page():
        ctx = browser.new_context(viewport={"width": width, "height": 844}, base_url=stack.front_url)
        pg = ctx.new_page()
        pg.set_default_timeout(20000)
        return ctx, pg

    ctx, page = new_page()
    try:
        page.goto("/")
        expect(page.get_by_role("button", name="Create account")).to_be_visible()
        check(page, "sign-in")
        page.get_by_label("Email").fill(f"axe-{width}-{time.time_ns()}@example.com")
        page.get_by_label("Password (6+ characters)").fill("correct horse")
        page.get_by_role("button", name="Create account").click()
        expect(page.locator("#status")).to_have_text("Connected")
        check(page, "chat-empty")
        say(page, GUIDE_CONVERSATION[0])
        expect(agent_messages(page)).to_have_count(1)
        check(page, "chat")
        for i, text in enumerate(GUIDE_CONVERSATION[1:-1], start=2):
            say(page, text)
            expect(agent_messages(page)).to_have_count(i)
        # The conversation now overflows its scrollable list (nothing focusable inside it).
        assert page.evaluate("(() => { const m = document.getElementById('messages');"
                             " return m.scrollHeight > m.clientHeight; })()")
        check(page, "chat-summary")
        say(page, GUIDE_CONVERSATION[-1])
        expect(page.locator("#mission-card")).to_be_visible()
        check(page, "chat-mission-card")
        page.get_by_role("link", name="Open your mission").click()
        expect(page.locator("#mission-title")).to_be_visible()
        page.get_by_role("button", name="Start mission").click()
        expect(page.locator("#progress-status")).to_contain_text("Mission started")
        check(page, "mission")
        page.get_by_role("link", name="Read the conversation").click()
        expect(page.locator("#transcript")).to_be_visible()
        check(page, "conversation")
        page.locator("#nav-missions").click()
        expect(page.locator("#mission-list li")).to_have_count(1)
        check(page, "my-missions")
        page.goto("/missions/no-such-mission")
        expect(page.locator("#mission-missing")).to_be_visible()
        check(page, "not-found")
        private_id = f"private-axe-{time.time_ns()}"
        client.db.collection("missions").document(private_id).set(
            {"id": private_id, "title": "Secret", "creator_id": "someone-else", "is_public": False})
        page.goto(f"/missions/{private_id}")
        expect(page.locator("#mission-private")).to_be_visible()
        check(page, "private")
        page.goto("/account")
        expect(page.locator("#account-email")).to_be_visible()
        check(page, "account")
    finally:
        ctx.close()

    ctx, page = new_page()
    try:
        page.goto("/")
        page.get_by_role("button", name="Just try it (no account)").click()
        expect(page.locator("#status")).to_have_text("Connected")
        page.locator("#nav-missions").click()
        expect(page.locator("#mission-list-empty")).to_be_visible()
        check(page, "my-missions-empty-guest")
        page.locator("#sign-out").click()
        expect(page.locator("#signout-dialog")).to_be_visible()
        check(page, "sign-out-warning")
        page.get_by_role("button", name="Keep my missions").click()
        expect(page.locator("#save-account")).to_be_visible()
        check(page, "account-guest")
    finally:
        ctx.close()

    ctx, page = new_page()
    try:
        page.route("**/config.json", lambda route: route.fulfill(status=500, body="no"))
        page.goto("/")
        expect(page.locator("#startup-error")).to_be_visible()
        check(page, "config-error")
    finally:
        ctx.close()

    assert found == {}, found
