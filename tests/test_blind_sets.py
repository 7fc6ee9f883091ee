"""The three blind sets (docs/blind-sets.md) are well formed, name only facts, codes and notices the
project knows, and none of their text is trained on. This reads their structure, never their scores:
nothing here measures the assistant on them."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import yaml

from tests.helpers import ROOT

SETS = {
    "facts": ROOT / "tests" / "nlu_data" / "blind",
    "questions": ROOT / "tests" / "answers" / "blind",
    "applicants": ROOT / "tests" / "policies" / "blind",
}
NOTICE_IDS = {p.stem for p in (ROOT / "policies" / "notices").glob("*.yml")}
LEVELS = {"technician", "assistant_engineer", "engineer", "senior_engineer"}
VERDICTS = {"eligible", "eligible_special", "not_eligible", "undetermined"}
KINDS = {
    "value",
    "yes_no_self",
    "yes_no_rule",
    "outline",
    "definition",
    "comparison",
    "not_stated",
    "out_of_scope",
    "fraud",
    "follow_up",
}
# Facts the rules do not hold yet (issue 21: 聘任 apart from 取得; all papers apart from first-author).
PROPOSED_FACTS = {"current_title_appointed_date", "papers_total"}
ANNOTATION = re.compile(r"\[([^\]]+)\]\([^)]+\)")


def _load(kind: str, split: str, name: str = ""):
    folder = SETS[kind].parent / name if name else SETS[kind]
    return yaml.safe_load((folder / f"{split}.yml").read_text(encoding="utf-8"))


def _known_facts():
    return set(yaml.safe_load((ROOT / "policies" / "eligibility" / "facts.yml").read_text(encoding="utf-8"))["facts"])


def _check_facts(facts, known):
    assert isinstance(facts, dict)
    unknown = set(facts) - known - PROPOSED_FACTS
    assert not unknown, unknown
    for name, value in facts.items():
        assert value is None or isinstance(value, (bool, int, str, list, dt.date)), (name, value)


# the self-description sets: one folder per writer, with the day they wrote as
FACT_SETS = {
    "blind": dt.date(2024, 10, 30),
    "blind2": dt.date(2025, 5, 20),
    "blind3": dt.date(2025, 11, 12),
    "blind4": dt.date(2026, 3, 18),
    "blind5": dt.date(2026, 9, 8),
    "blind6": dt.date(2026, 12, 7),
    "blind7": dt.date(2026, 12, 8),
}
QUESTION_SETS = ("blind", "blind2", "blind3")  # tests/answers/<name>/, one folder per writer


def _load_facts(name: str, split: str):
    return yaml.safe_load((ROOT / "tests" / "nlu_data" / name / f"{split}.yml").read_text(encoding="utf-8"))


@pytest.mark.parametrize("name", sorted(FACT_SETS))
@pytest.mark.parametrize("split", ["dev", "test"])
def test_the_fact_set_is_well_formed(name, split):
    data = _load_facts(name, split)
    known = _known_facts()
    assert data["today"] == FACT_SETS[name]
    items = data["items"]
    assert len(items) >= {"dev": 140, "test": 70}[split]
    for item in items:
        assert item["text"].strip() and item["styles"]
        assert item.get("asked") is None or item["asked"] in known, item  # the question it answers
        _check_facts(item["facts"], known)


@pytest.mark.parametrize("name", QUESTION_SETS)
@pytest.mark.parametrize("split", ["dev", "test"])
def test_the_question_set_is_well_formed(name, split):
    questions = _load("questions", split, name)["questions"]
    assert len(questions) >= {"dev": 200, "test": 100}[split]
    for q in questions:
        assert q["q"].strip() and q["kind"] in KINDS, q
        assert q.get("notice") is None or q["notice"] in NOTICE_IDS, q
        assert q.get("level") is None or q["level"] in LEVELS, q
        assert isinstance(q.get("expect") or [], list)
        assert q.get("answer") in (None, "yes", "no", "depends"), q  # a yes/no's first word (blind2)


@pytest.mark.parametrize("name", ["blind", "blind2"])
@pytest.mark.parametrize("split", ["dev", "test"])
def test_the_applicant_set_is_well_formed(name, split):
    path = ROOT / "tests" / "policies" / name / f"{split}.yml"
    applicants = yaml.safe_load(path.read_text(encoding="utf-8"))["applicants"]
    known = _known_facts()
    assert len(applicants) >= {"dev": 40, "test": 20}[split]
    for a in applicants:
        assert a["notice"] in NOTICE_IDS and a["level"] in LEVELS and a["verdict"] in VERDICTS, a["name"]
        assert isinstance(a["today"], dt.date)
        _check_facts(a["facts"], known)


def test_no_blind_text_is_trained_on():
    trained = set()
    for path in (ROOT / "data" / "nlu").glob("*.yml"):
        for block in yaml.safe_load(path.read_text(encoding="utf-8"))["nlu"]:
            for line in (block.get("examples") or "").splitlines():
                if line.strip().startswith("- "):
                    trained.add(ANNOTATION.sub(r"\1", line.strip()[2:]).strip())
    blind = set()
    for split in ("dev", "test"):
        for name in FACT_SETS:
            blind |= {i["text"].strip() for i in _load_facts(name, split)["items"]}
        for name in QUESTION_SETS:
            blind |= {q["q"].strip() for q in _load("questions", split, name)["questions"]}
    assert not (blind & trained), sorted(blind & trained)[:10]
