"""Checking that a resident's answer to "where is it?" is something a crew could find.

A useful location is a UK postcode, a street name, or a landmark ("outside the library on
Portswood Road"). Vague answers ("here", "my house", "dunno") are refused with a re-ask that
explains what is needed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_LOCATION_LENGTH = 200

POSTCODE = re.compile(r"\b([A-Z]{1,2}\d[A-Z\d]?)\s*(\d[A-Z]{2})\b", re.IGNORECASE)

_STREET_WORDS = (
    "road|rd|street|st|avenue|ave|lane|ln|close|way|drive|dr|crescent|cres|place|pl|square|sq|"
    "hill|terrace|gardens|gdns|grove|park|parade|row|walk|court|ct|mews|green|common|precinct|"
    "shore|quay|estate|boulevard|broadway|rise|view|vale|mead|meadow|wharf|bridge|roundabout|"
    "highway|bypass|path|alley|alleyway|twitten|footpath|car park|high st|high street|precinct"
)
_STREET = re.compile(rf"\b[a-z][a-z'.-]+\s+({_STREET_WORDS})\b", re.IGNORECASE)
_LANDMARK = re.compile(
    r"\b(outside|opposite|near|nearby|next to|by the|behind|in front of|corner of|junction|"
    r"across from|at the|on the|outside of|beside)\s+\S+\s*\S*",
    re.IGNORECASE,
)
_VAGUE = re.compile(
    r"^\s*(?:(?:it'?s\s+|just\s+)?(?:outside|near|by|at|in front of|round|around|opposite|next to)\s+)?"
    r"(?:here|there|home|me|my house|my home|my flat|my door|our house|the house|my street|my road|"
    r"outside|dunno|don'?t know|not sure|idk|somewhere|everywhere|no idea)\W*\s*$",
    re.IGNORECASE,
)

# An answer that says the problem is in the resident's own home, without its address: "im a council
# tenant", "its a council flat", "its the kitchen sink". Understood, so asked for the address itself.
_HOME = re.compile(
    r"\b(?:council\s+(?:flat|house|home|property|tenant|tenancy)|(?:i'?m|i am)\s+a\s+(?:council\s+)?tenant|"
    r"(?:my|our|the)\s+(?:flat|kitchen|bathroom|bedroom|living room|hallway|landing|loft)|kitchen sink|"
    r"(?:my|our|the)\s+(?:boiler|toilet|bath|shower|sink|radiators?|windows?|front door|back door))\b",
    re.IGNORECASE,
)
HOME_ADDRESS_NEEDED = "Thank you. I need the address of your home, with the house or flat number."
# A house number just before a street's name ("outside 14 Hill Lane", "12a", "10-12"): the crew needs it.
_HOUSE_NUMBER_BEFORE = re.compile(r"(?<![\w£$.,-])(\d{1,4}[a-z]?(?:\s*-\s*\d{1,4}[a-z]?)?)\s+$", re.IGNORECASE)


def with_house_number(text: str, start: int) -> int:
    """Where a place named from ``start`` in ``text`` begins, with the house number written just
    before it ("outside 14 [Hill Lane]" begins at "14")."""
    found = _HOUSE_NUMBER_BEFORE.search(text[:start])
    return found.start(1) if found else start


@dataclass(frozen=True)
class LocationCheck:
    """The outcome of checking a location answer.

    Attributes:
        ok: True when the answer can be used.
        value: the cleaned-up location text (whitespace collapsed, postcode upper-cased).
        postcode: the postcode found in it, formatted ``SO15 2BT``, if any.
        problem: when not ok, a plain-English sentence saying what is needed.
    """

    ok: bool
    value: str = ""
    postcode: str | None = None
    problem: str | None = None


def format_postcode(text: str) -> str | None:
    """Return the first UK postcode in ``text``, upper case with one space, or None."""
    match = POSTCODE.search(text or "")
    if not match:
        return None
    return f"{match.group(1).upper()} {match.group(2).upper()}"


def check_location(text: str) -> LocationCheck:
    """Decide whether ``text`` says where a problem is clearly enough to find it."""
    value = " ".join((text or "").split())
    if not value:
        return LocationCheck(ok=False, problem="I did not get a place.")
    if len(value) > MAX_LOCATION_LENGTH:
        return LocationCheck(ok=False, problem="That is a bit long for a place.")
    postcode = format_postcode(value)
    if postcode:
        normalised = POSTCODE.sub(postcode, value, count=1)
        return LocationCheck(ok=True, value=normalised, postcode=postcode)
    if _VAGUE.match(value):
        return LocationCheck(ok=False, problem="I need to know exactly where it is.")
    letters = sum(char.isalpha() for char in value)
    if letters < 4:
        return LocationCheck(ok=False, problem="I could not tell where that is.")
    if _STREET.search(value) or _LANDMARK.search(value):
        return LocationCheck(ok=True, value=value)
    # Two or more capitalised words usually name a place ("Hoglands Park", "Bargate Shopping").
    if len(re.findall(r"\b[A-Z][a-z]+", value)) >= 2:
        return LocationCheck(ok=True, value=value)
    if _HOME.search(value):
        return LocationCheck(ok=False, problem=HOME_ADDRESS_NEEDED)
    return LocationCheck(ok=False, problem="I could not tell where that is.")
