"""Remove card numbers and other card details from resident text before anything stores or repeats it.

PCI DSS forbids card numbers in chat, so the assistant never keeps one: the input channel (and the
web app, before the live chat relay) redacts each message before Rasa's tracker store, the logs or
staff can see it. What goes:

* a card number (``routing.card_numbers``: 13-19 Luhn-valid digits, any separators, any digits),
  with the whole digit run it sits in (digits typed straight after a card are its code or expiry);
* a security code after a cue word, and an expiry date (``routing.card_codes``); in a message with
  a card number, every lone 3-4 digit number too;
* a partial card: a message that is only the first part of a card (two or three groups of four
  digits, or 4+6 like Amex, or 11-12 digits in one, starting 2-6), or card-like digits in a message
  about a card. The rest of a card typed in a second message is caught by ``routing.split_cards``.
  A short start (up to 7 digits) is kept: PCI DSS lets the first digits of a card be shown, and
  residents' account numbers (8-10 digits in one group) and references must keep working;
* on a cut to the length limit, any digit run the cut goes through (redaction runs first, on the
  whole message, so a card across the cut is removed whole).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Iterable

from routing.card_codes import CARD_WORDS, expiry_spans, lone_code_spans, security_code_spans
from routing.card_numbers import (
    DigitRun,
    card_runs,
    digit_runs,
    is_card_start,
    is_years,
    luhn_valid,
    normalise,
    protected_spans,
)

__all__ = [
    "CARD_PLACEHOLDER",
    "EXPIRY_PLACEHOLDER",
    "PLACEHOLDERS",
    "SECURITY_CODE_PLACEHOLDER",
    "Redacted",
    "luhn_valid",
    "redact",
    "redact_to_length",
]

CARD_PLACEHOLDER = "[card number removed]"
SECURITY_CODE_PLACEHOLDER = "[security code removed]"
EXPIRY_PLACEHOLDER = "[expiry date removed]"
PLACEHOLDERS = (CARD_PLACEHOLDER, SECURITY_CODE_PLACEHOLDER, EXPIRY_PLACEHOLDER)
CARD_KINDS = frozenset({"card_number", "security_code", "expiry_date", "partial_card"})
SCAN_MARGIN = 200  # characters past a length limit still read, so a card across the cut is seen whole

_PLACEHOLDER_OF = {
    "card_number": CARD_PLACEHOLDER,
    "partial_card": CARD_PLACEHOLDER,
    "security_code": SECURITY_CODE_PLACEHOLDER,
    "expiry_date": EXPIRY_PLACEHOLDER,
}
_LETTERS = re.compile(r"[^\W\d_]+")
# Words that say digits are something else: a partial card rule must not eat an account number.
NOT_A_CARD = re.compile(r"\b(?:account|acc|reference|ref|phone|mobile|tel|call|ring|number\s+is\s+0)", re.IGNORECASE)
_LONE_CODE = re.compile(r"\W*[0-9]{3,4}\W*")  # a message that is only a security code
Span = tuple[int, int, str]  # start, end, kind


@dataclass(frozen=True)
class Redacted:
    """Text with secrets removed, and which kinds of secret were found."""

    text: str
    found: frozenset[str] = field(default_factory=frozenset)

    @property
    def had_card_details(self) -> bool:
        """True when a card number (or part of one), security code or expiry date was removed."""
        return bool(self.found & CARD_KINDS)


def _partial_card(normalised: str, run: DigitRun, protected: list[tuple[int, int]]) -> bool:
    """True for the first part of a card number typed on its own (see the module docstring)."""
    if not is_card_start(run.digits) or any(run.start < end and start < run.end for start, end in protected):
        return False
    outside = normalised[: run.start] + " " + normalised[run.end :]
    if CARD_WORDS.search(normalised):
        return 8 <= len(run.digits) <= 19
    lengths = run.lengths
    if is_years(run):
        return False
    shaped = (
        (len(lengths) in (2, 3) and all(length == 4 for length in lengths))
        or lengths == (4, 6)
        or (len(lengths) == 1 and 11 <= lengths[0] <= 12)
    )
    return shaped and not NOT_A_CARD.search(outside) and len(_LETTERS.findall(outside)) <= 3


def _spans(normalised: str, about_a_card: bool, also: Iterable[tuple[int, int]]) -> list[Span]:
    cards = card_runs(normalised)
    spans: list[Span] = [(run.start, run.end, "card_number") for run in cards]
    spans += [(start, end, "card_number") for start, end in also]
    spans += [(start, end, "security_code") for start, end in security_code_spans(normalised)]
    spans += [(start, end, "expiry_date") for start, end in expiry_spans(normalised, about_a_card or bool(spans))]
    if cards or also or (about_a_card and _LONE_CODE.fullmatch(normalised)):
        spans += [(start, end, "security_code") for start, end in lone_code_spans(normalised)]
    else:
        protected = protected_spans(normalised)
        spans += [
            (run.start, run.end, "partial_card")
            for run in digit_runs(normalised)
            if _partial_card(normalised, run, protected)
        ]
    return spans


def _apply(text: str, spans: list[Span]) -> Redacted:
    """Replace the spans (the first found wins where two overlap) with their placeholders."""
    kept: list[Span] = []
    for span in sorted(spans, key=lambda s: (s[0], -s[1])):
        if kept and span[0] < kept[-1][1]:
            continue
        kept.append(span)
    pieces: list[str] = []
    position = 0
    for start, end, kind in kept:
        pieces += [text[position:start], _PLACEHOLDER_OF[kind]]
        position = end
    pieces.append(text[position:])
    return Redacted(text="".join(pieces), found=frozenset(kind for _, _, kind in kept))


def redact(text: str, *, about_a_card: bool = False, also: Iterable[tuple[int, int]] = ()) -> Redacted:
    """Replace card numbers, security codes and expiry dates with placeholders.

    ``about_a_card``: the conversation just had card details, so a lone expiry date goes too, and
    a message that is only 3-4 digits is taken as the security code.
    ``also``: further (start, end) spans to remove as card numbers (the rest of a split card).
    """
    return _apply(text, _spans(normalise(text), about_a_card, list(also)))


def redact_to_length(
    text: str, limit: int, *, about_a_card: bool = False, also: Iterable[tuple[int, int]] = ()
) -> Redacted:
    """``redact`` the text, then cut it to ``limit`` characters: redacting first means a card across
    the cut goes whole, and a digit run the cut still goes through is removed, not stored in part."""
    if len(text) <= limit:
        return redact(text, about_a_card=about_a_card, also=also)
    head = text[: limit + SCAN_MARGIN]
    result = redact(head, about_a_card=about_a_card, also=[(s, e) for s, e in also if e <= len(head)])
    if len(result.text) <= limit:
        return result
    text = result.text
    # Digit runs the cut must not split, and placeholders it must not split (kept whole instead).
    runs = [(run.start, run.end, len(run.digits) >= 7) for run in digit_runs(normalise(text))]
    runs += [(m.start(), m.end(), True) for m in re.finditer("|".join(map(re.escape, PLACEHOLDERS)), text)]
    cut, removed = limit, False
    for _ in range(4):  # moving the cut back for the placeholder may land in another run
        across = next(((start, card) for start, end, card in runs if start < cut < end), None)
        if across is None:
            break
        cut, removed = across[0], removed or across[1]
        if removed and cut + len(CARD_PLACEHOLDER) + 1 > limit:
            cut = limit - len(CARD_PLACEHOLDER) - 1
    if not removed:
        return Redacted(text=text[:cut], found=result.found)
    return Redacted(text=f"{text[:cut].rstrip()} {CARD_PLACEHOLDER}", found=result.found | {"partial_card"})
