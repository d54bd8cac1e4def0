"""Thanks, goodbye, and "Did you get what you needed?": the words, and reading the answer (yes, partly
or no) from a button or typed words."""

from __future__ import annotations

import re
from typing import Iterable

from routing.answers import Button, Reply

ANSWERS = ("yes", "partly", "no")  # what monitoring.events stores for a satisfaction event
# Typed answers that mean "partly" whatever intent the model gave them ("sort of" can look like yes).
PARTLY = re.compile(
    r"\b(partly|partially|part of it|some of it|sort of|kind of|a bit|not all of it|not fully|not completely)\b",
    re.IGNORECASE,
)
YES_NO = {"affirm": "yes", "deny": "no"}


def satisfaction_answer(intent: str | None, entity_values: Iterable[object], text: str) -> str | None:
    """The answer given: a button's ``satisfaction`` entity first, then words meaning "partly",
    then a plain yes or no. None when the message does not answer the question."""
    for value in entity_values:
        if value in ANSWERS:
            return str(value)
    if PARTLY.search(text or ""):
        return "partly"
    return YES_NO.get(intent or "")


GOODBYE = Reply("Goodbye. Thank you for contacting the council.")
WELCOME = Reply("You are welcome.")
ANYTHING_ELSE = Reply("You are welcome. Is there anything else I can help with?")
QUESTION = Reply(
    "Did you get what you needed?",
    tuple(Button(answer.capitalize(), f'/inform{{"satisfaction":"{answer}"}}') for answer in ANSWERS),
)
THANKS = Reply("Thank you for telling us.")
THANKS_ANYTHING_ELSE = Reply("Thank you for telling us. Is there anything else I can help with?")
SORRY = Reply(
    "Thank you for telling us. I am sorry we did not get it all right. A person can help you with the rest.",
    (Button("Talk to a person", "/request_human"),),
)
ALL_REPLIES = (GOODBYE, WELCOME, ANYTHING_ELSE, QUESTION, THANKS, THANKS_ANYTHING_ELSE, SORRY)
