"""Noticing that a resident has been bereaved, from their words.

The detector's ``life_event`` covers a death, a job loss, a separation and leaving hospital,
prison or care alike; only a death calls for condolence first and the steps after it (Tell Us
Once, the council tax bill, a council tenancy). These pure checks tell them apart.
"""

from __future__ import annotations

import re
from typing import Sequence

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


# A problem in the home is a repair to report, whoever lived there.
_PROBLEM = re.compile(
    r"\b(?:leak\w*|broken|break\w*|damp|mou?ldy?|repairs?|fix\w*|flood\w*|boiler|heating|burst|blocked|smash\w*|"
    r"crack\w*|fault\w*|not working|(?:doesn|isn|won)'?t work\w*|rats?|mice|pests?|vermin)\b",
    re.IGNORECASE,
)


def council_home_still_to_answer(earlier: Sequence[str], latest: str) -> bool:
    """Whether ``latest`` tells of a council home after a death the resident told of ``earlier`` in
    the conversation, and the steps after that death did not cover the tenancy (the message that
    told of it did not mention a council home): "my mum died on tuesday", then "she lived on her
    own in a council flat". A problem in the home ("her council flat has a leak") is a report."""
    # The latest message first: the support policy asks on every turn, and most mention no home.
    if not mentions_council_home(latest) or _PROBLEM.search(latest):
        return False
    deaths = [text for text in earlier if is_bereavement(text)]
    return bool(deaths) and not any(mentions_council_home(text) for text in deaths)
