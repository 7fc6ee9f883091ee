"""Eligibility: rule trees in the notice files, a three-valued engine, assessments.

assessor = Assessor(notice)              # compile once
result = assessor.assess(level, facts)   # -> Assessment (verdict, conditions, needed facts)
"""

from policies.eligibility.assess import (
    ELIGIBLE,
    ELIGIBLE_SPECIAL,
    NOT_ELIGIBLE,
    UNDETERMINED,
    VERDICT_NAMES,
    Assessment,
    Assessor,
    Condition,
)
from policies.eligibility.catalogue import Catalogue, FactSpec, load_catalogue
from policies.eligibility.rules import MET, NOT_MET, UNKNOWN, Eligibility, RuleNode

__all__ = [
    "ELIGIBLE",
    "ELIGIBLE_SPECIAL",
    "MET",
    "NOT_ELIGIBLE",
    "NOT_MET",
    "UNDETERMINED",
    "UNKNOWN",
    "VERDICT_NAMES",
    "Assessment",
    "Assessor",
    "Catalogue",
    "Condition",
    "Eligibility",
    "FactSpec",
    "RuleNode",
    "load_catalogue",
]
