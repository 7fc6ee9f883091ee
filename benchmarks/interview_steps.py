"""Time of one interview step (what one chat turn or staff-page submit asks of the core), over
every legal case walked through the grouped interview.

    PYTHONPATH=. .venv/bin/python benchmarks/interview_steps.py

Each case answers from its facts (不清楚 where it says nothing), one question at a time, on a fresh
Interview per case (no step reused from another case). Prints p50 / p95 / max per notice. Run it
with an older checkout's ``policies`` on PYTHONPATH to compare, in the same run of the machine.
"""

from __future__ import annotations

import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Dict, List

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from policies import load_notices  # noqa: E402
from policies.eligibility import Assessor  # noqa: E402
from policies.eligibility.cases import load_cases  # noqa: E402
from policies.eligibility.interview import DONT_KNOW, Interview  # noqa: E402


def main() -> None:
    index = load_notices()
    assessors: Dict[str, Assessor] = {}
    times: Dict[str, List[float]] = defaultdict(list)
    for case in load_cases():
        notice = index.get(case.notice)
        if notice is None or notice.eligibility is None:
            continue
        interview = Interview(assessors.setdefault(case.notice, Assessor(notice)))
        given: Dict[str, object] = {}
        for _ in range(60):
            started = time.perf_counter()
            step = interview.step(case.level, given, limit=1, grouped=True)
            times[case.notice].append(time.perf_counter() - started)
            if step.settled:
                break
            for fact in step.questions[0].facts:
                given[fact] = DONT_KNOW if case.facts.get(fact) is None else case.facts[fact]
    every = [t for ts in times.values() for t in ts]
    for name, ts in sorted(times.items()) + [("all", every)]:
        ts = sorted(ts)
        p95 = ts[int(0.95 * (len(ts) - 1))]
        print(
            f"{name:50} steps {len(ts):4}  p50 {statistics.median(ts) * 1000:6.1f} ms  "
            f"p95 {p95 * 1000:6.1f} ms  max {ts[-1] * 1000:6.1f} ms"
        )


if __name__ == "__main__":
    main()
