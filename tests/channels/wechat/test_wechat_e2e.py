"""End to end: a fake WeChat server pushes signed (and, in safe mode, encrypted) XML to the real Rasa
server's WeChat webhooks, backed by the real action server, and serves the API the channel calls.

The run's shared stack on 2022-08-01 (tests/conftest.py) serves three WeChat channels: ``wechat``
from the real credentials.yml (plain mode, configured through the WECHAT_* variables),
``wechat_safe`` (safe mode) and ``wechat_off`` (no token). Actions go through a proxy in the fake
that can delay them, to make an answer slow.

"In time" is WeChat's own limit: an HTTP answer within 5 s, or WeChat resends. Whether the answer
is the passive reply or comes through the customer-service API depends on how fast the machine is,
so the tests accept either, once.
"""

from __future__ import annotations

import re
import sqlite3
import time
import uuid
from typing import Any, Dict, List

import pytest

from bot.plugins.wechat.render import CHOICE_LEAD
from bot.plugins.wechat.settings import from_credentials
from tests.channels.wechat.accounts import AES_KEY, APP_ID, APP_SECRET, BUDGET, TOKEN, credentials_file  # noqa: F401
from tests.channels.wechat.fake_wechat import WECHAT_TIMEOUT, FakeWeChat, message_xml
from tests.e2e.applicant import (
    CASE_CODE,
    CZ_ENGINEER,
    EXCLUSIONS_QUESTION,
    exclusions_answer,
    exclusions_listed,
    reply_for,
)

pytestmark = [pytest.mark.model, pytest.mark.e2e]

CHANNEL_SETTINGS = from_credentials({"token": TOKEN, "app_id": APP_ID, "app_secret": APP_SECRET})


@pytest.fixture(scope="module")
def wechat(shared_2022):
    """The shared stack's fake WeChat (``.servers``: the stack's servers, ``.storage``)."""
    return shared_2022.wechat


def url(fake: FakeWeChat, channel: str = "wechat") -> str:
    return f"{fake.servers['rasa']}/webhooks/{channel}/webhook"


OPENIDS: List[str] = []


def new_openid() -> str:
    OPENIDS.append("o" + uuid.uuid4().hex[:27])
    return OPENIDS[-1]


def tracker_rows(fake: FakeWeChat, sql: str, *args: Any) -> List[tuple]:
    with sqlite3.connect(fake.servers["tracker_db"]) as db:
        try:
            return db.execute(sql, args).fetchall()
        except sqlite3.OperationalError:  # no table yet
            return []


def user_texts(fake: FakeWeChat, openid: str) -> List[str]:
    import json

    rows = tracker_rows(
        fake, "select data from events where sender_id = ? and type_name = 'user'", CHANNEL_SETTINGS.pseudonym(openid)
    )
    return [json.loads(r[0]).get("text") for r in rows]


def dedupe_rows(fake: FakeWeChat) -> int:
    with sqlite3.connect(fake.servers["database"][len("sqlite:///") :]) as db:
        try:
            return db.execute("select count(*) from wechat_messages").fetchone()[0]
        except sqlite3.OperationalError:
            return 0


def heard(fake: FakeWeChat, openid: str, msg: Dict[str, Any], safe: bool = False) -> str:
    """What the user sees in answer to ``msg``: the passive reply, or — when the answer was not ready
    within the reply budget (a busy machine) — the same answer through the customer-service API.
    In time either way: one HTTP answer within WeChat's 5 s, so WeChat never resends."""
    before = len(fake.messages_to(openid))
    d = fake.push(url(fake, "wechat_safe" if safe else "wechat"), msg, encrypted=safe)
    assert d.status == 200 and not d.failed_for_user, d
    assert len(d.attempts) == 1 and d.attempts[0].seconds < WECHAT_TIMEOUT, d.attempts
    if d.reply is not None:
        assert d.reply_to == openid
        return d.reply
    return "\n".join(fake.wait_messages_to(openid, before + 1, timeout=90)[before:])


