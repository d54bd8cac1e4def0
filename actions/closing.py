"""Thanks and goodbye, and "Did you get what you needed?" asked once a conversation.

The question comes at goodbye, or at thanks once a task is done. It is one message with Yes, Partly
and No buttons; typed yes and no work too. It is never asked twice, nor after a safeguarding
disclosure, and a resident who ignores it just carries on: only the message right after it comes
here. Thanks, and goodbye with no sign of risk, are plain responses the dialogue policy chooses
(``routing.closing``), with no custom action; these actions give goodbye after a sign of risk (the
emergency routes) and read the answer. The words are in ``routing.satisfaction``.
"""

from __future__ import annotations

from typing import List

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.context import catalogue, latest_text, record, say, this_session, view
from monitoring.events import EventKind
from routing.closing import (
    ENDED,
    QUESTION_SLOT,
    concern_raised,
    may_ask,
    question_state,
    thanked_last_turn,
)
from routing.menu import WHAT_NOW
from routing.satisfaction import (
    GOODBYE,
    QUESTION,
    SORRY,
    THANKS,
    THANKS_ANYTHING_ELSE,
    satisfaction_answer,
)
from routing.support_responses import goodbye_after_concern


def _ask(dispatcher: CollectingDispatcher, tracker: Tracker) -> List[EventType]:
    say(dispatcher, tracker, [QUESTION])
    return [SlotSet(QUESTION_SLOT, "asked")]


def _concern_raised(tracker: Tracker) -> bool:
    return concern_raised(this_session(tracker))


def _may_ask(tracker: Tracker) -> bool:
    return may_ask(this_session(tracker), tracker.get_slot(QUESTION_SLOT))


def _end(dispatcher: CollectingDispatcher, tracker: Tracker) -> None:
    """Say goodbye; the conversation counts as ended the first time the resident says it."""
    if not this_session(tracker).ran(ENDED):  # (stored once a conversation, whichever path records it)
        record(tracker, EventKind.CONVERSATION_ENDED)
    if _concern_raised(tracker):
        risk = view(tracker).latest_need("safeguarding") or {}
        say(dispatcher, tracker, [goodbye_after_concern(risk.get("kind"), risk.get("subject"), catalogue())])
    else:
        say(dispatcher, tracker, [GOODBYE])


class ActionGoodbye(Action):
    """Goodbye; then, if not asked yet, whether they got what they needed."""

    def name(self) -> str:
        return "action_goodbye"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        _end(dispatcher, tracker)
        return _ask(dispatcher, tracker) if _may_ask(tracker) else []


class ActionRecordSatisfaction(Action):
    """Records the answer to the question, thanks the resident, and offers a person if it was not a yes.

    The message right after goodbye or thanks comes here even when the question was not asked (it
    is asked once): then a "no" (to "Is there anything else?") is a goodbye, and anything else gets
    the menu.
    """

    def name(self) -> str:
        return "action_record_satisfaction"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        answer = satisfaction_answer(intent, tracker.get_latest_entity_values("satisfaction"), latest_text(tracker))
        if question_state(this_session(tracker), tracker.get_slot(QUESTION_SLOT)) != "asked" or answer is None:
            if intent == "deny":
                _end(dispatcher, tracker)  # "no" to "Is there anything else I can help with?"
            else:
                say(dispatcher, tracker, [WHAT_NOW])
            return []
        record(tracker, EventKind.SATISFACTION, value=answer)
        if answer != "yes":
            say(dispatcher, tracker, [SORRY])  # with a button for a person
        else:
            say(
                dispatcher,
                tracker,
                [THANKS_ANYTHING_ELSE if thanked_last_turn(this_session(tracker)) else THANKS],
            )
        return [SlotSet(QUESTION_SLOT, "answered")]
