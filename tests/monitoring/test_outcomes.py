"""The one outcome each conversation gets, by the documented precedence."""

from datetime import datetime, timedelta, timezone

import pytest

from monitoring.events import EventKind as E
from monitoring.events import OutcomeEvent
from monitoring.facts import facts_of
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


def test_a_complaint_answered_by_the_complaints_team_counts_like_any_case():
    """A complaint is recorded as its intent and a handoff by phone, offered and accepted (see
    actions/complaints.py), so the staff's events on the case join it and every funnel stays nested."""
    conversation, resident, case = "a" * 32, "b" * 32, "c" * 32
    made = datetime(2026, 12, 1, 11, tzinfo=timezone.utc)
    own = {"resident_key": resident, "conversation_key": conversation, "at": made}
    staff = {"resident_key": resident, "case_key": case, "handoff_channel": "phone"}
    events = [
        OutcomeEvent(E.INTENT, intent="make_complaint", **own),
        OutcomeEvent(E.HANDOFF_OFFERED, handoff_channel="phone", in_hours=True, **own),
        OutcomeEvent(E.HANDOFF_ACCEPTED, handoff_channel="phone", case_key=case, **own),
        OutcomeEvent(E.CONTACT_MADE, value="on_time", at=made + timedelta(days=9), **staff),
        OutcomeEvent(E.RESOLVED, at=made + timedelta(days=9), **staff),
    ]
    facts = facts_of(conversation, events)
    assert facts.outcome == "handed_off_resolved"
    assert facts.offered == facts.accepted == facts.contacted == facts.resolved == {"phone"}
    assert facts.contact_on_time is True and facts.offered_out_of_hours is False
