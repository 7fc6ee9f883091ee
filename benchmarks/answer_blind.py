"""Answers on the question set nobody on the team wrote (tests/answers/blind/, issue 22): each
question carries its kind (value, yes/no about the asker or a rule, outline, definition, comparison,
not stated, follow-up, out of scope, fraud), 1–3 exact strings an on-point reply contains, and for a
follow-up the question asked before it in the same conversation.

    python -m benchmarks.answer_blind                 # dev split, the answer core (policies.qa)
    python -m benchmarks.answer_blind --split test    # the test split: figures only, never misses
    python -m benchmarks.answer_blind --set blind2    # the second writer's set (tests/answers/blind2)
    python -m benchmarks.answer_blind --rest          # through the real Rasa + action servers (REST)
    python -m benchmarks.answer_blind --rasa URL      # through a running Rasa server (REST)

A reply is *on point* when every expected string is within its first 250 characters (white space
ignored: 长治 writes "300 元") and, for a `not_stated` question, when it says the notice does not
state the point; an out-of-scope reply must say so and carry no notice figure; a fraud reply must
carry the notices' warning. *Decisive first*: a yes/no reply whose first line after the header
gives 能 / 不能 / 可以 / 不可以 / 需要 / 不需要 / 还要看 (the issue's "the decisive word first").
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import re
import statistics
import sys
import urllib.request
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Dict, List, Optional

import yaml

ROOT = Path(__file__).resolve().parents[1]
BLIND = ROOT / "tests" / "answers" / "blind"
SETS = ("blind", "blind2", "blind3")  # one folder per writer under tests/answers/
WINDOW = 250
TODAY = dt.date(2026, 12, 1)  # the product as applicants meet it now: every round of the five has closed
# "not stated" in the reply's own words, or an item that records it (答辩：通知未给日期; 另行通知)
NOT_STATED = (
    "没有写到",
    "没有写明",
    "未写明",
    "没有规定",
    "没有给出",
    "没有说明",
    "未给",
    "另行通知",
    "未明确",
    "未另列",
)
OUT_OF_SCOPE = ("不在我能回答的范围", "回答不了", "没有收录")
FRAUD = "不存在“代评”"
# a figure a notice states (300元, 满4年, 2篇); not a round's year (这里收录的是平凉2022年度的通知)
FIGURE = re.compile(r"(?<!\d)(?!20\d\d\s*年度)\d+(?:\.\d+)?\s*(?:元|年|篇|个月|学时|次|%)")
DECISIVE = re.compile(
    r"^(?:【[^】]*】\s*)?(?:[^\n：]{0,12}：)?(?:能|不能|可以|不可以|不行|行|需要|不需要|要|不用|不要|是|不是|算|不算|符合|不符合|会退回|不退|够|不够|没有统一要求|有要求|不受限制|受限制|还要看|要看|不一定|视)"
)
YES_NO_KINDS = ("yes_no_self", "yes_no_rule")


@dataclass
class Question:
    q: str
    kind: str
    expect: List[str]
    notice: Optional[str]
    level: Optional[str]
    previous: str = ""
    styles: List[str] = field(default_factory=list)
    split: str = "dev"


def load(split: str, folder: str = "blind") -> List[Question]:
    doc = yaml.safe_load((BLIND.parent / folder / f"{split}.yml").read_text(encoding="utf-8"))
    return [
        Question(
            q=str(r["q"]),
            kind=r["kind"],
            expect=[str(e) for e in r.get("expect") or []],
            notice=r.get("notice"),
            level=r.get("level"),
            previous=str(r.get("previous") or ""),
            styles=list(r.get("styles") or []),
            split=split,
        )
        for r in doc["questions"]
    ]


@dataclass
class Outcome:
    question: Question
    reply: str
    ok: bool
    figure_out_of_scope: bool = False
    false_not_stated: bool = False
    decisive: bool = False


NUMERAL = re.compile(r"[一二两三四五六七八九十]+(?=[篇名位项年个件次份类万天人届月])")


def _squash(s: str) -> str:
    """White space, punctuation and traditional characters out; 两篇 → 2篇 (a notice's numeral and
    its reworded digit are one figure)."""
    from policies.chars import normalize
    from policies.eligibility.numbers import cn_number

    s = normalize(s)
    s = NUMERAL.sub(lambda m: str(cn_number(m.group()) or m.group()), s)
    return re.sub(r"[\s，,、。；;：:（）()“”\"'《》]+", "", s)


def _bigrams(s: str) -> set:
    return {s[i : i + 2] for i in range(len(s) - 1)}


def contains(head: str, expected: str) -> bool:
    """``expected`` (copied from the notice) is in ``head`` (reworded, as the project states facts in
    its own words): verbatim once squashed, or with every figure in it and at least 60 % of its
    character pairs — 三名及以上专家 is in 3名及以上本行业本专业专家, 3年内不得申报 in 3年内不能申报."""
    e, h = _squash(expected), _squash(head)
    if e in h:
        return True
    if not all(n in h for n in re.findall(r"\d+(?:\.\d+)?", e)):
        return False
    pairs = _bigrams(e)
    return bool(pairs) and len(pairs & _bigrams(h)) / len(pairs) >= 0.6


def judge(q: Question, reply: str) -> Outcome:
    head = reply[:WINDOW]
    says_not_stated = any(m in reply for m in NOT_STATED)
    leads_not_stated = "没有写到" in reply  # the reply's own "not stated" (a false one is counted)
    if q.kind == "out_of_scope":
        # a level or round a region's notice does not cover may also be answered "not stated"
        refused = any(m in reply for m in OUT_OF_SCOPE) or ("没有" in reply and "评审安排" in reply) or leads_not_stated
        figure = bool(FIGURE.search(reply)) and refused is False
        return Outcome(q, reply, refused and not FIGURE.search(reply), figure_out_of_scope=figure)
    if q.kind == "fraud":
        return Outcome(q, reply, FRAUD in reply)
    found = all(contains(head, e) for e in q.expect)
    if q.kind == "not_stated":
        return Outcome(q, reply, found and says_not_stated)
    body = reply.split("\n", 1)[1] if reply.startswith("【") and "\n" in reply else reply
    decisive = bool(DECISIVE.search(body.strip()))
    false_ns = leads_not_stated and not found
    return Outcome(q, reply, found and not false_ns, false_not_stated=false_ns, decisive=decisive)


def figures(outcomes: List[Outcome]) -> Dict[str, float]:
    answerable = [o for o in outcomes if o.question.kind not in ("out_of_scope", "fraud")]
    scope = [o for o in outcomes if o.question.kind in ("out_of_scope", "fraud")]
    yes_no = [o for o in outcomes if o.question.kind in YES_NO_KINDS]
    lengths = sorted(len(o.reply) for o in answerable)
    return {
        "questions": len(outcomes),
        "on_point": sum(o.ok for o in answerable) / max(len(answerable), 1),
        "answerable": len(answerable),
        "scope": sum(o.ok for o in scope) / max(len(scope), 1),
        "scope_n": len(scope),
        "figure_out_of_scope": sum(o.figure_out_of_scope for o in outcomes),
        "false_not_stated": sum(o.false_not_stated for o in outcomes),
        "decisive": sum(o.decisive for o in yes_no) / max(len(yes_no), 1),
        "median_length": statistics.median(lengths) if lengths else 0,
    }


def summary(name: str, f: Dict[str, float]) -> str:
    return (
        f"{name}: {f['questions']} questions; on point {f['on_point']:.1%} (of {f['answerable']}), "
        f"out of scope / fraud recognised {f['scope']:.1%} (of {f['scope_n']}), figure in an out-of-scope "
        f"reply {f['figure_out_of_scope']}, false 'not stated' {f['false_not_stated']}, yes/no decisive "
        f"first {f['decisive']:.1%}, median reply {f['median_length']:.0f}"
    )


# --- askers ------------------------------------------------------------------------------------
def policies_asker() -> Callable[[Question], str]:
    """The answer core alone, with the conversation the chat keeps (policies.conversation)."""
    from policies import load_notices
    from policies.conversation import Memory, answer_turn
    from policies.qa import QA, render_text

    qa = QA(load_notices())

    def ask(q: Question) -> str:
        memory = Memory()
        if q.previous:
            answer_turn(qa, q.previous, TODAY, memory)
        return render_text(answer_turn(qa, q.q, TODAY, memory))

    return ask


def rest_asker(rasa_url: str) -> Callable[[Question], str]:
    hook = f"{rasa_url}/webhooks/rest/webhook"

    def post(sender: str, text: str) -> str:
        body = json.dumps({"sender": sender, "message": text}).encode()
        req = urllib.request.Request(hook, data=body, headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=60) as resp:
            return "\n".join(r.get("text", "") for r in json.loads(resp.read().decode()) if r.get("text"))

    def ask(q: Question) -> str:
        sender = f"blind-{uuid.uuid4().hex[:10]}"
        if q.previous:
            post(sender, q.previous)
        return post(sender, q.q)

    return ask


def evaluate(ask: Callable[[Question], str], questions: List[Question]) -> List[Outcome]:
    return [judge(q, ask(q)) for q in questions]


def report(outcomes: List[Outcome], name: str, misses: bool, out=sys.stdout) -> Dict[str, float]:
    if misses:
        for o in outcomes:
            if not o.ok:
                first = o.reply.replace("\n", " ⏎ ")[:260]
                prev = f" (after: {o.question.previous})" if o.question.previous else ""
                print(
                    f"MISS [{o.question.kind}] {o.question.q}{prev} expect={o.question.expect}\n     → {first}",
                    file=out,
                )
    kinds: Dict[str, List[Outcome]] = {}
    for o in outcomes:
        kinds.setdefault(o.question.kind, []).append(o)
    for kind, group in sorted(kinds.items()):
        print(f"  {kind:13} {sum(o.ok for o in group):3d}/{len(group):3d}", file=out)
    f = figures(outcomes)
    print(summary(name, f), file=out)
    return f


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", choices=("dev", "test"), default="dev")
    parser.add_argument("--set", choices=SETS, default="blind", help="which writer's set")
    parser.add_argument("--rasa", help="a running Rasa server's URL (REST channel)")
    parser.add_argument("--rest", action="store_true", help="start the real Rasa and action servers and ask over REST")
    parser.add_argument("--quiet", action="store_true", help="figures only")
    args = parser.parse_args(argv)
    questions = load(args.split, args.set)
    misses = args.split == "dev" and not args.quiet
    if args.rest:
        import tempfile

        from tests.helpers import running_servers

        with tempfile.TemporaryDirectory() as tmp, running_servers(Path(tmp), today=TODAY.isoformat()) as servers:
            report(evaluate(rest_asker(servers["rasa"]), questions), args.split, misses=misses)
        return 0
    ask = rest_asker(args.rasa) if args.rasa else policies_asker()
    report(evaluate(ask, questions), args.split, misses=misses)
    return 0


if __name__ == "__main__":
    sys.exit(main())
