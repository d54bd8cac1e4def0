"""What every action shares: the catalogue and the stores, opened once per action-server process."""

from __future__ import annotations

import operator
import time
from collections import OrderedDict
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Dict, Iterable, List

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.engine import Engine

from integrations.open311_status import BackOfficeStatus
from monitoring.events import EventKind, session_name
from monitoring.recorder import BackgroundOutcomes, monitoring_engine, open_outcomes
from routing.answers import Reply
from routing.catalogue import Catalogue, Service, default_catalogue
from routing.conversation_events import SESSION_STARTED, ConversationView, Message
from routing.safety import Tier, safeguarding_tier
from routing.turns import MAX_MESSAGES, compose, sentences
from storage.handoffs import HandoffStore
from storage.reports import ReportStore
from storage.schema import ASSISTANT, open_database
from storage.staff import StaffAccounts
from wiring.open311 import Open311Settings, open311_settings
from wiring.settings import channel_schedule, load_settings


def catalogue() -> Catalogue:
    """The service catalogue (loaded once)."""
    return default_catalogue()


@lru_cache(maxsize=1)
def database_engine() -> Engine:
    """The assistant's database, opened once per action-server process."""
    return open_database(load_settings().database_url, ASSISTANT)


@lru_cache(maxsize=1)
def outcomes() -> BackgroundOutcomes:
    """The outcome recorder for this process (an outbox of its own, in var/), written in the
    background so a conversation never waits for the database.

    The monitoring database may be another server (``COUNCIL_MONITORING_DATABASE_URL``); its tables
    are migrated before the first write, so it can be away when the action server starts.
    """
    settings = load_settings()
    engine = monitoring_engine(settings, database_engine())
    outbox = f"outbox-{settings.process_name or 'actions'}.jsonl"  # one per process in the scale-out
    return BackgroundOutcomes(open_outcomes(settings, engine, outbox))


def session_of(tracker: Tracker) -> str:
    """Which of the resident's Rasa sessions this is (a conversation, to the monitoring: a resident
    who comes back after the session expired starts a new one).

    Named by the timestamp of the session's ``session_started`` event, which the event broker
    (``bot.outcome_broker``) reads from the same event, so both file the conversation alike.
    """
    return session_name(view(tracker).session_started_at())


def record_event(sender_id: str, kind: EventKind, session: str | None, case: str | None = None, **fields: Any) -> None:
    """Hand an outcome event to the writer (monitoring/; never slows or breaks the conversation)."""
    outcomes().record(sender_id, kind, session=session, case=case, **fields)


def record(tracker: Tracker, kind: EventKind, case: str | None = None, **fields: Any) -> None:
    """Record an outcome event for this conversation."""
    record_event(tracker.sender_id, kind, session_of(tracker), case=case, **fields)


def written() -> None:
    """Wait until every event recorded so far has been written (or kept in the outbox)."""
    outcomes().written()


def report_store() -> ReportStore:
    """The report store over the assistant's database (opened once)."""
    return ReportStore(database_engine())


def back_office() -> BackOfficeStatus:
    """The council's back office, which refreshes a report's status before the assistant says it
    (it does nothing while the Open311 connector is off)."""
    return _back_office(database_engine(), open311_settings())


@lru_cache(maxsize=1)
def _back_office(engine: Engine, settings: Open311Settings) -> BackOfficeStatus:
    return BackOfficeStatus(engine, settings)  # one per process: it keeps the minute-long cache


def handoff_store() -> HandoffStore:
    """Handoff cases and bookings over the assistant's database."""
    return HandoffStore(database_engine(), channel_schedule())


def staff_accounts() -> StaffAccounts:
    """Staff accounts (for who is taking live webchats)."""
    return StaffAccounts(database_engine())


def said_this_turn(tracker: Tracker, dispatcher: CollectingDispatcher) -> List[str]:
    """What the assistant has said since the resident's latest message, this action's messages included."""
    sending = [str(message.get("text") or "") for message in dispatcher.messages if message.get("text")]
    return view(tracker).said_since_message() + sending


def say(
    dispatcher: CollectingDispatcher, tracker: Tracker, replies: Iterable[Reply], budget: int = MAX_MESSAGES
) -> None:
    """Send replies as part of this turn: no fact said twice, no more messages than the turn's budget
    (``routing.turns``), each with its quick-reply buttons and what the chat page should show."""
    for reply in compose(said_this_turn(tracker, dispatcher), list(replies), budget):
        buttons: List[Dict[str, Any]] = [{"title": button.title, "payload": button.payload} for button in reply.buttons]
        page = {signal: True for signal in sorted(reply.page)} or None
        dispatcher.utter_message(text=reply.text, buttons=buttons or None, json_message=page)


