"""Time of one interview step (what one chat turn or staff-page submit asks of the core), over
every legal case walked through the grouped interview.

    PYTHONPATH=. .venv/bin/python benchmarks/interview_steps.py

Each case answers from its facts (不清楚 where it says nothing), one question at a time, on a fresh
Interview per case (no step reused from another case). Prints p50 / p95 / max per notice. Run it
with an older checkout's ``policies`` on PYTHONPATH to compare, in the same run of the machine.

    PYTHONPATH=. .venv/bin/python benchmarks/interview_steps.py --weighed

also walks each case on an interview weighed by priors (issue 23 point 2: the legal cases' own
saved answers, the priors' minimums scaled to them), right after the plain walk of the same case,
and prints both with the ratio of their p50 and p95.
"""

from __future__ import annotations

import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from policies import load_notices  # noqa: E402
from policies.eligibility import Assessor  # noqa: E402
from policies.eligibility.cases import load_cases  # noqa: E402
from policies.eligibility.interview import DONT_KNOW, Interview  # noqa: E402
from policies.eligibility.priors import Priors  # noqa: E402
from policies.eligibility.questions import legal_case_priors  # noqa: E402


def walk(interview: Interview, case: Any, out: List[float], given: Dict[str, Any]) -> None:
    for _ in range(60):
        started = time.perf_counter()
        step = interview.step(case.level, given, limit=1, grouped=True)
        out.append(time.perf_counter() - started)
        if step.settled:
            break
        for fact in step.questions[0].facts:
            given[fact] = DONT_KNOW if case.facts.get(fact) is None else case.facts[fact]


def quantiles(ts: List[float]) -> Tuple[float, float, float]:
    ts = sorted(ts)
    return statistics.median(ts), ts[int(0.95 * (len(ts) - 1))], ts[-1]


def main() -> None:
    weighed = "--weighed" in sys.argv[1:]
    index = load_notices()
    assessors: Dict[str, Assessor] = {}
    cases = [c for c in load_cases() if index.get(c.notice) is not None and index.get(c.notice).eligibility]
    priors: Dict[str, Optional[Priors]] = {}
    if weighed:  # the legal cases' own saved answers (policies.eligibility.questions)
        priors = {notice_id: found[3] for notice_id, found in legal_case_priors().items()}
    times: Dict[str, List[float]] = defaultdict(list)
    times_weighed: Dict[str, List[float]] = defaultdict(list)
    for case in cases:
        assessor = assessors.setdefault(case.notice, Assessor(index.get(case.notice)))
        walk(Interview(assessor), case, times[case.notice], {})
        if weighed:
            interview = Interview(assessor)
            interview.use_priors(priors[case.notice])
            walk(interview, case, times_weighed[case.notice], {})
    every = [t for ts in times.values() for t in ts]
    every_weighed = [t for ts in times_weighed.values() for t in ts]
    for name, ts in sorted(times.items()) + [("all", every)]:
        p50, p95, most = quantiles(ts)
        line = f"{name:50} steps {len(ts):4}  p50 {p50 * 1000:6.1f} ms  p95 {p95 * 1000:6.1f} ms  max {most * 1000:6.1f} ms"
        if weighed:
            w = times_weighed[name] if name != "all" else every_weighed
            w50, w95, wmax = quantiles(w)
            line += f"  | weighed p50 {w50 * 1000:6.1f} ms ({w50 / p50:.1f}×)  p95 {w95 * 1000:6.1f} ms ({w95 / p95:.1f}×)  max {wmax * 1000:6.1f} ms"
        print(line)


if __name__ == "__main__":
    main()