def say(fake: FakeWeChat, openid: str, text: str, safe: bool = False) -> str:
    return heard(fake, openid, fake.user_message(openid, "text", Content=text), safe)


def answers_to(fake: FakeWeChat, openid: str, deliveries) -> List[str]:
    """Every answer the user got: passive replies and customer-service messages."""
    return [d.reply for d in deliveries if d.reply] + fake.messages_to(openid)


def settled(fake: FakeWeChat, openid: str, deliveries) -> List[str]:
    """Every answer to this user's earlier messages (``deliveries``), once nothing about them is
    still running: a user's messages are handled one at a time in order, so once a follow-up is
    answered nothing earlier is (no fixed sleep that a slow machine could outlast)."""
    before = len(fake.messages_to(openid))
    d = fake.push(url(fake), fake.user_message(openid, "text", Content="长治中级评审费多少"))
    assert d.status == 200 and not d.failed_for_user, d
    follow_up = d.reply if d.reply is not None else fake.wait_messages_to(openid, before + 1, timeout=90)[-1]
    assert "300" in follow_up
    answers = answers_to(fake, openid, deliveries)
    return answers if d.reply is not None else answers[:-1]  # as a message, the follow-up's came last


def choose(reply: str, wanted: str, prefix: bool = False) -> str:
    """Answer a numbered choice with its number when ``wanted`` is one of the offered titles (or
    starts one, with ``prefix``)."""
    if CHOICE_LEAD not in reply:
        return wanted
    for line in reply.split(CHOICE_LEAD, 1)[1].splitlines():
        m = re.match(r"(\d+)\. (.+)$", line.strip())
        if m and (m.group(2) == wanted or (prefix and m.group(2).startswith(wanted))):
            return m.group(1) if int(m.group(1)) % 2 else chr(0xFF10 + int(m.group(1)))  # "1" or "２"
    return wanted


def assess(fake: FakeWeChat, openid: str, opening: str, facts: Dict[str, Any], safe: bool) -> str:
    reply = say(fake, openid, opening, safe)
    for _ in range(40):
        if CASE_CODE.search(reply):
            return reply
        answer = reply_for(reply, facts, unknown_ok=False)
        assert answer, f"unexpected reply: {reply}"
        reply = say(fake, openid, choose(reply, answer[1]), safe)
    raise AssertionError("no result")


# --- server verification and the switched-off channel ---------------------------------------
def test_server_verification_echoes_echostr_only_when_signed(wechat):
    query, _ = wechat.signed({}, encrypted=False)
    ok = wechat.raw_get(url(wechat), {**query, "echostr": "8274615390"})
    assert (ok.status, ok.body) == (200, "8274615390")
    forged = wechat.raw_get(url(wechat), {**query, "signature": "0" * 40, "echostr": "8274615390"})
    assert forged.status == 403 and "8274615390" not in forged.body


def test_channel_without_token_answers_503_and_rasa_runs(wechat):
    query, body = wechat.signed(wechat.user_message(new_openid(), "text", Content="评审费"), encrypted=False)
    assert wechat.raw_post(url(wechat, "wechat_off"), query, body).status == 503
    assert wechat.raw_get(url(wechat, "wechat_off"), {**query, "echostr": "1"}).status == 503


# --- questions and a pre-assessment in plain and safe mode ----------------------------------
@pytest.mark.parametrize("safe", [False, True], ids=["plain", "safe"])
def test_fee_question(wechat, safe):
    openid = new_openid()
    reply = say(wechat, openid, "长治中级评审费多少", safe)
    assert "300" in reply and "长工信〔2022〕139号" in reply
    assert "**" not in reply


