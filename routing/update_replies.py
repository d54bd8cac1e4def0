"""The question "How would you like to hear back?" after a report, a booking, a complaint or a change:
its wording, and how a typed answer ("text me", "by post", "no") is read.

The question itself asks for consent: nothing is kept unless the resident chooses a way and gives
a number or address, and the contact question says it is kept only until the case is closed.
The channels are ``routing.updates.UPDATE_CHANNELS``; the contact check is ``routing.updates``.
"""

from __future__ import annotations

import re

from routing.answers import Button, Reply

NONE = "none"
CONTACT_CHANNELS = ("text", "email", "letter")
ALL_CHANNELS = (*CONTACT_CHANNELS, NONE)

# The buttons carry the choice as an entity, so no wording of the title can be misread.
CHANNEL_BUTTONS = (
    Button("Text message", '/inform{"update_channel":"text"}'),
    Button("Email", '/inform{"update_channel":"email"}'),
    Button("Letter", '/inform{"update_channel":"letter"}'),
    Button("No thanks", '/inform{"update_channel":"none"}'),
)
NO_THANKS = (CHANNEL_BUTTONS[-1],)

CONTACT_QUESTIONS = {
    "text": "What mobile number should we text?",
    "email": "What email address should we use?",
    "letter": "What address should we write to? Please include the postcode.",
}
KEPT = {
    "text": "We keep your number only until the case is closed.",
    "email": "We keep your email address only until the case is closed.",
    "letter": "We keep your address only until the case is closed.",
}
NOT_CAUGHT = Reply("Sorry, I did not catch that.")
# After two answers that would not do, the question is not asked a third time: No thanks, plainly.
LAST_TRY = Reply("You can try once more, or choose No thanks.", NO_THANKS)

_WORDS = {
    "text": r"text|texts|texting|sms|mobile|message",
    "email": r"e-?mail|e-?mails|emailing|inbox",
    "letter": r"letter|letters|post|posted|write|writing",
}
_CHANNEL_WORDS = {channel: re.compile(rf"\b(?:{words})\b", re.IGNORECASE) for channel, words in _WORDS.items()}
_NO = re.compile(
    r"\b(?:no|nope|nah|don'?t|do not|none|nothing|stop|never mind|no thanks|no thank you|"
    r"i'?m (?:ok|okay|fine|good)|not needed|no need|thanks|thank you|cheers|bye|goodbye)\b",
    re.IGNORECASE,
)
# "don't text me", "not by email": the channel named straight after a no is the one not wanted.
_NOT_THIS = re.compile(r"\b(?:no|not|don'?t|do not|never)\b(?:\s+\w+){0,2}\s*$", re.IGNORECASE)
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")
_MOBILE = re.compile(r"(?:\+44|0)\s*7(?:[\s-]*\d){9}")


def ask_channel(reference: str) -> Reply:
    """The question, with a button for each way (and No thanks)."""
    return Reply(
        f"We can tell you when there is news about {reference}. How would you like to hear back?", CHANNEL_BUTTONS
    )


def ask_contact(channel: str, failures: int = 0) -> Reply:
    """The number or address to use, saying how long it is kept; after two answers that would not
    do, No thanks is offered plainly instead of the question a third time."""
    if failures >= 2:
        return LAST_TRY
    return Reply(f"{KEPT[channel]} {CONTACT_QUESTIONS[channel]}")


def channel_in(text: str) -> str | None:
    """The way named in a typed answer: "text me" is ``text``, "by post" ``letter``, "no" ``none``.

    A number or an email address given straight away names its channel too. None when the answer
    names no way, or more than one.
    """
    if _EMAIL.search(text):
        return "email"
    if _MOBILE.search(text):
        return "text"
    named = []
    for channel, pattern in _CHANNEL_WORDS.items():
        for match in pattern.finditer(text):
            if not _NOT_THIS.search(text[: match.start()]):
                named.append(channel)
    if len(set(named)) == 1:
        return named[0]
    if not named and _NO.search(text):
        return NONE
    return None


def contact_in(channel: str, text: str) -> str | None:
    """The number or email address in an answer that also named the way ("text me on 07700 900123")."""
    pattern = {"text": _MOBILE, "email": _EMAIL}.get(channel)
    found = pattern.search(text) if pattern else None
    return found.group(0) if found else None


def chosen(channel: str, reference: str) -> Reply:
    """What will happen, in one short sentence."""
    sentence = {
        "text": f"We will text you when there is news about {reference}.",
        "email": f"We will email you when there is news about {reference}.",
        "letter": f"We will write to you when there is news about {reference}.",
    }.get(channel, f"That is fine. You can ask me about {reference} at any time.")
    return Reply(sentence)


def not_saved(reference: str) -> Reply:
    """The choice could not be stored."""
    return Reply(f"Sorry, I could not save that. You can ask me about {reference} at any time.")
