"""The fact reader on self-descriptions written from the notices alone (issue 21).

    python -m policies.eligibility.heldout_facts tests/nlu_data/blind/dev.yml [-v]

Each item is one message an applicant might type, with every fact it states (``facts``; a range
as ``[low, high]``, a correction as its final value, nothing for what is vague). The reader's facts
are compared one by one:

- *right*: the value the writer recorded;
- *wrong*: a fact the writer recorded, read with another value;
- *invented*: a fact the writer did not record at all;
- *missed*: a recorded fact the reader did not read.

An item with ``asked`` (a fact code) is the answer to the question the assistant asked about that
fact ("有两篇，都是一作"), read as the chat reads such an answer.

precision = right / read, recall = right / stated. Core facts (education, 对口, the title held and
its date, first-author papers, employer type) are also counted apart: a wrong value there decides a
verdict.

Two conventions the writers of the two sets were told differently (tests/nlu_data/blind/ and
blind2/; docs/blind-sets.md) are scored as either: papers said with no author rank (论文3篇) as
first-author papers or as all papers (and 两篇都是一作 as the first-author count alone or as both),
and "三年前" — or a title held "N年" (评了七年了) — as N years before today or as that year's 31 December. Every other value must be the writer's.

A message that names the place of a notice (its region's city or an alias, or a district or county
under it from the gazetteer: 在湖州上班, 档案在长治, 我是潞城区的) is read with that region's names as the
notice's places, as the chat reads it: the chat's ``region``
slot is filled from the region entity of the same message (the NLU's EntityRuler over the same
names, ``policies.text.entity_forms``) before the form reads the facts with ``places_of``. So
"在湖州上班" is works_locally there. The first two writers did not record a city named as where one
works (docs/blind-sets.md), the later ones did: a fact read only because of the city's name, which
the writer did not record at all, is scored as either (neither right nor invented); read with
another value than the writer's, it is wrong. ``--no-places`` scores without (the figures before).
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

import yaml

from policies.chars import normalize
from policies.eligibility.catalogue import Catalogue, load_catalogue
from policies.eligibility.heldout import writer_facts
from policies.eligibility.reader import parse_facts, read_facts

# The fact names and codes every writer of these sets was given: a fact a notice adds (重庆's
# cq_sme) is not among them, so the writers could not record it — read, it is neither right nor
# invented.
FACT_NAMES = Path(__file__).resolve().parents[2] / "tests" / "policies" / "blind" / "fact_names.md"
CORE = (
    "education",
    "education_related",
    "current_title",
    "current_title_date",
    "papers_first_author",
    "employer_type",
)


@dataclass
class Tally:
    stated: int = 0
    read: int = 0
    right: int = 0
    wrong: int = 0
    invented: int = 0

    @property
    def precision(self) -> float:
        return self.right / self.read if self.read else 1.0

    @property
    def recall(self) -> float:
        return self.right / self.stated if self.stated else 1.0

    def add(self, other: Tally) -> None:
        self.stated += other.stated
        self.read += other.read
        self.right += other.right
        self.wrong += other.wrong
        self.invented += other.invented


@dataclass
class Score:
    items: int = 0
    all: Tally = field(default_factory=Tally)
    core: Tally = field(default_factory=Tally)
    styles: Dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))
    misses: List[Tuple[str, Dict[str, Any], Dict[str, Any]]] = field(default_factory=list)


def _expected(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list):
        return tuple(value)
    return value


def _got(value: Any) -> Any:
    return tuple(value) if isinstance(value, list) else value


# A title held for N years (中级评了七年了, 助工8年): obtained N years before today, or that year's
# 31 December — the same two conventions as "三年前" (module doc).
TENURE = re.compile(r"(?<![\d〇零])[0-9一二两三四五六七八九十俩]{1,3}\s*年(?:了)?(?![多半以来前底初中\d])")


def _reconcile(text: str, want: Dict[str, Any], got: Dict[str, Any]) -> Dict[str, Any]:
    """``got`` with the two conventions the writers differ on put in the writer's (module doc)."""
    got = dict(got)
    pair = ("papers_first_author", "papers_total")
    if all(f in want for f in pair) and want[pair[0]] == want[pair[1]] and got.get(pair[0]) == want[pair[0]]:
        got.setdefault(pair[1], want[pair[1]])  # 两篇，都是一作: all papers are the first-author ones
    for mine, theirs in (("papers_first_author", "papers_total"), ("papers_total", "papers_first_author")):
        if theirs in want and mine not in want and mine in got and theirs not in got and got[mine] == want[theirs]:
            got[theirs] = got.pop(mine)
    # 年底: the sixth and seventh writers put it on 1 December, the reader on 31 December; 今年 with no
    # month: the seventh writer on 31 December, the reader on today (each a day of the year said)
    loose = ("12-01", "12-31") if "年底" in text else ()
    this_year = "今年" in text
    for name, value in got.items():
        wanted = want.get(name)
        if (
            isinstance(value, str)
            and isinstance(wanted, str)
            and len(value) == len(wanted) == 10
            and value[:4] == wanted[:4]
        ):
            if {value[5:], wanted[5:]} <= set(loose) or (this_year and wanted[5:] == "12-31"):
                got[name] = wanted
    if "年前" in text or TENURE.search(text):
        for name, value in got.items():
            wanted = want.get(name)
            if isinstance(value, str) and isinstance(wanted, str) and value[:4] == wanted[:4] != "":
                if "12-31" in (value[5:], wanted[5:]):
                    got[name] = wanted
    return got


