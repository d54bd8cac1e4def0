"""Acting for someone else: who the resident is helping ("my mum", "for him"), whether a need they
describe is that person's or their own, and the answer to "can I fill it in for her?".

The consent question is then about the right person ("May I note that you are helping your mum
with this, and that she may need step-free access?"), never "you need step-free access" said to
the helper. Wording lives in ``data/catalogue/support.yml`` (``acting_for``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Mapping

import yaml

from routing.answers import Reply
from routing.catalogue import Service

SUPPORT_PATH = Path(__file__).resolve().parent.parent / "data" / "catalogue" / "support.yml"

_SHE = (
    "mum", "mummy", "mother", "mam", "mom", "nan", "nana", "nanna", "nanny", "gran", "granny", "grandma",
    "grandmother", "wife", "daughter", "sister", "aunt", "auntie", "aunty", "niece", "granddaughter",
    "mother-in-law", "mother in law", "girlfriend", "stepmum", "stepmother",
)  # fmt: skip
_HE = (
    "dad", "daddy", "father", "grandad", "granddad", "grandpa", "grandfather", "husband", "son", "brother",
    "uncle", "nephew", "grandson", "father-in-law", "father in law", "boyfriend", "stepdad", "stepfather",
)  # fmt: skip
_THEY = ("partner", "neighbour", "neighbor", "friend", "client", "parents", "grandparents", "child", "children")
RELATIONS: Mapping[str, str] = {**{w: "she" for w in _SHE}, **{w: "he" for w in _HE}, **{w: "they" for w in _THEY}}
PRONOUNS: Mapping[str, tuple[str, str, str]] = {  # subject, object, possessive
    "she": ("she", "her", "her"),
    "he": ("he", "him", "his"),
    "they": ("they", "them", "their"),
}
_RELATION = "|".join(re.escape(word) for word in sorted(RELATIONS, key=len, reverse=True))
# "my mum", "my 90 year old dad", "my elderly neighbour": the resident's own words for the person.
_MY_RELATION = re.compile(rf"\bmy (?:[\w-]+ ){{0,3}}?({_RELATION})\b", re.IGNORECASE)
_FOR_PRONOUN = re.compile(
    r"\b(?:for|helping|help|behalf of|on) (her|him|them)\b|\bon (her|his|their) behalf\b", re.IGNORECASE
)
_PRONOUN_OF = {"her": "she", "him": "he", "them": "they", "his": "he", "their": "they"}
_FIRST_PERSON = {"i", "i'm", "im", "i've", "ive", "i'd", "me", "myself"}
_THIRD_PERSON = {"she", "he", "they", "her", "him", "his", "them", "their", "who", "she's", "he's", "they're"}
_CLAUSE_END = re.compile(r"[.!?;,]")
_FOR_SOMEONE_ELSE = re.compile(r"translat|interpret", re.IGNORECASE)  # "I translate" is for someone who needs it


@dataclass(frozen=True)
class Person:
    """The person a resident acts for, as the resident called them.

    Attributes:
        noun: their word for the person ("mum"), or "" when they only said "her" or "him".
        pronoun: ``she``, ``he`` or ``they``.
    """

    noun: str = ""
    pronoun: str = "they"

    @property
    def subject(self) -> str:
        """ "she", "he" or "they"."""
        return PRONOUNS[self.pronoun][0]

    @property
    def object(self) -> str:
        """ "her", "him" or "them"."""
        return PRONOUNS[self.pronoun][1]

    @property
    def possessive(self) -> str:
        """ "her", "his" or "their"."""
        return PRONOUNS[self.pronoun][2]

    @property
    def described(self) -> str:
        """How to name them to the resident: "your mum", "her", or "someone else"."""
        if self.noun:
            return f"your {self.noun}"
        return self.object if self.pronoun != "they" else "someone else"


SOMEONE = Person()


def acting_for(text: str) -> Person | None:
    """Who the resident describes acting for: "my mum is 90" -> your mum (she); "for him" -> him;
    None when they name nobody."""
    words = text or ""
    found = _MY_RELATION.search(words)
    if found:
        noun = found.group(1).lower()
        return Person(noun, RELATIONS[noun])
    pronoun = _FOR_PRONOUN.search(words)
    if pronoun:
        return Person("", _PRONOUN_OF[(pronoun.group(1) or pronoun.group(2)).lower()])
    return None


def _clause_to(text: str, cue: str | None) -> str | None:
    """The clause that ends with the cue (the cue's own words included), or None if it is not there."""
    at = text.lower().find((cue or "").lower()) if cue else -1
    if at < 0:
        return None
    return _CLAUSE_END.split(text[: at + len(cue or "")])[-1]


def about_them(text: str, cue: str | None) -> bool:
    """Whether a need's cue is said about the other person rather than the resident.

    Reads the clause up to the end of the cue: the nearest subject decides ("I'm deaf and writing
    for my mum" is the resident; "my mum is deaf" and "for my dad, who is 90" are the other person).
    A resident who translates or interprets does it for someone who needs it. A need with no cue in
    the text is taken to be theirs: the resident is writing about them.
    """
    clause = _clause_to(text or "", cue)
    if clause is None:
        return True
    tokens = re.findall(r"[a-z']+", clause.lower())
    for token in reversed(tokens):
        if token in _FIRST_PERSON:
            return bool(_FOR_SOMEONE_ELSE.search(cue or ""))
        if token in _THIRD_PERSON or re.sub(r"'s$", "", token) in RELATIONS:
            return True
    return True


def names_them(text: str, cue: str | None) -> bool:
    """Whether the clause with a cue explicitly names another person it is about ("my mum is 90"):
    the evidence that someone is acting for them when the detector did not say so."""
    clause = _clause_to(text or "", cue)
    return clause is not None and bool(_MY_RELATION.search(clause)) and about_them(text, cue)


# ---------------------------------------------------------------- "can I fill it in for her?"

_ACTIONS = (
    (re.compile(r"\bpa(?:y|ying|id)\b", re.IGNORECASE), "pay"),
    (re.compile(r"\bfill(?:ing)?\b|\bform\b|\bsign\b", re.IGNORECASE), "fill it in for {them}"),
    (re.compile(r"\bappl(?:y|ying|ication)\b", re.IGNORECASE), "apply on {their} behalf"),
    (re.compile(r"\brenew", re.IGNORECASE), "renew it for {them}"),
    (re.compile(r"\bbook", re.IGNORECASE), "book it for {them}"),
    (re.compile(r"\breport", re.IGNORECASE), "report it for {them}"),
)


@lru_cache(maxsize=1)
def _wording() -> Mapping[str, Any]:
    loaded: Mapping[str, Any] = yaml.safe_load(SUPPORT_PATH.read_text(encoding="utf-8"))["acting_for"]
    return loaded


def _link(raw: Any) -> str:
    return str(raw.get("url") or "") if isinstance(raw, Mapping) else str(raw or "")


_ASKS_TO_ACT = re.compile(
    r"\b(?:can|could|may|am i allowed to|is it ok (?:if|to|for)|do i|should i|how do i)\b.{0,30}?"
    r"\b(?:fill|apply|do|sign|complete|pay|sort|renew|book|handle)\b.{0,30}?"
    r"\b(?:for (?:her|him|them|my \w+)|on (?:her|his|their|my \w+(?:'s)?) behalf)\b",
    re.IGNORECASE,
)


def asks_to_act_for(text: str) -> bool:
    """Whether the resident asks if they may act for someone ("can i fill it in for her?")."""
    return bool(_ASKS_TO_ACT.search(text or ""))


def proxy_answer(text: str, service: Service | None = None, context: str = "") -> list[Reply]:
    """The answer to "can I fill it in for her?" or "can I apply on his behalf?": yes, with their
    permission, or with a power of attorney if they cannot give it; paying needs no permission.
    Ends with the service's form or payment link and phone when ``service`` is given.

    ``context`` is what the resident said earlier, to find who "her" is when the latest words do not.
    """
    person = acting_for(text) or acting_for(context) or SOMEONE
    wording = _wording()
    names = {"them": person.object, "their": person.possessive, "they": person.subject}
    action = next((verb for pattern, verb in _ACTIONS if pattern.search(text or "")), "do this for {them}")
    if action == "pay":
        first = [wording["pay"], wording["pay_reference"]]
        second = [wording["account"]]
        link = _link((service.pay or {}).get("online_url")) if service and service.pay else ""
        where = wording["pay_here"] if link else ""
    else:
        first = [wording["yes"].format(action=action.format(**names), **names), wording["no_permission"]]
        second = [wording["details"]]
        link = _link((service.apply or {}).get("form_url")) if service and service.apply else ""
        where = wording["apply_here"] if link else ""
    replies = [Reply(" ".join(str(line).format(**names) for line in first))]
    if service is not None:
        phone = service.phone.value
        contact = where.format(link=link, phone=phone) if where else wording["call"].format(phone=phone)
        second.append(contact)
    replies.append(Reply(" ".join(str(line).format(**names) for line in second)))
    return replies
