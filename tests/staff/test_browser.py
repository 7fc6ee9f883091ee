"""Headless Chromium against the staff service running as its own process: log in, search and
read the answer, assess on a caller's behalf and get a case code, look a chat case up.
Screenshots staff-*.png go to a temporary folder (``make screenshots``: docs/)."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from policies import load_notices
from policies.eligibility.assess import Assessor
from policies.eligibility.interview import Interview
from tests.e2e.applicant import CZ_ENGINEER, Dialogue
from tests.helpers import ROOT, free_port, wait_until
from tests.staff.test_pages import CASES

pytestmark = [pytest.mark.e2e, pytest.mark.model, pytest.mark.browser]

ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
USER, PASSWORD = "hotline-admin", "hotline-pass-2024"
CZ = "changzhi-2022-engineering-mid-junior"


@pytest.fixture(scope="module")
def service(rasa_stack, tmp_path_factory):
    port = free_port()
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "STAFF_PORT": str(port),
        "RASA_URL": rasa_stack["rasa"],
        "STAFF_RASA_TIMEOUT": "10",
        "RASA_AUTH_TOKEN": rasa_stack["auth_token"],
        "ZHICHENG_DATABASE_URL": rasa_stack["database"],
        "TRACKER_STORE_URL": f"sqlite:///{rasa_stack['tracker_db']}",
        "ZHICHENG_TODAY": "2024-10-30",
        "STAFF_ADMIN_USER": USER,
        "STAFF_ADMIN_PASSWORD": PASSWORD,
    }
    made = subprocess.run(
        [sys.executable, "-m", "bot.staff", "create-admin"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert made.returncode == 0 or "已存在" in made.stderr, made.stderr
    log = open(tmp_path_factory.mktemp("staff-log") / "staff.log", "w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot.staff", "serve"], env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until(lambda: urllib.request.urlopen(f"{base}/health", timeout=2).status == 200, 60, "staff", proc)
        yield {"base": base, "log": log.name}
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        log.close()


@pytest.fixture(scope="module")
def page(service):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=os.environ.get("CHROMIUM", "/usr/bin/chromium"), args=ARGS)
        context = browser.new_page(viewport={"width": 1280, "height": 900}, locale="zh-CN")
        yield context
        browser.close()


def shot(page, folder: Path, name: str) -> None:
    page.screenshot(path=str(folder / f"staff-{name}.png"), full_page=True)


def answer_field(scope, fact: str, value) -> None:
    """Answer one fact's field inside the locator ``scope`` as a hotline agent would."""
    if value is None:
        scope.locator("input[value=__unknown__]").check()
    elif isinstance(value, bool):
        scope.locator(f"input[value={'true' if value else 'false'}]").check()
    elif isinstance(value, dt.date):
        scope.locator(f"input[name=fact_{fact}]:not([type=radio])").fill(value.isoformat())
    elif isinstance(value, int):
        scope.locator(f"input[name=fact_{fact}]:not([type=radio])").fill(str(value))
    else:
        scope.locator(f"input[value={value}]").check()


def test_login_search_assess_and_case_lookup(service, page, rasa_stack, screenshots_dir):
    base = service["base"]
    page.goto(f"{base}/")
    assert "/login" in page.url
    page.fill("input[name=username]", USER)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")

    # search, as the caller says it
    page.fill("input[name=q]", "长治 中级 评审费")
    page.click("form.search button[type=submit]")
    readout = page.inner_text("#readout")
    assert "长工信〔2022〕139号" in readout and "300元" in readout
    assert "每人300元" in page.inner_text("#answer")
    shot(page, screenshots_dir, "search")

    # assess on the caller's behalf, one question at a time
    facts = next(c for c in CASES if c.notice == CZ and c.level == "engineer" and c.verdict == "eligible").facts
    interview = Interview(Assessor(load_notices().get(CZ)))
    page.click("text=代为评估")
    page.select_option("select[name=pick]", f"{CZ}:engineer")
    page.click("button[type=submit]")
    for _ in range(60):
        if page.locator("form.questions").count() == 0:
            break
        field = page.locator("fieldset.q").first  # one question at a time, like a call
        kind = field.get_attribute("data-fact")
        if kind in ("exclusions", "checklist"):  # asked together: tick those that apply, else 都没有
            group = (field.get_attribute("data-facts") or "").split(",")
            prefix = field.locator("input[type=hidden]").get_attribute("name")[: -len("_asked")]
            # a line with a threshold (考核合格以上不少于4次) is ticked when the caller's number reaches it
            ticked = [f for f in group if interview.tick("engineer", f, facts.get(f)) is True]
            for f in ticked:
                field.locator(f"input[name={prefix}_{f}]").check()
            if not ticked:
                field.locator(f"input[name={prefix}_none]").check()
        elif kind == "together":  # one field per fact under one question
            for fact in (field.get_attribute("data-facts") or "").split(","):
                answer_field(field.locator(f"div.part[data-fact={fact}]"), fact, facts.get(fact))
        else:
            answer_field(field, kind, facts.get(kind))
        page.click("form.questions button[type=submit]")
    assert page.get_attribute("p.verdict", "data-verdict") == "eligible"
    assert "三（一）" in page.inner_text("#result")
    shot(page, screenshots_dir, "assess")
    page.click("form.save button[type=submit]")
    code = page.inner_text("#case-code").strip()
    assert len(code) == 8

    # a caller who chatted with the assistant reads out their case code
    d = Dialogue(rasa_stack["rasa"])
    d.run("我能报长治的中级吗", CZ_ENGINEER)
    chat_code = d.case_code()
    page.click("text=评估编号")
    page.fill("input[name=code]", f"{chat_code[:4].lower()} {chat_code[4:]}")
    page.click("form.search button[type=submit]")
    assert chat_code in page.inner_text("#case")
    transcript = page.inner_text("#transcript")
    assert "我能报长治的中级吗" in transcript and f"评估编号：{chat_code}" in transcript
    shot(page, screenshots_dir, "case")

    # and the code saved on the phone is found too
    page.fill("input[name=code]", code)
    page.click("form.search button[type=submit]")
    assert "热线代为评估" in page.inner_text("#case")

    # the application log has paths, no queries, no case codes
    log = Path(service["log"]).read_text()
    assert "GET /cases" in log and chat_code not in log and "q=" not in log
