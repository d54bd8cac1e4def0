""" "How would you like to hear back?": ``updates_form``, its questions and the stored choice.

Started by ``actions.updates.offer_updates``. The way (``update_channel``) comes from a button or the
resident's words ("text me", "by post", "no"); the number or address (``update_contact``) is checked
by ``routing.updates.check_contact``, whose sentence says what is wrong. A contact that will not do
is asked for again; after two, No thanks is offered plainly, and a third ends it with no updates.
"""

from __future__ import annotations

import logging
from typing import Any, Dict, List

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.context import (
    NOT_FORM_QUESTIONS,
    database_engine,
    latest_text,
    previous_bot_action,
    record,
    say,
    shows_risk,
    times_asked,
)
from actions.support import finish_task
from actions.updates import CHANNEL, CONTACT, REFERENCE, UPDATE_SLOTS
from monitoring.events import EventKind
from routing.answers import Reply
from routing.update_replies import (
    ALL_CHANNELS,
    CONTACT_CHANNELS,
    LAST_TRY,
    NONE,
    NOT_CAUGHT,
    ask_channel,
    ask_contact,
    channel_in,
    chosen,
    contact_in,
    not_saved,
)
from routing.updates import ContactError, check_contact
from storage.update_contacts import UpdateContacts

logger = logging.getLogger(__name__)

# Intents that answer "How would you like to hear back?" with "no" when no way is named: a
# resident who says thanks or goodbye is moving on, and nothing is kept for them.
NO_INTENTS = {"deny", "stop", "thank", "goodbye"}
MAX_CONTACT_TRIES = 3  # the third answer that will not do ends the question (no updates)


def _answer(tracker: Tracker, slot: str) -> str | None:
    """The latest message as the answer to ``slot``'s question; None when it was not asked, or the
    message answered a check on the resident's safety or shows a risk sign (never a slot value)."""
    if tracker.get_slot("requested_slot") != slot:
        return None
    if previous_bot_action(tracker) in NOT_FORM_QUESTIONS or shows_risk(tracker.latest_message):
        return None
    return latest_text(tracker).strip() or None


def _asks_about_a_reference(tracker: Tracker, text: str) -> bool:
    """ "Any update on SCC-7KQ4XH?" instead of an answer: nothing is extracted, so the form steps
    aside and the rule for it answers the status question (data/rules.yml)."""
    intent = str((tracker.latest_message.get("intent") or {}).get("name"))
    reference = next(tracker.get_latest_entity_values("reference"), None)
    return intent == "check_status" and reference is not None and channel_in(text) is None


def _says_no(tracker: Tracker, text: str) -> bool:
    intent = str((tracker.latest_message.get("intent") or {}).get("name"))
    return channel_in(text) == NONE or (intent in NO_INTENTS and channel_in(text) is None)


