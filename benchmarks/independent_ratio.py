"""Issue 24's second baseline: the per-turn ratio measured the way an outsider measured it.

    .venv/bin/python -m benchmarks.independent_ratio             # 60 fresh conversations, turns 91-100
    .venv/bin/python -m benchmarks.independent_ratio --quick     # 30 fresh, turns 41-50

The method (issue 24, "An independent measurement"): a bare default-recipe Rasa bot trained on *all*
of ``data/nlu`` (``benchmarks/bare_bot/build.py --nlu all``; this project's own benchmark,
``benchmarks/turn_cost.py``, trains its bare bot on the FAQ and chitchat files only), then

- 60 new conversations of one question each, in three rounds of 20, the bots taking turns question
  by question (the order of the bots rotating), the median per bot;
- one long conversation per bot, the median of turns 91-100.

This project runs twice: started as Rasa users start a bot (``rasa run`` with the project's
endpoints.yml, the way an outsider runs it) and through ``python -m bot.plugins.rasa_main`` (what
``make run`` and the images do). Both carry the project's patches: the tracker store in endpoints.yml
applies them when Rasa creates it. The ratio is each project row over the bare bot's.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from contextlib import ExitStack
from pathlib import Path
from typing import Dict, List, Optional

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.bare_bot.build import ensure_bare_model  # noqa: E402
from benchmarks.rest_load import QUESTIONS  # noqa: E402
from benchmarks.turn_cost import Bot, bare_bot, emit, interleaved, project_bot, say  # noqa: E402
from tests.helpers import RASA, RASA_MAIN  # noqa: E402


def measure(bots: List[Bot], fresh: int, rounds: int, window: range) -> Dict[str, Dict[str, float]]:
    """Median seconds per bot: ``fresh`` one-question conversations in ``rounds`` rounds, and the
    turns in ``window`` (1-based) of one long conversation."""
    for bot in bots:  # the first parse and the first action call are not what is measured
        say(bot.base, "warm-up", QUESTIONS[0])
    per_round = fresh // rounds
    samples: Dict[str, List[float]] = {b.name: [] for b in bots}
    for r in range(rounds):
        got = interleaved(
            bots,
            per_round,
            lambda b, i, r=r: say(b.base, f"fresh-{r}-{i}", QUESTIONS[(r * per_round + i) % len(QUESTIONS)]),
        )
        for name, values in got.items():
            samples[name] += values
        print(f"  round {r + 1}: " + ", ".join(f"{k} {statistics.median(v) * 1000:.0f} ms" for k, v in got.items()))
    long = interleaved(bots, window.stop - 1, lambda b, i: say(b.base, "long", QUESTIONS[i % len(QUESTIONS)]))
    return {
        "fresh": {k: statistics.median(v) for k, v in samples.items()},
        "long": {k: statistics.median(v[window.start - 1 : window.stop - 1]) for k, v in long.items()},
    }


def table(bots: List[Bot], result: Dict[str, Dict[str, float]], fresh: int, window: range) -> str:
    bare = bots[0].name
    names = [b.name for b in bots]
    head = ["", *names, *[f"{n} / bare" for n in names[1:]]]
    rows = [
        (f"one-question conversation, median of {fresh}", result["fresh"]),
        (f"turns {window.start}-{window.stop - 1} of one conversation, median", result["long"]),
    ]
    lines = ["| " + " | ".join(head) + " |", "|" + " --- |" * len(head)]
    for label, values in rows:
        cells = [label, *[f"{values[n] * 1000:.0f} ms" for n in names]]
        cells += [f"**{values[n] / values[bare]:.2f}×**" for n in names[1:]]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv: Optional[List[str]] = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="30 fresh conversations, turns 41-50")
    parser.add_argument("--out", type=Path, help="also write the table (Markdown) here")
    args = parser.parse_args(argv)
    fresh, window = (30, range(41, 51)) if args.quick else (60, range(91, 101))
    model = ensure_bare_model(threads=2, variant="all")
    with tempfile.TemporaryDirectory(prefix="independent-") as tmp, ExitStack() as stack:
        work = Path(tmp)
        bots = [
            stack.enter_context(bare_bot(work / "bare", model, name="bare Rasa (all of data/nlu)")),
            stack.enter_context(project_bot(work / "cli", "project, rasa run", [RASA])),
            stack.enter_context(project_bot(work / "main", "project, rasa_main", RASA_MAIN)),
        ]
        result = measure(bots, fresh, 3, window)
        text = table(bots, result, fresh, window)
    emit(text, args.out)


if __name__ == "__main__":
    main()