# Conversations whose views are kept between calls: the most recently called, for as long as the
# action server holds their events (``bot/conversation_deltas.py``); they hold residents' words.
HELD_VIEWS = 200
HELD_SECONDS = 15 * 60


@dataclass(frozen=True)
class _Read:
    """The events of one conversation read so far (the very objects), their views, and when."""

    events: List[Dict[str, Any]]
    whole: ConversationView
    session: ConversationView
    at: float


_read: OrderedDict[str, _Read] = OrderedDict()  # by sender id


def view(tracker: Tracker) -> ConversationView:
    """The conversation's events as a typed view (``routing.conversation_events``)."""
    return _views(tracker).whole


def request_starting_form(tracker: Tracker, intent: str, form: str) -> Message | None:
    """The resident's latest message of ``intent``, while ``form`` is starting for it: not one the
    form already ran for and the resident answered since (that request was made, or stopped)."""
    conversation = view(tracker)
    request = next((message for message in reversed(conversation.messages) if message.intent_name == intent), None)
    if request is None:
        return None
    # The form's own step comes before its first question (Rasa adds it as the form starts), so
    # only a step the resident has spoken after means it ran for this request already.
    spoken_since = len(conversation.messages)
    ran = any(request.number < step.after < spoken_since for step in conversation.steps if step.name == form)
    return None if ran else request


def this_session(tracker: Tracker) -> ConversationView:
    """This session's events as a typed view (the tracker may still hold the end of the last one)."""
    return _views(tracker).session


def _views(tracker: Tracker) -> _Read:
    """The views of the whole conversation and of this session, read once: one action asks many
    questions of the same events, and each call of a conversation repeats the events of the one
    before (the action server puts back the same objects, ``bot/conversation_deltas.py``), so only
    events not read before are read (rasa-sdk's ``add_slots`` adds some during a call)."""
    events = tracker.events
    now = time.monotonic()
    while _read and next(iter(_read.values())).at < now - HELD_SECONDS:
        _read.popitem(last=False)
    read = _read.pop(tracker.sender_id, None)
    if read is None or not _begins_with(events, read.events):
        whole = ConversationView(events)
        read = _Read(list(events), whole, whole.current_session(), now)
    else:
        new = events[len(read.events) :]
        read = _Read(list(events), read.whole.extended(new), _session_extended(read.session, new), now)
    _read[tracker.sender_id] = read
    while len(_read) > HELD_VIEWS:
        _read.popitem(last=False)
    return read


def _begins_with(events: List[Dict[str, Any]], prefix: List[Dict[str, Any]]) -> bool:
    """True when ``events`` starts with the very objects of ``prefix``, in order."""
    return len(prefix) <= len(events) and all(map(operator.is_, prefix, events))


def _session_extended(session: ConversationView, new: List[Dict[str, Any]]) -> ConversationView:
    """This session's view after ``new`` events: a new one if they start a session."""
    starts = [position for position, event in enumerate(new) if event.get("event") == SESSION_STARTED]
    return ConversationView(new[starts[-1] + 1 :]) if starts else session.extended(new)


def latest_text(tracker: Tracker) -> str:
    """The resident's latest message (already redacted by the input channel)."""
    return tracker.latest_message.get("text") or ""


def requested_service(tracker: Tracker, block: str) -> Service | None:
    """The service the latest message asks about that offers ``block`` (pay, apply, ...).

    The latest message counts first; task actions clear the slot, so a service mentioned for an
    earlier task never leaks into this one.
    """
    codes = list(tracker.get_latest_entity_values("service"))
    # After an interruption (a consent question, say) the service comes from the slot the
    # resident's task message filled.
    codes.append(tracker.get_slot("service"))
    for code in codes:
        service = catalogue().get(code)
        if service is not None and service.offers(block):
            return service
    return None


def named_service(tracker: Tracker) -> Service | None:
    """The catalogue service the latest message names: an entity, or one of its keywords."""
    for code in tracker.get_latest_entity_values("service"):
        if (service := catalogue().get(code)) is not None:
            return service
    for code, _cue in catalogue().find_in_text(latest_text(tracker)):
        if (service := catalogue().get(code)) is not None:
            return service
    return None


TASK_SLOTS = (
    "service", "location", "description", "report_confirmed", "postcode", "reference", "status_place",
    "handoff_channel", "handoff_mode", "callback_number", "handoff_slot", "rebooking", "rebook_slot",
    "interrupted_task",
    "complaint_about", "complaint_details",
    "updates_reference", "update_channel", "update_contact",
    "change_kind", "change_date", "change_new_address", "change_forwarding_address", "change_liable",
    "change_who", "change_what", "change_estate", "change_reference", "change_wrong", "change_right",
)  # fmt: skip
# Asking for a person, stopping, or asking if it is a bot always interrupts a question.
INTERRUPTING_INTENTS = {"stop": 0.6, "request_human": 0.6, "bot_challenge": 0.6}
# Another task interrupts only when the model is sure and the resident wrote a sentence:
# a short answer such as "a sofa" (which looks like bulky waste) is an answer, not a new task.
SWITCHING_INTENTS = {"make_payment": 0.85, "apply_for_service": 0.85, "check_status": 0.85, "make_complaint": 0.85}
MIN_SWITCH_WORDS = 4


