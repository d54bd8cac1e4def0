"""Find card security codes and expiry dates in a normalised text (see ``routing.card_numbers``).

A security code is 3 or 4 digits after a cue ("cvv", "cvc2", "security code", "the 3 digits on the
back", "cvv number is"). An expiry date is a month and year after a cue ("exp", "expires", "valid
thru"), or written card style as MM/YY with a year from 20 to 39, which no UK date (DD/MM) can be.
Where the text also has card words or a card number, MM/YYYY is an expiry date too. Whole dates
(12/03/2026, 2026-12-05, 3 March 2026) are left alone.
"""

from __future__ import annotations

import re

_FILLER = r"[^0-9\n]{0,30}?"  # "number is", ": ", " = ", "on my card is "
_CODE = r"(?<![0-9])([0-9]{3,4})(?![0-9])"
_SECURITY_CUE = (
    r"\b(?:cvv2?|cvc2?|csc|cid|cvn|security\s*(?:code|number|no\b|digits?)|card\s*verification"
    r"|(?:3|4|three|four)[\s-]*digits?(?:\s*(?:code|number|no\b))?(?:\s*(?:on|at|from)\s*(?:the\s*)?back)?"
    r"|(?:code|number|digits)\s*(?:on|at)\s*(?:the\s*)?back)"
)
SECURITY_CODE = re.compile(_SECURITY_CUE + _FILLER + _CODE, re.IGNORECASE)

_MONTH = r"(?:0?[1-9]|1[0-2])"
_MONTH_NAME = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
_YEAR = r"(?:20)?[0-9]{2}"
_END = r"(?![0-9]|[/.-][0-9])"
_EXPIRY_CUE = (
    r"\b(?:exp(?:iry|iration|ires?|iring|\.)?(?![a-z])|valid\s*(?:thru|through|until|till|to|from)|good\s*thru"
    r"|end\s*date)"
)
EXPIRY_AFTER_CUE = re.compile(
    _EXPIRY_CUE
    + r"[^0-9\n]{0,20}?"
    + rf"((?<![0-9]){_MONTH}\s?[/.\-\s]?\s?{_YEAR}{_END}|{_MONTH_NAME}\s?{_YEAR}{_END})",
    re.IGNORECASE,
)
# Card style: 12/27, 03 / 29. The year 20-39 cannot be a month, so 12/03 stays a date.
EXPIRY_CARD_STYLE = re.compile(rf"(?<![0-9/.\-£$€]){_MONTH}\s?/\s?[23][0-9]{_END}")
# Only where the message is about a card: 03/2028, 12-27, 12.2027.
EXPIRY_NEAR_CARD = re.compile(rf"(?<![0-9/.\-£$€]){_MONTH}\s?[/.-]\s?(?:20)?[23][0-9]{_END}")
CARD_WORDS = re.compile(
    r"\b(?:card|visa|master\s?card|amex|american\s+express|maestro|debit|credit|long\s+number|cvv|cvc)",
    re.IGNORECASE,
)
# After a card number, a lone 3-4 digit number is almost surely its security code.
LONE_CODE = re.compile(r"(?<![0-9£$€.,:/-])[0-9]{3,4}(?![0-9]|[.,:/-][0-9])")


def security_code_spans(normalised: str) -> list[tuple[int, int]]:
    """Where the text has a security code announced by a cue word (the digits only)."""
    return [match.span(1) for match in SECURITY_CODE.finditer(normalised)]


def expiry_spans(normalised: str, about_a_card: bool) -> list[tuple[int, int]]:
    """Where the text has a card expiry date; ``about_a_card`` adds MM/YYYY and MM-YY forms."""
    spans = [match.span(1) for match in EXPIRY_AFTER_CUE.finditer(normalised)]
    spans += [match.span() for match in EXPIRY_CARD_STYLE.finditer(normalised)]
    if about_a_card or CARD_WORDS.search(normalised):
        spans += [match.span() for match in EXPIRY_NEAR_CARD.finditer(normalised)]
    return spans


def lone_code_spans(normalised: str) -> list[tuple[int, int]]:
    """Every lone 3-4 digit number: used only in a message that also holds a card number."""
    return [match.span() for match in LONE_CODE.finditer(normalised)]
