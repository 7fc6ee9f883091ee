"""rasa-sdk action server: thin adapters from slots to ``policies`` and back to words.

Run with ``python -m bot.plugins.action_server`` (checks Rasa's secret, migrates the project database
on start). Imports go one way: ``context`` (notice index, clock, storage) ← ``assessment`` ←
``notice_answer`` ← ``scope``. ``actions`` reaches ``bot`` only through the allow-list in
tests/test_layering.py.
"""

from actions.assessment import (
    ActionAskChecklist,
    ActionAskExclusions,
    ActionAskLevel,
    ActionAskRegion,
    ActionAskTogether,
    ActionAssessmentResult,
    ActionFactHint,
    ActionResetAssessment,
    ValidateAssessmentForm,
)
from actions.notice_answer import ActionAnswerNotice, ActionEligibilityEntry
from actions.scope import ActionHumanHandoff, ActionScopeHelp

__all__ = [
    "ActionAnswerNotice",
    "ActionAskChecklist",
    "ActionAskExclusions",
    "ActionAskLevel",
    "ActionAskRegion",
    "ActionAskTogether",
    "ActionAssessmentResult",
    "ActionEligibilityEntry",
    "ActionFactHint",
    "ActionHumanHandoff",
    "ActionResetAssessment",
    "ActionScopeHelp",
    "ValidateAssessmentForm",
]
