"""One masking function for every form of a personal number (bot.storage.privacy), applied to what is
stored (tracker store: text, entities, slots; the inbox and its CSV) and to every log record. The
forms of the second security probe (docs/security.md) are in ``PROBE``; the properties generate
the forms people write: random groups, separators, brackets, country codes, a trunk 0, full-width
digits and Chinese numerals."""

from __future__ import annotations

import datetime as dt
import json
import re
import sqlite3
import subprocess
import sys

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.plugins.tracker_store import MaskingSQLTrackerStore
from bot.staff.inbox import to_csv
from bot.storage.assessments import Storage
from bot.storage.feedback import FeedbackStore, new_answer_id
from bot.storage.privacy import mask_personal
from tests.helpers import ROOT, migrated

VARIANTS = [
    ("+8613812345678", "+86138****5678"),
    ("+86 138 1234 5678", "+86 138 **** 5678"),
    ("138 1234 5678", "138 **** 5678"),
    ("138-1234-5678", "138-****-5678"),
    ("138.1234.5678", "138.****.5678"),
    ("１３８　１２３４　５６７８", "１３８　****　５６７８"),
    ("一三八一二三四五六七八", "一三八****五六七八"),
    ("138一二三四5678", "138****5678"),
    ("幺三八 幺二三四 五六七八", "幺三八 **** 五六七八"),
    ("110101 19900307 1234", "****** ******** 1234"),
    ("110101-1990-0307-123X", "******-****-****-123X"),
    ("11010119900307123x", "**************123x"),
    ("110101900307123", "***********7123"),  # the old 15-digit ID number
    ("身份证号：５１０１２２１９８５０１０１００２Ｘ", "身份证号：**************００２Ｘ"),
    ("电话 138 1234 5678 2次", "电话 138 **** 5678 2次"),
    ("两个号码13812345678和13987654321", "两个号码138****5678和139****4321"),
]
# What the second probe found in the tracker store, the inbox and its CSV in clear.
PROBE = [
    ("008613812345678", "0086138****5678"),
    ("013812345678", "0138****5678"),
    ("138/1234/5678", "138/****/5678"),
    ("138_1234_5678", "138_****_5678"),
    ("138 - 1234 - 5678", "138 - **** - 5678"),
    ("+86 (138) 1234-5678", "+86 (138) ****-5678"),
    ("110101/19900307/1234", "******/********/1234"),
    # the same, and their relatives, in other clothes
    ("(+86)13812345678", "(+86)138****5678"),
    ("+(86) 138.1234.5678", "+(86) 138.****.5678"),
    ("0086-138-1234-5678", "0086-138-****-5678"),
    ("0138 1234 5678", "0138 **** 5678"),
    ("（１３８）１２３４－５６７８", "（１３８）****－５６７８"),
    ("１３８／１２３４／５６７８", "１３８／****／５６７８"),
    ("１３８＿１２３４＿５６７８", "１３８＿****＿５６７８"),
    ("138 — 1234 — 5678", "138 — **** — 5678"),
    ("[138] 1234 5678", "[138] **** 5678"),
    ("【138】1234【5678】", "【138】****【5678】"),
    ("幺三八/幺二三四/五六七八", "幺三八/****/五六七八"),
    ("110101_19900307_123X", "******_********_123X"),
    ("110101.1990.03.07.1234", "******.****.**.**.1234"),
    ("(110101) 19900307 - 1234", "(******) ******** - 1234"),
    ("１１０１０１／１９９００３０７／１２３４", "******／********／１２３４"),
]
UNCHANGED = [
    "办公电话0355-3036240",
    "办公电话(0355) 3036240",
    "长人社发〔2022〕12号",
    "2024年评审费300元，共2024人",
    "2024-03-01",
    "2024/03/01 - 2024/06/30",
    "1991-01-1 2003-7-24",  # two dates, not a mobile in groups of 4-2-1-4
    "2020.10.10 - 2021.10.1",  # 15 digits, but no birth date where an old ID has one
    "2019/1/31 13 12 3",
    "2022年评审费300元",
    "长工信〔2022〕139号 三（一）3",
    "2016年拿的助工，发了两篇论文",
    "2020年1月1日至2020年12月31日",
    "评估编号 7K3M9QXZ",
    "123456789012",
    "13812345678901",
    "第一二三条",
]


