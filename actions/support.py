"""Safeguarding and support needs: the actions the support policy chooses (bot/support_policy.py).

The wording and the choice of routes live in ``routing.support_responses``; these actions read the
parse's ``support_needs`` and turn the replies into messages.
"""

from __future__ import annotations

from typing import Any, Dict, List, Mapping

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.context import catalogue, forget_task_slots, previous_bot_action, record, say, this_session, view
from actions.handoff import create_case, offered_options
from monitoring.events import EventKind
from routing.answers import Reply
from routing.channels import URGENT_CASE
from routing.conversation_events import Message
from routing.handoff_replies import urgent_case_made
from routing.proxy import asks_to_act_for, proxy_answer
from routing.support_responses import (
    DIGITAL_INCLUSION_SLOT,
    Need,
    acknowledgement,
    adjustment_records,
    check_in,
    check_in_safe,
    consent_reply,
    council_home_later,
    digital_inclusion_offer,
    digital_inclusion_reply,
    help_for,
    offer_support,
    offers_digital_inclusion,
    recordable,
    safeguarding_followup,
    safeguarding_reply,
)
from routing.tasks import CARRY_ON_OFFER, INTERRUPTED_TASK, RESUMABLE_FORMS, RESUME_TASK, task_intent
from routing.turns import MAX_SAFETY_MESSAGES

ACKNOWLEDGE = "action_acknowledge_need"
CHECK_IN = "action_risk_check_in"


def needs_in(parse_data: Mapping[str, Any]) -> List[Need]:
    """The support needs the NLU found in one message."""
    return [Need.from_output(item) for item in parse_data.get("support_needs") or []]


def _acknowledged_messages(tracker: Tracker, completed: bool) -> List[Message]:
    """The resident's messages whose needs an acknowledgement covers.

    While ``action_acknowledge_need`` runs (``completed`` False) these are the messages since the
    last acknowledgement; afterwards (``completed`` True) the ones before the latest acknowledgement
    and after the one before it. A need mentioned inside a form is acknowledged once the form is done.
    """
    conversation = view(tracker)
    if completed:
        return conversation.messages_before_last(ACKNOWLEDGE)
    return conversation.messages_since_last(ACKNOWLEDGE)


def _needs_and_text(messages: List[Message]) -> tuple[List[Need], str]:
    needs: Dict[str, Need] = {}
    for message in messages:
        for need in needs_in(message.parse):
            if need.category != "safeguarding" and need.category not in message.guessed_in_passing:
                needs.setdefault(need.category, need)
    return list(needs.values()), " ".join(message.text for message in messages)


def _latest_risk(tracker: Tracker) -> Need | None:
    """The most recent risk the resident's messages showed (the check-in's, when answered "no")."""
    latest = next((need for need in needs_in(tracker.latest_message) if need.category == "safeguarding"), None)
    if latest is not None:
        return latest
    earlier = view(tracker).latest_need("safeguarding")
    return None if earlier is None else Need.from_output(earlier)


def _concern_raised_before(tracker: Tracker) -> bool:
    """Whether an earlier turn of this session already checked in or interrupted."""
    return this_session(tracker).ran({CHECK_IN, "action_safeguarding"})  # this run is not among the events yet


