"""The complaint form: what the complaint is about, then what happened and what would put it right,
both in the resident's own words; then the complaint is logged as a case for the complaints team.

The procedure and the rules that place a complaint in it are ``routing.complaints``; the wording is
``routing.complaint_replies``; the case is stored by the handoff store, so staff see it in the
inbox's "Complaints" queue.
"""

from __future__ import annotations

import logging
from typing import Any, Dict, List

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.context import (
    answer_held_for_a_check,
    catalogue,
    forget_task_slots,
    form_answer,
    handoff_store,
    record,
    request_starting_form,
    say,
    shows_risk,
    this_session,
    view,
)
from actions.support import finish_task
from actions.updates import asking, offer_updates
from monitoring.events import EventKind
from routing import clock
from routing.complaint_replies import ask_about, ask_details, complaint_logged, in_your_own_words, not_logged, opening
from routing.complaints import (
    CHANNEL,
    INTENT,
    MODE,
    TRIGGER,
    answer_text,
    case_needs,
    case_summary,
    complaint_from,
    default_procedure,
    due_at,
    just_yes_or_no,
    reply_by,
    says_what_about,
)
from routing.conversation_events import Message
from routing.handoffs import HandoffCase, NewHandoff
from wiring.settings import channel_schedule

logger = logging.getLogger(__name__)

FORM = "complaint_form"
ABOUT, DETAILS = "complaint_about", "complaint_details"
QUESTIONS = (ABOUT, DETAILS)
# The steps that end a task: the resident's words before them belong to an earlier one.
TASK_ENDS = {
    "action_submit_complaint", "action_submit_report", "action_submit_handoff", "action_cancel_task",
    "action_payment_info", "action_apply_info", "action_information", "action_check_status",
}  # fmt: skip


def _request_starting_the_form(tracker: Tracker) -> Message | None:
    """The message that asked to complain, while the form is starting for it."""
    return request_starting_form(tracker, INTENT, FORM)


def _about_in_request(tracker: Tracker) -> str | None:
    """The request that starts the form, when it already says what the complaint is about ("... about
    the man at the Gateway who was rude to me"), so the first question need not be asked."""
    request = _request_starting_the_form(tracker)
    if request is None or tracker.get_slot(ABOUT) or shows_risk(dict(request.parse)):
        return None
    names_a_service = bool(tracker.get_slot("service")) or bool(catalogue().find_in_text(request.text))
    return request.text if says_what_about(request.text, names_a_service) else None


def _starting(tracker: Tracker) -> bool:
    """True when the form is asking its first question: the latest message answered none of its."""
    latest = view(tracker).latest_message
    return latest is None or latest.asked_for not in QUESTIONS


def _this_complaints_words(tracker: Tracker) -> List[str]:
    """What the resident said since their last task ended (the complaint and what led to it)."""
    conversation = this_session(tracker)
    ended = [step.after for step in conversation.steps if step.name in TASK_ENDS]
    since = ended[-1] if ended else 0
    return [message.text for message in conversation.messages[since:] if not message.text.startswith("/")]


def _answer(tracker: Tracker, slot: str) -> str | None:
    """The resident's words for ``slot``: this message, or the one a safety check held back."""
    if tracker.get_slot("requested_slot") != slot:
        return None
    return answer_held_for_a_check(view(tracker), slot) or form_answer(tracker, slot, tasks_interrupt=False)


def _checked(slot: str, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker) -> Dict[str, Any]:
    text = answer_text(value)
    if not text or just_yes_or_no(text):
        say(dispatcher, tracker, [in_your_own_words(default_procedure())])
        return {slot: None}
    return {slot: text}


