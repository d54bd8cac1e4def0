"""The change form: which change the resident is telling us about, then the fields its team needs
(``data/catalogue/changes.yml``), one question at a time; then the change is recorded as a case in
the staff "Changes to record" queue, and the resident gets a reference, what happens next and by when.

The kinds and the checks on answers are ``routing.changes``; the wording is ``routing.change_replies``.
A correction also adds a staff note to the open case it corrects.
"""

from __future__ import annotations

import logging
from typing import Any, Dict, List, Mapping

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
    report_store,
    request_starting_form,
    say,
    shows_risk,
    view,
)
from actions.support import finish_task
from actions.updates import asking, offer_updates
from monitoring.events import EventKind
from routing import change_replies as replies
from routing import clock
from routing.answers import Reply
from routing.changes import (
    CHANNEL,
    ENTITY,
    INTENT,
    KIND_SLOT,
    MODE,
    SLOTS,
    TRIGGER,
    ChangeKind,
    Field,
    case_summary,
    check_answer,
    default_changes,
    kind_from_entity,
    kind_from_text,
    missing_slots,
)
from routing.complaints import due_at, reply_by
from routing.conversation_events import Message
from routing.handoffs import HandoffCase, NewHandoff
from wiring.settings import channel_schedule

logger = logging.getLogger(__name__)

FORM = "change_form"
NOTE_BY = "assistant"  # who added the note a correction leaves on the open case
TELL_US_ONCE = "gov.uk/after-a-death"  # in the Tell Us Once signpost, however it is worded


def _kind(tracker: Tracker) -> ChangeKind | None:
    return default_changes().kinds.get(str(tracker.get_slot(KIND_SLOT) or ""))


def _field(kind: ChangeKind | None, slot: str | None) -> Field | None:
    return next((field for field in kind.fields if field.slot == slot), None) if kind else None


def _kind_in(parse: Mapping[str, Any]) -> str | None:
    """The kind a message names: a death told of, else its entity (a button, or the NLU), else its
    words. A message that shows a risk sign is never taken as an answer."""
    if shows_risk(dict(parse)):
        return None
    text = str(parse.get("text") or "")
    said = None if text.startswith("/") else kind_from_text(text)
    if said == "bereavement":  # a death told of comes first, whatever else the message names
        return said
    for entity in parse.get("entities") or []:
        if entity.get("entity") == ENTITY and (kind := kind_from_entity(entity.get("value"))):
            return kind
    return said


def _request_starting_the_form(tracker: Tracker) -> Message | None:
    """The message that asked to tell us about a change, while the form is starting for it: after
    the condolence and the consent question, the latest message is "yes", not the request."""
    return request_starting_form(tracker, INTENT, FORM)


def _kind_at_start(tracker: Tracker) -> str | None:
    """The kind the latest message names, else the one the request that started the form named."""
    kind = _kind_in({**(tracker.latest_message or {}), "text": tracker.latest_message.get("text")})
    if kind or tracker.get_slot("requested_slot") is not None:
        return kind
    request = _request_starting_the_form(tracker)
    return _kind_in({**request.parse, "text": request.text}) if request is not None else None


def _exists(reference: str) -> bool:
    """Whether a handoff case or a report has this reference."""
    return handoff_store().find(reference) is not None or report_store().get(reference) is not None