class ActionSafeguarding(Action):
    """Stops everything and shows the emergency routes for this kind of risk, then offers urgent contact."""

    def name(self) -> str:
        return "action_safeguarding"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        risk = _latest_risk(tracker)
        if previous_bot_action(tracker) == CHECK_IN:
            record(tracker, EventKind.RISK_CHECK_IN, category="safeguarding", value="needs_help")
            reason = "after_check_in"
        else:
            reason = "repeat_sign" if _concern_raised_before(tracker) else "clear_risk"
        record(tracker, EventKind.SAFEGUARDING_ESCALATED, category="safeguarding", value=reason)
        # The chat page keeps the routes in view (and draws "Exit this page" after signs of abuse);
        # the disclosure itself is never echoed.
        kind, subject = (risk.kind, risk.subject) if risk else (None, None)
        say(dispatcher, tracker, safeguarding_reply(kind, catalogue(), subject), MAX_SAFETY_MESSAGES)
        # Whatever form was open is closed. A report keeps its answers: "can you still send the
        # pothole thing" carries it on (the support policy); anything else starts again if wanted.
        closed: List[EventType] = [ActiveLoop(None), SlotSet("requested_slot", None)]
        if tracker.active_loop_name in RESUMABLE_FORMS:
            return [*closed, SlotSet(INTERRUPTED_TASK, tracker.active_loop_name)]
        # The service this message named stays: after "no, thank you" its task carries on.
        named = [SlotSet("service", code) for code in list(tracker.get_latest_entity_values("service"))[:1]]
        return [*closed, *forget_task_slots(), *named]


class ActionRiskCheckIn(Action):
    """A possible risk: one gentle check that names 999 and Samaritans and asks if they are safe.

    A form in progress stays open: once the resident says they are safe, it asks its question again.
    """

    def name(self) -> str:
        return CHECK_IN

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        record(tracker, EventKind.RISK_CHECK_IN, category="safeguarding", value="asked")
        risk = _latest_risk(tracker)
        say(dispatcher, tracker, [check_in(risk.kind, risk.subject) if risk else check_in()])
        return []


class ActionRiskSafe(Action):
    """The answer "I'm safe": thanks, the routes again and a person offered; then the task carries on.

    It is not an all-clear: the page keeps the routes, and a later risk sign goes straight to the
    emergency routes (the support policy remembers the check-in).
    """

    def name(self) -> str:
        return "action_risk_safe"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        record(tracker, EventKind.RISK_CHECK_IN, category="safeguarding", value="safe")
        risk = _latest_risk(tracker)
        kind, subject = (risk.kind, risk.subject) if risk else (None, None)
        say(dispatcher, tracker, [check_in_safe(kind, subject, catalogue())])
        return []


class ActionSafeguardingFollowup(Action):
    """After the offer of urgent contact: how to get it now, or a gentle close."""

    def name(self) -> str:
        return "action_safeguarding_followup"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        wants_contact = (tracker.latest_message.get("intent") or {}).get("name") == "affirm"
        risk = _latest_risk(tracker)
        kind, subject = (risk.kind, risk.subject) if risk else (None, None)
        replies = [safeguarding_followup(wants_contact, catalogue(), kind, subject)]
        if tracker.get_slot(INTERRUPTED_TASK):
            replies.append(CARRY_ON_OFFER)
        events: List[EventType] = []
        if wants_contact:
            # An urgent case puts them at the top of every adviser's queue, with what they said.
            case = create_case(tracker, URGENT_CASE, offered_options(tracker))
            replies.append(urgent_case_made(case.reference))
            events.append(SlotSet("handoff_reference", case.reference))
        say(dispatcher, tracker, replies)
        return events


class ActionAcknowledgeNeed(Action):
    """TEXAS: thanks the resident, explains why noting it helps, and asks consent (one question)."""

    def name(self) -> str:
        return ACKNOWLEDGE

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        needs, text = _needs_and_text(_acknowledged_messages(tracker, completed=False))
        for need in needs:
            record(tracker, EventKind.SUPPORT_NEED_DETECTED, category=need.category)
        say(dispatcher, tracker, acknowledgement(needs, text, catalogue()) or help_for(needs, text, catalogue()))
        return []


def _consent_trigger_intent(tracker: Tracker) -> str | None:
    """The intent of the latest message the consent question followed (the task to carry on with)."""
    messages = _acknowledged_messages(tracker, completed=True)
    if not messages:
        return None
    return task_intent(messages[-1].intent, messages[-1].ranking)


