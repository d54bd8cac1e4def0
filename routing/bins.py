"""Bin collection days by postcode, from the catalogue's sample data, and which week of the
fortnightly cycle (week A or week B) a day falls in."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Mapping

from routing.locations import format_postcode

DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_WEEK = re.compile(r"\bweek ([AB])\b", re.IGNORECASE)


@dataclass(frozen=True)
class BinDay:
    """When the bins are collected for one postcode sector."""

    postcode: str
    day: str
    general_waste: str
    recycling: str

    def bins(self) -> dict[str, str]:
        """Each bin, as residents call it, with its schedule ("every other week, week A")."""
        return {"general waste": self.general_waste, "recycling": self.recycling}


@dataclass(frozen=True)
class Collection:
    """One collection day and the bins emptied on it."""

    on: date
    week: str
    bins: tuple[str, ...]


def postcode_sector(postcode: str) -> str:
    """``SO15 2BT`` -> ``SO15 2`` (the outward code and the first digit of the inward code)."""
    outward, inward = postcode.split()
    return f"{outward} {inward[0]}"


def find_bin_day(text: str, sectors: Mapping[str, Mapping[str, str]]) -> BinDay | None:
    """Look up the collection day for the first postcode in ``text``; None if unknown."""
    postcode = format_postcode(text)
    if postcode is None:
        return None
    entry = sectors.get(postcode_sector(postcode))
    if entry is None:
        return None
    return BinDay(
        postcode=postcode,
        day=str(entry.get("day", "")),
        general_waste=str(entry.get("general_waste", "")),
        recycling=str(entry.get("recycling", "")),
    )


def week_letter(day: date, week_a_starts: date) -> str:
    """``"A"`` or ``"B"``: the week of the fortnightly cycle ``day`` falls in.

    ``week_a_starts`` is any day of a week A (the catalogue gives a Monday); weeks run Monday to
    Sunday, and the count works before that date too.
    """
    monday = week_a_starts - timedelta(days=week_a_starts.weekday())
    weeks = (day - monday).days // 7
    return "A" if weeks % 2 == 0 else "B"


def _collected(schedule: str, week: str) -> bool:
    found = _WEEK.search(schedule)
    return found is None or found.group(1).upper() == week  # no week named: every week


def next_collections(bin_day: BinDay, today: date, week_a_starts: date) -> tuple[Collection, Collection] | None:
    """The next collection (today's counts) and the one after it, with the bins each empties.

    None when the catalogue's day is not a day of the week.
    """
    if bin_day.day.capitalize() not in DAYS:
        return None
    ahead = (DAYS.index(bin_day.day.capitalize()) - today.weekday()) % 7
    collections = []
    for on in (today + timedelta(days=ahead), today + timedelta(days=ahead + 7)):
        week = week_letter(on, week_a_starts)
        bins = tuple(name for name, schedule in bin_day.bins().items() if _collected(schedule, week))
        collections.append(Collection(on, week, bins))
    return collections[0], collections[1]