class ValidateUpdatesForm(FormValidationAction):
    """Reads the way and the contact; a contact that will not do is explained and asked again."""

    def name(self) -> str:
        return "validate_updates_form"

    async def required_slots(
        self, domain_slots: List[str], dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[str]:
        """A number or address only for a way that needs one."""
        if tracker.get_slot(CHANNEL) in CONTACT_CHANNELS:
            return [CHANNEL, CONTACT]
        return [CHANNEL]

    async def extract_update_channel(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        """A button's entity, or the resident's words (read by ``validate_update_channel``)."""
        if tracker.get_slot("requested_slot") != CHANNEL:
            return {}
        button = next(tracker.get_latest_entity_values(CHANNEL), None)
        if button is not None:
            return {CHANNEL: str(button)}
        text = _answer(tracker, CHANNEL)
        if text is None or _asks_about_a_reference(tracker, text):
            return {}
        if _says_no(tracker, text):
            return {CHANNEL: NONE}
        found = channel_in(text)
        contact = contact_in(found, text) if found else None
        # "text me on 07700 900123": the way and the number in one answer.
        return {CHANNEL: found or text, **({CONTACT: contact} if contact else {})}

    def validate_update_channel(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        """One of the ways; an answer that names none is asked again once, then taken as no."""
        if value in ALL_CHANNELS:
            return {CHANNEL: value}
        reference = str(tracker.get_slot(REFERENCE) or "")
        if times_asked(tracker, ask_channel(reference)) >= 2:
            return {CHANNEL: NONE}  # never a third time: the reference is enough to ask later
        say(dispatcher, tracker, [NOT_CAUGHT])
        return {CHANNEL: None}

    async def extract_update_contact(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        """The number or address; "no thanks" or another way ("by post instead") changes the way."""
        if tracker.get_slot("requested_slot") != CONTACT:
            return {}
        button = next(tracker.get_latest_entity_values(CHANNEL), None)
        if button is not None:
            return {CHANNEL: str(button), CONTACT: None}
        text = _answer(tracker, CONTACT)
        if text is None or _asks_about_a_reference(tracker, text):
            return {}
        if _says_no(tracker, text):
            return {CHANNEL: NONE, CONTACT: None}
        other = channel_in(text)
        plain_words = not any(character.isdigit() or character == "@" for character in text)
        if other is not None and other != tracker.get_slot(CHANNEL) and plain_words:
            return {CHANNEL: other, CONTACT: None}
        return {CONTACT: text}

    def validate_update_contact(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        """The contact as ``check_contact`` normalises it, or its sentence and the question again;
        after the third that will not do, no updates (never a loop)."""
        channel = str(tracker.get_slot(CHANNEL) or "")
        if value is None or channel not in CONTACT_CHANNELS:
            return {CONTACT: None}
        try:
            return {CONTACT: check_contact(channel, str(value))}
        except ContactError as problem:
            tries = times_asked(tracker, ask_contact(channel)) + times_asked(tracker, LAST_TRY)
            if tries >= MAX_CONTACT_TRIES:
                return {CHANNEL: NONE, CONTACT: None}
            say(dispatcher, tracker, [Reply(str(problem)) if str(problem) else NOT_CAUGHT])
            return {CONTACT: None}


class ActionAskUpdateChannel(Action):
    """Asks how the resident would like to hear back, with a button for each way."""

    def name(self) -> str:
        return "action_ask_update_channel"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        say(dispatcher, tracker, [ask_channel(str(tracker.get_slot(REFERENCE) or "your reference"))])
        return []


class ActionAskUpdateContact(Action):
    """Asks for the number or address, saying it is kept only until the case is closed."""

    def name(self) -> str:
        return "action_ask_update_contact"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        channel = str(tracker.get_slot(CHANNEL) or "text")
        failures = times_asked(tracker, ask_contact(channel))
        say(dispatcher, tracker, [ask_contact(channel if channel in CONTACT_CHANNELS else "text", failures)])
        return []


class ActionSubmitUpdates(Action):
    """Stores the choice (a later one replaces it), records it, and says what will happen."""

    def name(self) -> str:
        return "action_submit_updates"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        reference, channel = tracker.get_slot(REFERENCE), tracker.get_slot(CHANNEL)
        contact = tracker.get_slot(CONTACT) if channel in CONTACT_CHANNELS else None
        cleared: List[EventType] = [SlotSet(slot, None) for slot in UPDATE_SLOTS]
        if not reference or channel not in ALL_CHANNELS or (channel in CONTACT_CHANNELS and not contact):
            return cleared
        try:
            UpdateContacts(database_engine()).choose(str(reference), str(channel), contact, tracker.sender_id)
        except Exception:
            logger.exception("Could not store a choice of updates")
            say(dispatcher, tracker, [not_saved(str(reference))])
            return cleared
        record(tracker, EventKind.UPDATES_CHOSEN, case=str(reference), value=str(channel))
        return finish_task(dispatcher, tracker, [chosen(str(channel), str(reference))]) + cleared
