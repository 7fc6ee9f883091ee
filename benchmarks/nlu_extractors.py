"""Held-out entity extraction per extractor, and parse speed, on the trained model.

    .venv/bin/python benchmarks/nlu_extractors.py [--model models/assistant.tar.gz]

For each message of tests/nlu/test_nlu.yml (never trained on) it compares the gold entities
(entity, canonical value) with what DIET alone, the spaCy EntityRuler alone, and both together
(what the actions see after EntitySynonymMapper) extract. Prints precision / recall / F1 for each,
then parse throughput on one process.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


def gold_examples(path: Path):
    from rasa.shared.nlu.training_data.loading import load_data

    from bot.plugins.nlu.resources import surface_to_value
    from policies import load_notices
    from policies.text import entity_forms

    table = surface_to_value(entity_forms(load_notices()))
    for msg in load_data(str(path)).training_examples:
        gold = set()
        for e in msg.get("entities") or []:
            value = table.get(e["entity"], {}).get(e["value"], e["value"])
            gold.add((e["entity"], value))
        yield msg.get("text"), gold


def prf(tp: int, fp: int, fn: int):
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 1.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


async def run(model: Path, held_out: Path) -> None:
    from rasa.core.agent import Agent

    agent = Agent.load(str(model))
    counts = {k: [0, 0, 0] for k in ("DIETClassifier", "SpacyEntityExtractor", "combined")}
    by_entity: dict = {}
    examples = list(gold_examples(held_out))
    start = time.perf_counter()
    for text, gold in examples:
        parsed = await agent.parse_message(text)
        by = {"DIETClassifier": set(), "SpacyEntityExtractor": set()}
        for e in parsed.get("entities", []):
            if e.get("extractor") in by:
                by[e["extractor"]].add((e["entity"], e["value"]))
        by["combined"] = by["DIETClassifier"] | by["SpacyEntityExtractor"]
        for name, found in by.items():
            c = counts[name]
            c[0] += len(found & gold)
            c[1] += len(found - gold)
            c[2] += len(gold - found)
            for entity, _ in found - gold:
                by_entity.setdefault((name, entity, "fp"), 0)
                by_entity[(name, entity, "fp")] += 1
            for entity, _ in gold - found:
                by_entity.setdefault((name, entity, "fn"), 0)
                by_entity[(name, entity, "fn")] += 1
    elapsed = time.perf_counter() - start
    print(f"held-out messages: {len(examples)}, gold entities: {sum(len(g) for _, g in examples)}")
    print(f"{'extractor':<22}{'precision':>10}{'recall':>10}{'f1':>8}")
    for name, (tp, fp, fn) in counts.items():
        p, r, f = prf(tp, fp, fn)
        print(f"{name:<22}{p:>10.3f}{r:>10.3f}{f:>8.3f}   (tp={tp} fp={fp} fn={fn})")
    print(
        "errors by extractor and entity:", ", ".join(f"{n}/{e}/{k}={v}" for (n, e, k), v in sorted(by_entity.items()))
    )
    print(f"parse throughput: {len(examples) / elapsed:.1f} messages/s ({1000 * elapsed / len(examples):.1f} ms each)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, default=ROOT / "models" / "assistant.tar.gz")
    parser.add_argument("--held-out", type=Path, default=ROOT / "tests" / "nlu" / "test_nlu.yml")
    args = parser.parse_args()
    logging.disable(logging.WARNING)
    os.chdir(ROOT)  # the model's spaCy path is relative to the project
    asyncio.run(run(args.model, args.held_out))


if __name__ == "__main__":
    main()
