"""The widget in headless Chromium (Debian's chromium driven by Playwright) on the demo page served by
the real Rasa server (credentials.yml) with the real action server: Chinese input through composition
events, answers with citations, quick replies, reload, HTML injection, long-polling fallback, a full
pre-assessment, and the offline state with reconnection and delivery of an unsent message.
Screenshots for the README are written to docs/widget-desktop.png and docs/widget-mobile.png."""
from __future__ import annotations

import os
import re
import time
from typing import List

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from tests.channels.webchat.stack import RestartableStack
from tests.e2e.applicant import CASE_CODE
from tests.helpers import ROOT

pytestmark = [pytest.mark.model, pytest.mark.e2e, pytest.mark.browser]

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
DOCS = ROOT / "docs"
BOT_TEXTS = ".zc-row.zc-bot:not(.zc-typing) .zc-text"
USER_TEXTS = ".zc-row.zc-user .zc-text"
CITATION = "长工信〔2022〕139号"


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    assert (ROOT / "widget" / "dist" / "widget.js").is_file(), "run `make widget` first"
    s = RestartableStack(tmp_path_factory.mktemp("webchat"), today="2022-08-01")
    try:
        yield s.start()
    finally:
        s.close()


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=os.environ.get("CHROMIUM", "/usr/bin/chromium"), args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture(scope="module")
def desktop(browser: Browser, stack):
    """One desktop page whose conversation runs through several tests (as a visitor's would)."""
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN")
    page = context.new_page()
    page.goto(f"{stack.url}/webchat/demo.html")
    yield page
    context.close()


def open_widget(page: Page) -> None:
    launcher = page.locator(".zc-launcher")
    if launcher.get_attribute("aria-expanded") != "true":
        launcher.click()
    expect(page.locator(".zc-panel")).to_be_visible()
    expect(page.locator(".zc-state")).to_have_attribute("data-status", "online", timeout=30_000)


def bot_texts(page: Page) -> List[str]:
    return page.locator(BOT_TEXTS).all_text_contents()


def wait_reply(page: Page, before: int, timeout: float = 60) -> str:
    """Wait for new bot messages after `before` of them, until none arrive for a moment; return them."""
    deadline = time.monotonic() + timeout
    while page.locator(BOT_TEXTS).count() <= before:
        assert time.monotonic() < deadline, "no answer from the assistant"
        page.wait_for_timeout(200)
    count, quiet = page.locator(BOT_TEXTS).count(), 0.0
    while quiet < 1.2 and time.monotonic() < deadline:
        page.wait_for_timeout(300)
        now = page.locator(BOT_TEXTS).count()
        quiet = quiet + 0.3 if now == count else 0.0
        count = now
    return "\n".join(bot_texts(page)[before:])


def say(page: Page, text: str) -> str:
    before = page.locator(BOT_TEXTS).count()
    page.locator(".zc-input").fill(text)
    page.locator(".zc-input").press("Enter")
    return wait_reply(page, before)


def test_chinese_typed_through_an_ime_is_sent_after_composition_and_answered_with_citation(desktop: Page):
    page = desktop
    open_widget(page)
    expect(page.locator(BOT_TEXTS).first).to_contain_text("职称评审助手")  # the greeting
    assert page.evaluate("window.ZhichengChat.instance.transport.transport") == "websocket"
    box = page.locator(".zc-input")
    box.focus()
    # what an IME does: compositionstart, the text appears, Enter confirms the candidate (keyCode 229)
    box.dispatch_event("compositionstart", {"data": ""})
    box.evaluate("(el, t) => { el.value = t; el.dispatchEvent(new InputEvent('input', {bubbles: true, isComposing: true})); }",
                 "长治中级评审费多少")
    box.evaluate("""el => {
        const e = new KeyboardEvent('keydown', {key: 'Enter', code: 'Enter', isComposing: true, bubbles: true, cancelable: true});
        Object.defineProperty(e, 'keyCode', {value: 229});
        el.dispatchEvent(e);
    }""")
    page.wait_for_timeout(500)
    assert page.locator(USER_TEXTS).count() == 0, "Enter during composition sent the message"
    assert box.input_value() == "长治中级评审费多少"
    expect(page.locator(".zc-counter")).to_have_text("9/500")
    box.dispatch_event("compositionend", {"data": "长治中级评审费多少"})
    before = page.locator(BOT_TEXTS).count()
    box.press("Enter")
    expect(page.locator(USER_TEXTS).last).to_have_text("长治中级评审费多少")
    assert box.input_value() == ""
    answer = wait_reply(page, before)
    assert "300" in answer and CITATION in answer
    # the answer keeps its line breaks (each line of the reply is its own line on screen)
    assert "\n" in page.locator(BOT_TEXTS).last.inner_text() or answer.count("\n") >= 1