def forget_task_slots() -> List[EventType]:
    """Events that clear every slot a task uses, so nothing leaks into the next task."""
    return [SlotSet(slot, None) for slot in TASK_SLOTS]


# Questions the support policy asks while a form waits: the answer to them is not a form answer.
NOT_FORM_QUESTIONS = {"action_risk_check_in", "action_risk_safe", "action_safeguarding"}


def shows_risk(parse_data: Dict[str, Any]) -> bool:
    """Whether a message's parse shows any risk sign (either tier)."""
    return safeguarding_tier(parse_data.get("support_needs") or []) is not Tier.NONE


def previous_bot_action(tracker: Tracker) -> str | None:
    """The bot's last action before the resident's latest message."""
    return view(tracker).previous_bot_action()


def answer_held_for_a_check(conversation: ConversationView, slot: str) -> str | None:
    """The answer to ``slot`` that a check on the resident's safety held back, once they have said
    they are safe: their words were an answer all along, and asking again would make them type it
    twice. Only a possible sign holds an answer back like this; a clear one ends the form. For
    questions any words answer (a complaint's): "what's the point of any of it" is not a place."""
    messages = conversation.messages
    checked = conversation.last_step("action_risk_check_in")
    if len(messages) < 2 or checked is None or "action_risk_safe" not in conversation.steps_since_message():
        return None
    held = messages[-2]
    if held.asked_for != slot or checked.after != held.number + 1:
        return None
    if safeguarding_tier(held.needs) is not Tier.POSSIBLE:
        return None
    return held.text.strip() or None


def form_answer(tracker: Tracker, slot: str, tasks_interrupt: bool = True) -> str | None:
    """The latest message as the answer to the form's question about ``slot``.

    None when the form did not ask for ``slot``, when the message is a quick-reply payload (its
    entities fill the slot instead), when it answered another question (a check that the resident
    is safe), when it shows a risk sign (never a slot value), or when the resident clearly asked for
    something else. With ``tasks_interrupt`` False only stopping, asking for a person or asking if
    it is a bot count as something else: a complaint's answers are about other tasks by nature
    ("I was charged twice for my council tax" reads like a payment).
    """
    if tracker.get_slot("requested_slot") != slot:
        return None
    if previous_bot_action(tracker) in NOT_FORM_QUESTIONS or shows_risk(tracker.latest_message):
        return None
    text = latest_text(tracker).strip()
    if not text or text.startswith("/"):
        return None
    intent = tracker.latest_message.get("intent") or {}
    name = str(intent.get("name"))
    confidence = float(intent.get("confidence") or 0.0)
    if confidence >= INTERRUPTING_INTENTS.get(name, 2.0):
        return None
    switches = tasks_interrupt and confidence >= SWITCHING_INTENTS.get(name, 2.0)
    if switches and len(text.split()) >= MIN_SWITCH_WORDS:
        return None
    return text


def left_a_form(tracker: Tracker) -> bool:
    """True when this turn closed a form part-way: the resident stopped it or switched task.

    The rules that do this run ``action_deactivate_loop`` after the resident's message; a form that
    finished, or one closed by a safeguarding interruption, does not.
    """
    return "action_deactivate_loop" in view(tracker).steps_since_message()


def record_left_form(tracker: Tracker) -> None:
    """Record that the resident gave up a form part-way, if this turn is where they did."""
    if left_a_form(tracker):
        record(tracker, EventKind.ABANDONED, value="form")


def times_asked(tracker: Tracker, question: Reply) -> int:
    """How many times ``question`` has been asked since the form in progress began (a question is
    asked at most twice; the third time the resident is offered another way)."""
    events = list(tracker.events)
    loop = tracker.active_loop_name
    start = 0
    for position in range(len(events) - 1, -1, -1):
        if events[position].get("event") == "active_loop" and events[position].get("name") == loop:
            start = position
            break
    # The question itself, not the help after it: a turn leaves out a sentence it has said already
    # (routing.turns), so a re-asked "Where is it? Please give a street name..." may be "Where is it?".
    asked = next((sentence for sentence in sentences(question.text) if sentence.endswith("?")), question.text)
    return sum(1 for event in events[start:] if event.get("event") == "bot" and asked in str(event.get("text") or ""))
