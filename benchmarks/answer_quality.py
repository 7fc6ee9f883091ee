"""Answer quality on the held-out questions (tests/answers/heldout/*.yml): is the point asked in the
first lines, is out of scope recognised, is "not stated" ever said falsely, how long are replies?

    python -m benchmarks.answer_quality            # through the real Rasa + action servers (REST)
    python -m benchmarks.answer_quality --policies # the answer core alone, no NLU (fast)
    python -m benchmarks.answer_quality --rasa http://127.0.0.1:5005   # a Rasa already running

Prints the figures and every miss; exit status 1 when a figure is below its gate (``GATES``).
The questions are written from the notices the way applicants type, and never trained on
(tests/nlu_data checks that no held-out question is in data/nlu).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import statistics
import sys
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Dict, List, Optional

import yaml

ROOT = Path(__file__).resolve().parents[1]
HELDOUT = ROOT / "tests" / "answers" / "heldout"
DEV_EXTRA = ROOT / "tests" / "answers" / "dev"  # written while tuning: reported apart, never gated
WINDOW = 250  # the expected value must be within the first 250 characters
TODAY = "2024-10-30"
NOT_STATED_MARK = "没有写到"  # only the "this notice does not say" reply uses it
OUT_OF_SCOPE_MARKS = ("不在我能回答的范围", "回答不了")
FRAUD_MARK = "不存在“代评”"
GATES = {"on_point": 0.95, "out_of_scope": 0.95, "false_not_stated": 0, "median_length": 250}


@dataclass
class Question:
    q: str
    kind: str = "answer"
    expect: List[str] = field(default_factory=list)
    context: Dict[str, str] = field(default_factory=dict)
    clause: str = ""
    notice: Optional[str] = None
    source: str = ""
    split: str = "dev"  # every third question of a file is "test": never looked at while tuning


def load_questions(folder: Path = HELDOUT, split: Optional[str] = None) -> List[Question]:
    """``split``: force every question into one split (the extra dev sets)."""
    out: List[Question] = []
    for path in sorted(folder.glob("*.yml")):
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        for i, raw in enumerate(doc["questions"]):
            out.append(
                Question(
                    q=str(raw["q"]),
                    kind=raw.get("kind", "answer"),
                    expect=[str(e) for e in raw.get("expect") or []],
                    context=dict(raw.get("context") or {}),
                    clause=str(raw.get("clause", "")),
                    notice=doc.get("notice"),
                    source=path.name,
                    split=split or ("test" if i % 3 == 2 else "dev"),
                )
            )
    return out


@dataclass
class Outcome:
    question: Question
    reply: str
    ok: bool
    false_not_stated: bool = False


def judge(question: Question, reply: str) -> Outcome:
    head = reply[:WINDOW]
    if question.kind == "out_of_scope":
        ok = any(m in reply for m in OUT_OF_SCOPE_MARKS) and "元" not in reply
        return Outcome(question, reply, ok)
    if question.kind == "fraud":
        return Outcome(question, reply, FRAUD_MARK in reply)
    ok = all(e in head for e in question.expect)
    false_ns = question.kind == "answer" and NOT_STATED_MARK in reply
    return Outcome(question, reply, ok and not false_ns, false_ns)


def figures_of(outcomes: List[Outcome]) -> Dict[str, float]:
    answerable = [o for o in outcomes if o.question.kind in ("answer", "not_stated")]
    scope = [o for o in outcomes if o.question.kind in ("out_of_scope", "fraud")]
    lengths = sorted(len(o.reply) for o in answerable)
    figures = {
        "questions": len(outcomes),
        "on_point": sum(o.ok for o in answerable) / max(len(answerable), 1),
        "out_of_scope": sum(o.ok for o in scope) / max(len(scope), 1),
        "false_not_stated": sum(o.false_not_stated for o in outcomes),
        "median_length": statistics.median(lengths) if lengths else 0,
        "p90_length": lengths[int(0.9 * (len(lengths) - 1))] if lengths else 0,
        "answerable": len(answerable),
        "scope": len(scope),
    }
    return figures


def line(name: str, f: Dict[str, float]) -> str:
    return (
        f"{name}: {f['questions']} questions; on point within {WINDOW} chars {f['on_point']:.1%} "
        f"(of {f['answerable']}), out of scope recognised {f['out_of_scope']:.1%} (of {f['scope']}), "
        f"false 'not stated' {f['false_not_stated']}, reply length median {f['median_length']:.0f} "
        f"p90 {f['p90_length']}"
    )


def report(
    outcomes: List[Outcome], out=sys.stdout, show_misses: bool = True, show_test: bool = False
) -> Dict[str, float]:
    figures = figures_of(outcomes)
    if show_misses:
        for o in outcomes:
            if not o.ok and (show_test or o.question.split == "dev"):
                first = o.reply.replace("\n", " ⏎ ")[:300]
                print(
                    f"MISS [{o.question.source} {o.question.kind} {o.question.clause}] {o.question.q} "
                    f"{o.question.context or ''} expect={o.question.expect}\n     → {first}",
                    file=out,
                )
    by_file: Dict[str, List[Outcome]] = {}
    for o in outcomes:
        by_file.setdefault(o.question.source, []).append(o)
    for name, group in sorted(by_file.items()):
        print(f"  {name:18} {sum(o.ok for o in group):3d}/{len(group):3d}", file=out)
    for split in ("dev", "test"):
        part = [o for o in outcomes if o.question.split == split]
        print(line(f"{split:5}", figures_of(part)), file=out)
    print(line("all  ", figures), file=out)
    return figures


def failed_gates(figures: Dict[str, float]) -> List[str]:
    bad = []
    if figures["on_point"] < GATES["on_point"]:
        bad.append(f"on point {figures['on_point']:.1%} < {GATES['on_point']:.0%}")
    if figures["out_of_scope"] < GATES["out_of_scope"]:
        bad.append(f"out of scope {figures['out_of_scope']:.1%} < {GATES['out_of_scope']:.0%}")
    if figures["false_not_stated"] > GATES["false_not_stated"]:
        bad.append(f"false 'not stated' {figures['false_not_stated']} > 0")
    if figures["median_length"] > GATES["median_length"]:
        bad.append(f"median reply {figures['median_length']} > {GATES['median_length']}")
    return bad


# --- askers ----------------------------------------------------------------------------------
def policies_asker() -> Callable[[Question], str]:
    """The answer core alone: region and level from the context, no NLU intent."""
    from policies import load_notices
    from policies.qa import QA, render_text

    qa = QA(load_notices())
    today = dt.date.fromisoformat(TODAY)

    def ask(q: Question) -> str:
        return render_text(qa.answer(q.q, today, region=q.context.get("region"), level=q.context.get("level")))

    return ask


def _post(url: str, payload: dict) -> list:
    req = urllib.request.Request(url, data=json.dumps(payload).encode(), headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=60) as resp:
        return json.loads(resp.read().decode())


def rest_asker(rasa_url: str) -> Callable[[Question], str]:
    """A new conversation per question over the REST channel; the context is set by the buttons'
    own payloads, as a user choosing a notice would."""
    hook = f"{rasa_url}/webhooks/rest/webhook"

    def ask(q: Question) -> str:
        sender = f"quality-{uuid.uuid4().hex[:10]}"
        if q.context:
            _post(hook, {"sender": sender, "message": "/inform" + json.dumps(q.context, separators=(",", ":"))})
        replies = _post(hook, {"sender": sender, "message": q.q})
        return "\n".join(r.get("text", "") for r in replies if r.get("text"))

    return ask


def evaluate(
    ask: Callable[[Question], str], questions: Optional[List[Question]] = None, workers: int = 1
) -> List[Outcome]:
    questions = questions if questions is not None else load_questions()
    with ThreadPoolExecutor(max_workers=workers) as pool:
        replies = list(pool.map(ask, questions))
    return [judge(q, r) for q, r in zip(questions, replies)]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--policies", action="store_true", help="the answer core alone, no Rasa")
    parser.add_argument("--rasa", help="a running Rasa server's URL (else start one)")
    parser.add_argument("--quiet", action="store_true", help="figures only, no misses")
    parser.add_argument("--show-test", action="store_true", help="also print misses of the test split")
    parser.add_argument("--extra", action="store_true", help="the extra dev questions (tests/answers/dev) instead")
    args = parser.parse_args(argv)
    questions = load_questions(DEV_EXTRA, split="dev") if args.extra else load_questions()
    if args.policies:
        outcomes = evaluate(policies_asker(), questions)
    elif args.rasa:
        outcomes = evaluate(rest_asker(args.rasa), questions, workers=2)
    else:
        import tempfile

        from tests.helpers import running_servers

        with tempfile.TemporaryDirectory() as tmp, running_servers(Path(tmp), today=TODAY) as servers:
            outcomes = evaluate(rest_asker(servers["rasa"]), questions, workers=2)
    figures = report(outcomes, show_misses=not args.quiet, show_test=args.show_test)
    bad = failed_gates(figures)
    for b in bad:
        print("GATE FAILED:", b)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
