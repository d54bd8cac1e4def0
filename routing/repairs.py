"""Everyday emergencies in a council home: no heating or hot water, a leak, no power, a door that
will not lock. They are urgent repairs, not a crisis: the resident is told at once how to get it
fixed fastest (the repairs line, and the out-of-hours line), and the report can still be sent here.
"""

from __future__ import annotations

import re

from routing.answers import Reply
from routing.catalogue import Catalogue

_URGENT = re.compile(
    r"\b(no|not any|without|lost (?:the|my|all)?)\s*(heating|heat|hot water|water|power|electric(?:s|ity)?|gas)\b"
    r"|\bboiler\b.{0,40}\b(broke|broken|gone|not working|isn'?t working|wont|won'?t|stopped|died|packed up|clicks)\b"
    r"|\b(broke|broken|gone|stopped|died|packed up)\b.{0,20}\bboiler\b"
    r"|\b(heating|radiators?)\b.{0,30}\b(stopped|not working|isn'?t working|cold|broken|off)\b"
    r"|\b(leak(?:ing|s)?|flood(?:ing|ed)?|water (?:all over|pouring|coming|going|everywhere|on the floor))\b"
    r"|\b(burst|dripping)\b.{0,20}\b(pipe|tap)\b"
    r"|\b(door|lock)\b.{0,30}\b(won'?t|will not|cannot|can'?t) (?:lock|close|shut)\b",
    re.IGNORECASE,
)


def is_urgent_repair(text: str) -> bool:
    """Whether the resident describes a repair that cannot wait (heat, water, power, security)."""
    return bool(_URGENT.search(text or ""))


def urgent_repair_note(catalogue: Catalogue) -> Reply:
    """How to get an urgent repair done fastest, before the report's first question."""
    service = catalogue.get("housing_repair")
    repairs = service.phone.value if service is not None else ""
    out = catalogue.council.get("out_of_hours", {}).get("phone", {}).get("number", "")
    return Reply(
        f"That is an urgent repair. We aim to fix urgent repairs within 24 hours. "
        f"For the fastest help, call our repairs team on {repairs}. When we are closed, call {out}. "
        "Or I can send the report now."
    )
