"""Assessments saved through SQLAlchemy (SQLite here) and found again by case code."""

import re

from bot.storage.assessments import CODE_ALPHABET, Storage, new_case_code
from tests.helpers import migrated


def test_save_and_find_by_case_code(tmp_path):
    store = Storage(migrated(f"sqlite:///{tmp_path / 'sub' / 'z.db'}"))  # the folder is created
    code = store.save_assessment(
        notice_id="changzhi-2022-engineering-mid-junior",
        level="engineer",
        verdict="eligible",
        facts={"education": "bachelor"},
        result={"summary": "按长工信〔2022〕139号，您符合申报工程师的条件。"},
        channel="rest",
        sender_id="u1",
    )
    assert re.fullmatch(f"[{CODE_ALPHABET}]{{8}}", code)
    spoken = " ".join(code[i : i + 4] for i in (0, 4)).lower()  # "ab3d k7mn" as read over the phone
    found = store.find_assessment(spoken)
    assert found.verdict == "eligible" and found.facts == {"education": "bachelor"}
    assert found.result["summary"].startswith("按长工信")
    fullwidth = code.translate({ord(c): ord(c) + 0xFEE0 for c in code})
    assert store.find_assessment(fullwidth).case_code == code
    assert Storage(store.url).find_assessment(code) is not None  # persisted, not in memory
    assert store.find_assessment("NOSUCH22") is None


def test_case_codes_avoid_confusable_characters():
    codes = {new_case_code() for _ in range(2000)}
    assert len(codes) == 2000
    assert not any(set(c) & set("01OIL") for c in codes)
