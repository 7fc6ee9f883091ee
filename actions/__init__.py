"""rasa-sdk action server: thin adapters from slots to ``policies`` and back to words.

Run with ``python -m bot.plugins.action_server`` (checks Rasa's secret) or ``rasa run actions --actions actions``.
"""

from actions.assessment import (
    ActionAskExclusions,
    ActionAskLevel,
    ActionAskRegion,
    ActionAssessmentResult,
    ActionFactHint,
    ActionResetAssessment,
    ValidateAssessmentForm,
)
from actions.notice_answer import ActionAnswerNotice, ActionEligibilityEntry
from actions.scope import ActionHumanHandoff, ActionScopeHelp

__all__ = [
    "ActionAnswerNotice",
    "ActionAskExclusions",
    "ActionAskLevel",
    "ActionAskRegion",
    "ActionAssessmentResult",
    "ActionEligibilityEntry",
    "ActionFactHint",
    "ActionHumanHandoff",
    "ActionResetAssessment",
    "ActionScopeHelp",
    "ValidateAssessmentForm",
]