def restart(page: Page) -> None:
    old = page.evaluate("localStorage.getItem('zhicheng-chat:session')")
    page.locator(".zc-restart").click()
    expect(page.locator(".zc-state")).to_have_attribute("data-status", "online", timeout=30_000)
    assert page.evaluate("localStorage.getItem('zhicheng-chat:session')") != old
    assert page.locator(USER_TEXTS).count() == 0 and page.locator(BOT_TEXTS).count() == 1  # the greeting


def test_restart_then_a_quick_reply_button_sends_its_payload_and_shows_its_title(desktop: Page):
    page = desktop
    restart(page)  # a fresh conversation: the assistant no longer knows the region
    say(page, "评审费多少")
    buttons = page.locator(".zc-quick-btn")
    expect(buttons.first).to_be_visible()
    titles = buttons.all_text_contents()
    changzhi = next(t for t in titles if "长治" in t)
    before = page.locator(BOT_TEXTS).count()
    buttons.filter(has_text="长治").first.click()
    expect(page.locator(USER_TEXTS).last).to_have_text(changzhi)  # the title, not /inform{...}
    answer = wait_reply(page, before)
    assert "300" in answer and CITATION in answer
    assert page.locator(".zc-quick-btn").count() == 0 or "长治" not in page.locator(".zc-quick").last.inner_text()


def test_the_human_entry_in_the_header_gives_the_contacts(desktop: Page):
    page = desktop
    before = page.locator(BOT_TEXTS).count()
    page.locator(".zc-human").click()
    expect(page.locator(USER_TEXTS).last).to_have_text("转人工/热线")
    answer = wait_reply(page, before)
    assert "经办部门" in answer and re.search(r"\d{7,}", answer.replace("-", "")), answer  # a real phone number


def test_html_in_a_message_is_shown_as_text(desktop: Page):
    page = desktop
    evil = '<img src=x onerror="window.__pwned=1"><b>粗体</b>'
    say(page, evil)
    expect(page.locator(USER_TEXTS).last).to_have_text(evil)
    assert page.locator(".zc-log img, .zc-log b").count() == 0
    assert page.evaluate("window.__pwned") is None


def test_keyboard_only_close_and_reopen(desktop: Page):
    page = desktop
    active = "() => document.querySelector('#zhicheng-chat').shadowRoot.activeElement.className"
    page.locator(".zc-input").focus()
    page.keyboard.press("Escape")
    expect(page.locator(".zc-panel")).to_be_hidden()
    assert page.evaluate(active) == "zc-launcher"  # focus goes back to the launcher
    page.keyboard.press("Enter")
    expect(page.locator(".zc-panel")).to_be_visible()
    assert page.evaluate(active) == "zc-input"  # and into the input when it opens
    page.keyboard.type("简阳高级评审费")
    before = page.locator(BOT_TEXTS).count()
    page.keyboard.press("Enter")
    assert "320" in wait_reply(page, before)


def test_a_reload_shows_the_conversation_and_keeps_the_session(desktop: Page):
    page = desktop
    session = page.evaluate("localStorage.getItem('zhicheng-chat:session')")
    shown_before = bot_texts(page)
    page.reload()
    expect(page.locator(".zc-panel")).to_be_visible()  # it was open: it stays open
    expect(page.locator(".zc-state")).to_have_attribute("data-status", "online", timeout=30_000)
    assert bot_texts(page) == shown_before
    assert "评审费多少" in page.locator(USER_TEXTS).all_text_contents()
    assert page.evaluate("localStorage.getItem('zhicheng-chat:session')") == session
    # the server continues the same conversation: a follow-up uses the remembered topic
    answer = say(page, "那重庆呢")
    assert "420" in answer and "渝经信职改办〔2024〕16号" in answer


