"""Stopping a task, and not understanding (without looping: the second miss offers a person)."""

from __future__ import annotations

from typing import Any, Dict, List

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, UserUtteranceReverted
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.context import forget_task_slots, record_left_form, say
from routing.answers import Button, Reply

TALK_TO_A_PERSON = Button("Talk to a person", "/request_human")
MENU = (
    Button("Report a problem", "/report_issue"),
    Button("Pay for something", "/make_payment"),
    Button("Apply for something", "/apply_for_service"),
    Button("Find information", "/get_information"),
    TALK_TO_A_PERSON,
)


class ActionCancelTask(Action):
    """Stops whatever the resident was doing, and says that nothing was sent."""

    def name(self) -> str:
        return "action_cancel_task"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        record_left_form(tracker)
        in_progress = any(tracker.get_slot(slot) for slot in ("service", "location", "description"))
        if in_progress:
            say(dispatcher, tracker, [Reply("OK, I have stopped. I have not sent anything.")])
        say(dispatcher, tracker, [Reply("What would you like to do now?", MENU)])
        return forget_task_slots()


FALLBACK_ACTIONS = {"action_fallback", "action_default_fallback"}


def misunderstandings_in_a_row(events: List[Dict[str, Any]]) -> int:
    """How many resident messages in a row, this one included, the bot has not understood.

    Called from a fallback action, so the current message counts as one; each earlier message
    that was also answered by a fallback action adds one, until one that was understood.
    """
    turns: List[set[str]] = []
    for event in events:
        if event.get("event") == "user":
            turns.append(set())
        elif event.get("event") == "action" and turns:
            turns[-1].add(str(event.get("name")))
    count = 1
    for actions in reversed(turns[:-1]):
        if not actions & FALLBACK_ACTIONS:
            break
        count += 1
    return count


class ActionFallback(Action):
    """Says it did not understand; the second time in a row it offers a person instead of looping."""

    def name(self) -> str:
        return "action_fallback"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        if misunderstandings_in_a_row(tracker.events) >= 2:
            say(dispatcher, tracker, [Reply("Sorry, I am still not understanding. A person can help you instead.")])
            say(dispatcher, tracker, [Reply("Would you like to talk to a person?", (TALK_TO_A_PERSON,))])
        else:
            say(
                dispatcher,
                tracker,
                [
                    Reply(
                        "Sorry, I did not understand that. Could you say it another way? Or choose one of these.",
                        MENU,
                    )
                ],
            )
        # Forget the message, so a misunderstanding does not steer the rest of the conversation.
        return [UserUtteranceReverted()]


class ActionDefaultFallback(ActionFallback):
    """Rasa's core fallback (no confident next step) gets the same answer."""

    def name(self) -> str:
        return "action_default_fallback"
