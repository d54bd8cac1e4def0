"""'What do I do?' after the assistant has answered: the same advice again, shorter.

Residents who are worried, in a hurry or reading in a second language often ask again. The answer
is the part of the last reply they can act on (the numbers and links), not a new question and never
"I did not understand".
"""

from __future__ import annotations

from typing import Sequence

from routing.answers import Reply
from routing.catalogue import Catalogue
from routing.support_responses import routes_again
from routing.turns import facts_in, sentences

MAX_SENTENCES = 3


def again_in_short(previous_turn: Sequence[str]) -> list[Reply]:
    """The sentences of the previous turn that give a number or a link, at most three, in one
    message; none when it gave none (then there is nothing to act on to repeat)."""
    useful = [sentence for text in previous_turn for sentence in sentences(text) if facts_in(sentence)]
    if not useful:
        return []
    return [Reply("Here is what to do, in short: " + " ".join(useful[:MAX_SENTENCES]))]


def safety_steps(kind: str, catalogue: Catalogue, subject: str | None = None) -> list[Reply]:
    """After a safety reply: the routes for that kind of risk again, shorter and simpler."""
    return [routes_again(kind or None, catalogue, subject)]
