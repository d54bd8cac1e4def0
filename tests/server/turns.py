"""What every bot turn must be, checked on each one a journey test sees: short turns that keep the task.

* at most three messages (four when it gives the emergency routes);
* no fact (a phone number, a link, an email address) said twice in the turn;
* at most one question, and it comes last.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from routing.turns import MAX_MESSAGES, MAX_SAFETY_MESSAGES, facts_in
from tests.http import say

SAFETY_TURN = re.compile(r"contact you urgently\?|Are you safe right now\?")
SENTENCE = re.compile(r"(?<=[.!?])\s+")
FALLBACKS = ("did not understand", "cannot help with that", "What is your reference", "could not tell where")


def turn_problems(replies: list[dict[str, Any]]) -> list[str]:
    """Everything wrong with one bot turn (an empty list when it keeps every rule)."""
    texts = [str(reply.get("text") or "") for reply in replies]
    problems = []
    budget = MAX_SAFETY_MESSAGES if any(SAFETY_TURN.search(text) for text in texts) else MAX_MESSAGES
    if len(texts) > budget:
        problems.append(f"{len(texts)} messages (at most {budget})")
    seen: set[str] = set()
    for sentence in (part for text in texts for part in SENTENCE.split(text)):
        repeated = facts_in(sentence) & seen
        if repeated:
            problems.append(f"said again: {sorted(repeated)}")
        seen |= facts_in(sentence)
    questions = [i for i, text in enumerate(texts) if "?" in text]
    if sum(text.count("?") for text in texts) > 1:
        problems.append(f"{sum(text.count('?') for text in texts)} questions")
    if questions and questions[-1] != len(texts) - 1:
        problems.append("the question is not last")
    return problems


@dataclass
class Journey:
    """One resident's conversation, turn by turn, with every bot turn checked."""

    rasa_url: str
    sender: str
    turns: list[tuple[str, list[dict[str, Any]]]] = field(default_factory=list)

    def says(self, message: str) -> str:
        """Send a message; check the bot's turn; return its text."""
        replies = say(self.rasa_url, self.sender, message)
        self.turns.append((message, replies))
        problems = turn_problems(replies)
        assert not problems, f"{self.sender}: after {message!r}: {problems}\n{self.transcript()}"
        return "\n".join(str(reply.get("text") or "") for reply in replies)

    def transcript(self) -> str:
        """The conversation so far, for a failure message."""
        lines = []
        for message, replies in self.turns:
            lines.append(f"  resident: {message}")
            lines.extend(f"  bot: {reply.get('text')}" for reply in replies)
        return "\n".join(lines)