@pytest.mark.parametrize("raw,masked", VARIANTS)
def test_every_form_is_masked(raw, masked):
    assert mask_personal(raw) == masked
    assert mask_personal(f"我的号码是{raw}，谢谢") == f"我的号码是{masked}，谢谢"


@pytest.mark.parametrize("raw,masked", PROBE)
def test_every_form_the_probe_tried_is_masked(raw, masked):
    assert mask_personal(raw) == masked
    assert mask_personal(f"您好，我的号码：{raw}。") == f"您好，我的号码：{masked}。"


@pytest.mark.parametrize("text", UNCHANGED)
def test_other_numbers_stay(text):
    assert mask_personal(text) == text


FULL = str.maketrans("0123456789", "０１２３４５６７８９")
CHINESE = str.maketrans("0123456789", "〇一二三四五六七八九")
SEPARATORS = ["", " ", "-", "　", "－", "."]


@st.composite
def written_mobile(draw):
    digits = "1" + draw(st.sampled_from("3456789")) + draw(st.text("0123456789", min_size=9, max_size=9))
    sep = draw(st.sampled_from(SEPARATORS))
    text = sep.join([digits[:3], digits[3:7], digits[7:]])
    text = text.translate(draw(st.sampled_from([{}, FULL, CHINESE])))
    prefix = draw(st.sampled_from(["", "+86", "+86 ", "86-"]))
    return digits, prefix + text


@settings(max_examples=300, deadline=None, database=None)
@given(
    written_mobile(),
    st.text(st.sampled_from("我的电话是请回拨谢谢，。！ abc"), max_size=8),
    st.text(st.sampled_from("我的电话是请回拨谢谢，。！ abc"), max_size=8),
)
def test_a_mobile_in_any_form_keeps_only_its_ends(number, before, after):
    digits, written = number
    masked = mask_personal(before + written + after)
    assert len(masked) == len(before + written + after)
    core = masked[len(before) : len(before) + len(written)]
    assert core.count("*") == 4
    normal = core.translate({ord(c): None for c in " -　－.+"}).translate(
        {ord(a): ord(b) for a, b in zip("０１２３４５６７８９〇一二三四五六七八九", "01234567890123456789")}
    )
    assert normal.endswith(digits[:3] + "****" + digits[7:])


WORDS = st.text(st.sampled_from("我的电话是请回拨谢谢，。！：abc号码身份证"), max_size=6)
# Between two groups: spaces, dashes (also spaced), dots, slashes, underscores, brackets, full width.
GAPS = ["", " ", "  ", "-", " - ", "--", "—", ".", "·", "/", " / ", "_", "　", "－", "．", "／", "＿"]
GAPS += [") ", ")", "(", " (", ") (", ")-(", "）", "（", "】", "【", "] [", "\t"]
PREFIXES = ["", "0", "86", "+86", "+86 ", "+86-", "0086", "0086 ", "(+86)", "(+86) ", "+(86)", "+(86) ", "（+86）"]
PREFIXES += ["+86 0", "0086-0"]
DIGITS = str.maketrans("０１２３４５６７８９〇零一幺二两三四五六七八九", "01234567890011223456789")


def digits_of(text: str) -> str:
    """The digits (and ``*`` and X) of ``text``, whatever their form; everything else dropped."""
    return "".join(c for c in text.translate(DIGITS) if c.isdigit() or c in "*X")


def grouped(draw, number: str, most: int) -> str:
    """``number`` cut into random groups, each written in a random form, joined by random gaps."""
    cuts = sorted(draw(st.sets(st.integers(1, len(number) - 1), max_size=most)))
    groups = [number[a:b] for a, b in zip([0, *cuts], [*cuts, len(number)])]
    styles = [{}, FULL, CHINESE, {ord("1"): "幺", ord("2"): "两", ord("0"): "零"}]
    text = ""
    for i, group in enumerate(groups):
        text += (draw(st.sampled_from(GAPS)) if i else "") + group.translate(draw(st.sampled_from(styles)))
    return text