@pytest.mark.parametrize("safe", [False, True], ids=["plain", "safe"])
def test_full_pre_assessment_to_a_verdict_with_case_code(wechat, safe):
    openid = new_openid()
    result = assess(wechat, openid, "我能报长治的中级吗", CZ_ENGINEER, safe)
    assert "符合申报工程师的条件" in result and "长工信〔2022〕139号" in result
    saved = wechat.storage.find_assessment(CASE_CODE.search(result).group(1))
    assert saved is not None and saved.verdict == "eligible"
    assert saved.channel == ("wechat_safe" if safe else "wechat")
    assert saved.sender_id == CHANNEL_SETTINGS.pseudonym(openid)  # a pseudonym, not the OpenID
    # the OpenID is stored nowhere: neither in the tracker store nor in the project's tables
    assert not tracker_rows(wechat, "select 1 from events where sender_id = ? or data like ?", openid, f"%{openid}%")
    with sqlite3.connect(wechat.servers["database"][len("sqlite:///") :]) as db:
        for (table,) in db.execute("select name from sqlite_master where type = 'table'").fetchall():
            for row in db.execute(f"select * from {table}").fetchall():
                assert openid not in repr(row), table


def test_what_is_typed_first_is_shown_back_before_the_first_question(wechat):
    """Issue 21 on WeChat: the facts of a first message are shown back before the first question
    (in the same reply), and a later "不对，…" corrects one."""
    openid = new_openid()
    reply = say(wechat, openid, "我能报长治中级吗？本科，17年7月评的助工，论文两三篇，不对，是2篇")
    lines = reply.split("\n")
    at = next(i for i, line in enumerate(lines) if line.startswith("我记下了："))
    for said in ("现职称助理工程师", "2017年7月取得", "本科（学士）", "第一作者论文2篇"):
        assert said in lines[at], (said, reply)
    assert reply_for("\n".join(lines[:at]), {}, unknown_ok=True) is None, reply
    again = say(wechat, openid, "不对，是2016年7月")
    assert "好的，已改为：2016年7月取得" in again, again


def test_numbered_choice_from_a_menu_click(wechat):
    openid = new_openid()
    msg = wechat.user_message(openid, "event", Event="CLICK", EventKey="ASK_FEE")
    choices = heard(wechat, openid, msg)
    assert CHOICE_LEAD in choices, choices
    number = choose(choices, "长治", prefix=True)
    assert number != "长治", choices
    reply = say(wechat, openid, number)
    assert "长工信〔2022〕139号" in reply and "300" in reply and "260" in reply
    assert user_texts(wechat, openid)[-1].startswith("/")  # the button's payload reached Rasa, not the digit


# --- other message types ---------------------------------------------------------------------
def test_voice_with_recognition_is_answered_as_text(wechat):
    openid = new_openid()
    msg = wechat.user_message(openid, "voice", MediaId="media-1", Format="amr", Recognition="长治中级评审费多少。")
    reply = heard(wechat, openid, msg)
    assert "300" in reply and "长工信〔2022〕139号" in reply


def test_voice_without_recognition_asks_to_type(wechat):
    openid = new_openid()
    d = wechat.push(url(wechat), wechat.user_message(openid, "voice", MediaId="media-2", Format="amr"))
    assert d.reply and "打字" in d.reply
    assert user_texts(wechat, openid) == []


def test_subscribe_welcomes_and_unsubscribe_says_nothing(wechat):
    openid = new_openid()
    d = wechat.push(url(wechat, "wechat_safe"), wechat.user_message(openid, "event", Event="subscribe"), encrypted=True)
    assert d.reply and all(word in d.reply for word in ("申报条件", "截止时间", "评审费", "我能报吗", "没帮助"))
    d = wechat.push(url(wechat), wechat.user_message(openid, "event", Event="unsubscribe"))
    assert d.status == 200 and d.attempts[-1].body == "success" and d.reply is None


@pytest.mark.parametrize(
    "kind,fields",
    [
        ("image", {"PicUrl": "http://example.com/a.jpg", "MediaId": "m"}),
        ("location", {"Location_X": "36.19", "Location_Y": "113.11", "Scale": "15", "Label": "长治"}),
        ("link", {"Title": "通知", "Description": "d", "Url": "http://example.com"}),
        ("video", {"MediaId": "m", "ThumbMediaId": "t"}),
    ],
)
def test_unsupported_types_get_a_polite_reply(wechat, kind, fields):
    d = wechat.push(url(wechat), wechat.user_message(new_openid(), kind, **fields))
    assert d.reply and "文字" in d.reply and "抱歉" in d.reply


