"""Pay, apply, information and status: answers from the catalogue, the report store and handoff cases."""

from __future__ import annotations

from typing import Any, Callable, Dict, List

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.context import (
    back_office,
    catalogue,
    forget_task_slots,
    form_answer,
    handoff_store,
    latest_text,
    record,
    record_event,
    record_left_form,
    report_store,
    requested_service,
    said_this_turn,
    say,
    shows_risk,
    this_session,
    times_asked,
)
from actions.support import act_for_answer, finish_task
from actions.updates import record_status_asked
from monitoring.events import EventKind, report_change
from routing import clock, prompts
from routing.answers import (
    Reply,
    apply_answer,
    best_answer,
    bin_day_answer,
    information_answer,
    payment_answer,
    topic_menu,
)
from routing.bins import find_bin_day
from routing.catalogue import Service
from routing.complaint_replies import complaint_status
from routing.complaints import MODE as COMPLAINT
from routing.complaints import default_procedure
from routing.handoff_replies import case_status
from routing.locations import format_postcode
from routing.money_help import DEFAULT_SERVICE, debt_service, enforcement_answer, enforcement_said, is_enforcement
from routing.prompts import NO_REFERENCE_FOUND, NOT_A_POSTCODE, TOPIC_QUESTIONS, not_a_reference
from routing.references import find_reference
from routing.report_replies import reference_not_found, report_status
from routing.report_search import (
    ASK_PLACE,
    NO_REFERENCE,
    found_near,
    nothing_found_near,
    place_words,
    reference_given_earlier,
    says_no_reference,
)
from routing.reports import ServiceRequest
from wiring.settings import channel_schedule


def contact_phone() -> str:
    """The contact centre's number, for when only a person can help."""
    return str(catalogue().council["contact_centre"]["phone"]["number"])


def _any_service(tracker: Tracker) -> Service | None:
    for code in tracker.get_latest_entity_values("service"):
        service = catalogue().get(code)
        if service is not None:
            return service
    return None


def _signpost(
    dispatcher: CollectingDispatcher, tracker: Tracker, intent: str, signposted: EventKind, block: str,
    answer: Callable[[Service], list[Reply]],
) -> List[EventType]:  # fmt: skip
    """Signpost one task for the service asked about: ``answer`` from its catalogue ``block``, or
    another service's best answer, or the menu of services when none was named."""
    record_left_form(tracker)  # a report left part-way for this task instead
    if acting_for := act_for_answer(tracker):  # "can I fill it in for her?"
        say(dispatcher, tracker, acting_for)
        return forget_task_slots()
    service = requested_service(tracker, block)
    if service is not None:
        record(tracker, EventKind.INTENT, intent=intent, service=service.code)
        record(tracker, signposted, intent=intent, service=service.code)
        return finish_task(dispatcher, tracker, answer(service)) + forget_task_slots()
    if (other := _any_service(tracker)) is not None:
        say(dispatcher, tracker, best_answer(other, catalogue()))
    else:
        say(dispatcher, tracker, [topic_menu(catalogue(), intent, TOPIC_QUESTIONS[intent])])
    return forget_task_slots()


PAYMENT_INFO = "action_payment_info"
INFORMATION = "action_information"


def _task_words(tracker: Tracker, action: str) -> str:
    """What the resident has said for this task: their messages since ``action`` last ran this
    session (a consent question may have come between the request and this answer)."""
    return " ".join(message.text for message in this_session(tracker).messages_since_last(action))


def _answer_enforcement(
    dispatcher: CollectingDispatcher, tracker: Tracker, action: str, intent: str, kind: EventKind | None = None
) -> List[EventType] | None:
    """The enforcement advice, when the resident's words show enforcement (a bailiff letter, a
    liability order, a summons): then paying online or the bands are not the answer. None otherwise."""
    words = _task_words(tracker, action)
    if not is_enforcement(words):
        return None
    record_left_form(tracker)
    service = requested_service(tracker, "pay") or debt_service(words, catalogue())
    code = service.code if service else DEFAULT_SERVICE
    record(tracker, EventKind.INTENT, intent=intent, service=code)
    if kind is not None:
        record(tracker, kind, intent=intent, service=code)
    # After a consent answer, the help in the same turn may have given this advice already.
    said = enforcement_said(said_this_turn(tracker, dispatcher))
    answer = [] if said else enforcement_answer(catalogue(), service)
    return finish_task(dispatcher, tracker, answer) + forget_task_slots()


