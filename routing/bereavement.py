"""Noticing that a resident has been bereaved, from their words.

The detector's ``life_event`` covers a death, a job loss, a separation and leaving hospital,
prison or care alike; only a death calls for condolence first and the steps after it (Tell Us
Once, the council tax bill, a council tenancy). These pure checks tell them apart.
"""

from __future__ import annotations

import re

_PEOPLE = (
    r"husband|wife|partner|mum|mother|mam|mom|dad|father|son|daughter|brother|sister|nan|nana|gran|granny"
    r"|grandma|grandmother|grandad|granddad|grandfather|child|boy|girl|fiance|fiancee|auntie|aunt|uncle|friend"
)
_DEATH = re.compile(
    r"\b(?:passed away|passed on|funeral|bereave\w*|widow(?:ed|er)?|probate|death certificate"
    r"|(?:about|report(?:ing)?|register(?:ing|ed)?|since) (?:a|the|his|her|their) death|death of|death in the family"
    rf"|lost my (?:{_PEOPLE})|late (?:{_PEOPLE})|(?:{_PEOPLE}) (?:has |just |recently )?passed"
    r"|(?:has |have |had |just |recently )?died)\b",
    re.IGNORECASE,
)
# Things that "die" without anyone dying.
_NOT_A_DEATH = re.compile(
    r"\b(?:phone|battery|laptop|tablet|computer|car|engine|signal|wifi|internet|router|plants?|tv|boiler|light)"
    r"(?: (?:has|had|just|recently))? died\b",
    re.IGNORECASE,
)
_BABY = re.compile(r"\b(?:miscarr\w*|still ?(?:birth|born)|lost (?:the|our|my) baby)\b", re.IGNORECASE)
_COUNCIL_HOME = re.compile(
    r"\bcouncil (?:home|house|flat|property|bungalow|tenan\w*|housing|rent)\b|\btenancy\b|\btenant\b",
    re.IGNORECASE,
)


def is_bereavement(text: str) -> bool:
    """Whether the resident's words say someone has died ("my husband passed away", "lost my mum",
    "since the funeral"), and not that a phone or a battery died."""
    words = _NOT_A_DEATH.sub(" ", text or "")
    return bool(_DEATH.search(words) or _BABY.search(words))


def is_baby_loss(text: str) -> bool:
    """Whether the loss is of a baby (a miscarriage or stillbirth): condolence, but no Tell Us Once
    or council tax steps, which do not apply."""
    return bool(_BABY.search(text or ""))


def mentions_council_home(text: str) -> bool:
    """Whether the resident mentions a council home or tenancy (the tenancy needs a call too)."""
    return bool(_COUNCIL_HOME.search(text or ""))