# --- late answers, retries, duplicates -------------------------------------------------------
def test_slow_answer_is_sent_through_the_customer_service_api(wechat):
    openid = new_openid()
    wechat.action_delay = 6.0
    wechat.refuse_next_token = True  # the cached token was replaced elsewhere: refreshed once, resent
    try:
        d = wechat.push(url(wechat), wechat.user_message(openid, "text", Content="长治中级评审费多少"))
        assert d.status == 200 and d.attempts[-1].body == "success" and not d.failed_for_user
        assert len(d.attempts) == 1 and d.attempts[0].seconds < WECHAT_TIMEOUT
        sent = wechat.wait_messages_to(openid, 1, timeout=30)
    finally:
        wechat.action_delay = 0.0
    assert len(sent) == 1 and "300" in sent[0] and "长工信〔2022〕139号" in sent[0]
    assert any(c["path"] == "/cgi-bin/stable_token" and c["json"]["force_refresh"] for c in wechat.api_calls)


def test_concurrent_resends_of_one_message_are_processed_once(wechat):
    openid = new_openid()
    msg = wechat.user_message(openid, "text", Content="重庆副高评审费多少")
    wechat.action_delay = 1.5
    try:
        deliveries = wechat.push_concurrently(url(wechat), msg, copies=3)
    finally:
        wechat.action_delay = 0.0
    assert all(d.attempts[-1].body == "success" for d in deliveries if not d.reply)
    assert all(len(d.attempts) == 1 and d.attempts[0].seconds < WECHAT_TIMEOUT for d in deliveries)
    if not any(d.reply for d in deliveries):  # a busy machine: the answer comes as a message
        wechat.wait_messages_to(openid, 1, timeout=90)
    answers = settled(wechat, openid, deliveries)
    assert len(answers) == 1 and "420" in answers[0], [d.attempts for d in deliveries]
    assert user_texts(wechat, openid) == ["重庆副高评审费多少", "长治中级评审费多少"]


def test_concurrent_resends_of_a_late_answer_send_one_message(wechat):
    openid = new_openid()
    msg = wechat.user_message(openid, "text", Content="简阳高级职称评审费")
    wechat.action_delay = 5.0
    try:
        deliveries = wechat.push_concurrently(url(wechat), msg, copies=3)
        assert all(d.attempts[-1].body == "success" for d in deliveries)
        sent = wechat.wait_messages_to(openid, 1, timeout=30)
    finally:
        wechat.action_delay = 0.0
    assert "320" in sent[0]
    late = wechat.push(url(wechat), msg)  # a resend after the answer went out
    assert late.attempts[-1].body == "success"
    assert settled(wechat, openid, deliveries + [late]) == sent[:1]  # sent once, the resend answered by nothing
    assert user_texts(wechat, openid) == ["简阳高级职称评审费", "长治中级评审费多少"]


def test_resent_final_answer_gives_one_assessment(wechat):
    openid = new_openid()
    reply = say(wechat, openid, "我能报长治中级吗")
    # Issue 13: the title, its date and education come first; the exclusions (公务员 among them) are
    # one multi-choice question later. Answer up to it; ticking 公务员 is the final answer.
    for _ in range(20):
        if EXCLUSIONS_QUESTION in reply:
            break
        answer = reply_for(reply, CZ_ENGINEER, unknown_ok=False)
        assert answer, f"unexpected reply: {reply}"
        reply = say(wechat, openid, choose(reply, answer[1]))
    assert "公务员" in reply
    msg = wechat.user_message(
        openid,
        "text",
        Content=choose(reply, exclusions_answer(exclusions_listed(reply), {**CZ_ENGINEER, "civil_servant": True})),
    )
    deliveries = wechat.push_concurrently(url(wechat), msg, copies=3)
    if not any(d.reply for d in deliveries):  # a busy machine: the result comes as a message
        wechat.wait_messages_to(openid, 1, timeout=90)
    results = [a for a in answers_to(wechat, openid, deliveries) if CASE_CODE.search(a)]
    assert len(results) == 1 and "不符合" in results[0]
    with sqlite3.connect(wechat.servers["database"][len("sqlite:///") :]) as db:
        count = db.execute(
            "select count(*) from assessments where sender_id = ?", (CHANNEL_SETTINGS.pseudonym(openid),)
        ).fetchone()[0]
    assert count == 1