class ValidateChangeForm(FormValidationAction):
    """Asks only the fields the chosen kind needs; takes the resident's words as answers (never a
    message with a risk sign), checking dates and references, and saying politely what will not do."""

    def name(self) -> str:
        return "validate_change_form"

    async def required_slots(
        self, domain_slots: List[str], dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[str]:
        """The kind, then the fields of the kind chosen."""
        kind = _kind(tracker)
        return [KIND_SLOT, *(field.slot for field in kind.fields)] if kind else [KIND_SLOT]

    async def get_extraction_events(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        """The answer to the question asked (or, as the form starts, the kind the request names)."""
        requested = tracker.get_slot("requested_slot")
        if requested is None or requested == KIND_SLOT:
            kind = _kind_at_start(tracker) if not _kind(tracker) else None
            if kind or requested is None:
                return [SlotSet(KIND_SLOT, kind)] if kind else []
            # Not understood: the kind stays empty and the question is asked again, with its buttons
            # (a message with a risk sign, or asking to stop or for a person, is another step's).
            if shows_risk(tracker.latest_message) or form_answer(tracker, KIND_SLOT, tasks_interrupt=False) is None:
                return []
            return [SlotSet(KIND_SLOT, None)]
        field = _field(_kind(tracker), requested)
        if field is None:
            return []
        text = answer_held_for_a_check(view(tracker), requested) or form_answer(
            tracker, requested, tasks_interrupt=False
        )
        if text is None:
            return []
        today = channel_schedule().local(clock.now()).date()
        answer = check_answer(field, text, today)
        if answer.value and field.type == "reference" and not _exists(answer.value):
            say(dispatcher, tracker, [replies.problem(default_changes(), "unknown_reference", answer.value)])
            return [SlotSet(requested, None)]
        if answer.problem:
            say(dispatcher, tracker, [replies.problem(default_changes(), answer.problem)])
        return [SlotSet(requested, answer.value)]

    async def get_validation_events(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        """Every answer was checked as it was taken; only the form's own slots are kept."""
        wanted = await self.required_slots([], dispatcher, tracker, domain)
        return [SlotSet(slot, value) for slot, value in tracker.slots_to_validate().items() if slot in wanted]

    async def next_requested_slot(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> EventType | None:
        """The next slot to ask, or None when the kind's fields are all answered (the form ends)."""
        missing = missing_slots(_kind(tracker), dict(tracker.slots))
        return SlotSet("requested_slot", missing[0] if missing else None)


def _opening(tracker: Tracker, kind: ChangeKind, slot: str) -> List[Reply]:
    """The opening, when this is the kind's first question (not a question asked again). After a
    death, the condolence is left out if the resident has already heard it."""
    latest = view(tracker).latest_message
    if latest is not None and latest.asked_for in {field.slot for field in kind.fields}:
        return []
    before = " ".join(said.text for said in view(tracker).said)
    condolence = kind.extra.get("condolence")
    kept = []
    for reply in replies.opening(kind):
        # Not twice: the condolence and Tell Us Once may have come with the consent question
        # (action_acknowledge_need) before the form started.
        if TELL_US_ONCE in reply.text and TELL_US_ONCE in before:
            continue
        text = reply.text.replace(condolence, "").strip() if condolence and condolence in before else reply.text
        kept.append(Reply(text, reply.buttons, reply.page))
    return kept


class _AskChange(Action):
    """Asks for one slot: the kind (with a button each), or one of the kind's fields."""

    slot = KIND_SLOT

    def name(self) -> str:
        return f"action_ask_{self.slot}"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        changes, kind = default_changes(), _kind(tracker)
        field = _field(kind, self.slot)
        if kind is None or field is None:
            say(dispatcher, tracker, [replies.ask_kind(changes)])
            return []
        say(dispatcher, tracker, [*_opening(tracker, kind, self.slot), replies.question(field)])
        return []


# One ask action per slot (Rasa asks for a slot with ``action_ask_<slot>``).
ASK_ACTIONS = [type(f"ActionAsk_{slot}", (_AskChange,), {"slot": slot}) for slot in SLOTS]


def _note_on_open_case(kind: ChangeKind, answers: Dict[str, str]) -> str | None:
    """For a correction, a staff note on the open case it corrects; the reference it is about."""
    reference = answers.get("change_reference")
    if kind.key != "correction" or not reference:
        return None
    case = handoff_store().find(reference)
    if case is not None and case.open:
        note = replies.correction_note(kind, reference, answers["change_wrong"], answers["change_right"])
        handoff_store().add_note(reference, NOTE_BY, note)
    return reference


def record_change(tracker: Tracker, kind: ChangeKind, answers: Dict[str, str]) -> tuple[HandoffCase, List[Reply]]:
    """Store the change as a case for its team; the case and the replies to give."""
    changes, schedule, now = default_changes(), channel_schedule(), clock.now()
    today = schedule.local(now).date()
    record_by = reply_by(now, kind.record_working_days, schedule)
    related = answers.get("change_reference") if kind.key == "correction" else None
    conversation = view(tracker)
    needs = [{"category": need.get("category"), "cue": need.get("cue")} for need in conversation.needs_seen()]
    new = NewHandoff(
        channel=CHANNEL,
        mode=MODE,
        trigger=TRIGGER,
        conversation_id=tracker.sender_id,
        intent=INTENT,
        summary=case_summary(kind, answers, record_by, today, changes, needs, related),
        needs=needs,
        adjustments=list(tracker.get_slot("adjustments") or []),
        transcript=conversation.transcript(),  # the store removes card numbers again on the way in
        due_at=due_at(record_by, schedule),
    )
    case = handoff_store().create(new, now=now)
    _note_on_open_case(kind, answers)
    return case, replies.recorded(changes, kind, case.reference, record_by, today, catalogue().council, related)


def _record_outcome(tracker: Tracker, case: HandoffCase) -> None:
    """The outcome events: the task, and the case passed to the team (as a complaint's are)."""
    schedule, now = channel_schedule(), clock.now()
    in_hours = any(schedule.is_open(channel, now) for channel in ("phone", "gateway"))
    record(tracker, EventKind.INTENT, intent=INTENT, service=None)
    record(tracker, EventKind.HANDOFF_OFFERED, handoff_channel=CHANNEL, in_hours=in_hours)
    record(tracker, EventKind.HANDOFF_ACCEPTED, case=case.reference, handoff_channel=CHANNEL, service=None)


class ActionSubmitChange(Action):
    """Records the change; gives the reference, what happens next and by when; then asks how the
    resident would like to hear back."""

    def name(self) -> str:
        return "action_submit_change"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        kind = _kind(tracker)
        if kind is None or missing_slots(kind, dict(tracker.slots)):
            return forget_task_slots()
        answers = {field.slot: str(tracker.get_slot(field.slot)) for field in kind.fields}
        try:
            case, said = record_change(tracker, kind, answers)
        except Exception:
            logger.exception("Could not record a change")
            say(dispatcher, tracker, [replies.not_recorded(default_changes(), catalogue().council)])
            return []  # keep the answers: asking again records it without retyping
        _record_outcome(tracker, case)
        updates = offer_updates(tracker, case.reference)
        offer_due = False if asking(updates) else None
        return finish_task(dispatcher, tracker, said, offer_due=offer_due) + forget_task_slots() + updates
