"""The fact reader on the blind self-descriptions (issue 21; docs/blind-sets.md): text written from
the notices by someone who never saw the reader. The dev split was read while building the reader
(a dev set from then on); the test split was not, and only its figures are printed here — never its
text. The floors are the figures measured on 2026-12-06, raised after the issue21-more work
(docs/measurements.md): a change that reads
worse fails `make test`. Issue 21's own targets (precision 0.97, recall 0.90, nothing invented, no
wrong core value on the test split) are not met yet; see the issue."""

import pytest

from policies.eligibility.heldout_facts import score
from tests.helpers import ROOT

BLIND = ROOT / "tests" / "nlu_data"
# (set, split): (min precision, min recall, max invented, max wrong on a core fact). Three writers:
# blind/ first, then blind2/ and blind3/, each test split measured once before any tuning on its own
# dev split and once after (docs/measurements.md has both).
FLOORS = {
    ("blind", "dev"): (0.997, 0.992, 0, 1),
    ("blind", "test"): (0.957, 0.89, 6, 0),
    ("blind2", "dev"): (0.99, 0.966, 4, 0),
    ("blind2", "test"): (0.935, 0.858, 7, 4),
    ("blind3", "dev"): (0.989, 0.978, 5, 0),
    ("blind3", "test"): (0.944, 0.813, 9, 3),
    # the fourth writer's set, after the issue21-blind4 work (first measured: dev 0.92 / 0.70,
    # test 0.92 / 0.69); the scorer reads a message with the notice city it names since then
    ("blind4", "dev"): (0.982, 0.919, 6, 0),
    ("blind4", "test"): (0.965, 0.835, 5, 1),
    # the fifth writer's set (first measured: dev 0.932 / 0.746, test 0.912 / 0.753), after the
    # issue21-blind5 work; blind3–5 raised after the gazetteer (districts and counties, 2026-12-06)
    ("blind5", "dev"): (0.987, 0.888, 2, 2),
    ("blind5", "test"): (0.912, 0.82, 10, 1),
    # the sixth writer's set, written 2026-12-07 (first measured, before any tuning: dev 0.964 /
    # 0.837, test 0.940 / 0.833), after the issue21-blind6 work. All twelve reset on 2026-12-07 after
    # the families read across every dev split (docs/measurements.md): blind2 dev and blind5 test
    # each invent one more, both from the rule that reads a major and a job of one field as 对口
    # (blind2 dev: 土木 and 施工, left unsaid by its writer; blind5 test: found by switching the
    # rule off, its text not read)
    ("blind6", "dev"): (0.991, 0.949, 3, 1),
    ("blind6", "test"): (0.968, 0.886, 4, 1),
    # the seventh writer's set, written 2026-12-08 (first measured, before any tuning: dev 0.940 /
    # 0.813, test 0.944 / 0.827), after the issue21-blind7 work (docs/measurements.md). All reset
    # then: blind/test reads one value wrong more, from the typos by sound (which read one more
    # fact right on blind2, blind4 and blind5 test); found by switching that rule off, text not read.
    # A level alone in a list of one's facts (本科，助工，民企) read as held: 7 more facts read right on
    # the test splits, one more invented on blind/test
    ("blind7", "dev"): (0.975, 0.92, 9, 1),  # raised 2026-12-07 evening (tenure, tables, reports)
    ("blind7", "test"): (0.95, 0.862, 5, 1),
}


@pytest.mark.parametrize("name, split", sorted(FLOORS))
def test_the_reader_holds_its_figures_on_text_nobody_here_wrote(name, split):
    s = score(BLIND / name / f"{split}.yml")
    precision, recall, invented, core_wrong = FLOORS[(name, split)]
    # plain numbers only: an assertion on the Score itself would print its misses (the test text)
    got = (s.items, s.all.precision, s.all.recall, s.all.invented, s.core.wrong)
    figures = (
        f"{name}/{split}: precision {got[1]:.3f}, recall {got[2]:.3f}, invented {got[3]}, wrong core values {got[4]}"
    )
    del s
    assert got[0] >= 79, figures
    assert got[1] >= precision, figures
    assert got[2] >= recall, figures
    assert got[3] <= invented, figures
    assert got[4] <= core_wrong, figures


@pytest.mark.parametrize("name", ["blind", "blind2", "blind3", "blind6"])
def test_a_question_alone_states_nothing(name):
    """Every question-only message of a dev split reads as no fact at all."""
    import yaml

    from policies.eligibility import load_catalogue
    from policies.eligibility.reader import read_facts

    raw = yaml.safe_load((BLIND / name / "dev.yml").read_text(encoding="utf-8"))
    questions = [
        i for i in raw["items"] if i.get("styles") == ["question_only"] or "question_only" in (i.get("styles") or [])
    ]
    questions = [i for i in questions if not i.get("facts")]
    assert len(questions) >= 8
    for item in questions:
        assert read_facts(item["text"], load_catalogue(), raw["today"]) == {}, item["text"]
