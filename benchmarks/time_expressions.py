"""How dates and durations applicants write are read: this project's ``policies.eligibility.numbers``
beside JioNLP's ``parse_time`` / ``extract_time`` when it is importable (issue 21, point 2).

    PYTHONPATH=. .venv/bin/python benchmarks/time_expressions.py
    # JioNLP (not a dependency: 312 MB with its packages) from a separate venv with the project on
    # the path: python -m venv /tmp/jio && /tmp/jio/bin/pip install jionlp pyyaml hanziconv cn2an "pydantic<2"
    PYTHONPATH=. /tmp/jio/bin/python benchmarks/time_expressions.py

Prints one row per expression: what each reads, today being 2024-10-30. The expected reading is the
convention of the blind sets (docs/blind-sets.md): a year alone is 31 December, a month its first
day, 三年前 counts back from today, vague amounts (五年多, 快五年, 两年半 as whole years) are not read,
and adjacent numerals are a range.
"""

from __future__ import annotations

import datetime as dt
import time
from typing import Any, List, Tuple

from policies.eligibility.numbers import find_dates, find_duration

TODAY = dt.date(2024, 10, 30)
# (text, what it should read as: a date, a duration in years, or None for nothing)
CASES: List[Tuple[str, Any]] = [
    ("去年评的", dt.date(2023, 12, 31)),
    ("前年评的", dt.date(2022, 12, 31)),
    ("17年评的", dt.date(2017, 12, 31)),
    ("17年7月评的", dt.date(2017, 7, 1)),
    ("今年3月评的", dt.date(2024, 3, 1)),
    ("19年底评的", dt.date(2019, 12, 31)),
    ("三年前评的", dt.date(2021, 10, 30)),
    ("二〇一五年评的", dt.date(2015, 12, 31)),
    ("2017.6评的", dt.date(2017, 6, 1)),
    ("干了19年了", 19),
    ("干了五年多", None),
    ("干了快五年", None),
    ("干了两年半", None),
    ("干了十一二年", (11, 12)),
]


def ours(text: str) -> Any:
    dates = find_dates(text, TODAY)
    if dates and dates[0].day is not None:
        return dates[0].day
    got = find_duration(text, months=False, dates=dates)
    if got is None or got[0] is None:
        return None
    value = got[0]
    return (value.low, value.high) if hasattr(value, "low") else value


def jionlp_reading(text: str) -> Any:  # pragma: no cover - only where JioNLP is installed
    import jionlp as jio

    base = time.mktime(TODAY.timetuple())
    found = jio.ner.extract_time(text, time_base=base)
    if not found:
        return None
    detail = found[0]["detail"]
    if detail["type"] == "time_delta":
        return detail["time"].get("year")
    start, end = detail["time"][0][:10], detail["time"][1][:10]
    return f"{start}…{end}"


def main() -> None:
    try:
        import jionlp  # noqa: F401

        have_jio = True
    except ImportError:
        have_jio = False
    right = 0
    print(f"{'text':<14} {'expected':<14} {'this project':<14}" + (" JioNLP" if have_jio else ""))
    for text, want in CASES:
        got = ours(text)
        right += got == want
        row = f"{text:<14} {str(want):<14} {str(got):<14}"
        if have_jio:
            row += f" {jionlp_reading(text)}"
        print(row)
    print(f"this project: {right}/{len(CASES)} as expected")


if __name__ == "__main__":
    main()
