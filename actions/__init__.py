"""rasa-sdk action server: thin adapters from slots to ``policies`` and back to words.

Run with ``rasa run actions --actions actions``.
"""
from actions.assessment import (
    ActionAskLevel, ActionAskRegion, ActionAssessmentResult, ActionFactHint, ActionResetAssessment,
    ValidateAssessmentForm,
)
from actions.notice_answer import ActionAnswerNotice, ActionEligibilityEntry
from actions.scope import ActionHumanHandoff, ActionScopeHelp

__all__ = [
    "ActionAnswerNotice", "ActionAskLevel", "ActionEligibilityEntry", "ActionAskRegion", "ActionAssessmentResult", "ActionFactHint",
    "ActionHumanHandoff", "ActionResetAssessment", "ActionScopeHelp", "ValidateAssessmentForm",
]
