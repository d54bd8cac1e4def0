"""What the assistant says about support needs: safeguarding routes first, and disclosures handled
TEXAS-style (thank, explain, explicit consent, ask, signpost). Wording lives in
``data/catalogue/support.yml`` and ``safeguarding.yml`` so a council can change it without code.

A risk to someone else (``subject`` ``other`` in the parse: a child or an adult in another home) is
answered as a concern, not a crisis: the resident is thanked, never spoken to as the one at risk,
and told who to tell (children's services or adult social care, the NSPCC, the police); never
Samaritans or SHOUT, which are for the resident's own crisis.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Mapping, Sequence

import yaml

from routing.answers import Button, Reply
from routing.catalogue import Catalogue, default_catalogue

DATA = Path(__file__).resolve().parent.parent / "data" / "catalogue"
# Needs that are about the conversation, not the resident: nothing to record, so no consent asked.
NOT_RECORDED = {"safeguarding", "frustration"}
LANGUAGES = (
    "Polish", "Arabic", "Urdu", "Punjabi", "Bengali", "Romanian", "Kurdish", "Somali", "Farsi", "Persian",
    "Portuguese", "Lithuanian", "Chinese", "Mandarin", "Cantonese", "Tigrinya", "Turkish", "Spanish", "French",
    "Russian", "Ukrainian", "Hindi", "Gujarati", "Tamil", "Pashto", "Dari", "Bulgarian", "Hungarian", "Czech",
    "Slovak", "Latvian", "Italian", "German",
)  # fmt: skip
CONSENT_BUTTONS = (Button("Yes, note it", "/affirm"), Button("No, thank you", "/deny"))
URGENT_BUTTONS = (Button("Yes, please contact me", "/affirm"), Button("No, thank you", "/deny"))
DIGITAL_INCLUSION_BUTTONS = (Button("Yes, please", "/affirm"), Button("No, thank you", "/deny"))
DIGITAL_INCLUSION_NEEDS = {"digital_exclusion"}  # the needs the offer of help to get online follows
# The slot that tracks the offer: "due" once an offline resident answered the consent question,
# "asked" at the end of their task (it is the turn's one question), then "answered".
DIGITAL_INCLUSION_SLOT = "digital_inclusion"
OTHER = "other"  # the parse's ``subject`` when the one at risk is someone else
# Someone else's risk whose kind has no wording of its own is answered as an adult at risk.
OTHER_FALLBACK_KIND = "adult_at_risk"


@lru_cache(maxsize=1)
def _texts() -> tuple[Mapping[str, Any], Mapping[str, Any]]:
    support = yaml.safe_load((DATA / "support.yml").read_text(encoding="utf-8"))
    safeguarding = yaml.safe_load((DATA / "safeguarding.yml").read_text(encoding="utf-8"))
    return support, safeguarding


@dataclass(frozen=True)
class Need:
    """A detected need as the dialogue sees it (from the parse's ``support_needs`` item)."""

    category: str
    adjustment: str | None = None
    kind: str | None = None
    subject: str | None = None  # ``other`` when the one at risk is someone else

    @classmethod
    def from_output(cls, item: Mapping[str, Any]) -> Need:
        """Build from one ``support_needs`` item of the parse output."""
        return cls(str(item.get("category")), item.get("adjustment"), item.get("kind"), item.get("subject"))


def _contacts(catalogue: Catalogue) -> dict[str, str]:
    council = catalogue.council

    def number(*keys: str) -> str:
        value: Any = council
        for key in keys:
            value = (value or {}).get(key)
        return str(value or "")

    return {
        "contact_phone": number("contact_centre", "phone", "number"),
        "out_of_hours_phone": number("out_of_hours", "phone", "number"),
        "homelessness_phone": number("homelessness", "phone", "number"),
        "childrens_services_phone": number("childrens_services", "phone", "number"),
        "adult_social_care_phone": number("adult_social_care", "phone", "number"),
    }


SAFETY_ROUTES = "safety_routes"  # the chat page keeps 999 and Samaritans in view from now on
EXIT_THIS_PAGE = "exit_this_page"  # the chat page shows the quick way to leave


def _for_someone_else(kind: str | None, subject: str | None) -> Mapping[str, Any] | None:
    """The wording for a concern about someone else, or None when the risk is the resident's own."""
    if subject != OTHER:
        return None
    _, texts = _texts()
    kinds = texts["other"]["kinds"]
    return dict(kinds[kind if kind in kinds else OTHER_FALLBACK_KIND])


def safeguarding_reply(kind: str | None, catalogue: Catalogue, subject: str | None = None) -> list[Reply]:
    """The interrupt: the emergency routes for this kind of risk, in the order that matters, in one
    message after a short opening, then an offer of urgent contact (three messages).

    For a concern about someone else (``subject`` ``other``) the opening thanks the resident, the
    routes say who to tell, and the offer is of the team that looks after children or adults.
    """
    _, texts = _texts()
    contacts = _contacts(catalogue)
    other = _for_someone_else(kind, subject)
    if other is not None:
        routes = " ".join(texts["routes"][route].format(**contacts) for route in other["routes"])
        return [
            Reply(texts["other"]["opening"]),
            Reply(routes),
            Reply(str(other["urgent_offer"]), URGENT_BUTTONS),
        ]
    kinds = texts["kinds"]
    chosen = kind if kind in kinds else "unknown"
    routes = " ".join(texts["routes"][route].format(**contacts) for route in kinds[chosen])
    page = frozenset({SAFETY_ROUTES} | ({EXIT_THIS_PAGE} if chosen in texts["exit_this_page"] else set()))
    return [
        Reply(texts["opening"], page=page),
        Reply(routes, page=page),
        Reply(texts["urgent_offer"], URGENT_BUTTONS, page=page),
    ]


def routes_again(kind: str | None, catalogue: Catalogue, subject: str | None = None) -> Reply:
    """The routes for this kind of risk said again, shorter and simpler, for a follow-up such as
    "what do I do?" or "who do I tell?" right after them (gas: leave, no switches, the number)."""
    _, texts = _texts()
    other = _for_someone_else(kind, subject)
    if other is not None:
        text = str(other["again"])
    else:
        again = texts["routes_again"]
        text = str(again[kind if kind in again else "unknown"])
    return Reply(text.format(**_contacts(catalogue)))


def check_in(kind: str | None = None, subject: str | None = None) -> Reply:
    """The gentle check for a possible risk: 999 and Samaritans, then one question, with buttons.

    For someone else's possible risk: thanks, 999 for them, and whether they are safe right now.
    """
    _, texts = _texts()
    other = _for_someone_else(kind, subject)
    if other is not None:
        buttons = (
            Button(texts["other"]["check_in_safe_button"], "/affirm"),
            Button(texts["other"]["check_in_help_button"], "/deny"),
        )
        return Reply(str(other["check_in"]), buttons)
    buttons = (Button(texts["check_in_safe_button"], "/affirm"), Button(texts["check_in_help_button"], "/deny"))
    return Reply(texts["check_in"], buttons, page=frozenset({SAFETY_ROUTES}))


def check_in_safe(kind: str | None = None, subject: str | None = None, catalogue: Catalogue | None = None) -> Reply:
    """After "I'm safe" (or "they are safe, for now"): thanks, the routes again, and a person offered."""
    _, texts = _texts()
    other = _for_someone_else(kind, subject)
    text = texts["check_in_safe"] if other is None else str(other["check_in_safe"])
    return Reply(
        text.format(**_contacts(catalogue or default_catalogue())), (Button("Talk to a person", "/request_human"),)
    )


def goodbye_after_concern(
    kind: str | None = None, subject: str | None = None, catalogue: Catalogue | None = None
) -> Reply:
    """Goodbye, once a risk sign was seen in the conversation: the routes, not a rating question."""
    _, texts = _texts()
    other = _for_someone_else(kind, subject)
    text = texts["goodbye_after_concern"] if other is None else str(other["goodbye"])
    return Reply(text.format(**_contacts(catalogue or default_catalogue())))


def safeguarding_followup(
    wants_contact: bool, catalogue: Catalogue, kind: str | None = None, subject: str | None = None
) -> Reply:
    """After the offer of urgent contact: how to get it now, or a gentle close (for a concern about
    someone else, who to tell again)."""
    _, texts = _texts()
    key = "followup_yes" if wants_contact else "followup_no"
    other = _for_someone_else(kind, subject)
    text = texts[key] if other is None else str(other[key])
    return Reply(text.format(**_contacts(catalogue)))


def recordable(needs: Sequence[Need]) -> list[Need]:
    """The needs that have an adjustment worth recording (with consent)."""
    return [need for need in needs if need.category not in NOT_RECORDED and need.adjustment]


def adjustment_record(need: Need, text: str) -> str:
    """The adjustment as staff will see it: plain words, never a diagnosis ("needs interpreter: Polish")."""
    if need.category == "language_literacy":
        for language in LANGUAGES:
            if re.search(rf"\b{language}\b", text, re.IGNORECASE):
                return f"needs interpreter: {language}"
    return str(need.adjustment).replace("_", " ")


def _adjustment_phrase(needs: Sequence[Need]) -> str:
    support, _ = _texts()
    phrases = [support["adjustments"].get(need.adjustment, str(need.adjustment).replace("_", " ")) for need in needs]
    unique = list(dict.fromkeys(phrases))
    return " and ".join(unique)


def acknowledgement(needs: Sequence[Need]) -> list[Reply]:
    """Thank, explain why noting it helps, and ask consent to note the adjustment (one question)."""
    support, _ = _texts()
    to_record = recordable(needs)
    if not to_record:
        return []
    question = support["consent_question"].format(adjustment=_adjustment_phrase(to_record))
    return [Reply(f"{support['thank']} {support['explain']}"), Reply(question, CONSENT_BUTTONS)]


def _help_lines(needs: Sequence[Need]) -> list[str]:
    support, _ = _texts()
    lines: list[str] = []
    for need in needs:
        for line in support["help"].get(need.category, []):
            if line not in lines:
                lines.append(line)
    return lines + [str(support["person_offer"])] if lines else []


def consent_reply(agreed: bool, needs: Sequence[Need]) -> Reply:
    """One message after the yes or no to noting it: what was noted (or not), then the help that fits
    (the resident gets it whether or not they agreed to a note)."""
    support, _ = _texts()
    if agreed:
        first = support["consent_yes"].format(adjustment=_adjustment_phrase(recordable(needs)))
    else:
        first = support["consent_no"]
    return Reply(" ".join([first, *_help_lines(needs)]))


def help_for(needs: Sequence[Need]) -> list[Reply]:
    """The help that fits each need, in one message (none when nothing fits)."""
    lines = _help_lines(needs)
    return [Reply(" ".join(lines))] if lines else []


def offers_digital_inclusion(needs: Sequence[Need]) -> bool:
    """Whether the help for these needs ends with the offer of free help to get online."""
    return any(need.category in DIGITAL_INCLUSION_NEEDS for need in needs)


def digital_inclusion_offer() -> Reply:
    """The one question: would they like free help to get online (ESIA: digital inclusion)."""
    support, _ = _texts()
    return Reply(support["digital_inclusion"]["question"], DIGITAL_INCLUSION_BUTTONS)


def digital_inclusion_reply(accepted: bool, catalogue: Catalogue) -> Reply:
    """How to get that help, or that it is fine not to."""
    support, _ = _texts()
    return Reply(support["digital_inclusion"]["yes" if accepted else "no"].format(**_contacts(catalogue)))


def offer_support() -> Reply:
    """When the conversation shows the resident is struggling: say sorry and offer a person."""
    support, _ = _texts()
    return Reply(support["offer_support"]["text"], (Button("Talk to a person", "/request_human"),))
