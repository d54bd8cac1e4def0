"""The questions everyone asks (the number, the hours, where we are) and "what do I do now?"."""

from __future__ import annotations

from typing import List

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.context import catalogue, latest_text, record, say, this_session
from actions.handoff import offered_options
from monitoring.events import EventKind
from routing import clock
from routing.answers import Button, Reply
from routing.catalogue import Catalogue
from routing.contact_answers import ContactQuestion, contact_answer
from routing.menu import WHAT_NOW
from routing.next_steps import again_in_short, safety_steps
from wiring.settings import channel_schedule

NO_REFERENCE_NEEDED = Reply("That is OK. You do not need a reference.")
SAFETY_ACTIONS = ("action_safeguarding", "action_safeguarding_followup")


class ActionContactAnswer(Action):
    """The phone number, whether we are open now, the out-of-hours line, the Gateway's address."""

    def name(self) -> str:
        return "action_contact_answer"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        codes = [*tracker.get_latest_entity_values("service"), tracker.get_slot("service")]
        service = next((found for code in codes if (found := catalogue().get(code)) is not None), None)
        question = ContactQuestion.read(latest_text(tracker), service)
        chat_now = any(option.mode == "live" for option in offered_options(tracker))
        record(tracker, EventKind.INTENT, intent="ask_contact", service=service.code if service else None)
        say(dispatcher, tracker, contact_answer(question, catalogue(), channel_schedule(), clock.now(), chat_now))
        return []


class ActionNextStep(Action):
    """ "What do I do?" after advice: the same advice again, shorter and simpler.

    After a safety reply it is the one or two things to do now; after any other answer, the
    sentences of the last answer that gave a number or a link; with nothing to repeat, what the
    assistant can do and how to reach a person. "I don't have a reference" outside a form gets the
    same, after "You do not need a reference".
    """

    def name(self) -> str:
        return "action_next_step"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        session = this_session(tracker)
        risk = session.latest_need("safeguarding")
        if risk is not None and session.ran(SAFETY_ACTIONS):
            say(dispatcher, tracker, safety_steps(str(risk.get("kind") or ""), catalogue(), risk.get("subject")))
            return []
        previous = [said.text for said in session.said if said.after == len(session.messages) - 1]
        replies = again_in_short(previous)
        if (tracker.latest_message.get("intent") or {}).get("name") == "no_reference":
            # "i dont have a reference i just want to change the name on it": the last advice again,
            # or how to go on without one.
            replies = [NO_REFERENCE_NEEDED, *(replies or _without_a_reference(catalogue()))]
        if not replies:  # nothing to repeat: what the assistant can do, and a person
            centre = catalogue().council.get("contact_centre", {}).get("phone", {})
            replies = [
                Reply(
                    f"I can help you report a problem, pay, apply for something or find information. "
                    f"You can also talk to a person on {centre.get('number', '')}."
                ),
                WHAT_NOW,
            ]
        say(dispatcher, tracker, replies)
        return []


def _without_a_reference(catalogue_: Catalogue) -> list[Reply]:
    """What a resident without a reference can do: check on a report by its place, or a person."""
    centre = catalogue_.council.get("contact_centre", {}).get("phone", {})
    return [
        Reply(
            f"To check on a report, tell me what it was and where, and I will look for it. "
            f"Or call us on {centre.get('number', '')} and we will find it.",
            (Button("Check on a report", "/check_status"),),
        )
    ]