class ActionPaymentInfo(Action):
    """How to pay: secure link, automated line, in person. Never asks for card details.

    When the resident's words show enforcement (a bailiff letter, a liability order, a summons),
    paying online is not the answer: call the team now, free debt advice, Council Tax Support.
    """

    def name(self) -> str:
        return PAYMENT_INFO

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        signposted = EventKind.PAYMENT_SIGNPOSTED
        enforcement = _answer_enforcement(dispatcher, tracker, PAYMENT_INFO, "make_payment", signposted)
        if enforcement is not None:
            return enforcement
        offline = "digital_exclusion" in {need.get("category") for need in this_session(tracker).needs_seen()}
        return _signpost(
            dispatcher, tracker, "make_payment", EventKind.PAYMENT_SIGNPOSTED, "pay",
            lambda service: payment_answer(service, catalogue(), offline),
        )  # fmt: skip


class ActionApplyInfo(Action):
    """Who can apply, what is needed, the form, and how to apply with help."""

    def name(self) -> str:
        return "action_apply_info"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        return _signpost(
            dispatcher, tracker, "apply_for_service", EventKind.APPLICATION_SIGNPOSTED, "apply", apply_answer
        )


def _asks_for_bin_day(tracker: Tracker) -> bool:
    return tracker.get_slot("service") == "bin_collection"


