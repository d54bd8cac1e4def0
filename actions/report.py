"""The report form: what the problem is, where it is, a short description, then a confirmation.

The form's questions and checks live here; whether a location is usable is decided by
``routing.locations`` and the report is stored by ``routing.reports``.
"""

from __future__ import annotations

import logging
from typing import Any, Dict, List

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.context import (
    catalogue,
    forget_task_slots,
    form_answer,
    latest_text,
    record,
    report_store,
    say,
    shows_risk,
    this_session,
    times_asked,
)
from actions.support import finish_task
from actions.updates import asking, offer_updates
from monitoring.events import EventKind
from routing import prompts
from routing.answers import Reply, human_contact_answer
from routing.catalogue import Service
from routing.locations import check_location
from routing.repairs import is_urgent_repair, urgent_repair_note
from routing.report_replies import NOT_SENT, SEND_FAILED, check_report, report_sent
from routing.tasks import INTERRUPTED_TASK

logger = logging.getLogger(__name__)

MAX_DESCRIPTION = 1000
MORE_DETAILS_WORDS = 3  # at the check step, a sentence this long adds details rather than answering
DETAILS_WORDS = 10  # a message this long says more than what and where: it is taken as the details too


def _report_service(code: str | None) -> Service | None:
    service = catalogue().get(code)
    return service if service is not None and service.offers("report") else None