# --- feedback on answers (bot.storage.feedback) ---------------------------------------------------------
def bot_answers(fake: FakeWeChat, openid: str) -> List[Dict[str, Any]]:
    """The answer contexts of the bot messages in this user's conversation, oldest first."""
    import json

    rows = tracker_rows(
        fake,
        "select data from events where sender_id = ? and type_name = 'bot' order by id",
        CHANNEL_SETTINGS.pseudonym(openid),
    )
    return [a for a in ((json.loads(r[0]).get("metadata") or {}).get("answer") for r in rows) if a]


def tell(fake: FakeWeChat, openid: str, text: str) -> str:
    """What the user sees (this is about what the reply says, not how fast it came)."""
    return say(fake, openid, text)


def test_not_helpful_right_after_an_answer_is_kept_with_its_context_and_the_chat_goes_on(wechat):
    from bot.plugins.channels.wechat import ALREADY_RATED, THANKS_NOT_HELPFUL
    from bot.storage.feedback import FeedbackStore

    openid = new_openid()
    answer_reply = tell(wechat, openid, "长治中级要几篇论文")
    assert "长工信〔2022〕139号" in answer_reply
    [answer] = bot_answers(wechat, openid)
    assert tell(wechat, openid, "没帮助！") == THANKS_NOT_HELPFUL
    assert "没帮助！" not in user_texts(wechat, openid)  # not a message for the assistant
    row = FeedbackStore(wechat.servers["database"]).find(answer["id"])
    assert row is not None and row.helpful is False and row.channel == "wechat"
    assert row.notice_id == "changzhi-2022-engineering-mid-junior" and row.topic == answer["topic"]
    assert row.clauses == answer["clauses"] and row.clauses
    assert all(f"〔{c['clause']}〕" in answer_reply for c in row.clauses)  # the clauses of the answer rated
    inbox = [
        u
        for u in wechat.storage.list_unanswered(limit=500)
        if u.reason == "not_helpful"
        and u.channel == "wechat"
        and u.context
        and u.context["clauses"] == answer["clauses"]
        and u.text == "长治中级要几篇论文"
    ]
    assert len(inbox) == 1 and inbox[0].channel == "wechat"
    assert inbox[0].context == {"notice": row.notice_id, "topic": row.topic, "clauses": row.clauses}
    # once per answer
    assert tell(wechat, openid, "不对") == ALREADY_RATED
    assert FeedbackStore(wechat.servers["database"]).find(answer["id"]).helpful is False
    # the conversation goes on where it was: 长治, 工程师
    fee = tell(wechat, openid, "评审费多少")
    assert "300" in fee and "长工信〔2022〕139号" in fee
    assert user_texts(wechat, openid) == ["长治中级要几篇论文", "评审费多少"]
    assert len(bot_answers(wechat, openid)) == 2


def test_helpful_is_kept_and_does_not_reach_the_inbox(wechat):
    from bot.plugins.channels.wechat import THANKS_HELPFUL
    from bot.storage.feedback import FeedbackStore

    openid = new_openid()
    tell(wechat, openid, "重庆副高评审费多少")
    [answer] = bot_answers(wechat, openid)
    before = wechat.storage.count_unanswered()
    assert tell(wechat, openid, "有帮助，谢谢") == THANKS_HELPFUL
    row = FeedbackStore(wechat.servers["database"]).find(answer["id"])
    assert (
        row is not None and row.helpful is True and row.notice_id == "chongqing-2024-engineering-senior-nonpublic-sme"
    )
    assert wechat.storage.count_unanswered() == before