class ValidateComplaintForm(FormValidationAction):
    """Takes the resident's own words as the answers, refusing a message that shows a risk sign or
    clearly asks for something else; skips the first question when the request already says enough."""

    def name(self) -> str:
        return "validate_complaint_form"

    async def extract_complaint_about(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        """The answer to "what is it about?", or, as the form starts, the request itself when it
        already says what about ("... about the man at the Gateway who was rude to me")."""
        if tracker.get_slot("requested_slot") is None:
            about = _about_in_request(tracker)
            return {ABOUT: about} if about else {}
        answer = _answer(tracker, ABOUT)
        return {} if answer is None else {ABOUT: answer}

    async def extract_complaint_details(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        """The answer to "what happened, and what would put it right?"."""
        answer = _answer(tracker, DETAILS)
        return {} if answer is None else {DETAILS: answer}

    def validate_complaint_about(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        """Any words will do; a bare yes or no is asked for again in their own words."""
        return _checked(ABOUT, value, dispatcher, tracker)

    def validate_complaint_details(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        """Any words will do; a bare yes or no is asked for again in their own words."""
        return _checked(DETAILS, value, dispatcher, tracker)


def _opening_if_starting(tracker: Tracker) -> List[Any]:
    return [opening(default_procedure(), catalogue().council)] if _starting(tracker) else []


class ActionAskComplaintAbout(Action):
    """Asks what the complaint is about (after the opening, when it is the first question)."""

    def name(self) -> str:
        return "action_ask_complaint_about"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        # Rasa asks the first question without validating anything first, so the request's own
        # words are taken here: the form then waits for the second answer instead.
        about = _about_in_request(tracker) if _starting(tracker) else None
        if about:
            say(dispatcher, tracker, [*_opening_if_starting(tracker), ask_details(default_procedure())])
            return [SlotSet(ABOUT, about), SlotSet("requested_slot", DETAILS)]
        say(dispatcher, tracker, [*_opening_if_starting(tracker), ask_about(default_procedure())])
        return []


class ActionAskComplaintDetails(Action):
    """Asks what happened and what would put it right (after the opening, when it is the first question)."""

    def name(self) -> str:
        return "action_ask_complaint_details"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        say(dispatcher, tracker, [*_opening_if_starting(tracker), ask_details(default_procedure())])
        return []


def log_complaint(tracker: Tracker, about: str, details: str) -> tuple[HandoffCase, List[Any]]:
    """Store the complaint as a case for the complaints team; the case and the replies to give."""
    procedure, schedule, now = default_procedure(), channel_schedule(), clock.now()
    service = catalogue().get(tracker.get_slot("service"))
    service_code = service.code if service else None
    complaint = complaint_from(about, details, _this_complaints_words(tracker), service_code, procedure)
    reply_date = reply_by(now, procedure.reply_days[complaint.stage], schedule)
    conversation = view(tracker)
    needs = case_needs(conversation.needs_seen(), this_session(tracker).messages)
    ombudsman = procedure.ombudsman_for(complaint.council_home)
    new = NewHandoff(
        channel=CHANNEL,
        mode=MODE,
        trigger=TRIGGER,
        conversation_id=tracker.sender_id,
        service_code=service_code,
        intent=INTENT,
        summary=case_summary(complaint, reply_date, ombudsman, needs),
        needs=needs,
        adjustments=list(tracker.get_slot("adjustments") or []),
        transcript=conversation.transcript(),  # the store removes card numbers again on the way in
        due_at=due_at(reply_date, schedule),
    )
    case = handoff_store().create(new, now=now)
    return case, complaint_logged(procedure, case.reference, complaint, reply_date, schedule.local(now).date())


def _record_complaint(tracker: Tracker, case: HandoffCase) -> None:
    """The outcome events: the task, and the case passed to the complaints team. It is recorded as
    a handoff by phone, offered and accepted, so the case's later events (claimed, contact made,
    resolved) join this conversation and every funnel stays nested."""
    schedule, now = channel_schedule(), clock.now()
    in_hours = any(schedule.is_open(channel, now) for channel in ("phone", "gateway"))
    record(tracker, EventKind.INTENT, intent=INTENT, service=case.service_code)
    record(tracker, EventKind.HANDOFF_OFFERED, handoff_channel=CHANNEL, in_hours=in_hours)
    record(tracker, EventKind.HANDOFF_ACCEPTED, case=case.reference, handoff_channel=CHANNEL, service=case.service_code)


class ActionSubmitComplaint(Action):
    """Logs the complaint and gives the reference, the reply date and the procedure (three messages)."""

    def name(self) -> str:
        return "action_submit_complaint"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        about, details = tracker.get_slot(ABOUT), tracker.get_slot(DETAILS)
        if not about or not details:
            return forget_task_slots()
        try:
            case, replies = log_complaint(tracker, str(about), str(details))
        except Exception:
            logger.exception("Could not log a complaint")
            say(dispatcher, tracker, [not_logged(default_procedure(), catalogue().council)])
            return []  # keep the answers: asking again logs it without retyping
        _record_complaint(tracker, case)
        updates = offer_updates(tracker, case.reference)  # the reply by phone or letter, then updates
        offer_due = False if asking(updates) else None
        return finish_task(dispatcher, tracker, replies, offer_due) + forget_task_slots() + updates
