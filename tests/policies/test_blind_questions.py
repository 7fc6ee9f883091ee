"""The question set nobody on the team wrote (tests/answers/blind, issue 22), through the answer core
as the chat uses it (policies.conversation: a follow-up asked after its previous question).

Floors, not targets: the issue's target (95 % on point on the test split) is not met; these are the
figures measured when the gate was set (docs/answers.md), so that a change that loses answers fails.
The test split's misses are never printed (it is kept unseen); the dev split's are.
"""

from __future__ import annotations

import io

import pytest

from benchmarks.answer_blind import evaluate, load, policies_asker, report

# split → (on point, out of scope / fraud recognised, yes/no opening with the decisive word);
# measured 2026-12-07 (docs/answers.md)
FLOORS = {
    "dev": (0.80, 0.94, 0.42),  # now 80.2 / 94.9 / 42.9 %
    "test": (0.61, 0.66, 0.31),  # now 61.1 / 66.7 / 31.2 %
}
MEDIAN_LENGTH = 200  # the issue's: a reply's median length in characters


@pytest.fixture(scope="module")
def ask():
    return policies_asker()


@pytest.mark.parametrize("split", ["dev", "test"])
def test_questions_nobody_here_wrote_are_answered_on_point(ask, split):
    outcomes = evaluate(ask, load(split))
    out = io.StringIO()
    figures = report(outcomes, split, misses=split == "dev", out=out)
    print(out.getvalue())
    on_point, scope, decisive = FLOORS[split]
    assert figures["questions"] >= (280 if split == "dev" else 140)
    assert figures["on_point"] >= on_point, figures
    assert figures["scope"] >= scope, figures
    assert figures["decisive"] >= decisive, figures
    # never a notice figure in an out-of-scope reply; never "not stated" where the notice states it
    assert figures["figure_out_of_scope"] == 0, figures
    assert figures["false_not_stated"] == 0, figures
    assert figures["median_length"] <= MEDIAN_LENGTH, figures


def test_a_yes_no_about_the_asker_opens_with_the_decisive_word(ask):
    """The rules applied to the facts in the question: 不能 first, with the clause and what was read."""
    from benchmarks.answer_blind import Question

    reply = ask(Question("我本科，2019年5月评的助工，能报长治2022年的工程师吗", "yes_no_self", [], None, None))
    body = reply.splitlines()[1]
    assert body.startswith("按常规条件不能") and "〔三（一）3〕" in body
    assert "本科" in body and "2019年5月" in body  # what was understood, shown back
    assert body.endswith("以上按长治2022年度规定，该轮已截止。")  # judged in 2026: the round is over
    reply = ask(Question("还在处分期内能报长治中级吗", "yes_no_self", [], None, None))
    assert reply.splitlines()[1].startswith("不能：") and "〔二〕" in reply
