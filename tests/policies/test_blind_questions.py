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
    "dev": (0.81, 0.97, 0.44),  # now 81.8 / 97.4 / 44.4 % (2026-12-08)
    "test": (0.65, 0.77, 0.37),  # now 65.9 / 77.8 / 37.5 % (2026-12-08)
}
# the second and third writers' sets (tests/answers/blind2, written 2026-12-08, first measured
# before any tuning: dev 66.3 %, test 68.4 % on point; tests/answers/blind3, written 2026-12-08 in the
# evening, first measured before any tuning: dev 68.6 %, test 65.6 %; docs/answers.md):
# (on point, scope, decisive, figures in out-of-scope replies allowed)
LATER_FLOORS = {
    "blind2": {
        "dev": (0.73, 0.96, 0.36, 0),  # now 73.2 / 96.7 / 36.5 %, 0
        "test": (0.72, 0.93, 0.40, 0),  # now 72.6 / 93.3 / 40.6 %, 0
    },
    "blind3": {
        "dev": (0.73, 1.0, 0.30, 0),  # now 73.3 / 100 / 30.0 %, 0
        "test": (0.68, 1.0, 0.30, 0),  # now 68.8 / 100 / 30.0 %, 0 (65.6 % before any tuning)
    },
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


@pytest.mark.parametrize("name", sorted(LATER_FLOORS))
@pytest.mark.parametrize("split", ["dev", "test"])
def test_the_later_writers_questions_are_answered_on_point(ask, name, split):
    outcomes = evaluate(ask, load(split, name))
    out = io.StringIO()
    figures = report(outcomes, split, misses=split == "dev", out=out)
    print(out.getvalue())
    on_point, scope, decisive, figured = LATER_FLOORS[name][split]
    got = (figures["questions"], figures["on_point"], figures["scope"], figures["decisive"])
    assert got[0] >= (220 if split == "dev" else 110)
    assert got[1] >= on_point and got[2] >= scope and got[3] >= decisive, got
    assert figures["figure_out_of_scope"] <= figured
    assert figures["false_not_stated"] == 0
    assert figures["median_length"] <= MEDIAN_LENGTH


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
