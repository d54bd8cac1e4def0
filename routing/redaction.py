"""Remove card numbers and other secrets from resident text before anything stores or repeats it.

PCI DSS forbids card numbers in chat, so the assistant never keeps one: the input channel redacts
each message before Rasa's tracker store, the logs or staff can see it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

CARD_PLACEHOLDER = "[card number removed]"
SECURITY_CODE_PLACEHOLDER = "[security code removed]"

# A run of digit groups split by single spaces or hyphens (as cards are printed). The card
# number may be only part of the run ("4111 1111 1111 1111 123" ends with a security code).
_DIGIT_RUN = re.compile(r"(?<![\d])\d+(?:[ -]\d+)*(?![\d])")
_GROUP = re.compile(r"\d+")
# Digits after words that announce a card security code or an expiry date.
_SECURITY_CODE = re.compile(
    r"\b(cvv2?|cvc2?|csc|security\s+code|3[- ]digit\s+code|the\s+3\s+digits?\s+on\s+the\s+back)"
    r"(\s*(?:is|are|:|=|-)?\s*)(\d{3,4})\b",
    re.IGNORECASE,
)


def luhn_valid(digits: str) -> bool:
    """Return True when a digit string passes the Luhn check used by payment cards."""
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2 == 1:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def _contains_card(run: str) -> bool:
    """True when consecutive whole groups of a digit run make a 13-19 digit Luhn-valid number.

    So "4111 1111 1111 1111 123" holds a card, though the run as a whole is 19 digits that fail.
    """
    groups = _GROUP.findall(run)
    for first in range(len(groups)):
        digits = ""
        for group in groups[first:]:
            digits += group
            if len(digits) > 19:
                break
            if len(digits) >= 13 and luhn_valid(digits):
                return True
    return False


@dataclass(frozen=True)
class Redacted:
    """Text with secrets removed, and which kinds of secret were found."""

    text: str
    found: frozenset[str] = field(default_factory=frozenset)

    @property
    def had_card_details(self) -> bool:
        """True when a card number or security code was removed."""
        return bool(self.found & {"card_number", "security_code"})


def redact(text: str) -> Redacted:
    """Replace Luhn-valid card numbers and card security codes with placeholders."""
    found: set[str] = set()

    def _card(match: re.Match[str]) -> str:
        run = match.group(0)
        if not _contains_card(run):
            return run
        found.add("card_number")
        # The whole run goes: digits typed straight after a card are usually its security code.
        return CARD_PLACEHOLDER

    def _code(match: re.Match[str]) -> str:
        found.add("security_code")
        return f"{match.group(1)}{match.group(2)}{SECURITY_CODE_PLACEHOLDER}"

    cleaned = _DIGIT_RUN.sub(_card, text)
    cleaned = _SECURITY_CODE.sub(_code, cleaned)
    return Redacted(text=cleaned, found=frozenset(found))
