"""Rasa's own checks on the trained model: test stories and the held-out NLU evaluation (the data
validation needs no model: test_rasa_data.py)."""

import asyncio
import json

import pytest

pytestmark = pytest.mark.model

# Held-out intent classification (tests/nlu/test_nlu.yml is never trained on).
MIN_INTENT_WEIGHTED_F1 = 0.85
MIN_INTENT_ACCURACY = 0.85
MIN_ENTITY_F1 = 0.90


def test_stories_pass_without_prediction_errors(nlu_agent, tmp_path):
    """What ``rasa test core --stories tests/stories --fail-on-prediction-errors`` does, on the model
    loaded once for the run (rasa.core.test.test, the function that command calls)."""
    from rasa.core.test import test as core_test

    summary = asyncio.run(
        core_test(
            "tests/stories",
            nlu_agent,
            out_directory=str(tmp_path),
            fail_on_prediction_errors=True,
            disable_plotting=True,
        )
    )  # raises WrongPredictionException on the first wrong prediction
    assert summary["report"]["conversation_accuracy"]["accuracy"] == 1.0, summary["report"]["conversation_accuracy"]


@pytest.fixture(scope="module")
def nlu_report(nlu_agent, tmp_path_factory):
    """What ``rasa test nlu --nlu tests/nlu`` writes (rasa.nlu.test.run_evaluation, the function that
    command calls), on the model loaded once for the run."""
    from rasa.nlu.test import run_evaluation

    out = tmp_path_factory.mktemp("nlu")
    asyncio.run(
        run_evaluation(
            "tests/nlu", nlu_agent.processor, output_directory=str(out), domain_path="domain", disable_plotting=True
        )
    )
    return out


def test_heldout_intent_classification(nlu_report):
    report = json.loads((nlu_report / "intent_report.json").read_text())
    print("intent weighted f1", report["weighted avg"]["f1-score"], "accuracy", report["accuracy"])
    assert report["weighted avg"]["f1-score"] >= MIN_INTENT_WEIGHTED_F1
    assert report["accuracy"] >= MIN_INTENT_ACCURACY


def test_heldout_entity_extraction(nlu_report):
    reports = {p.name: json.loads(p.read_text()) for p in nlu_report.glob("*_report.json")}
    entity_reports = {
        k: v for k, v in reports.items() if k not in ("intent_report.json", "response_selection_report.json")
    }
    assert entity_reports, f"no entity report in {sorted(reports)}"
    for name, report in entity_reports.items():
        f1 = report["weighted avg"]["f1-score"]
        print(name, "weighted f1", f1)
        assert f1 >= MIN_ENTITY_F1, name


def test_graph_runs_as_dask_runs_them(nlu_agent):
    """Patch 10 of bot.plugins.rasa_main: the NLU parse and the next-action prediction through the
    graph run in a cached order are the same as through Rasa's dask runner, on the trained model."""
    from rasa.core.channels.channel import UserMessage
    from rasa.engine.runner.dask import DaskGraphRunner
    from rasa.shared.core.events import ActionExecuted, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    patched = DaskGraphRunner.run
    assert hasattr(patched, "__wrapped__"), "patch 10 is not applied"
    processor = nlu_agent.processor
    texts = [
        "长治中级评审费多少",
        "我本科毕业，2019年评的助工，能报工程师吗",
        "你好",
        "湖州工程师直报需要什么条件",
        "重新开始",
    ]

    def both(compute):
        got = []
        for run in (patched, patched.__wrapped__):
            DaskGraphRunner.run = run
            try:
                got.append(compute())
            finally:
                DaskGraphRunner.run = patched
        return got

    for text in texts:
        mine, rasas = both(lambda text=text: asyncio.run(processor.parse_message(UserMessage(text))))
        assert json.dumps(mine, sort_keys=True, default=str) == json.dumps(rasas, sort_keys=True, default=str)
        parse = mine
        tracker = DialogueStateTracker.from_events(
            "graph",
            [ActionExecuted("action_listen"), UserUttered(text, parse["intent"], parse["entities"], parse)],
            nlu_agent.domain.slots,
        )
        mine, rasas = both(lambda tracker=tracker: processor._predict_next_with_tracker(tracker))
        assert mine.max_confidence_index == rasas.max_confidence_index, text
        assert mine.probabilities == pytest.approx(rasas.probabilities, abs=1e-6), text
        assert mine.policy_name == rasas.policy_name, text
