"""Remove card numbers and other secrets from resident text before anything stores or repeats it.

PCI DSS forbids card numbers in chat, so the assistant never keeps one: the input channel redacts
each message before Rasa's tracker store, the logs or staff can see it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

CARD_PLACEHOLDER = "[card number removed]"
SECURITY_CODE_PLACEHOLDER = "[security code removed]"

# 13 to 19 digits, optionally split by single spaces or hyphens (as printed on cards).
_CARD_CANDIDATE = re.compile(r"(?<![\d])(?:\d[ -]?){12,18}\d(?![\d])")
# Digits after words that announce a card security code or an expiry date.
_SECURITY_CODE = re.compile(
    r"\b(cvv2?|cvc2?|csc|security\s+code|3[- ]digit\s+code|the\s+3\s+digits?\s+on\s+the\s+back)"
    r"(\s*(?:is|:|=|-)?\s*)(\d{3,4})\b",
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
        digits = re.sub(r"\D", "", match.group(0))
        if 13 <= len(digits) <= 19 and luhn_valid(digits):
            found.add("card_number")
            return CARD_PLACEHOLDER
        return match.group(0)

    def _code(match: re.Match[str]) -> str:
        found.add("security_code")
        return f"{match.group(1)}{match.group(2)}{SECURITY_CODE_PLACEHOLDER}"

    cleaned = _CARD_CANDIDATE.sub(_card, text)
    cleaned = _SECURITY_CODE.sub(_code, cleaned)
    return Redacted(text=cleaned, found=frozenset(found))