def reads_as_a_date(written: str) -> bool:
    """Groups of 4, 1–2 and 1–2 digits from 19…: a date (``1991-01-1``), as the masking takes it."""
    groups = [g for g in re.split(r"[^0-9]+", written.translate(DIGITS)) if g]
    return len(groups) >= 3 and len(groups[0]) == 4 and 1 <= len(groups[1]) <= 2 and 1 <= len(groups[2]) <= 2


@st.composite
def any_mobile(draw):
    number = "1" + draw(st.sampled_from("3456789")) + draw(st.text("0123456789", min_size=9, max_size=9))
    written = grouped(draw, number, 5)
    if draw(st.booleans()):  # the first three in brackets
        head = number[:3]
        if written.startswith(head):
            # the bracket replaces the gap after the head: not "(130))-(0000…", which no one writes
            rest = re.sub(r"^[^0-9０-９〇零一幺二两三四五六七八九]+", "", written[3:])
            written = "(" + head + ")" + draw(st.sampled_from(["", " ", "-"])) + rest
    return number, draw(st.sampled_from(PREFIXES)), written


@settings(max_examples=600, deadline=None, database=None)
@given(any_mobile(), WORDS, WORDS)
def test_a_mobile_however_written_keeps_only_its_first_three_and_last_four(mobile, before, after):
    number, prefix, written = mobile
    assume(not reads_as_a_date(written))
    text = before + prefix + written + after
    masked = mask_personal(text)
    assert len(masked) == len(text)
    core = masked[len(before) + len(prefix) : len(before) + len(prefix) + len(written)]
    assert digits_of(core) == number[:3] + "****" + number[7:], (text, masked)
    assert masked[: len(before) + len(prefix)] == before + prefix  # the country code stays


@st.composite
def any_id(draw):
    area = draw(st.sampled_from(["110101", "510122", "140402", "330502", "650102"]))
    born = draw(st.dates(dt.date(1940, 1, 1), dt.date(2010, 12, 31))).strftime("%Y%m%d")
    tail = draw(st.text("0123456789", min_size=3, max_size=3)) + draw(st.sampled_from("0123456789Xx"))
    number = area + born + tail
    return number, grouped(draw, number, 5)


@settings(max_examples=400, deadline=None, database=None)
@given(any_id(), WORDS, WORDS)
def test_an_id_number_however_written_keeps_only_its_last_four(id_number, before, after):
    number, written = id_number
    text = before + written + after
    masked = mask_personal(text)
    assert len(masked) == len(text)
    core = masked[len(before) : len(before) + len(written)]
    assert digits_of(core.upper()) == "*" * 14 + number[14:].upper(), (text, masked)


@st.composite
def ordinary_figures(draw):
    day = draw(st.dates(dt.date(2000, 1, 1), dt.date(2030, 12, 31)))
    sep = draw(st.sampled_from(["-", "/", ".", " - ", "年"]))
    date = f"{day.year}{sep}{day.month:02d}{sep}{day.day:02d}" if sep != "年" else f"{day:%Y年%m月%d日}"
    other = draw(st.dates(dt.date(2000, 1, 1), dt.date(2030, 12, 31)))
    return draw(
        st.sampled_from(
            [
                date,
                f"{date} 至 {other.isoformat()}",
                f"{day.year}年",
                f"评审费{draw(st.integers(0, 99999))}元",
                f"长人社发〔{day.year}〕{draw(st.integers(1, 999))}号",
                f"共{draw(st.integers(0, 10**9))}人",
                f"{day.year} - {other.year}",
            ]
        )
    )


@settings(max_examples=300, deadline=None, database=None)
@given(st.lists(ordinary_figures(), min_size=1, max_size=3), WORDS)
def test_ordinary_figures_are_never_masked(figures, words):
    text = words.join(figures)
    assert mask_personal(text) == text


@settings(max_examples=300, deadline=None, database=None)
@given(st.text(max_size=300))
def test_masking_never_fails_and_keeps_the_length(text):
    assert len(mask_personal(text)) == len(text)


