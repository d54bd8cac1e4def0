"""Bin collection days by postcode, from the catalogue's sample data."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

from routing.locations import format_postcode


@dataclass(frozen=True)
class BinDay:
    """When the bins are collected for one postcode sector."""

    postcode: str
    day: str
    general_waste: str
    recycling: str


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