class ValidateInformationForm(FormValidationAction):
    """Asks for a postcode only when the question is about bin days and none was given."""

    def name(self) -> str:
        return "validate_information_form"

    async def required_slots(
        self,
        domain_slots: List[str],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> List[str]:
        return ["postcode"] if _asks_for_bin_day(tracker) else []

    async def extract_postcode(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        """A postcode in any message (the first one may give it with the question), or the
        resident's words in answer to the question, unless they were about something else."""
        text = latest_text(tracker)
        if format_postcode(text) and not shows_risk(tracker.latest_message):
            return {"postcode": text}
        answer = form_answer(tracker, "postcode")
        return {} if answer is None else {"postcode": answer}

    def validate_postcode(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        """Accept a UK postcode; otherwise show what one looks like."""
        postcode = format_postcode(str(value or ""))
        if postcode is None:
            say(dispatcher, tracker, [NOT_A_POSTCODE])
        return {"postcode": postcode}


class ActionInformation(Action):
    """Answers an information question from the catalogue (bin days from the postcode)."""

    def name(self) -> str:
        return INFORMATION

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        enforcement = _answer_enforcement(dispatcher, tracker, INFORMATION, "get_information")
        if enforcement is not None:
            return enforcement
        reset = forget_task_slots()
        if _asks_for_bin_day(tracker):
            postcode = tracker.get_slot("postcode") or format_postcode(latest_text(tracker))
            if postcode:
                bin_day = find_bin_day(postcode, catalogue().bin_days)
                phone = catalogue().get("bin_collection")
                record(tracker, EventKind.INTENT, intent="get_information", service="bin_collection")
                # Which week it is comes from the council's local date, on the one clock.
                today = channel_schedule().local(clock.now()).date()
                number = phone.phone.value if phone else ""
                answer = bin_day_answer(bin_day, postcode, number, today, catalogue().bin_week_a_starts)
                return finish_task(dispatcher, tracker, answer) + reset
        service = requested_service(tracker, "information") or catalogue().get(tracker.get_slot("service"))
        if service is not None and service.information is not None:
            record(tracker, EventKind.INTENT, intent="get_information", service=service.code)
            return finish_task(dispatcher, tracker, information_answer(service)) + reset
        if service is not None or (service := _any_service(tracker)) is not None:
            say(dispatcher, tracker, best_answer(service, catalogue()))
        else:
            say(dispatcher, tracker, [topic_menu(catalogue(), "get_information", TOPIC_QUESTIONS["get_information"])])
        return reset


class ValidateStatusForm(FormValidationAction):
    """The reference: one given now, or earlier in this conversation; "I don't have one" (or a third
    try) moves on to where the problem was, so a resident without a reference still gets an answer."""

    def name(self) -> str:
        return "validate_status_form"

    async def required_slots(
        self, domain_slots: List[str], dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[str]:
        return ["reference", "status_place"] if tracker.get_slot("reference") == NO_REFERENCE else ["reference"]

    async def extract_reference(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        """The resident's words as the reference, unless they were about something else; "I don't
        have one" or "that report" (one the assistant gave in this conversation)."""
        if tracker.get_slot("reference"):
            return {}
        text = latest_text(tracker)
        intent = str((tracker.latest_message.get("intent") or {}).get("name"))
        earlier = reference_given_earlier(said.text for said in this_session(tracker).said)
        if intent == "no_reference" or says_no_reference(text):
            return {"reference": earlier or NO_REFERENCE}
        answer = form_answer(tracker, "reference")
        if answer is None and tracker.get_slot("requested_slot") is None and earlier:
            return {"reference": earlier}  # "what's happening with that report"
        return {} if answer is None else {"reference": answer}

    def validate_reference(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        """Accept ``SCC-`` and six letters and numbers, in any case; after two tries, go on without."""
        if value == NO_REFERENCE:
            return {"reference": NO_REFERENCE}
        lookup = find_reference(str(value or ""))
        if lookup.reference:
            return {"reference": lookup.reference}
        if times_asked(tracker, prompts.ASK_REFERENCE) >= 2:
            return {"reference": NO_REFERENCE}  # not a third time: where the problem was instead
        say(dispatcher, tracker, [not_a_reference(lookup.malformed) if lookup.malformed else NO_REFERENCE_FOUND])
        return {"reference": None}

    async def extract_status_place(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        """The resident's words as the place, unless they were about something else."""
        answer = form_answer(tracker, "status_place")
        return {} if answer is None else {"status_place": answer}


class ActionAskStatusPlace(Action):
    """Asks where the problem was, for a resident without a reference."""

    def name(self) -> str:
        return "action_ask_status_place"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        say(dispatcher, tracker, [ASK_PLACE])
        return []


def _report_statuses(reports: List[ServiceRequest]) -> List[Reply]:
    replies: List[Reply] = []
    for report in reports:
        service = catalogue().get(report.service_code)
        what = service.name.lower() if service else "a problem"
        response_time = (service.report or {}).get("response_time") if service else None
        replies += report_status(report, what, response_time)
    return replies


def _record_report_change(before: ServiceRequest, after: ServiceRequest) -> None:
    """The outcome event for a report the back office closed or opened again, as for staff's changes
    (``monitoring.events.report_change``)."""
    change = report_change(before, after)
    if change is not None:
        kind, fields = change
        record_event(after.service_request_id, kind, session=None, case=after.service_request_id, **fields)


class ActionCheckStatus(Action):
    """Says the status of a report, a handoff or a complaint by its reference, or of the reports at a
    place (for a resident without a reference)."""

    def name(self) -> str:
        return "action_check_status"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        reference = tracker.get_slot("reference")
        if reference == NO_REFERENCE:
            place = str(tracker.get_slot("status_place") or "")
            found = report_store().find_near(place_words(place), tracker.get_slot("service"))
            near: List[Reply]
            if found:
                near = [found_near([report.service_request_id for report in found]), *_report_statuses(found[:1])]
            else:
                named = " ".join(place_words(place)).title() or "that place"
                near = nothing_found_near(named, catalogue().council["contact_centre"]["phone"]["number"])
            return finish_task(dispatcher, tracker, near) + forget_task_slots()
        changed = await back_office().refresh(reference) if reference else None  # the back office's latest
        if changed is not None:
            _record_report_change(*changed)
        report = report_store().get(reference) if reference else None
        case = handoff_store().find(reference) if reference and report is None else None
        if reference and (report is not None or case is not None):
            record_status_asked(tracker, str(reference))  # "any update?", with or without updates chosen
        replies: List[Reply] = []
        if case is not None and case.mode == COMPLAINT:
            owner = case.conversation_id == tracker.sender_id
            council = catalogue().council
            replies += complaint_status(case, default_procedure(), channel_schedule(), clock.now(), council, owner)
        elif case is not None:
            owner = case.conversation_id == tracker.sender_id
            replies.append(case_status(case, channel_schedule(), clock.now(), owner=owner))
        elif reference and report is None:
            replies.append(reference_not_found(reference, contact_phone()))
        elif report is not None:
            replies += _report_statuses([report])
        return finish_task(dispatcher, tracker, replies) + forget_task_slots()


class ActionAskPostcode(Action):
    """Asks for a postcode to look up bin days."""

    def name(self) -> str:
        return "action_ask_postcode"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        say(dispatcher, tracker, [prompts.ASK_POSTCODE])
        return []


class ActionAskReference(Action):
    """Asks for the reference of a report."""

    def name(self) -> str:
        return "action_ask_reference"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        say(dispatcher, tracker, [prompts.ASK_REFERENCE])
        return []
