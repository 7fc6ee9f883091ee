"""One masking function for every form of a personal number (bot.storage.privacy), applied to what is
stored (tracker store: text, entities, slots) and to every log record."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.plugins.tracker_store import MaskingSQLTrackerStore
from bot.storage.privacy import mask_personal
from tests.helpers import ROOT

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
UNCHANGED = [
    "办公电话0355-3036240",
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


def test_log_records_are_masked_even_in_tracebacks():
    code = (
        "import logging, sys\n"
        "from bot.storage.privacy import install_log_masking\n"
        "logging.basicConfig(stream=sys.stdout, level=logging.INFO, format='%(message)s')\n"
        "install_log_masking()\n"
        "log = logging.getLogger('x')\n"
        "log.info('message %s', '我的电话138 1234 5678')\n"
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
