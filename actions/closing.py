"""Thanks and goodbye, and "Did you get what you needed?" asked once a conversation.

The question comes at goodbye, or at thanks once a task is done. It is one message with Yes, Partly
and No buttons; typed yes and no work too. It is never asked twice, nor after a safeguarding
disclosure, and a resident who ignores it just carries on: the rules send only the message right
after it here. The words are in ``routing.satisfaction``.
"""

from __future__ import annotations

from typing import List

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.context import catalogue, latest_text, previous_bot_action, record, say, this_session, view
from monitoring.events import EventKind
from routing.menu import WHAT_NOW
from routing.satisfaction import (
    ANYTHING_ELSE,
    GOODBYE,
    QUESTION,
    SORRY,
    THANKS,
    THANKS_ANYTHING_ELSE,
    WELCOME,
    satisfaction_answer,
)
from routing.support_responses import goodbye_after_concern

QUESTION_SLOT = "satisfaction_question"  # None, then "asked", then "answered"
# A turn that ends with one of these has done something for the resident worth asking about.
TASK_ACTIONS = {
    "action_submit_report", "action_payment_info", "action_apply_info", "action_information",
    "action_check_status", "action_submit_handoff", "action_cancel_handoff", "action_rebook_done",
}  # fmt: skip
# Someone who has shown a sign of risk is not asked to rate the conversation: goodbye gives the
# routes instead.
RISK_ACTIONS = {"action_safeguarding", "action_risk_check_in"}


def _ask(dispatcher: CollectingDispatcher, tracker: Tracker) -> List[EventType]:
    say(dispatcher, tracker, [QUESTION])
    return [SlotSet(QUESTION_SLOT, "asked")]


def _concern_raised(tracker: Tracker) -> bool:
    return this_session(tracker).ran(RISK_ACTIONS)


def _may_ask(tracker: Tracker) -> bool:
    return tracker.get_slot(QUESTION_SLOT) is None and not _concern_raised(tracker)


def _end(dispatcher: CollectingDispatcher, tracker: Tracker) -> None:
    """Say goodbye; the conversation counts as ended the first time the resident says it."""
    if not this_session(tracker).ran({"action_goodbye"}):
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


class ActionThank(Action):
    """You are welcome; after a task, the question (once), otherwise whether there is anything else."""

    def name(self) -> str:
        return "action_thank"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        if _may_ask(tracker) and this_session(tracker).ran(TASK_ACTIONS):
            say(dispatcher, tracker, [WELCOME])
            return _ask(dispatcher, tracker)
        say(dispatcher, tracker, [ANYTHING_ELSE])
        return []


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
        if tracker.get_slot(QUESTION_SLOT) != "asked" or answer is None:
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
                [THANKS_ANYTHING_ELSE if previous_bot_action(tracker) == "action_thank" else THANKS],
            )
        return [SlotSet(QUESTION_SLOT, "answered")]