class ActionRecordConsent(Action):
    """Records the adjustment only if the resident agreed, and gives the help that fits either way,
    in one message; the support policy then carries on with the resident's task."""

    def name(self) -> str:
        return "action_record_consent"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        agreed = (tracker.latest_message.get("intent") or {}).get("name") == "affirm"
        needs, text = _needs_and_text(_acknowledged_messages(tracker, completed=True))
        agreed = agreed and bool(recordable(needs))
        record(tracker, EventKind.CONSENT_GIVEN if agreed else EventKind.CONSENT_DECLINED)
        say(dispatcher, tracker, [consent_reply(agreed, needs, text, catalogue())])
        events: List[EventType] = []
        if agreed:
            existing = list(tracker.get_slot("adjustments") or [])
            new = adjustment_records(needs, text)
            events.append(SlotSet("adjustments", list(dict.fromkeys(existing + new))))
        if offers_digital_inclusion(needs) and tracker.get_slot(DIGITAL_INCLUSION_SLOT) is None:
            task_waits = view(tracker).ran_first_in_its_turn(ACKNOWLEDGE)  # else it was answered first
            if task_waits and _consent_trigger_intent(tracker) in RESUME_TASK:
                events.append(SlotSet(DIGITAL_INCLUSION_SLOT, "due"))  # asked once their task is done
            else:
                events.extend(finish_task(dispatcher, tracker, [], offer_due=True))  # no task waits: ask now
        return events


def finish_task(
    dispatcher: CollectingDispatcher, tracker: Tracker, replies: List[Reply], offer_due: bool | None = None
) -> List[EventType]:
    """Say a task's answer. If the offer of free help to get online is due, it ends the turn as the
    turn's one question (unless the answer already asks one), within the turn's budget."""
    if offer_due is None:
        offer_due = tracker.get_slot(DIGITAL_INCLUSION_SLOT) == "due"
    asks = bool(replies) and replies[-1].text.rstrip().endswith("?")
    if not offer_due or asks:
        say(dispatcher, tracker, replies)
        return []
    record(tracker, EventKind.DIGITAL_INCLUSION_OFFERED, category="digital_exclusion")
    say(dispatcher, tracker, [*replies, digital_inclusion_offer()])
    return [SlotSet(DIGITAL_INCLUSION_SLOT, "asked")]


class ActionDigitalInclusion(Action):
    """The answer to the offer of free help to get online: how to get it, or that it is fine."""

    def name(self) -> str:
        return "action_digital_inclusion"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        accepted = (tracker.latest_message.get("intent") or {}).get("name") == "affirm"
        if accepted:
            record(tracker, EventKind.DIGITAL_INCLUSION_ACCEPTED, category="digital_exclusion")
        say(dispatcher, tracker, [digital_inclusion_reply(accepted, catalogue())])
        return [SlotSet(DIGITAL_INCLUSION_SLOT, "answered")]


class ActionBereavedHome(Action):
    """After a death the resident told of, the council home of the one who died: whom to call about
    the tenancy (chosen by the support policy instead of a report form)."""

    def name(self) -> str:
        return "action_bereaved_home"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        say(dispatcher, tracker, [council_home_later(catalogue())])
        return []


class ActionOfferSupport(Action):
    """When the conversation shows the resident struggling: sorry, and a person or the complaints
    route, then carry on."""

    def name(self) -> str:
        return "action_offer_support"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        complaining = tracker.active_loop.get("name") == "complaint_form"
        say(dispatcher, tracker, [offer_support(complaining)])
        return []  # the support policy then carries on with the resident's task


def act_for_answer(tracker: Tracker) -> List[Reply]:
    """The answer to "can I fill it in for her?" (permission, or a power of attorney, and the form),
    for the service this conversation is about; none when the message does not ask that."""
    text = str(tracker.latest_message.get("text") or "")
    if not asks_to_act_for(text):
        return []
    session = this_session(tracker)
    codes = [
        str(entity.get("value"))
        for message in reversed(session.messages)
        for entity in message.parse.get("entities") or []
        if entity.get("entity") == "service"
    ]
    service = next((found for code in codes if (found := catalogue().get(code)) is not None), None)
    earlier = " ".join(message.text for message in session.messages[:-1])
    return proxy_answer(text, service, earlier)
