"""Find payment card numbers however a resident types them.

A card number is 13 to 19 digits that pass the Luhn check and start like a real brand's numbers
(2 Mastercard/Mir, 3 Amex/Diners/JCB, 4 Visa, 5 Mastercard/Maestro, 6 Discover/UnionPay/Maestro).
Residents group the digits with spaces, dots, dashes, slashes, commas, underscores, tabs, new lines,
non-breaking or thin spaces, or type them in Arabic-Indic or full-width digits. So the text is first
``normalise``d (every digit to its ASCII form, same length, so positions still point into the
original), then split into digit runs: digit groups joined by short separators.

Things that must survive: UK phone numbers and dates are recognised and never used as part of a
card, so "call 023 8083 3000, 07700 900123" keeps both numbers.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

CARD_LENGTHS = range(13, 20)
CARD_FIRST_DIGITS = frozenset("23456")
# Digits typed straight after a card with no space: a security code (3-4), an expiry (4 or 6:
# MMYY, MMYYYY) or both (7).
MAX_ATTACHED = 7
MAX_GAP = 6  # separator characters between two digit groups ("  -  " and "\r\n" fit)
LIST_ITEM = 7  # a longer group is a number of its own (an account number has 8-10 digits)
MAX_GAP_MARKS = 2  # non-space characters in one gap ("--" fits, "1, 2, 3" does not join "1,,,2")
_MARKS = frozenset(".,/_·‧・'’|~\\．，／＿｜−")  # plus every Unicode dash (category Pd)
_GROUP = re.compile(r"[0-9]+")
# UK phone numbers as people write them (whole groups only, so a card's "0111 1111" is not one).
_PHONE = re.compile(
    r"(?<![0-9])(?:(?:\+|00)44[ -]?(?:\(0\)[ -]?)?|0)"
    r"(?:[0-9]{4}[ -]?[0-9]{6}|[0-9]{3}[ -]?[0-9]{3}[ -]?[0-9]{4}|[0-9]{2}[ -]?[0-9]{4}[ -]?[0-9]{4}"
    r"|[0-9]{4}[ -]?[0-9]{3}[ -]?[0-9]{3})(?![0-9])"
)
_DAY, _MONTH, _YEAR_DIGITS = r"(?:0?[1-9]|[12][0-9]|3[01])", r"(?:0?[1-9]|1[0-2])", r"(?:19|20)?[0-9]{2}"
_DATE = re.compile(
    rf"(?<![0-9])(?:{_DAY}([/.-]){_MONTH}\1{_YEAR_DIGITS}|(?:19|20)[0-9]{{2}}([/.-]){_MONTH}\2{_DAY})(?![0-9])"
)
# An amount of money: "£1,234.56", "€45".
_AMOUNT = re.compile(r"[£$€]\s?[0-9][0-9,]*(?:\.[0-9]{1,2})?")
# Between items of a list, as in "023 8083 3000, 07700 900123" or "... / 07700 900123".
_LIST_GAP = re.compile(r"\s*[,;/\-\u2013\u2014]\s+|\s+[,;/\-\u2013\u2014]\s*")
YEAR = re.compile(r"(?:19|20)[0-9]{2}")


def normalise(text: str) -> str:
    """The text with every digit character (Arabic-Indic, full-width, Devanagari...) as ASCII.

    One character in, one character out, so a position in the result is a position in ``text``.
    """
    if text.isascii():
        return text
    out = []
    for char in text:
        value = unicodedata.digit(char, None) if not char.isascii() else None
        out.append(str(value) if value is not None else char)
    return "".join(out)


def is_separator(char: str) -> bool:
    """True for a character people put between the groups of a card number."""
    return char.isspace() or char in _MARKS or unicodedata.category(char) in ("Pd", "Cf")


def _is_mark(char: str) -> bool:
    return not char.isspace() and unicodedata.category(char) != "Cf"


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
class DigitRun:
    """Digit groups joined by separators: ``groups`` are (start, end) positions in the text."""

    groups: tuple[tuple[int, int], ...]
    digits: str
    list_gaps: frozenset[int] = frozenset()  # groups that follow a list gap (", ", " / ")

    @property
    def start(self) -> int:
        """Where the run starts in the text."""
        return self.groups[0][0]

    @property
    def end(self) -> int:
        """Where the run ends in the text."""
        return self.groups[-1][1]

    @property
    def lengths(self) -> tuple[int, ...]:
        """How many digits each group has."""
        return tuple(end - start for start, end in self.groups)


def _joins(gap: str) -> bool:
    if not gap or len(gap) > MAX_GAP:
        return False
    return all(is_separator(char) for char in gap) and sum(_is_mark(char) for char in gap) <= MAX_GAP_MARKS


def digit_runs(normalised: str) -> list[DigitRun]:
    """The digit runs of a normalised text, in order."""
    runs: list[DigitRun] = []
    groups: list[tuple[int, int]] = []
    for match in _GROUP.finditer(normalised):
        if groups and not _joins(normalised[groups[-1][1] : match.start()]):
            runs.append(_run(normalised, groups))
            groups = []
        groups.append(match.span())
    if groups:
        runs.append(_run(normalised, groups))
    return runs


def _run(normalised: str, groups: list[tuple[int, int]]) -> DigitRun:
    gaps = [normalised[before[1] : after[0]] for before, after in zip(groups, groups[1:], strict=False)]
    list_gaps = frozenset(index + 1 for index, gap in enumerate(gaps) if _LIST_GAP.fullmatch(gap))
    return DigitRun(tuple(groups), "".join(normalised[start:end] for start, end in groups), list_gaps)


def protected_spans(normalised: str) -> list[tuple[int, int]]:
    """Where the text has a UK phone number, a date or an amount of money: never part of a card.

    A phone number counts only where it starts its digit run or follows a list gap (", ", " / "):
    typed straight on from other digits ("4111 01851 677260...") its digits may be a card's.
    """
    phones = [match.span() for match in _PHONE.finditer(normalised) if _starts_an_item(normalised, match.start())]
    return phones + [match.span() for pattern in (_DATE, _AMOUNT) for match in pattern.finditer(normalised)]


def _starts_an_item(normalised: str, start: int) -> bool:
    gap_start = start
    while gap_start > 0 and start - gap_start <= MAX_GAP and is_separator(normalised[gap_start - 1]):
        gap_start -= 1
    if gap_start == start or gap_start == 0 or not normalised[gap_start - 1].isdigit():
        return True  # nothing joins it to digits before it
    return bool(_LIST_GAP.fullmatch(normalised[gap_start:start]))


def _offsets(run: DigitRun) -> list[int]:
    """Digit offsets in ``run.digits`` where each group starts, and the total at the end."""
    offsets = [0]
    for length in run.lengths:
        offsets.append(offsets[-1] + length)
    return offsets


def _protected_groups(run: DigitRun, protected: list[tuple[int, int]]) -> set[int]:
    return {
        index
        for index, (start, end) in enumerate(run.groups)
        if any(start < p_end and p_start < end for p_start, p_end in protected)
    }


def _only_years(run: DigitRun, first: int, last: int) -> bool:
    """True for "2019 2020 2021 2022": a list of years, not a card."""
    offsets = _offsets(run)
    return all(YEAR.fullmatch(run.digits[offsets[i] : offsets[i + 1]]) for i in range(first, last))


def is_years(run: DigitRun) -> bool:
    """True for a run of years ("2019, 2020"): no real card starts 19xx or 20xx in groups of four."""
    return _only_years(run, 0, len(run.groups))


def is_card_start(digits: str) -> bool:
    """True when a digit string starts like a real card brand's numbers."""
    return bool(digits) and digits[0] in CARD_FIRST_DIGITS


