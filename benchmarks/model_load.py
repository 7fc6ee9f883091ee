"""Loading the trained model: Rasa's own ``RasaModel.load`` against patch 6 of bot/plugins/rasa_main.py,
side by side, each in a fresh process, with the predictions compared.

    python -m benchmarks.model_load [--model models/assistant.tar.gz] [--rounds 2]

Prints the load time of each way (and their ratio, measured in one run), then loads the model both
ways once more and compares, for every message of tests/nlu/*.yml: the intent ranking (names and
confidences), the entities, and the dialogue policies' probabilities for the next action after that
message. Exits 1 if any prediction differs by more than 1e-6. docs/performance.md has the figures.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Dict, List

ROOT = Path(__file__).resolve().parents[1]
TOLERANCE = 1e-6


def messages() -> List[str]:
    """The held-out NLU messages (tests/nlu), plain text without entity marks."""
    import re

    import yaml

    found: List[str] = []
    for path in sorted((ROOT / "tests" / "nlu").glob("*.yml")):
        for block in yaml.safe_load(path.read_text(encoding="utf-8")).get("nlu", []):
            for line in str(block.get("examples", "")).splitlines():
                text = re.sub(r"\[([^\]]+)\]\([^)]*\)|\[([^\]]+)\]\{[^}]*\}", lambda m: m.group(1) or m.group(2), line)
                text = text.strip().lstrip("-").strip()
                if text:
                    found.append(text)
    return found


def child(mode: str, model: str, out: str, texts: List[str]) -> None:
    """One process: load the model the given way, time it, predict every message, write JSON."""
    import asyncio

    if mode == "patched":
        from bot.plugins.rasa_main import patch_model_load

        patch_model_load()
    from rasa.core.agent import Agent
    from rasa.shared.core.events import ActionExecuted, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    started = time.perf_counter()
    agent = Agent.load(model)
    seconds = time.perf_counter() - started
    results: List[Dict[str, Any]] = []

    async def predict() -> None:
        for text in texts:
            parsed = await agent.parse_message(text)
            tracker = DialogueStateTracker.from_events(
                "bench",
                [ActionExecuted("action_listen"), UserUttered(text, parsed["intent"], parsed["entities"], parsed)],
            )
            prediction = agent.processor._predict_next_with_tracker(tracker)  # noqa: SLF001 - Rasa's own step
            results.append(
                {
                    "text": text,
                    "intents": [(r["name"], r["confidence"]) for r in parsed.get("intent_ranking", [])],
                    "entities": [(e["entity"], e["start"], e["end"], e.get("value")) for e in parsed["entities"]],
                    "policy": prediction.policy_name,
                    "probabilities": list(prediction.probabilities),
                }
            )

    asyncio.run(predict())
    Path(out).write_text(json.dumps({"seconds": seconds, "results": results}, ensure_ascii=False), encoding="utf-8")


def run(mode: str, model: str, texts: List[str]) -> Dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        out = str(Path(tmp) / "out.json")
        subprocess.run(
            [sys.executable, "-m", "benchmarks.model_load", "--child", mode, "--model", model, "--out", out],
            input=json.dumps(texts),
            text=True,
            check=True,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        return json.loads(Path(out).read_text(encoding="utf-8"))


def differences(a: List[Dict[str, Any]], b: List[Dict[str, Any]]) -> List[str]:
    found = []
    for x, y in zip(a, b):
        if [n for n, _ in x["intents"]] != [n for n, _ in y["intents"]] or x["entities"] != y["entities"]:
            found.append(f"{x['text']}: intents or entities differ")
            continue
        worst = max(
            [abs(p - q) for (_, p), (_, q) in zip(x["intents"], y["intents"])]
            + [abs(p - q) for p, q in zip(x["probabilities"], y["probabilities"])]
            + [0.0]
        )
        if worst > TOLERANCE or x["policy"] != y["policy"]:
            found.append(f"{x['text']}: differs by {worst:.2e} ({x['policy']} / {y['policy']})")
    return found


def main(argv: List[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default=str(ROOT / "models" / "assistant.tar.gz"))
    parser.add_argument("--rounds", type=int, default=2, help="loads of each way, interleaved")
    parser.add_argument("--child", choices=("original", "patched"), help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(args.child, args.model, args.out, json.loads(sys.stdin.read()))
        return 0
    texts = messages()
    times: Dict[str, List[float]] = {"original": [], "patched": []}
    last: Dict[str, Any] = {}
    for _ in range(args.rounds):
        for mode in ("original", "patched"):
            last[mode] = run(mode, args.model, texts)
            times[mode].append(last[mode]["seconds"])
    for mode, values in times.items():
        print(
            f"{mode:9s} load: "
            + ", ".join(f"{v:.1f} s" for v in values)
            + f"  (median {statistics.median(values):.1f} s)"
        )
    print(f"ratio patched / original: {statistics.median(times['patched']) / statistics.median(times['original']):.2f}")
    diff = differences(last["original"]["results"], last["patched"]["results"])
    print(f"{len(texts)} messages compared (intent ranking, entities, next-action probabilities): {len(diff)} differ")
    for line in diff[:20]:
        print("  " + line)
    return 1 if diff else 0


if __name__ == "__main__":
    sys.exit(main())
