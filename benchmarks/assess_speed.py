"""Assessments per second on one core, for every notice and level with rules.

    PYTHONPATH=. .venv/bin/python benchmarks/assess_speed.py [--seconds 2]

Each round assesses a rotating set of applicants (empty, partial, complete, excluded) so that the
number covers early stops and full evaluations alike.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from policies import load_notices  # noqa: E402
from policies.eligibility import Assessor  # noqa: E402
from policies.eligibility.cases import load_cases  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=2.0)
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})  # one core
    index = load_notices()
    assessors = {n.id: Assessor(n) for n in index.all() if n.eligibility is not None}
    cases = [(assessors[c.notice], c.level, c.facts) for c in load_cases() if c.notice in assessors]
    work = cases + [(a, level, {}) for a in assessors.values() for level in a.levels()]
    print(f"notices with rules: {len(assessors)}; applicants per round: {len(work)}")
    done, start = 0, time.perf_counter()
    while time.perf_counter() - start < args.seconds:
        for assessor, level, facts in work:
            assessor.assess(level, facts)
        done += len(work)
    elapsed = time.perf_counter() - start
    print(
        f"assessments: {done} in {elapsed:.2f} s → {done / elapsed:,.0f} per second on one core "
        f"({1e6 * elapsed / done:.1f} µs each)"
    )


if __name__ == "__main__":
    main()