def _a_list(run: DigitRun, first: int, last: int) -> bool:
    """True when groups ``first``..``last`` cross a list gap and two of them are whole numbers of their
    own: as in "4210559169, 4271209962", two account numbers ("4111, 1111, 1111, 1111" is a card)."""
    if not any(first < index <= last for index in run.list_gaps):
        return False
    lengths = run.lengths
    return sum(lengths[index] > LIST_ITEM for index in range(first, last + 1)) >= 2


def card_in_run(run: DigitRun, protected: list[tuple[int, int]]) -> bool:
    """True when whole groups of the run, from a group's start, make a card number; the last group
    may carry up to ``MAX_ATTACHED`` more digits (a security code or expiry typed without a space)."""
    offsets = _offsets(run)
    blocked = _protected_groups(run, protected)
    for first, start in enumerate(offsets[:-1]):
        if first in blocked or not is_card_start(run.digits[start:]):
            continue
        last = first
        for end in range(start + CARD_LENGTHS.start, min(start + CARD_LENGTHS.stop - 1, len(run.digits)) + 1):
            while offsets[last + 1] < end:
                last += 1
            if last in blocked:
                break
            if offsets[last + 1] - end > MAX_ATTACHED:
                continue
            if _a_list(run, first, last):
                break
            if luhn_valid(run.digits[start:end]) and not _only_years(run, first, last + 1):
                return True
    return False


def card_runs(normalised: str) -> list[DigitRun]:
    """The digit runs of a normalised text that hold a card number."""
    protected = protected_spans(normalised)
    runs = digit_runs(normalised)
    return [run for run in runs if len(run.digits) >= CARD_LENGTHS.start and card_in_run(run, protected)]
