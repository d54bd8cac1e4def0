"""Each flow leaves exactly the outcome events it should, and the outcome derived from them."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Callable

import pytest
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import select

from actions import context
from actions.closing import ActionGoodbye, ActionRecordSatisfaction
from actions.conversation import ActionCancelTask
from actions.handoff import ActionAskHandoffChannel, ActionSubmitHandoff
from actions.support import (
    ActionAcknowledgeNeed,
    ActionDigitalInclusion,
    ActionRecordConsent,
    ActionRiskCheckIn,
    ActionRiskSafe,
    ActionSafeguarding,
    ActionSafeguardingFollowup,
)
from actions.tasks import ActionPaymentInfo
from monitoring.events import EventKind
from monitoring.outcomes import derive_outcome
from monitoring.schema import outcome_events
from tests.actions.conftest import service, tracker
from tests.actions.test_handoff import ANYONE, TUESDAY_11AM, user

pytestmark = pytest.mark.usefixtures("clock")
USER = {"event": "user", "text": "...", "parse_data": {"intent": {"name": "inform"}}}


@pytest.fixture
def clock(set_clock: Callable[[datetime], None]) -> None:
    set_clock(TUESDAY_11AM)


def recorded() -> list[tuple[str, dict[str, Any]]]:
    """The events stored for the test conversation, in order, with their non-empty fields."""
    key = context.outcomes().outcomes.resident_key("test-resident")
    context.written()  # events are written in the background
    with context.database_engine().connect() as connection:
        rows = connection.execute(
            select(outcome_events).where(outcome_events.c.resident_key == key).order_by(outcome_events.c.id)
        ).mappings()
        fields = ("entry_channel", "intent", "service", "category", "handoff_channel", "in_hours", "value")
        return [(row["kind"], {f: row[f] for f in fields if row[f] is not None}) for row in rows]


def outcome() -> str:
    return derive_outcome(EventKind(kind) for kind, _ in recorded())


async def test_paying_leaves_the_intent_and_the_signposting(domain: dict[str, Any]) -> None:
    await ActionPaymentInfo().run(
        CollectingDispatcher(), tracker("pay", "make_payment", entities=[service("council_tax")]), domain
    )
    assert recorded() == [
        ("intent", {"intent": "make_payment", "service": "council_tax"}),
        ("payment_signposted", {"intent": "make_payment", "service": "council_tax"}),
    ]
    assert outcome() == "resolved_by_bot"


async def test_a_risk_then_urgent_contact(domain: dict[str, Any]) -> None:
    risk = user("he hits me", "inform", {"category": "safeguarding", "confidence": 0.95, "kind": "domestic_abuse"})
    current = tracker("he hits me", "inform", events=[risk])
    current.latest_message["support_needs"] = [{"category": "safeguarding", "confidence": 0.95}]
    await ActionSafeguarding().run(CollectingDispatcher(), current, domain)
    await ActionSafeguardingFollowup().run(CollectingDispatcher(), tracker("yes", "affirm", events=[risk]), domain)
    assert recorded() == [
        ("safeguarding_escalated", {"category": "safeguarding", "value": "clear_risk"}),
        ("handoff_accepted", {"handoff_channel": "emergency"}),
    ]
    assert outcome() == "safeguarding"


async def test_a_check_in_its_answer_and_the_escalation_are_recorded(domain: dict[str, Any]) -> None:
    risk = user("whats the point", "nlu_fallback", {"category": "safeguarding", "confidence": 0.4, "tier": "possible"})
    await ActionRiskCheckIn().run(CollectingDispatcher(), tracker(events=[risk]), domain)
    checked = [risk, {"event": "action", "name": "action_risk_check_in"}, {"event": "action", "name": "action_listen"}]
    await ActionRiskSafe().run(CollectingDispatcher(), tracker("/affirm", "affirm", events=checked), domain)
    assert recorded() == [
        ("risk_check_in", {"category": "safeguarding", "value": "asked"}),
        ("risk_check_in", {"category": "safeguarding", "value": "safe"}),
    ]
    help_now = [*checked, user("/deny", "deny")]
    await ActionSafeguarding().run(CollectingDispatcher(), tracker("/deny", "deny", events=help_now), domain)
    assert recorded()[2:] == [
        ("risk_check_in", {"category": "safeguarding", "value": "needs_help"}),
        ("safeguarding_escalated", {"category": "safeguarding", "value": "after_check_in"}),
    ]
    assert outcome() == "safeguarding"


async def test_a_disclosure_with_consent_and_digital_inclusion_help(domain: dict[str, Any]) -> None:
    need = {"category": "digital_exclusion", "confidence": 0.95, "adjustment": "prefers_phone_or_face_to_face"}
    said = user("i have no internet", "make_payment", need)
    await ActionAcknowledgeNeed().run(CollectingDispatcher(), tracker(events=[said]), domain)
    acknowledged = [said, {"event": "action", "name": "action_acknowledge_need"}]
    consent = await ActionRecordConsent().run(
        CollectingDispatcher(), tracker("yes", "affirm", events=acknowledged), domain
    )
    assert SlotSet("digital_inclusion", "due") in consent  # offered at the end of the task
    assert recorded() == [("support_need_detected", {"category": "digital_exclusion"}), ("consent_given", {})]
    assert outcome() == "abandoned"  # nothing done yet: the task comes next
    slots = {"digital_inclusion": "due", "service": "council_tax"}
    await ActionPaymentInfo().run(CollectingDispatcher(), tracker("yes", "affirm", slots=slots), domain)
    assert recorded()[-1] == ("digital_inclusion_offered", {"category": "digital_exclusion"})


async def test_a_handoff_offered_in_hours_then_accepted(domain: dict[str, Any]) -> None:
    await ActionAskHandoffChannel().run(CollectingDispatcher(), tracker(events=[ANYONE]), domain)
    slots = {"handoff_channel": "phone", "handoff_mode": "call_now"}
    await ActionSubmitHandoff().run(CollectingDispatcher(), tracker(slots=slots, events=[ANYONE]), domain)
    assert recorded() == [
        ("handoff_offered", {"handoff_channel": "phone", "in_hours": True}),
        ("handoff_offered", {"handoff_channel": "gateway", "in_hours": True}),
        ("handoff_accepted", {"handoff_channel": "phone"}),
    ]
    assert outcome() == "handed_off"


async def test_no_event_holds_the_residents_words_or_id(domain: dict[str, Any]) -> None:
    words = "I'm Jo Bloggs of 12 Acacia Avenue, take my council tax"
    await ActionPaymentInfo().run(
        CollectingDispatcher(), tracker(words, "make_payment", entities=[service("council_tax")]), domain
    )
    context.written()  # events are written in the background
    with context.database_engine().connect() as connection:
        everything = " ".join(str(value) for row in connection.execute(select(outcome_events)) for value in row)
    assert "test-resident" not in everything
    assert "Bloggs" not in everything and "Acacia" not in everything


# ------------------------------------------------------------ start, end, and in between


def conversation_keys() -> list[str | None]:
    key = context.outcomes().outcomes.resident_key("test-resident")
    context.written()  # events are written in the background
    with context.database_engine().connect() as connection:
        query = select(outcome_events.c.conversation_key).where(outcome_events.c.resident_key == key)
        return list(connection.execute(query.order_by(outcome_events.c.id)).scalars())


async def test_every_event_of_a_session_is_filed_under_the_conversation_its_start_names(
    domain: dict[str, Any],
) -> None:
    # Rasa's own action_session_start starts the session; its session_started event's timestamp
    # names the conversation, as the event broker names it (tests/bot/test_outcome_broker.py).
    started = {"event": "session_started", "timestamp": 1765000000.123456}
    await ActionPaymentInfo().run(
        CollectingDispatcher(),
        tracker("pay", "make_payment", entities=[service("council_tax")], events=[started, USER]),
        domain,
    )
    later = {"event": "session_started", "timestamp": 1765009999.5}
    await ActionPaymentInfo().run(
        CollectingDispatcher(),
        tracker("pay", "make_payment", entities=[service("council_tax")], events=[started, USER, later, USER]),
        domain,
    )
    first, second = (
        context.outcomes().outcomes.conversation_key("test-resident", s)
        for s in ("1765000000.123456", "1765009999.500000")
    )
    assert conversation_keys() == [first, first, second, second]


async def test_goodbye_ends_the_conversation_and_the_answer_is_recorded(domain: dict[str, Any]) -> None:
    await ActionGoodbye().run(CollectingDispatcher(), tracker("bye", "goodbye"), domain)
    answer = tracker(
        "/inform",
        "inform",
        entities=[{"entity": "satisfaction", "value": "partly"}],
        slots={"satisfaction_question": "asked"},
        events=[{"event": "action", "name": "action_goodbye"}, {"event": "action", "name": "action_listen"}, USER],
    )
    await ActionRecordSatisfaction().run(CollectingDispatcher(), answer, domain)
    assert recorded() == [("conversation_ended", {}), ("satisfaction", {"value": "partly"})]
    assert outcome() == "abandoned"  # a goodbye is not an outcome by itself


async def test_stopping_a_form_part_way_is_recorded_and_stopping_nothing_is_not(domain: dict[str, Any]) -> None:
    left = [USER, {"event": "action", "name": "action_deactivate_loop"}, {"event": "active_loop", "name": None}]
    await ActionCancelTask().run(CollectingDispatcher(), tracker("stop", "stop", events=left), domain)
    await ActionCancelTask().run(CollectingDispatcher(), tracker("stop", "stop", events=[USER]), domain)
    assert recorded() == [("abandoned", {"value": "form"})]


async def test_switching_from_a_report_to_paying_leaves_the_form(domain: dict[str, Any]) -> None:
    switched = [USER, {"event": "action", "name": "action_deactivate_loop"}, {"event": "active_loop", "name": None}]
    current = tracker("pay my council tax", "make_payment", entities=[service("council_tax")], events=switched)
    await ActionPaymentInfo().run(CollectingDispatcher(), current, domain)
    assert [kind for kind, _ in recorded()] == ["abandoned", "intent", "payment_signposted"]


async def test_saying_yes_to_help_getting_online_is_recorded(domain: dict[str, Any]) -> None:
    need = {"category": "digital_exclusion", "confidence": 0.95, "adjustment": "prefers_phone_or_face_to_face"}
    said = user("i have no internet", "make_payment", need)
    acknowledged = [said, {"event": "action", "name": "action_acknowledge_need"}]
    await ActionRecordConsent().run(CollectingDispatcher(), tracker("no", "deny", events=acknowledged), domain)
    answered = CollectingDispatcher()
    slots = {"digital_inclusion": "due", "service": "council_tax"}
    await ActionPaymentInfo().run(answered, tracker("no", "deny", slots=slots), domain)
    last = answered.messages[-1]
    assert "get online" in last["text"] and [b["payload"] for b in last["buttons"]] == ["/affirm", "/deny"]
    helped = CollectingDispatcher()
    await ActionDigitalInclusion().run(helped, tracker("yes please", "affirm"), domain)
    assert "023 8083 3000" in helped.messages[0]["text"]
    await ActionDigitalInclusion().run(CollectingDispatcher(), tracker("no", "deny"), domain)
    assert [kind for kind, _ in recorded()] == [
        "consent_declined", "intent", "payment_signposted", "digital_inclusion_offered",
        "digital_inclusion_accepted",
    ]  # fmt: skip
    assert recorded()[3:] == [
        ("digital_inclusion_offered", {"category": "digital_exclusion"}),
        ("digital_inclusion_accepted", {"category": "digital_exclusion"}),
    ]