async def test_tracker_store_masks_text_entities_and_slots(tmp_path):
    db = tmp_path / "tracker.db"
    store = MaskingSQLTrackerStore(domain=Domain.empty(), host=f"sqlite:///{db}")
    text = "我是+86 138-1234-5678，身份证110101 19900307 1234"
    tracker = DialogueStateTracker.from_events(
        "someone",
        [
            ActionExecuted("action_listen"),
            UserUttered(
                text,
                parse_data={
                    "text": text,
                    "intent": {"name": "inform", "confidence": 1.0},
                    "entities": [{"entity": "phone", "value": "138 1234 5678"}],
                },
            ),
            SlotSet("contact", "一三八一二三四五六七八"),
        ],
    )
    await store.save(tracker)
    with sqlite3.connect(db) as conn:
        stored = "\n".join(
            json.dumps(json.loads(r[0]), ensure_ascii=False) for r in conn.execute("select data from events")
        )
    for clear in ("1234-5678", "1234 5678", "19900307", "一二三四"):
        assert clear not in stored
    assert "138-****-5678" in stored and "****** ******** 1234" in stored and "一三八****五六七八" in stored


async def test_every_probe_form_is_stored_masked_by_the_tracker_store_the_inbox_and_its_csv(tmp_path):
    """Each form through the real stores on SQLite: Rasa's events (text, parse data, entities,
    slots), the inbox (a fallback message and a 没帮助's question) and the inbox's CSV export."""
    tracker_db = tmp_path / "tracker.db"
    store = MaskingSQLTrackerStore(domain=Domain.empty(), host=f"sqlite:///{tracker_db}")
    database_url = migrated(f"sqlite:///{tmp_path / 'zhicheng.db'}")
    storage = Storage(database_url)
    for i, (raw, _masked) in enumerate(PROBE):
        text = f"我的号码{raw}，请回电"
        await store.save(
            DialogueStateTracker.from_events(
                f"probe-{i}",
                [
                    ActionExecuted("action_listen"),
                    UserUttered(
                        text,
                        parse_data={
                            "text": text,
                            "intent": {"name": "inform", "confidence": 1.0},
                            "entities": [{"entity": "phone", "value": raw}],
                        },
                    ),
                    SlotSet("contact", raw),
                ],
            )
        )
        storage.record_unanswered(text=text, intent=None, confidence=None, reason="nlu_fallback", channel="rest")
        answer = {"id": new_answer_id(), "notice": None, "topic": "fee", "clauses": []}
        assert FeedbackStore(database_url).record(answer, False, "socketio", question=text)
    with sqlite3.connect(tracker_db) as conn:
        events = "\n".join(
            json.dumps(json.loads(r[0]), ensure_ascii=False) for r in conn.execute("select data from events")
        )
    with sqlite3.connect(database_url[len("sqlite:///") :]) as conn:
        inbox = "\n".join(r[0] for r in conn.execute("select text from unanswered"))
    csv_text = to_csv(storage.list_unanswered(limit=1000)).decode("utf-8-sig")
    assert inbox.count("\n") + 1 == 2 * len(PROBE)
    for raw, masked in PROBE:
        for where, stored in (("tracker store", events), ("inbox", inbox), ("inbox CSV", csv_text)):
            assert masked in stored, (where, raw)
            assert raw not in stored and digits_of(raw) not in digits_of(stored), (where, raw)
    storage.db.dispose()


def test_log_records_are_masked_even_in_tracebacks():
    code = (
        "import logging, sys\n"
        "from bot.storage.privacy import install_log_masking\n"
        "logging.basicConfig(stream=sys.stdout, level=logging.INFO, format='%(message)s')\n"
        "install_log_masking()\n"
        "log = logging.getLogger('x')\n"
        "log.info('message %s', '我的电话138 1234 5678')\n"
        "log.info('probe %s', '+86 (138) 8765-4321 / 110101/19900307/4321')\n"
        "try:\n"
        "    raise ValueError('身份证110101199003071234')\n"
        "except ValueError:\n"
        "    log.exception('failed')\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin", "PYTHONDONTWRITEBYTECODE": "1"},  # no bot/__pycache__
    )
    assert out.returncode == 0, out.stderr
    assert "138 **** 5678" in out.stdout and "**************1234" in out.stdout
    assert "1234 5678" not in out.stdout and "110101199003071234" not in out.stdout
    assert "+86 (138) ****-4321 / ******/********/4321" in out.stdout and "8765" not in out.stdout
