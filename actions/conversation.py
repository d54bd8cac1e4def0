"""Stopping a task, and not understanding (without looping: the second miss offers a person).

The wording and the menu are in ``routing.menu``.
"""

from __future__ import annotations

from typing import List

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction, UserUtteranceReverted
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.context import catalogue, forget_task_slots, latest_text, named_service, record_left_form, say, view
from actions.support import act_for_answer, needs_in
from routing.answers import answer_for
from routing.menu import NOT_UNDERSTOOD, OFFER_A_PERSON, STILL_NOT_UNDERSTOOD, STOPPED, WHAT_NOW
from routing.money_help import enforcement_answer, is_enforcement
from routing.support_responses import help_for
from routing.tasks import INTERRUPTED_TASK, task_intent


class ActionCancelTask(Action):
    """Stops whatever the resident was doing, and says that nothing was sent."""

    def name(self) -> str:
        return "action_cancel_task"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        record_left_form(tracker)
        answers = ("service", "location", "description", "complaint_about", "complaint_details")
        in_progress = any(tracker.get_slot(slot) for slot in answers)
        if in_progress:
            say(dispatcher, tracker, [STOPPED])
        say(dispatcher, tracker, [WHAT_NOW])
        return forget_task_slots()


FALLBACK_ACTIONS = {"action_fallback", "action_default_fallback"}


class ActionFallback(Action):
    """Says it did not understand; the second time in a row it offers a person instead of looping."""

    def name(self) -> str:
        return "action_fallback"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        # Outside a form (the rule for an unplaced message listens after this action), a message
        # that still says what it is about gets an answer; inside one, the form asks again.
        if self.name() == "action_fallback" and tracker.active_loop_name is None:
            answered = self._answer_anyway(dispatcher, tracker)
            if answered is not None:
                return answered
        # Called from a fallback, so the current message counts as one misunderstanding.
        if view(tracker).runs_in_a_row(FALLBACK_ACTIONS) >= 2:
            say(dispatcher, tracker, [STILL_NOT_UNDERSTOOD])
            say(dispatcher, tracker, [OFFER_A_PERSON])
        else:
            say(dispatcher, tracker, [NOT_UNDERSTOOD])
        # Forget the message, so a misunderstanding does not steer the rest of the conversation.
        return [UserUtteranceReverted()]

    @staticmethod
    def _answer_anyway(dispatcher: CollectingDispatcher, tracker: Tracker) -> List[EventType] | None:
        """The answer to an unplaced message that names who it is for, a service or a need; None if none."""
        if acting_for := act_for_answer(tracker):  # "can I fill it in for her?" reads like nothing else
            say(dispatcher, tracker, acting_for)
            return []
        if (service := named_service(tracker)) is not None:
            if tracker.get_slot(INTERRUPTED_TASK) and service.offers("report"):
                # "im not in danger i just need my boiler fixed": the interrupted report carries on.
                return [FollowupAction("report_form")]
            # "i got a pcn, how do i appeal it": the service is clear even when the task is not.
            latest = tracker.latest_message
            task = task_intent(latest.get("intent") or {}, latest.get("intent_ranking") or [])
            if service.offers("pay") and is_enforcement(latest_text(tracker)):
                # "i got a letter from the bailiffs about my council tax": advice, never "pay online".
                say(dispatcher, tracker, enforcement_answer(catalogue(), service))
            else:
                say(dispatcher, tracker, answer_for(service, task, catalogue()))
            return []
        if help_lines := help_for(needs_in(tracker.latest_message), latest_text(tracker), catalogue()):
            # "i have no money till my universal credit": the help that fits, not "did not understand".
            say(dispatcher, tracker, help_lines)
            return []
        return None


class ActionDefaultFallback(ActionFallback):
    """Rasa's core fallback (no confident next step) gets the same answer."""

    def name(self) -> str:
        return "action_default_fallback"
