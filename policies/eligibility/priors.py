"""What earlier applicants of one notice answered: the priors the interview weighs its next question by.

    priors = Priors.of([("engineer", {"retired": False, "papers_first_author": 2, …}), …])
    priors.outcomes("engineer", ["retired", "civil_servant"])  # [({…answers…}, probability), …]

The samples are saved assessments' answers (``bot.storage``: the facts as the interview received
them — ticks, numbers, ranges, dates, 不清楚), newest first. ``outcomes`` is the empirical joint
distribution of one question's answers among the samples that answered every fact of it: the
``TOP`` most frequent answers, renormalised. Where fewer than ``MIN_ANSWERED`` samples answered
the question, or its top answers cover less than ``MIN_COVERED`` of them (a date, say), the
question is not weighed and keeps its place in the hand-set order (interview.py).

Fewer than ``MIN_SAVED`` samples of a notice give no priors at all (``Priors.of`` returns None):
the interview then asks in its hand-set order. Uniform priors were measured to ask *more* than that
order (docs/measurements.md, issue 23): they make a condition nearly everyone meets look like a
coin toss, so it is asked early and every applicant pays for it.

Pure: no database, no Rasa. Samples of the asked level are used when there are ``MIN_ANSWERED`` of
them, else those of every level of the notice.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any, Dict, Iterable, List, Mapping, Optional, Sequence, Tuple

PERIOD = 3600  # seconds: an interview is weighed by the answers saved before the hour it began
MIN_SAVED = 100  # saved assessments of a notice before its priors are used
MIN_ANSWERED = 20  # samples that answered a question before it is weighed
TOP = 4  # answers of a question weighed (the most frequent)
MIN_COVERED = 0.6  # … which must cover this share of the samples that answered it

Outcome = Tuple[Dict[str, Any], float]


def answer_key(value: Any) -> Any:
    """A hashable stand-in for an answer (a range is a list)."""
    if isinstance(value, list):
        return ("list", tuple(answer_key(v) for v in value))
    if isinstance(value, dict):
        return ("dict", tuple(sorted((k, answer_key(v)) for k, v in value.items())))
    return (type(value).__name__, value)


@dataclass(frozen=True)
class Priors:
    samples: Tuple[Tuple[str, Mapping[str, Any]], ...]  # (level, answers), newest first
    min_answered: int = MIN_ANSWERED

    @classmethod
    def of(
        cls,
        samples: Iterable[Tuple[str, Mapping[str, Any]]],
        minimum: int = MIN_SAVED,
        min_answered: int = MIN_ANSWERED,
    ) -> Optional[Priors]:
        """Priors from saved answers, or None when there are fewer than ``minimum``. (Measuring on
        a few dozen legal cases scales both minimums down; the chat keeps the defaults.)"""
        kept = tuple((level, answers) for level, answers in samples if isinstance(answers, Mapping))
        return cls(kept, min_answered) if len(kept) >= minimum else None

    def outcomes(self, level: str, facts: Sequence[str]) -> List[Outcome]:
        """The question's most frequent answers with their probabilities (empty: not weighed)."""
        rows = [a for lv, a in self.samples if lv == level and all(f in a for f in facts)]
        if len(rows) < self.min_answered:
            rows = [a for _lv, a in self.samples if all(f in a for f in facts)]
        if len(rows) < self.min_answered:
            return []
        counts: Counter[Tuple[Any, ...]] = Counter()
        first: Dict[Any, Dict[str, Any]] = {}
        for answers in rows:
            key = tuple(answer_key(answers[f]) for f in facts)
            counts[key] += 1
            first.setdefault(key, {f: answers[f] for f in facts})
        top = counts.most_common(TOP)
        covered = sum(n for _answer, n in top)
        if covered < MIN_COVERED * len(rows):
            return []
        return [(first[key], n / covered) for key, n in top]
