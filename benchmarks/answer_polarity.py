"""The decisive word of yes/no questions (issue 22), on questions written from the notices alone by
someone who saw no code (tests/answers/polarity/questions.yml: each question has its notice, its
kind — about a rule or about the asker — and the answer, yes or no). Every third question is the
test split: figures only, never its misses.

    python -m benchmarks.answer_polarity              # both splits' figures, the dev split's misses
    python -m benchmarks.answer_polarity --quiet      # figures only

A reply *answers* when its first line after the notice's header is a decisive word: yes (能 / 可以 /
需要 / 要 / 算 / 会退回 / 够 …) or no (不能 / 不可以 / 不需要 / 不要 / 不算 / 不退 / 不够 …). It is *wrong* when that
word is the opposite of the notice's answer, or when it comes from another notice than the one
asked about; 还要看 (the engine: it depends on a fact not said) is neither. A wrong word misleads
more than none, so the gate holds wrong words at zero and the share answered at its floor.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Optional

import yaml

ROOT = Path(__file__).resolve().parents[1]
QUESTIONS = ROOT / "tests" / "answers" / "polarity" / "questions.yml"
TODAY = dt.date(2026, 12, 1)
YES = ("能", "可以", "需要", "要", "算", "会退回", "够", "有要求", "受限制")
NO = ("不能", "不可以", "不需要", "不要", "不算", "不退", "不用", "按常规条件不能", "不够", "没有统一要求", "不受限制")


@dataclass
class Question:
    q: str
    notice: str
    kind: str  # rule / self
    answer: str  # yes / no
    split: str


@dataclass
class Outcome:
    question: Question
    said: Optional[str]  # yes / no / None
    notice: Optional[str]
    reply: str

    @property
    def answered(self) -> bool:
        return self.said is not None

    @property
    def wrong(self) -> bool:
        return self.answered and (self.said != self.question.answer or self.notice != self.question.notice)


def load(path: Path = QUESTIONS) -> List[Question]:
    rows = yaml.safe_load(path.read_text(encoding="utf-8"))["questions"]
    return [
        Question(str(r["q"]), r["notice"], r["kind"], str(r["answer"]), "test" if i % 3 == 2 else "dev")
        for i, r in enumerate(rows)
    ]


def word_of(verdict: str) -> Optional[str]:
    if verdict in NO:
        return "no"
    if verdict in YES:
        return "yes"
    return None


def evaluate(questions: List[Question]) -> List[Outcome]:
    from policies import load_notices
    from policies.conversation import Memory, answer_turn
    from policies.qa import QA, render_text

    qa = QA(load_notices())
    out = []
    for q in questions:
        reply = answer_turn(qa, q.q, TODAY, Memory())
        notice = reply.notice.id if reply.notice is not None else None
        out.append(Outcome(q, word_of(reply.verdict), notice, render_text(reply)))
    return out


def figures(outcomes: List[Outcome]) -> Dict[str, float]:
    n = max(len(outcomes), 1)
    answered = [o for o in outcomes if o.answered]
    return {
        "questions": len(outcomes),
        "answered": len(answered) / n,
        "right": sum(1 for o in answered if not o.wrong) / n,
        "wrong": sum(1 for o in answered if o.wrong),
    }


def line(name: str, f: Dict[str, float]) -> str:
    return (
        f"{name}: {f['questions']:.0f} questions; decisive word first {f['answered']:.1%}, "
        f"right {f['right']:.1%}, wrong {f['wrong']:.0f}"
    )


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quiet", action="store_true", help="figures only")
    args = parser.parse_args(argv)
    outcomes = evaluate(load())
    if not args.quiet:
        for o in outcomes:
            if o.question.split == "dev" and (o.wrong or not o.answered):
                mark = "WRONG" if o.wrong else "NONE "
                first = o.reply.replace("\n", " ⏎ ")[:200]
                print(f"{mark} [{o.question.kind} {o.question.answer}] {o.question.q}\n      → {first}")
    for split in ("dev", "test"):
        part = [o for o in outcomes if o.question.split == split]
        print(line(split, figures(part)))
        for kind in ("rule", "self"):
            print("  " + line(kind, figures([o for o in part if o.question.kind == kind])))
    return 0


if __name__ == "__main__":
    sys.exit(main())