@lru_cache(maxsize=1)
def _region_names() -> Tuple[Tuple[Tuple[str, ...], Tuple[str, ...]], ...]:
    """Every notice region: the names that set it (the NLU's region entity, module doc) and every
    name of its place (``policies.places.reading_names``: what the chat reads facts with)."""
    from policies.loader import load_notices
    from policies.places import reading_names, region_forms

    regions = {n.region.code: n.region for n in load_notices().all()}
    return tuple(
        (tuple(normalize(n) for n in region_forms(r)), tuple(normalize(n) for n in reading_names(r)))
        for r in regions.values()
    )


def notice_places(text: str) -> List[str]:
    """The names of every notice region the message names (what the chat would know as its place)."""
    text = normalize(text)
    return sorted({n for forms, names in _region_names() if any(f in text for f in forms) for n in names})


def _read(text: str, catalogue: Catalogue, today: dt.date, asked: Optional[str], places: List[str]) -> Dict[str, Any]:
    read = (
        parse_facts(text, catalogue, today, asked, places).facts
        if asked
        else read_facts(text, catalogue, today, places)
    )
    return {k: _got(v) for k, v in read.items()}


def _without_implies(catalogue: Catalogue) -> Catalogue:
    """The catalogue with no ``implies`` rules: the chat adds what a fact implies, the writers record
    what is said (facts.yml ``reading: implies``)."""
    import dataclasses

    if catalogue.wording is None:
        return catalogue
    return dataclasses.replace(catalogue, wording=dataclasses.replace(catalogue.wording, implies=()))


def score(path: Path, places: bool = True) -> Score:
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    today = raw["today"] if isinstance(raw["today"], dt.date) else dt.date.fromisoformat(str(raw["today"]))
    catalogue = load_catalogue()
    plain_catalogue = _without_implies(catalogue)
    given = writer_facts(FACT_NAMES)
    out = Score()
    for item in raw["items"]:
        want = {k: _expected(v) for k, v in (item.get("facts") or {}).items()}
        asked = item.get("asked")  # an answer to the question the assistant asked: read as the chat reads it
        here = notice_places(item["text"]) if places else []
        got = _read(item["text"], catalogue, today, asked, here)
        if here:  # a fact read only from the city's name, which the writer did not record: either
            bare = _read(item["text"], catalogue, today, asked, [])
            got = {k: v for k, v in got.items() if k in want or bare.get(k) == v}
        if asked:  # a fact only implied by another (民企 → not a 事业单位), not recorded: either
            plain = _read(item["text"], plain_catalogue, today, asked, here)
            got = {k: v for k, v in got.items() if k in want or plain.get(k) == v}
        got = {k: v for k, v in got.items() if k in want or k in given}  # a fact the writers were never given
        got = _reconcile(item["text"], want, got)
        one, core = Tally(stated=len(want), read=len(got)), Tally()
        core.stated = sum(1 for k in want if k in CORE)
        core.read = sum(1 for k in got if k in CORE)
        for name, value in got.items():
            if name not in want:
                one.invented += 1
                core.invented += name in CORE
            elif want[name] == value:
                one.right += 1
                core.right += name in CORE
            else:
                one.wrong += 1
                core.wrong += name in CORE
        out.items += 1
        out.all.add(one)
        out.core.add(core)
        for style in item.get("styles") or ["(none)"]:
            out.styles[style].add(one)
        if one.right != len(want) or one.right != len(got):
            wrong = {k: v for k, v in got.items() if want.get(k) != v}
            missed = {k: v for k, v in want.items() if got.get(k) != v}
            out.misses.append((item["text"], wrong, missed))
    return out


def _line(name: str, t: Tally) -> str:
    return (
        f"{name:<20} stated {t.stated:>4}  read {t.read:>4}  precision {t.precision:.3f}  "
        f"recall {t.recall:.3f}  wrong {t.wrong:>3}  invented {t.invented:>3}"
    )


def main(argv: Optional[List[str]] = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", type=Path)
    parser.add_argument("-v", "--verbose", action="store_true", help="print every message read wrong")
    parser.add_argument("--styles", action="store_true", help="the figures per style")
    parser.add_argument("--no-places", action="store_true", help="read no message with a notice's city")
    args = parser.parse_args(argv)
    s = score(args.path, places=not args.no_places)
    print(f"{args.path}: {s.items} messages")
    print(_line("all facts", s.all))
    print(_line("core facts", s.core))
    if args.styles:
        for style in sorted(s.styles):
            print(_line(f"  {style}", s.styles[style]))
    if args.verbose:
        for text, wrong, missed in s.misses:
            print(f"\n{text}\n  read wrong or invented: {wrong}\n  missed: {missed}")


if __name__ == "__main__":
    main()
