"""BRUCE-style signals that a resident is struggling, read from the conversation itself.

Each signal is something a machine can observe without guessing at a diagnosis: the bot not
understanding twice running, the same request made again and again, yes/no given to a question
that wanted words, a report corrected over and over, repeated asks for a person. Each raises
``frustration`` or ``mental_health_cognitive`` for the conversation, which leads to an offer of a person.
"""

from __future__ import annotations

from dataclasses import dataclass

from routing.tasks import TASK_INTENTS

# The actions that answer a message the bot did not understand.
FALLBACK_ACTIONS = frozenset({"action_fallback", "action_default_fallback"})
FREE_TEXT_SLOTS = {
    "service",
    "location",
    "description",
    "postcode",
    "reference",
    "complaint_about",
    "complaint_details",
}


@dataclass(frozen=True)
class Turn:
    """One resident message as the signals need it.

    Attributes:
        intent: the intent the NLU gave it.
        asked_for: the form slot the bot had just asked for, if any.
        frustrated: whether the message itself showed frustration (a ``frustration`` cue).
    """

    intent: str
    asked_for: str | None = None
    frustrated: bool = False


# signal name -> the support-need category it raises
SIGNALS = {
    "repeated_misunderstanding": "frustration",
    "repeated_request": "mental_health_cognitive",
    "yes_no_echo": "mental_health_cognitive",
    "contradictory_answers": "mental_health_cognitive",
    "repeated_ask_for_person": "frustration",
    "frustrated_words": "frustration",
}


def signals(turns: list[Turn]) -> set[str]:
    """The signals the conversation so far shows (names from :data:`SIGNALS`)."""
    found: set[str] = set()
    run = 0
    for turn in turns:
        run = run + 1 if turn.intent == "nlu_fallback" else 0
        if run >= 2:
            found.add("repeated_misunderstanding")
    task_counts: dict[str, int] = {}
    for turn in turns:
        if turn.intent in TASK_INTENTS and turn.asked_for is None:
            task_counts[turn.intent] = task_counts.get(turn.intent, 0) + 1
    if any(count >= 3 for count in task_counts.values()):
        found.add("repeated_request")
    if sum(turn.intent in {"affirm", "deny"} and turn.asked_for in FREE_TEXT_SLOTS for turn in turns) >= 2:
        found.add("yes_no_echo")
    if sum(turn.intent == "deny" and turn.asked_for == "report_confirmed" for turn in turns) >= 2:
        found.add("contradictory_answers")
    if sum(turn.intent == "request_human" for turn in turns) >= 2:
        found.add("repeated_ask_for_person")
    if any(turn.frustrated for turn in turns):
        found.add("frustrated_words")
    return found


def new_signals(turns: list[Turn]) -> set[str]:
    """Signals the latest turn brought up that were not there before it."""
    return signals(turns) - signals(turns[:-1])
