"""With the real Rasa and action servers: search understood by the assistant's own NLU, the
transcript of a case made in a chat over the REST channel, and an unanswered chat message in the
inbox."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest

from tests.e2e.applicant import CZ_ENGINEER, Dialogue
from tests.staff.conftest import STAFF, add_accounts, login

pytestmark = [pytest.mark.e2e, pytest.mark.model]


def text_of(page: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


@pytest.fixture
async def client(rasa_stack, app_factory):
    workdir = Path(rasa_stack["workdir"])
    c = await app_factory(
        rasa_url=rasa_stack["rasa"],
        workdir=workdir,
        accounts=False,
        rasa_timeout=10.0,
        rasa_token=rasa_stack["auth_token"],
    )
    add_accounts(c.server.app["settings"].database_url)
    assert (await login(c, *STAFF)).status == 303
    return c


async def test_search_changzhi_mid_level_fee_with_rasa(client):
    page = await (await client.get("/", params={"q": "长治 中级 评审费"})).text()
    assert "智能理解服务暂时不可用" not in page
    assert "识别结果：智能理解" in text_of(page)
    answer = text_of(page[page.index('id="answer"') :])
    assert "工程师评审费：每人300元" in answer and "长工信〔2022〕139号 八" in answer
    readout = html.unescape(re.search(r'id="readout">([^<]+)<', page).group(1))
    assert readout.startswith("根据长工信〔2022〕139号（八）") and "300元" in readout


async def test_search_chongqing_senior_payment_window_with_rasa(client):
    page = await (await client.get("/", params={"q": "重庆副高什么时候缴费"})).text()
    assert "智能理解服务暂时不可用" not in page
    answer = text_of(page[page.index('id="answer"') :])
    assert "渝经信职改办〔2024〕16号 三（三）" in answer
    assert "评审缴费：2024年10月28日至2024年11月11日" in answer and "还剩12天" in answer
    readout = html.unescape(re.search(r'id="readout">([^<]+)<', page).group(1))
    assert "渝经信职改办〔2024〕16号" in readout and "2024年11月11日" in readout


async def test_case_from_a_chat_shows_its_transcript(rasa_stack, client):
    d = Dialogue(rasa_stack["rasa"])
    result = d.run("我能报长治的中级吗，我手机13812345678", CZ_ENGINEER)
    assert "符合申报工程师的条件" in result
    code = d.case_code()
    page = await (await client.get("/cases", params={"code": code})).text()
    text = text_of(page)
    assert code in text and "符合申报条件" in text and "网页接口" in text
    transcript = text_of(page[page.index('id="transcript"') :])
    assert "我能报长治的中级吗" in transcript and "138****5678" in transcript and "13812345678" not in text
    assert "评估编号" in transcript and "申报人" in transcript and "助手" in transcript
    assert d.sender not in page  # never the conversation's sender id


async def test_an_unanswered_chat_message_reaches_the_inbox(rasa_stack, client):
    d = Dialogue(rasa_stack["rasa"])
    reply = d.say("帮我订一张明天去北京的火车票")
    assert "不在我能回答的范围" in reply or "这个问题我还回答不了" in reply
    page = text_of(await (await client.get("/inbox")).text())
    assert "帮我订一张明天去北京的火车票" in page and "rest" in page
    assert d.sender not in page


async def test_search_without_the_api_token_is_refused_and_says_so(rasa_stack, app_factory):
    c = await app_factory(
        rasa_url=rasa_stack["rasa"], workdir=Path(rasa_stack["workdir"]), accounts=False, rasa_timeout=10.0
    )  # no RASA_AUTH_TOKEN: Rasa's API answers 401
    add_accounts(c.server.app["settings"].database_url)
    assert (await login(c, *STAFF)).status == 303
    page = await (await c.get("/", params={"q": "长治 中级 评审费"})).text()
    assert "智能理解服务暂时不可用" in page
    assert "工程师评审费：每人300元" in text_of(page)  # the keyword match still answers
