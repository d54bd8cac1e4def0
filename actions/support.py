"""Safeguarding and support needs: the actions the support policy chooses (bot/support_policy.py).

The wording and the choice of routes live in ``routing.support_responses``; these actions read the
parse's ``support_needs`` and turn the replies into messages.
"""

from __future__ import annotations

from typing import Any, Dict, List

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.context import catalogue, forget_task_slots, record, say
from actions.handoff import create_case
from monitoring.events import EventKind
from routing.channels import ChannelOption
from routing.support_responses import (
    Need,
    acknowledgement,
    adjustment_record,
    consent_reply,
    digital_inclusion_offer,
    digital_inclusion_reply,
    help_for,
    offer_support,
    offers_digital_inclusion,
    recordable,
    safeguarding_followup,
    safeguarding_reply,
)

ACKNOWLEDGE = "action_acknowledge_need"
URGENT = ChannelOption("emergency", "emergency", "An adviser will look at this urgently.", "Urgent help")


def needs_in(parse_data: Dict[str, Any]) -> List[Need]:
    """The support needs the NLU found in one message."""
    return [Need.from_output(item) for item in parse_data.get("support_needs") or []]


def _user_events_between_acknowledgements(tracker: Tracker, completed: bool) -> List[Dict[str, Any]]:
    """The resident's messages whose needs an acknowledgement covers.

    While ``action_acknowledge_need`` runs (``completed`` False) these are the messages since the
    last acknowledgement; afterwards (``completed`` True) the ones before the latest acknowledgement
    and after the one before it. A need mentioned inside a form is acknowledged once the form is done.
    """
    events = tracker.events
    bounds = [i for i, e in enumerate(events) if e.get("event") == "action" and e.get("name") == ACKNOWLEDGE]
    if completed:
        if not bounds:
            return []
        start, end = (bounds[-2] if len(bounds) > 1 else -1), bounds[-1]
    else:
        start, end = (bounds[-1] if bounds else -1), len(events)
    return [event for event in events[start + 1 : end] if event.get("event") == "user"]


def _needs_and_text(user_events: List[Dict[str, Any]]) -> tuple[List[Need], str]:
    needs: Dict[str, Need] = {}
    for event in user_events:
        for need in needs_in(event.get("parse_data") or {}):
            needs.setdefault(need.category, need)
    return list(needs.values()), " ".join(str(event.get("text") or "") for event in user_events)


class ActionSafeguarding(Action):
    """Stops everything and shows the emergency routes for this kind of risk, then offers urgent contact."""

    def name(self) -> str:
        return "action_safeguarding"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        risk = next((need for need in needs_in(tracker.latest_message) if need.category == "safeguarding"), None)
        record(tracker, EventKind.SAFEGUARDING_ESCALATED, category="safeguarding")
        reply = safeguarding_reply(risk.kind if risk else None, catalogue())
        say(dispatcher, reply.replies[:-1])
        last = reply.replies[-1]
        buttons = [{"title": button.title, "payload": button.payload} for button in last.buttons]
        # The chat page draws "Exit this page" when it sees this; the disclosure itself is never echoed.
        custom = {"exit_this_page": True} if reply.exit_this_page else None
        dispatcher.utter_message(text=last.text, buttons=buttons, json_message=custom)
        # Whatever form was open stays closed: the resident can start it again if they want to.
        return [ActiveLoop(None), SlotSet("requested_slot", None), *forget_task_slots()]


class ActionSafeguardingFollowup(Action):
    """After the offer of urgent contact: how to get it now, or a gentle close."""

    def name(self) -> str:
        return "action_safeguarding_followup"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        wants_contact = (tracker.latest_message.get("intent") or {}).get("name") == "affirm"
        say(dispatcher, [safeguarding_followup(wants_contact, catalogue())])
        if not wants_contact:
            return []
        # An urgent case puts them at the top of every adviser's queue, with what they said.
        case = create_case(tracker, URGENT)
        dispatcher.utter_message(
            text=f"I have also asked an adviser to look at this urgently. Your reference is {case.reference}."
        )
        return [SlotSet("handoff_reference", case.reference)]


class ActionAcknowledgeNeed(Action):
    """TEXAS: thanks the resident, explains why noting it helps, and asks consent (one question)."""

    def name(self) -> str:
        return "action_acknowledge_need"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        needs, _ = _needs_and_text(_user_events_between_acknowledgements(tracker, completed=False))
        for need in needs:
            record(tracker, EventKind.SUPPORT_NEED_DETECTED, category=need.category)
        say(dispatcher, acknowledgement(needs) or help_for(needs))
        return []


class ActionRecordConsent(Action):
    """Records the adjustment only if the resident agreed, and gives the help that fits either way."""

    def name(self) -> str:
        return "action_record_consent"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        agreed = (tracker.latest_message.get("intent") or {}).get("name") == "affirm"
        needs, text = _needs_and_text(_user_events_between_acknowledgements(tracker, completed=True))
        agreed = agreed and bool(recordable(needs))
        record(tracker, EventKind.CONSENT_GIVEN if agreed else EventKind.CONSENT_DECLINED)
        say(dispatcher, [consent_reply(agreed, needs)])
        say(dispatcher, help_for(needs))
        if offers_digital_inclusion(needs):
            # Asked last, so a typed yes or no answers it; the support policy waits for the answer.
            say(dispatcher, [digital_inclusion_offer()])
            record(tracker, EventKind.DIGITAL_INCLUSION_OFFERED, category="digital_exclusion")
        events: List[EventType] = []
        if agreed:
            existing = list(tracker.get_slot("adjustments") or [])
            new = [adjustment_record(need, text) for need in recordable(needs)]
            events.append(SlotSet("adjustments", list(dict.fromkeys(existing + new))))
        return events  # the support policy then resumes the resident's task (after the offer's answer)


class ActionDigitalInclusion(Action):
    """The answer to the offer of free help to get online: how to get it, or that it is fine."""

    def name(self) -> str:
        return "action_digital_inclusion"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        accepted = (tracker.latest_message.get("intent") or {}).get("name") == "affirm"
        if accepted:
            record(tracker, EventKind.DIGITAL_INCLUSION_ACCEPTED, category="digital_exclusion")
        say(dispatcher, [digital_inclusion_reply(accepted, catalogue())])
        return []  # the support policy then resumes the resident's task


class ActionOfferSupport(Action):
    """When the conversation shows the resident struggling: sorry, and a person, then carry on."""

    def name(self) -> str:
        return "action_offer_support"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        say(dispatcher, [offer_support()])
        return []  # the support policy then carries on with the resident's task
