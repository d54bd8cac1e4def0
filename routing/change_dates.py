"""Reading a date the way residents write it: "today", "next friday", "12 January", "12/1/27",
"3 weeks ago". Pure: the caller gives today's date (the council's local date).

A day and month without a year is placed in the year that makes sense for the question: the most
recent one for something that has happened (a death), else the one nearest today (a move).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

When = Literal["past", "future", "any"]
MAX_PAST_DAYS = 5 * 366  # older than this is most likely a typing slip
MAX_FUTURE_DAYS = 366

MONTHS = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6, "jul": 7, "aug": 8, "sep": 9, "sept": 9,
    "oct": 10, "nov": 11, "dec": 12,
}  # fmt: skip
DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_WORD_NUMBERS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6}
_FILLER = re.compile(r"\b(?:on|the|of|it was|it is|it's|its|about|around|roughly|approx\w*|i think|maybe|erm|um)\b")
_ORDINAL = re.compile(r"\b(\d{1,2})(?:st|nd|rd|th)\b")
_MONTH = r"(jan|feb|mar|apr|may|jun|jul|aug|sept|sep|oct|nov|dec)[a-z]*"
_DAY_MONTH = re.compile(rf"\b(\d{{1,2}})\s+{_MONTH}(?:\s+(\d{{4}}|\d{{2}}))?\b")
_MONTH_DAY = re.compile(rf"\b{_MONTH}\s+(\d{{1,2}})(?:\s*,?\s+(\d{{4}}))?\b")
_NUMERIC = re.compile(r"\b(\d{1,2})[/.\-](\d{1,2})(?:[/.\-](\d{4}|\d{2}))?\b")
_ISO = re.compile(r"\b(\d{4})-(\d{1,2})-(\d{1,2})\b")
_AGO = re.compile(r"\b(\d{1,2}|a|an|one|two|three|four|five|six)\s+(day|week|month)s?\s+ago\b")
_IN = re.compile(r"\bin\s+(\d{1,2}|a|an|one|two|three|four|five|six)\s+(day|week)s?(?:'? time)?\b")
_WEEKDAY = re.compile(rf"\b(next|last|this|coming)?\s*({'|'.join(DAYS)})\b")


class DateError(ValueError):
    """An answer that is not a date we can use; ``problem`` names which ("bad_date", "past_date",
    "far_date"), a key of the wording in ``data/catalogue/changes.yml``."""

    def __init__(self, problem: str) -> None:
        super().__init__(problem)
        self.problem = problem


@dataclass(frozen=True)
class _Parts:
    day: int
    month: int
    year: int | None


def _year(raw: str | None) -> int | None:
    if not raw:
        return None
    year = int(raw)
    return year + 2000 if year < 100 else year


def _parts(text: str) -> _Parts | None:
    if match := _ISO.search(text):
        return _Parts(int(match.group(3)), int(match.group(2)), int(match.group(1)))
    if match := _DAY_MONTH.search(text):
        return _Parts(int(match.group(1)), MONTHS[match.group(2)], _year(match.group(3)))
    if match := _MONTH_DAY.search(text):
        return _Parts(int(match.group(2)), MONTHS[match.group(1)], _year(match.group(3)))
    if match := _NUMERIC.search(text):  # day first, as written in the UK
        return _Parts(int(match.group(1)), int(match.group(2)), _year(match.group(3)))
    return None


def _in_year(parts: _Parts, year: int) -> date | None:
    try:
        return date(year, parts.month, parts.day)
    except ValueError:
        return None


def _placed(parts: _Parts, today: date, when: When) -> date | None:
    """The day, in the year the resident most likely means when they left it out."""
    if parts.year is not None:
        return _in_year(parts, parts.year)
    candidates = [day for year in (today.year - 1, today.year, today.year + 1) if (day := _in_year(parts, year))]
    if when == "past":
        candidates = [day for day in candidates if day <= today]
    elif when == "future":
        candidates = [day for day in candidates if day >= today]
    return min(candidates, key=lambda day: abs((day - today).days), default=None)


def _count(raw: str) -> int:
    return _WORD_NUMBERS.get(raw) or int(raw)


def _relative(text: str, today: date, when: When) -> date | None:
    """ "today", "yesterday", "3 weeks ago", "in 2 weeks", "next friday", "friday"."""
    if re.search(r"\btoday\b|\bnow\b", text):
        return today
    if re.search(r"\byesterday\b", text):
        return today - timedelta(days=1)
    if re.search(r"\btomorrow\b", text):
        return today + timedelta(days=1)
    if match := _AGO.search(text):
        count, unit = _count(match.group(1)), match.group(2)
        return today - timedelta(days=count * {"day": 1, "week": 7, "month": 30}[unit])
    if match := _IN.search(text):
        count, unit = _count(match.group(1)), match.group(2)
        return today + timedelta(days=count * {"day": 1, "week": 7}[unit])
    if match := _WEEKDAY.search(text):
        which, target = match.group(1), DAYS.index(match.group(2))
        ahead = (target - today.weekday()) % 7
        if which == "last" or (which is None and when == "past"):
            return today - timedelta(days=(today.weekday() - target) % 7 or 7)
        if which == "next":
            return today + timedelta(days=ahead or 7)
        return today + timedelta(days=ahead)
    return None


def parse_date(text: str, today: date, when: When = "any") -> date:
    """The day the resident means; DateError when it is not a day, or is not one this question can
    take (a death in the future, or a move two years away)."""
    words = _ORDINAL.sub(r"\1", str(text or "").lower())
    words = " ".join(_FILLER.sub(" ", words).replace(",", " ").split())
    parts = _parts(words)
    day = _placed(parts, today, when) if parts else _relative(words, today, when)
    if day is None:
        raise DateError("bad_date")
    if when == "past" and day > today:
        raise DateError("past_date")
    if (day - today).days > MAX_FUTURE_DAYS or (today - day).days > MAX_PAST_DAYS:
        raise DateError("far_date")
    return day