def test_screenshots_desktop_and_mobile(desktop: Page, browser: Browser, stack):
    page = desktop
    restart(page)
    say(page, "长治中级评审费多少")
    say(page, "帮我评估一下能不能申报")  # ends on the region buttons
    expect(page.locator(".zc-quick-btn").first).to_be_visible()
    page.screenshot(path=str(DOCS / "widget-desktop.png"))
    state = page.context.storage_state()
    mobile = browser.new_context(viewport={"width": 375, "height": 740}, device_scale_factor=2, is_mobile=True,
                                 has_touch=True, locale="zh-CN", storage_state=state)
    try:
        m = mobile.new_page()
        m.goto(f"{stack.url}/webchat/demo.html")
        expect(m.locator(".zc-panel")).to_be_visible()
        expect(m.locator(".zc-state")).to_have_attribute("data-status", "online", timeout=30_000)
        box = m.locator(".zc-panel").bounding_box()
        assert box["width"] <= 375 and box["x"] >= 0  # fits the phone screen
        assert m.evaluate("document.documentElement.scrollWidth") <= 375  # no sideways scrolling
        m.screenshot(path=str(DOCS / "widget-mobile.png"))
    finally:
        mobile.close()
    assert "评估已停止" in say(page, "算了")  # leave the form before the next test
    assert (DOCS / "widget-desktop.png").stat().st_size > 10_000
    assert (DOCS / "widget-mobile.png").stat().st_size > 10_000


def test_works_over_long_polling_when_websockets_are_blocked(browser: Browser, stack):
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    try:
        page = context.new_page()
        # a proxy that accepts the websocket upgrade and drops it
        page.route_web_socket("**/socket.io/**", lambda ws: ws.close())
        page.goto(f"{stack.url}/webchat/demo.html")
        open_widget(page)
        assert page.evaluate("window.ZhichengChat.instance.transport.transport") == "polling"
        answer = say(page, "简阳高级职称评审费")
        assert "320" in answer and "简人社职〔2020〕33号" in answer
    finally:
        context.close()


def test_a_complete_pre_assessment_in_the_widget(browser: Browser, stack):
    from tests.e2e.applicant import CZ_ENGINEER, reply_for

    context = browser.new_context(viewport={"width": 375, "height": 740}, is_mobile=True, has_touch=True)
    try:
        page = context.new_page()
        page.goto(f"{stack.url}/webchat/demo.html")
        open_widget(page)
        reply = say(page, "我能报长治的中级吗")
        for _ in range(40):
            if CASE_CODE.search(reply):
                break
            answer = reply_for(reply, CZ_ENGINEER, unknown_ok=False)
            if answer is None:  # the next question may come as a later message of the same turn
                count = page.locator(BOT_TEXTS).count()
                page.wait_for_timeout(4000)
                reply += "\n" + "\n".join(bot_texts(page)[count:])
                if CASE_CODE.search(reply):
                    break
                answer = reply_for(reply, CZ_ENGINEER, unknown_ok=False)
            assert answer, f"unexpected reply: {reply}"
            reply = say(page, answer[1])
        assert CASE_CODE.search(reply), reply
        assert "符合申报工程师的条件" in reply and CITATION in reply
    finally:
        context.close()


def test_offline_state_then_reconnect_and_the_unsent_message_is_delivered(desktop: Page, stack):
    page = desktop
    open_widget(page)
    stack.stop_rasa()
    expect(page.locator(".zc-state")).to_have_attribute("data-status", "offline", timeout=30_000)
    expect(page.locator(".zc-banner")).to_be_visible()
    before = page.locator(BOT_TEXTS).count()
    page.locator(".zc-input").fill("长治中级评审费多少")
    page.locator(".zc-send").click()
    expect(page.locator(".zc-row.zc-user").last.locator(".zc-status")).to_have_text("未发送")
    expect(page.locator(".zc-row.zc-user").last.locator(".zc-retry")).to_be_visible()
    page.screenshot(path=str(stack.workdir / "offline.png"))
    stack.start_rasa()
    stack.wait_rasa()
    expect(page.locator(".zc-state")).to_have_attribute("data-status", "online", timeout=60_000)
    expect(page.locator(".zc-banner")).to_be_hidden()
    expect(page.locator(".zc-status")).to_have_count(0, timeout=30_000)  # delivered after reconnecting
    answer = wait_reply(page, before)
    assert "300" in answer and CITATION in answer
