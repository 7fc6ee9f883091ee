"""Where a turn's time goes: py-spy samples of this project's Rasa and action server processes.

Starts this project's servers (as ``benchmarks/turn_cost.py`` does), attaches py-spy to both while
sending FAQ turns one at a time — new conversations, then one long conversation — and prints, per
process, the share of CPU samples spent inside each function (inclusive), biggest first. The raw
collapsed stacks are kept in ``build/bench/profile-*.txt`` (open them with speedscope or flamegraph).

py-spy is not a project dependency; install it apart from the project's venv:

    python3 -m venv build/bench/tools && build/bench/tools/bin/pip install py-spy
    .venv/bin/python -m benchmarks.profile_turn               # patched (python -m bot.plugins.rasa_main)
    .venv/bin/python -m benchmarks.profile_turn --unpatched   # plain rasa CLI
    .venv/bin/python -m benchmarks.profile_turn --bare        # the bare default-recipe bot
    .venv/bin/python -m benchmarks.profile_turn --compare build/bench/profile-{bare,unpatched,patched}-rasa.txt

``--compare`` prints CPU milliseconds per turn of each part of a turn in the Rasa process, one
column per profile (each profile is ``--fresh`` + ``--long`` turns at ``--rate`` samples/s).
"""

from __future__ import annotations

import argparse
import collections
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Dict, List, Optional, Tuple

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.bare_bot.build import ensure_bare_model  # noqa: E402
from benchmarks.rest_load import QUESTIONS  # noqa: E402
from benchmarks.turn_cost import bare_bot, project_bot, say  # noqa: E402
from tests.helpers import RASA, RASA_MAIN  # noqa: E402

OUT = ROOT / "build" / "bench"


def summarise(collapsed: Path, top: int, prefix_filter: Optional[str] = None) -> List[Tuple[float, str]]:
    """Inclusive share of samples per frame (function + file), from py-spy's raw collapsed stacks."""
    total = 0
    inclusive: Dict[str, int] = collections.Counter()
    for line in collapsed.read_text(encoding="utf-8", errors="replace").splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        n = int(count)
        total += n
        seen = set()
        for frame in stack.split(";"):
            name = frame.split(":")[0] if ":" in frame else frame  # drop the line number
            name = name.replace(str(ROOT / ".venv/lib/python3.10/site-packages") + "/", "")
            if name not in seen:
                seen.add(name)
                inclusive[name] += n
    ranked = sorted(((100.0 * n / max(total, 1), name) for name, n in inclusive.items()), reverse=True)
    if prefix_filter:
        ranked = [r for r in ranked if prefix_filter in r[1]]
    print(f"{collapsed.name}: {total} samples")
    return ranked[:top]


# (label, a frame that marks the part): inclusive samples of stacks through that frame.
PARTS = [
    ("NLU (parse_message)", "parse_message (rasa/core/processor"),
    ("tracker store: retrieve", "_retrieve (rasa/core/tracker_store"),
    ("  of it: events deserialised", "deserialise_events (rasa/shared/core/events"),
    ("tracker store: save", "save (rasa/core/tracker_store"),
    ("policies: predict next action", "_predict_next_with_tracker"),
    ("  of it: past_states", "past_states (rasa/shared/core/trackers"),
    ("  of it: TED inference", "run_inference (rasa/utils/tensorflow/models"),
    ("run actions", "_run_action (rasa/core/processor"),
    ("  of it: response validation", "_validate_action_result"),
    ("  of it: HTTP call to the action server (JSON encoding)", "request (rasa/utils/endpoints"),
    ("whole turn (handle_message)", "handle_message (rasa/core/processor"),
]


def compare(files: List[Path], turns: int, rate: int) -> str:
    """CPU ms per turn of each part, one column per raw profile."""
    columns = []
    for path in files:
        found: Dict[str, int] = collections.Counter()
        for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
            stack, _, count = line.rpartition(" ")
            if count.isdigit():
                for label, frame in PARTS:
                    if frame in stack:
                        found[label] += int(count)
        columns.append(found)
    lines = ["| CPU ms per turn | " + " | ".join(p.name for p in files) + " |", "|" + " --- |" * (len(files) + 1)]
    for label, _ in PARTS:
        lines.append(f"| {label} | " + " | ".join(f"{c[label] * 1000 / rate / turns:.1f}" for c in columns) + " |")
    return "\n".join(lines)


def main(argv: Optional[List[str]] = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--py-spy", default=str(ROOT / "build/bench/tools/bin/py-spy"))
    parser.add_argument("--unpatched", action="store_true", help="plain rasa CLI instead of bot.plugins.rasa_main")
    parser.add_argument("--bare", action="store_true", help="profile the bare default-recipe bot instead")
    parser.add_argument("--fresh", type=int, default=60, help="FAQ turns in new conversations")
    parser.add_argument("--long", type=int, default=120, help="turns of one long conversation")
    parser.add_argument("--rate", type=int, default=100, help="py-spy samples per second")
    parser.add_argument("--top", type=int, default=45)
    parser.add_argument("--compare", nargs="+", type=Path, help="only print the parts of saved raw profiles")
    args = parser.parse_args(argv)
    if args.compare:
        print(compare(args.compare, args.fresh + args.long, args.rate))
        return
    label = "bare" if args.bare else "unpatched" if args.unpatched else "patched"
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="profile-turn-") as tmp:
        servers = (
            bare_bot(Path(tmp), ensure_bare_model())
            if args.bare
            else project_bot(Path(tmp), label, [RASA] if args.unpatched else RASA_MAIN)
        )
        with servers as bot:
            say(bot.base, "warm-up", QUESTIONS[0])
            spies = {}
            for proc, pid in bot.pids.items():
                out = OUT / f"profile-{label}-{proc.replace(' ', '_')}.txt"
                spies[proc] = (
                    out,
                    subprocess.Popen(
                        [
                            args.py_spy,
                            "record",
                            "--pid",
                            str(pid),
                            "--rate",
                            str(args.rate),
                            "--format",
                            "raw",
                            "--output",
                            str(out),
                            "--nonblocking",
                        ],
                        stdout=subprocess.DEVNULL,
                        stderr=subprocess.DEVNULL,
                    ),
                )
            time.sleep(2)
            started = time.perf_counter()
            for i in range(args.fresh):
                say(bot.base, f"profile-fresh-{i}", QUESTIONS[i % len(QUESTIONS)])
            for i in range(args.long):
                say(bot.base, "profile-long", QUESTIONS[i % len(QUESTIONS)])
            elapsed = time.perf_counter() - started
            for _, spy in spies.values():
                spy.send_signal(2)  # SIGINT: py-spy writes its output and exits
            for _, spy in spies.values():
                spy.wait(timeout=60)
    print(
        f"{args.fresh + args.long} turns in {elapsed:.1f} s ({1000 * elapsed / (args.fresh + args.long):.0f} ms/turn)"
    )
    for proc, (out, _) in spies.items():
        print(f"\n== {proc} ==")
        for share, name in summarise(out, args.top):
            print(f"{share:5.1f}%  {name}")


if __name__ == "__main__":
    main()
