"""Generate and train the bare default-recipe bot (cached by a hash of its inputs).

Why generated, not committed: the bare bot must follow this project's NLU data as it changes, so it
is built from ``data/nlu/faq.yml`` and ``data/nlu/chitchat.yml`` (the assessment intents and forms
are left out: the bare bot has no forms), or with ``--nlu all`` from every file of ``data/nlu`` (the
assessment intents too, answered by a fixed text like the others; the lookup table and synonyms of
``generated.yml`` included), the baseline of issue 24's independent measurement. Every intent is answered by a fixed text ``utter_<intent>``
through a rule (and a one-turn story, so that TED has something to learn as in a real bot).

    .venv/bin/python -m benchmarks.bare_bot.build             # train if needed, print the model path
    .venv/bin/python -m benchmarks.bare_bot.build --nlu all   # the bot trained on all of data/nlu
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Dict, List, Sequence, Tuple

import yaml

ROOT = Path(__file__).resolve().parents[2]
NLU_FILES = (ROOT / "data" / "nlu" / "faq.yml", ROOT / "data" / "nlu" / "chitchat.yml")
VARIANTS = ("faq", "all")


def nlu_files(variant: str = "faq") -> Tuple[Path, ...]:
    """The NLU files a variant is trained on: the FAQ and chitchat files, or all of data/nlu."""
    if variant == "all":
        return tuple(sorted((ROOT / "data" / "nlu").glob("*.yml")))
    if variant == "faq":
        return NLU_FILES
    raise ValueError(f"unknown bare bot variant {variant!r}: one of {VARIANTS}")


JIEBA_DIR = ROOT / "build" / "jieba"  # the project's generated dictionary (config.yml uses it too)
CACHE = ROOT / "build" / "bench" / "bare"
ENTITIES = ("region", "level", "window_kind")
SEED = 20201231

CONFIG = f"""\
# Rasa's default recipe for a language without whitespace; char n-grams 1-3 and DIET/TED epochs as
# in this project's config.yml (char 4-grams of Chinese make DIET several times slower to train).
recipe: default.v1
language: zh
assistant_id: bare-benchmark-bot
pipeline:
  - name: JiebaTokenizer
    dictionary_path: {JIEBA_DIR}
  - name: CountVectorsFeaturizer
  - name: CountVectorsFeaturizer
    analyzer: char_wb
    min_ngram: 1
    max_ngram: 3
  - name: DIETClassifier
    epochs: 80
    random_seed: {SEED}
    constrain_similarities: true
  - name: EntitySynonymMapper
policies:
  - name: MemoizationPolicy
  - name: RulePolicy
  - name: TEDPolicy
    max_history: 5
    epochs: 30
    random_seed: {SEED}
    constrain_similarities: true
"""


def intents(nlu_files: Sequence[Path] = NLU_FILES) -> List[str]:
    """The intents of the FAQ and chitchat NLU files, in file order."""
    found: List[str] = []
    for path in nlu_files:
        for block in yaml.safe_load(path.read_text(encoding="utf-8")).get("nlu") or []:
            if "intent" in block and block["intent"] not in found:
                found.append(block["intent"])
    return found


def domain(names: Sequence[str]) -> Dict:
    """Intents, the entities the examples annotate, one fixed text response per intent."""
    return {
        "version": "3.1",
        "intents": list(names),
        "entities": list(ENTITIES),
        "responses": {f"utter_{n}": [{"text": f"这是关于 {n} 的固定回答。"}] for n in names},
        "session_config": {"session_expiration_time": 60, "carry_over_slots_to_new_session": True},
    }


def rules_and_stories(names: Sequence[str]) -> Dict:
    return {
        "version": "3.1",
        "rules": [{"rule": f"answer {n}", "steps": [{"intent": n}, {"action": f"utter_{n}"}]} for n in names],
        "stories": [{"story": f"one turn {n}", "steps": [{"intent": n}, {"action": f"utter_{n}"}]} for n in names],
    }


def inputs_hash(files: Sequence[Path] = NLU_FILES) -> str:
    """What the trained model depends on: this generator, the NLU files, the jieba dictionary, Rasa."""
    import rasa

    digest = hashlib.sha256(rasa.__version__.encode())
    for path in (Path(__file__), *files, *sorted(JIEBA_DIR.glob("*"))):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def write_project(target: Path, files: Sequence[Path] = NLU_FILES) -> None:
    """The bare bot's Rasa project: config, domain, NLU (copied as is), rules and stories."""
    names = intents(files)
    (target / "data").mkdir(parents=True, exist_ok=True)
    (target / "config.yml").write_text(CONFIG, encoding="utf-8")
    dump = dict(allow_unicode=True, sort_keys=False)
    (target / "domain.yml").write_text(yaml.safe_dump(domain(names), **dump), encoding="utf-8")
    (target / "data" / "dialogue.yml").write_text(yaml.safe_dump(rules_and_stories(names), **dump), encoding="utf-8")
    for path in files:
        shutil.copy(path, target / "data" / path.name)


def ensure_bare_model(threads: int = 1, log=None, variant: str = "faq") -> Path:
    """The trained bare model: built once per input hash under ``build/bench/bare/<hash>/``.

    Returns the model path; training is skipped when it exists. The training time (s) is kept next
    to the model in ``train_seconds`` for the report.
    """
    import time

    if not JIEBA_DIR.is_dir():
        raise SystemExit(
            f"{JIEBA_DIR} is missing: run `make setup` (or `.venv/bin/python -m bot.plugins.nlu.resources`)"
        )
    files = nlu_files(variant)
    home = CACHE / inputs_hash(files)
    model = home / "models" / "bare.tar.gz"
    if model.exists():
        return model
    if home.exists():
        shutil.rmtree(home)
    write_project(home, files)
    env = dict(
        os.environ,
        TF_CPP_MIN_LOG_LEVEL="2",
        RASA_TELEMETRY_ENABLED="false",
        TF_DETERMINISTIC_OPS="1",
        PYTHONHASHSEED="0",
    )
    rasa = str(Path(sys.executable).with_name("rasa"))
    started = time.perf_counter()
    subprocess.run(
        [
            rasa,
            "train",
            "--config",
            "config.yml",
            "--domain",
            "domain.yml",
            "--data",
            "data",
            "--out",
            "models",
            "--fixed-model-name",
            "bare",
            "--num-threads",
            str(threads),
        ],
        cwd=home,
        env=env,
        check=True,
        stdout=log,
        stderr=subprocess.STDOUT if log else None,
    )
    (home / "train_seconds").write_text(f"{time.perf_counter() - started:.1f}\n")
    return model


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=1, help="TensorFlow threads for training")
    parser.add_argument("--nlu", choices=VARIANTS, default="faq", help="train on the FAQ files or all of data/nlu")
    args = parser.parse_args()
    print(ensure_bare_model(threads=args.threads, variant=args.nlu))


if __name__ == "__main__":
    main()
