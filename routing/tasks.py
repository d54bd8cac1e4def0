"""The resident's tasks: the intents that ask the council to do something, and where the
conversation goes to carry one on after the assistant has dealt with something else first (a
consent question, a check that the resident is safe, an offer of a person)."""

from __future__ import annotations

import re
from typing import Any, Mapping, Sequence

from routing.answers import Button, Reply

TASK_INTENTS = ("report_issue", "make_payment", "apply_for_service", "get_information", "check_status")
# Each task in the resident's words: the main menu's buttons, and what staff read a handoff was about.
TASK_NAMES = {
    "report_issue": "Report a problem",
    "make_payment": "Pay for something",
    "apply_for_service": "Apply for something",
    "get_information": "Find information",
    "check_status": "Check on a report",
}
# Checking on a report needs a reference, so the menu does not offer it: the resident asks.
MENU_TASKS = tuple(intent for intent in TASK_INTENTS if intent != "check_status")

# The action or form that carries each task on (request_human and make_complaint are tasks too, once
# the rest is dealt with; they are not in the menu).
RESUME_TASK = {
    "report_issue": "report_form",
    "make_payment": "action_payment_info",
    "apply_for_service": "action_apply_info",
    "get_information": "information_form",
    "check_status": "status_form",
    "request_human": "handoff_form",
    "make_complaint": "complaint_form",
    "tell_change": "change_form",
}

# A report a safety reply interrupted keeps its answers in this slot's form, and is carried on when the
# resident asks for it ("can you still send the pothole thing") or takes the offer.
INTERRUPTED_TASK = "interrupted_task"
RESUMABLE_FORMS = ("report_form",)
CARRY_ON_OFFER = Reply(
    "When you are ready, I can carry on with your report. Nothing has been sent yet.",
    (Button("Carry on with my report", "/report_issue"),),
)
_CARRY_ON = re.compile(r"\b(still|carry on|continue|go on|finish|send (it|the)|the .{1,20} thing|back to)\b", re.I)
CARRY_ON_INTENTS = {"report_issue", "check_status", "affirm"}


def asks_to_carry_on(intent: str, text: str) -> bool:
    """Whether a message after an interruption asks for the interrupted report: the report button,
    or "can you still send the pothole thing" (which reads like checking on a report)."""
    return intent == "report_issue" or (intent in CARRY_ON_INTENTS and bool(_CARRY_ON.search(text or "")))


FALLBACK_INTENT = "nlu_fallback"
CLOSE_TO_SURE = 0.25  # a task this likely, in a message the NLU could not place, is still carried on


def task_intent(intent: Mapping[str, Any], ranking: Sequence[Mapping[str, Any]]) -> str:
    """A message's intent; for one the NLU could not place, its likeliest task, if that is close.

    "I can't afford the parking fine, I'm on universal credit" can fall just short of the fallback
    threshold; once its need is dealt with, the payment is still what the resident came for.
    """
    name = str(intent.get("name"))
    if name != FALLBACK_INTENT:
        return name
    best = next((item for item in ranking if item.get("name") != FALLBACK_INTENT), {})
    if best.get("name") in RESUME_TASK and float(best.get("confidence") or 0.0) >= CLOSE_TO_SURE:
        return str(best["name"])
    return name