class ValidateReportForm(FormValidationAction):
    """Checks each answer in the report form and explains what is needed when one will not do."""

    def name(self) -> str:
        return "validate_report_form"

    async def extract_service(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        """Take the resident's words as the problem when no service entity was found."""
        if tracker.get_slot("service"):
            return {}
        if tracker.get_slot("requested_slot") is None:  # the message that started the report
            for code, _cue in catalogue().find_in_text(latest_text(tracker)):
                if _report_service(code) is not None:
                    return {"service": code}
        answer = form_answer(tracker, "service")
        return {} if answer is None else {"service": answer}

    async def extract_location(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        """Take the resident's words as the place, unless they asked for something else."""
        answer = form_answer(tracker, "location")
        if answer is None:
            return {}
        if not tracker.get_slot("description") and len(answer.split()) >= DETAILS_WORDS:
            # "on burgess road by the shops, about a metre wide and really deep": the details too
            return {"location": answer, "description": answer}
        return {"location": answer}

    async def extract_description(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        """Take the resident's words as the description, unless they asked for something else."""
        answer = form_answer(tracker, "description")
        if answer is None and tracker.get_slot("requested_slot") is None and not tracker.get_slot("description"):
            # The message that started the report already describes it: not asked again.
            text = latest_text(tracker)
            if len(text.split()) >= DETAILS_WORDS and not shows_risk(tracker.latest_message):
                return {"description": text}
        return {} if answer is None else {"description": answer}

    def validate_service(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        """Accept a report service code, or find one in the resident's words."""
        if _report_service(value) is not None:
            return {"service": value}
        for code in tracker.get_latest_entity_values("service"):
            if _report_service(code) is not None:
                return {"service": code}
        for code, _cue in catalogue().find_in_text(str(value or "")):
            if _report_service(code) is not None:
                return {"service": code}
        if tracker.get_slot("requested_slot") == "service":
            say(dispatcher, tracker, [prompts.UNKNOWN_PROBLEM])
        return {"service": None}

    def validate_location(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        """Accept a postcode, street or landmark; otherwise say what is needed."""
        check = check_location(str(value or ""))
        if check.ok:
            return {"location": check.value}
        if tracker.get_slot("requested_slot") is None:
            return {"location": None}  # a place guessed from the first message: just ask for it
        if times_asked(tracker, prompts.ASK_LOCATION) >= 2 and str(value or "").strip():
            # Not a third time: the place goes as the resident wrote it, and the team checks it.
            say(dispatcher, tracker, [prompts.PLACE_AS_WRITTEN])
            return {"location": " ".join(str(value).split())[:200]}
        say(dispatcher, tracker, [prompts.location_problem(str(check.problem))])
        return {"location": None}

    def validate_description(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        """Accept any short description; cut very long ones."""
        text = " ".join(str(value or "").split())
        if not text:
            say(dispatcher, tracker, [prompts.NO_DESCRIPTION])
            return {"description": None}
        return {"description": text[:MAX_DESCRIPTION]}

    async def extract_report_confirmed(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        """More details instead of yes or no ("it just clicks and won't light") join the description,
        and the report is read back again with them."""
        answer = form_answer(tracker, "report_confirmed")
        intent = str((tracker.latest_message.get("intent") or {}).get("name"))
        if answer is None or intent in ("affirm", "deny") or len(answer.split()) < MORE_DETAILS_WORDS:
            return {}
        description = " ".join(part for part in (tracker.get_slot("description"), answer) if part)
        return {"description": description}

    def validate_report_confirmed(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        """A "no" at the check step asks for the place and the details again."""
        if value is True:
            return {"report_confirmed": True}
        say(dispatcher, tracker, [prompts.ASK_AGAIN])
        return {"report_confirmed": None, "location": None, "description": None}


def _carrying_on(tracker: Tracker) -> tuple[List[Reply], List[EventType]]:
    """After a safety reply interrupted the report: say it carries on, once, and forget the interruption."""
    if not tracker.get_slot(INTERRUPTED_TASK):
        return [], []
    return [prompts.CARRYING_ON], [SlotSet(INTERRUPTED_TASK, None)]


def _urgent_repair(tracker: Tracker) -> List[Reply]:
    """The note on an urgent repair in a council home, once, before the report's first question."""
    if tracker.get_slot("service") != "housing_repair":
        return []
    words = " ".join(str(part) for part in (latest_text(tracker), tracker.get_slot("description")) if part)
    note = urgent_repair_note(catalogue())
    if not is_urgent_repair(words) or any(note.text in said.text for said in this_session(tracker).said):
        return []
    return [note]


class ActionAskDescription(Action):
    """Asks for the description in the words that fit the service."""

    def name(self) -> str:
        return "action_ask_description"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        service = _report_service(tracker.get_slot("service"))
        prompt = (service.report or {}).get("description_prompt") if service else None
        lead, events = _carrying_on(tracker)
        question = Reply(prompt) if prompt else prompts.ASK_DESCRIPTION
        say(dispatcher, tracker, [*lead, *_urgent_repair(tracker), question])
        return events


class ActionAskReportConfirmed(Action):
    """Reads the report back and asks the resident to confirm it."""

    def name(self) -> str:
        return "action_ask_report_confirmed"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        service = _report_service(tracker.get_slot("service"))
        name = service.name if service else "A problem"
        lead, events = _carrying_on(tracker)
        check = check_report(name, tracker.get_slot("location"), tracker.get_slot("description"))
        say(dispatcher, tracker, [*lead, check])
        return events


class ActionSubmitReport(Action):
    """Stores the confirmed report and gives the resident its reference."""

    def name(self) -> str:
        return "action_submit_report"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        service = _report_service(tracker.get_slot("service"))
        location = tracker.get_slot("location")
        description = tracker.get_slot("description")
        if service is None or not location or not description or tracker.get_slot("report_confirmed") is not True:
            say(dispatcher, tracker, [NOT_SENT])
            return forget_task_slots()
        check = check_location(location)
        try:
            stored = report_store().create(
                service_code=service.code,
                open311_code=str((service.report or {}).get("open311_code", service.code)),
                address_string=check.value or location,
                postcode=check.postcode,
                description=description,
            )
        except Exception:
            logger.exception("Could not store a report")
            say(dispatcher, tracker, [SEND_FAILED])
            say(dispatcher, tracker, human_contact_answer(catalogue())[:1])
            return []  # keep the answers so the resident can try again without retyping
        record(tracker, EventKind.INTENT, intent="report_issue", service=service.code)
        # The report's keyed reference ties its closing by staff, later, to this conversation.
        record(
            tracker, EventKind.REPORT_CREATED, case=stored.service_request_id, intent="report_issue",
            service=service.code,
        )  # fmt: skip
        replies = report_sent(stored.service_request_id, service.report or {})
        updates = offer_updates(tracker, stored.service_request_id)  # the turn's question, if asked
        offer_due = False if asking(updates) else None
        return finish_task(dispatcher, tracker, replies, offer_due) + forget_task_slots() + updates


class ActionAskService(Action):
    """Asks what the problem is, with quick replies for the commonest reports."""

    def name(self) -> str:
        return "action_ask_service"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        say(dispatcher, tracker, [prompts.ASK_SERVICE])
        return []


class ActionAskLocation(Action):
    """Asks where the problem is."""

    def name(self) -> str:
        return "action_ask_location"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        lead, events = _carrying_on(tracker)
        say(dispatcher, tracker, [*lead, *_urgent_repair(tracker), prompts.ASK_LOCATION])
        return events
