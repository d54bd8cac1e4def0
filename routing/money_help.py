"""Money trouble that cannot wait: when a resident's words show enforcement of a debt to the
council (bailiffs, a liability order, a summons, a final notice), the answer is to call the team
now and get free debt advice, never "pay online, it is quick and secure".

Wording lives in ``data/catalogue/money.yml``; the council's numbers and links come from the
service catalogue.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Any, Mapping, Sequence

import yaml

from routing.answers import Reply
from routing.catalogue import Catalogue, Service

MONEY_PATH = Path(__file__).resolve().parent.parent / "data" / "catalogue" / "money.yml"
DEFAULT_SERVICE = "council_tax"  # councils send bailiffs for council tax far more than for anything else
SUPPORT_SERVICE = "council_tax_support"

_ENFORCEMENT = re.compile(
    r"\b(?:"
    r"bai?li?ff?s?'?"  # bailiff, bailiffs, baliff, bailif
    # an enforcement agent is a bailiff; a parking (civil) enforcement officer is a traffic warden,
    # and planning enforcement is about buildings, not debt
    r"|(?<!planning )(?<!parking )(?<!civil )enforcement "
    r"(?:agents?|officers?|agency|company|notice|letter|action|stage|fees?|visit)"
    r"|notice of enforcement"
    r"|liability order"
    r"|final (?:notice|demand)"
    r"|(?<!jury )(?:court )?summons(?:ed)?"
    r"|debt collect(?:ors?|ion agency|ion letter)"
    r"|warrant of control|control of (?:my )?goods"
    r"|order for recovery|charge certificate"
    r")\b",
    re.IGNORECASE,
)


@lru_cache(maxsize=1)
def _texts() -> Mapping[str, Any]:
    loaded: Mapping[str, Any] = yaml.safe_load(MONEY_PATH.read_text(encoding="utf-8"))
    return loaded


def is_enforcement(text: str) -> bool:
    """Whether the words show a debt to the council being enforced: a bailiff or enforcement agent,
    a liability order, a court summons, a final notice, a debt collector."""
    return bool(_ENFORCEMENT.search(text or ""))


def _link(raw: Any) -> str:
    if isinstance(raw, Mapping):
        return str(raw.get("url") or raw.get("number") or "")
    return str(raw or "")


def debt_service(text: str, catalogue: Catalogue) -> Service | None:
    """The service a debt in ``text`` is for (council tax, parking, business rates, rent), if named."""
    teams = _texts()["teams"]
    return next((catalogue.get(code) for code, _ in catalogue.find_in_text(text or "") if code in teams), None)


def enforcement_lines(catalogue: Catalogue, service: Service | None = None) -> list[str]:
    """The advice, sentence by sentence: do not ignore it, call the team now (with its number),
    free debt advice (with the numbers), and Council Tax Support for a council tax debt."""
    texts = _texts()
    teams: Mapping[str, str] = texts["teams"]
    if service is None or service.code not in teams:
        service = catalogue.get(DEFAULT_SERVICE)
    code = service.code if service else DEFAULT_SERVICE
    phone = service.phone.value if service else ""
    wording = texts["enforcement"]
    lines = [
        str(wording["do_not_ignore"]),
        str(wording["call_team"]).format(team=teams[code], phone=phone),
        str(wording["debt_advice"]),
    ]
    support = catalogue.get(SUPPORT_SERVICE)
    if code == DEFAULT_SERVICE and support is not None:
        link = _link((support.apply or {}).get("form_url")) or support.online.value
        lines.append(str(wording["low_income"]).format(support_link=link))
    return lines


def enforcement_answer(catalogue: Catalogue, service: Service | None = None) -> list[Reply]:
    """The reply to a bailiff or enforcement letter, in at most 3 messages: do not ignore it and
    call the team now; free debt advice; Council Tax Support if on a low income."""
    first, call, *rest = enforcement_lines(catalogue, service)
    return [Reply(f"{first} {call}"), *(Reply(line) for line in rest)]


def enforcement_said(said_this_turn: Sequence[str]) -> bool:
    """Whether this turn already gave the enforcement advice (in the help after a consent answer),
    so the task that follows does not say it again."""
    opening = str(_texts()["enforcement"]["do_not_ignore"])
    return any(opening in text for text in said_this_turn)
