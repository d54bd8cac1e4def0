"""Short turns: what the assistant sends in one turn, however many steps produced it.

A turn is everything the assistant says between two resident messages. Several actions can add to
it (the answer to a consent question, then the task it resumes), so each one composes its replies
with what the turn has said already:

* no fact (a phone number, a link, an email address) is said twice: a sentence whose facts were all
  said already is left out, and so is a sentence said word for word already (a re-asked question
  after the note of what was wrong with the answer);
* the turn keeps to its budget of messages (three, four for a safety reply): the replies left over
  are merged into the last ones (each on a line of its own), so nothing is lost and the question,
  if any, stays last.
"""

from __future__ import annotations

import re
from typing import Any, Mapping, Sequence

from routing.answers import Reply

MAX_MESSAGES = 3
MAX_SAFETY_MESSAGES = 4

_PHONE = re.compile(
    r"(?<![\w-])(?:\+44\s?|0)\d(?:[\s-]?\d){6,11}(?!\w)"  # UK numbers
    r"|(?<!\w)116\s?\d{3}(?!\w)"  # helplines such as Samaritans, 116 123
    r"|(?<!\w)(?:999|101|111|18001|85258)(?!\w)"  # emergency, police, NHS, Relay UK, Shout
)
_LINK = re.compile(r"https?://[^\s,]+[^\s.,)]|www\.[^\s,]+[^\s.,)]|[\w.+-]+@[\w-]+\.[\w.-]+\w")
_SENTENCE = re.compile(r"((?<=[.!?])\s+(?=[A-Z0-9\"'(]))")  # the space after a sentence, kept as it is


def facts_in(text: str) -> set[str]:
    """The phone numbers (digits only), links and email addresses in ``text``."""
    phones = {re.sub(r"\D", "", match) for match in _PHONE.findall(text)}
    links = {match.lower().rstrip("/") for match in _LINK.findall(text)}
    return phones | links


def sentences(text: str) -> list[str]:
    """The sentences of ``text``, in order."""
    return [part.strip() for part in _SENTENCE.split(text)[::2] if part.strip()]


def _same_words(sentence: str) -> str:
    return " ".join(sentence.lower().split())


def _without_repeats(text: str, said: set[str]) -> str:
    """``text`` less the sentences whose facts, or whose very words, are in ``said`` (which grows)."""
    parts = _SENTENCE.split(text)  # sentence, space, sentence, space, ... (a list keeps its new lines)
    kept: list[str] = []
    for sentence, space in zip(parts[::2], [*parts[1::2], ""], strict=True):
        facts = facts_in(sentence)
        words = _same_words(sentence)
        if (facts and facts <= said) or words in said:
            continue  # everything it gives was said already this turn
        said |= facts | ({words} if words else set())
        kept.extend([sentence, space])
    return "".join(kept).strip()


def compose(said_this_turn: Sequence[str], replies: Sequence[Reply], budget: int = MAX_MESSAGES) -> list[Reply]:
    """The replies to send after ``said_this_turn``: repeated facts left out, and merged to fit the budget."""
    said: set[str] = set()
    for text in said_this_turn:
        said |= facts_in(text) | {_same_words(sentence) for sentence in sentences(text)}
    kept: list[Reply] = []
    for reply in replies:
        text = _without_repeats(reply.text, said)
        if text or reply.buttons:
            kept.append(Reply(text or reply.text, reply.buttons, reply.page))
    room = max(1, budget - len(said_this_turn))
    while len(kept) > room:
        # Merge the first two replies: the earliest are the least important to keep apart, and the
        # last (which may ask the turn's question, with its buttons) stays last.
        first, second = kept[0], kept[1]
        merged = Reply(f"{first.text}\n{second.text}".strip(), first.buttons + second.buttons, first.page | second.page)
        kept[0:2] = [merged]
    return kept


_EMERGENCY = re.compile(r"(?<!\d)999(?!\d)")


def fit_turn(messages: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """A whole turn as the channel sends it (Rasa's message dicts, from every action that spoke),
    kept to the budget: three messages, four when it names 999. Actions keep to the budget one by
    one; this is the last word when several spoke in one turn (a task's answer, then a consent
    question). The first messages are merged, so the last, which may ask the question, stays last."""
    kept = [dict(message) for message in messages]
    texts = [str(message.get("text") or "") for message in kept]
    budget = MAX_SAFETY_MESSAGES if any(_EMERGENCY.search(text) for text in texts) else MAX_MESSAGES
    while len(kept) > budget:
        first, second = kept[0], kept[1]
        merged = dict(first)
        merged["text"] = "\n".join(part for part in (first.get("text"), second.get("text")) if part)
        buttons = list(first.get("buttons") or []) + list(second.get("buttons") or [])
        merged["buttons"] = buttons or None
        custom = {**(first.get("custom") or {}), **(second.get("custom") or {})}
        merged["custom"] = custom or None
        kept[0:2] = [{key: value for key, value in merged.items() if value is not None}]
    return kept
