"""The one outcome each conversation gets, by the documented precedence."""

import pytest

from monitoring.events import EventKind as E
from monitoring.outcomes import OUTCOMES, derive_outcome


@pytest.mark.parametrize(
    ("events", "outcome"),
    [
        ([E.INTENT, E.PAYMENT_SIGNPOSTED], "resolved_by_bot"),
        ([E.INTENT, E.REPORT_CREATED], "resolved_by_bot"),
        ([E.SUPPORT_NEED_DETECTED, E.CONSENT_GIVEN], "abandoned"),
        ([E.HANDOFF_OFFERED, E.HANDOFF_ACCEPTED], "handed_off"),
        ([E.HANDOFF_OFFERED, E.HANDOFF_ACCEPTED, E.HANDOFF_CLAIMED, E.RESOLVED], "handed_off_resolved"),
        ([E.HANDOFF_ACCEPTED, E.UNABLE_TO_CONTACT], "handed_off_unresolved"),
        ([E.HANDOFF_ACCEPTED, E.NO_SHOW], "handed_off_unresolved"),
        ([E.HANDOFF_ACCEPTED, E.ABANDONED], "handed_off_unresolved"),  # gave up waiting in the queue
        ([E.INTENT, E.ABANDONED], "abandoned"),  # left a form midway
        ([E.PAYMENT_SIGNPOSTED, E.HANDOFF_ACCEPTED, E.RESOLVED], "handed_off_resolved"),
        ([E.SAFEGUARDING_ESCALATED, E.HANDOFF_ACCEPTED, E.RESOLVED], "safeguarding"),
        ([], "abandoned"),
    ],
)
def test_each_conversation_gets_exactly_one_outcome_by_precedence(events, outcome):
    assert derive_outcome(events) == outcome
    assert outcome in OUTCOMES


def test_an_information_question_answered_is_resolved_by_the_assistant():
    assert derive_outcome([E.CONVERSATION_STARTED, E.INTENT], information_given=True) == "resolved_by_bot"
    assert derive_outcome([E.CONVERSATION_STARTED, E.INTENT]) == "abandoned"
