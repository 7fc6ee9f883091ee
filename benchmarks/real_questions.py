"""Real applicants' questions (tests/answers/real/questions.yml, gathered from public Q&A pages by
someone who did not build the answers), replayed through the assistant, and the hand grades of those
replies (tests/answers/real/grades.yml, graded by someone else again; issue 22).

    python -m benchmarks.real_questions --rest                 # replay through the real servers
    python -m benchmarks.real_questions --rest --write FILE    # … and write the replies to grade
    python -m benchmarks.real_questions                        # the answer core alone (fast)

Prints each question and its first reply, then the grades' totals. A reply that differs from the
one graded is marked "changed since graded" (its grade may no longer hold: grade it again).
"""

from __future__ import annotations

import argparse
import collections
import sys
from pathlib import Path
from typing import Callable, Dict, List

import yaml

from benchmarks.answer_blind import TODAY, Question, policies_asker, rest_asker

ROOT = Path(__file__).resolve().parents[1]
REAL = ROOT / "tests" / "answers" / "real"


def load() -> List[str]:
    doc = yaml.safe_load((REAL / "questions.yml").read_text(encoding="utf-8"))
    return [str(q["q"]) for q in doc["questions"]]


def grades() -> Dict[str, Dict[str, str]]:
    path = REAL / "grades.yml"
    if not path.exists():
        return {}
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    return {str(g["q"]): g for g in doc["grades"]}


def replay(ask: Callable[[Question], str], questions: List[str]) -> List[Dict[str, str]]:
    return [{"q": q, "reply": ask(Question(q, "real", [], None, None))} for q in questions]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rest", action="store_true", help="through the real Rasa and action servers")
    parser.add_argument("--write", help="write the replies (YAML) to this file, for grading")
    args = parser.parse_args(argv)
    questions = load()
    if args.rest:
        import tempfile

        from tests.helpers import running_servers

        with tempfile.TemporaryDirectory() as tmp, running_servers(Path(tmp), today=TODAY.isoformat()) as servers:
            replies = replay(rest_asker(servers["rasa"]), questions)
    else:
        replies = replay(policies_asker(), questions)
    if args.write:
        Path(args.write).write_text(
            yaml.safe_dump({"replies": replies}, allow_unicode=True, sort_keys=False, width=1000), encoding="utf-8"
        )
    graded = grades()
    totals: collections.Counter = collections.Counter()
    changed = 0
    for r in replies:
        g = graded.get(r["q"])
        mark = g["grade"] if g else "ungraded"
        if g and g.get("reply", "").strip() != r["reply"].strip():
            mark += " (changed since graded)"
            changed += 1
        totals[g["grade"] if g else "ungraded"] += 1
        print(f"[{mark}] {r['q']}\n    → {r['reply'][:160].replace(chr(10), ' ⏎ ')}")
    print(
        ", ".join(f"{k} {v}" for k, v in sorted(totals.items())),
        f"— {len(replies)} questions, {changed} changed since graded",
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
