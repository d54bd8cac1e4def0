"""Finding a report without its reference: the one given earlier in this conversation, or the
reports made at the place the resident names. A reference is a help, never a condition."""

from __future__ import annotations

import re
from typing import Iterable, Sequence

from routing.answers import Button, Reply
from routing.references import find_reference

# The resident has no reference: "i dont have one", "never got a number", "lost it".
_NO_REFERENCE = re.compile(
    r"\b(?:(?:do ?n[o']?t|dont|didn'?t|never|haven'?t|havent|have not|no)\b.{0,20}\b(?:have|got|get|had|given|know|"
    r"reference|ref|number|one)|lost (?:it|the|my)|no ref(?:erence)?|without (?:a|the) (?:reference|number))",
    re.IGNORECASE,
)
_FILLER = frozenset(
    {"i", "it", "its", "was", "is", "on", "in", "at", "by", "near", "outside", "the", "a", "an", "of", "opposite"}
    | {"next", "to", "just", "and", "my", "our", "there", "think", "about", "reported", "report", "somewhere"}
)
NO_REFERENCE = "none"  # the reference slot's value once the resident has said they have none
ASK_PLACE = Reply("That is OK. You do not need a reference. Where was the problem? Give the street or the postcode.")


def says_no_reference(text: str) -> bool:
    """Whether the resident says they have no reference (and gives none)."""
    return find_reference(text).reference is None and bool(_NO_REFERENCE.search(text or ""))


def reference_given_earlier(bot_messages: Iterable[str]) -> str | None:
    """The latest reference the assistant gave in this conversation ("what's happening with that report")."""
    found = None
    for text in bot_messages:
        if "your reference is" in text.lower():
            found = find_reference(text).reference or found
    return found


def place_words(text: str) -> list[str]:
    """The words that name a place in the resident's answer, without the filler around them."""
    words = re.findall(r"[a-z0-9]+", (text or "").lower())
    return [word for word in words if word not in _FILLER and len(word) > 1][:6]


def nothing_found_near(place: str, phone: str) -> list[Reply]:
    """No report matches the place: report it again now, or ask a person."""
    return [
        Reply(f"I could not find a report for {place}. It may have been made by phone or under another address."),
        Reply(
            f"I can take the report again now. It only takes a minute. Or call us on {phone} and we will find it.",
            (Button("Report it again", "/report_issue"), Button("Talk to a person", "/request_human")),
        ),
    ]


def found_near(summaries: Sequence[str]) -> Reply:
    """How many reports were found at the place, before their statuses."""
    count = len(summaries)
    return Reply(f"I found {'a report' if count == 1 else f'{count} reports'} there.")