def test_a_correction_or_a_reply_to_a_question_is_not_feedback(wechat):
    from bot.storage.feedback import FeedbackStore

    openid = new_openid()
    tell(wechat, openid, "长治中级要几篇论文")
    [answer] = bot_answers(wechat, openid)
    reply = tell(wechat, openid, "不对，我是硕士")  # says more than a rating: for the assistant
    assert "不对，我是硕士" in user_texts(wechat, openid) and "谢谢您的反馈" not in reply
    assert FeedbackStore(wechat.servers["database"]).find(answer["id"]) is None
    other = new_openid()
    question = tell(wechat, other, "我能报长治的中级吗")  # the assistant asks: its last message is no answer
    assert not bot_answers(wechat, other), question
    reply = tell(wechat, other, "不对")
    assert user_texts(wechat, other)[-1] == "不对" and "谢谢您的反馈" not in reply


# --- rejected requests: the right status, nothing stored -------------------------------------
def _rejections(fake: FakeWeChat, openid: str):
    msg = fake.user_message(openid, "text", Content="长治中级评审费多少")
    q, body = fake.signed(msg, encrypted=False)
    sq, sbody = fake.signed(msg, encrypted=True)
    stale_q, stale_body = fake.signed(msg, encrypted=False, timestamp=int(time.time()) - 3600)
    bomb = (
        '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">'
        '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;">]><xml><ToUserName>a</ToUserName><FromUserName>'
        + openid
        + '</FromUserName><MsgType>text</MsgType><Content>&lol3;</Content></xml>'
    ).encode()
    external = (
        '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><xml><FromUserName>'
        + openid
        + '</FromUserName><MsgType>text</MsgType><Content>&e;</Content></xml>'
    ).encode()
    big = message_xml({**msg, "Content": "评" * 6000}).encode()
    return [
        ("forged signature", "wechat", {**q, "signature": "f" * 40}, body, 403),
        ("no signature", "wechat", {k: v for k, v in q.items() if k != "signature"}, body, 403),
        ("stale timestamp", "wechat", stale_q, stale_body, 403),
        ("oversized body", "wechat", q, big, 413),
        ("malformed xml", "wechat", q, b"<xml><Content>unclosed", 400),
        ("not xml", "wechat", q, b'{"json": true}', 400),
        ("xml bomb", "wechat", q, bomb, 400),
        ("external entity", "wechat", q, external, 400),
        ("forged msg_signature", "wechat_safe", {**sq, "msg_signature": "0" * 40}, sbody, 403),
        ("unencrypted in safe mode", "wechat_safe", q, body, 403),
        (
            "tampered ciphertext",
            "wechat_safe",
            sq,
            sbody.replace(b"<Encrypt><![CDATA[", b"<Encrypt><![CDATA[AAAA"),
            403,
        ),
    ]


def test_rejected_requests_store_nothing(wechat):
    openid = new_openid()
    rows_before = dedupe_rows(wechat)
    for what, channel, query, body, status in _rejections(wechat, openid):
        got = wechat.raw_post(url(wechat, channel), query, body)
        assert got.status == status, (what, got)
        assert got.body == "", what
    assert dedupe_rows(wechat) == rows_before
    assert user_texts(wechat, openid) == []
    assert not tracker_rows(wechat, "select 1 from events where sender_id = ?", CHANNEL_SETTINGS.pseudonym(openid))
    assert wechat.messages_to(openid) == []


def test_no_openid_in_the_logs(wechat):
    """Runs last: nothing the servers logged (in this run so far) names a user by OpenID."""
    assert len(OPENIDS) > 10
    logs = wechat.stack.log_text()
    assert "wechat:" in logs  # the channel did log (refusals, late answers, resends)
    assert not [o for o in OPENIDS if o in logs]
