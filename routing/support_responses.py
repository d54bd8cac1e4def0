"""What the assistant says about support needs: safeguarding routes first, and disclosures handled
TEXAS-style (thank, explain, explicit consent, ask, signpost). Wording lives in
``data/catalogue/support.yml`` and ``safeguarding.yml`` so a council can change it without code.
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
from routing.money_help import debt_service, enforcement_lines, is_enforcement

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

    @classmethod
    def from_output(cls, item: Mapping[str, Any]) -> Need:
        """Build from one ``support_needs`` item of the parse output."""
        return cls(str(item.get("category")), item.get("adjustment"), item.get("kind"))


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
    }


SAFETY_ROUTES = "safety_routes"  # the chat page keeps 999 and Samaritans in view from now on
EXIT_THIS_PAGE = "exit_this_page"  # the chat page shows the quick way to leave


def safeguarding_reply(kind: str | None, catalogue: Catalogue) -> list[Reply]:
    """The interrupt: the emergency routes for this kind of risk, in the order that matters, in one
    message after a short opening, then an offer of urgent contact (three messages)."""
    _, texts = _texts()
    kinds = texts["kinds"]
    chosen = kind if kind in kinds else "unknown"
    contacts = _contacts(catalogue)
    routes = " ".join(texts["routes"][route].format(**contacts) for route in kinds[chosen])
    page = frozenset({SAFETY_ROUTES} | ({EXIT_THIS_PAGE} if chosen in texts["exit_this_page"] else set()))
    return [
        Reply(texts["opening"], page=page),
        Reply(routes, page=page),
        Reply(texts["urgent_offer"], URGENT_BUTTONS, page=page),
    ]


def check_in() -> Reply:
    """The gentle check for a possible risk: 999 and Samaritans, then one question, with buttons."""
    _, texts = _texts()
    buttons = (Button(texts["check_in_safe_button"], "/affirm"), Button(texts["check_in_help_button"], "/deny"))
    return Reply(texts["check_in"], buttons, page=frozenset({SAFETY_ROUTES}))


def check_in_safe() -> Reply:
    """After "I'm safe": thanks, the routes again, and a person offered (the concern is kept)."""
    _, texts = _texts()
    return Reply(texts["check_in_safe"], (Button("Talk to a person", "/request_human"),))


def goodbye_after_concern() -> Reply:
    """Goodbye, once a risk sign was seen in the conversation: the routes, not a rating question."""
    _, texts = _texts()
    return Reply(texts["goodbye_after_concern"])


def safeguarding_followup(wants_contact: bool, catalogue: Catalogue) -> Reply:
    """After the offer of urgent contact: how to get it now, or a gentle close."""
    _, texts = _texts()
    key = "followup_yes" if wants_contact else "followup_no"
    return Reply(texts[key].format(**_contacts(catalogue)))


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


def _lines_for(need: Need, text: str, catalogue: Catalogue | None) -> list[str]:
    """The help for one need; for money trouble that shows enforcement (a bailiff letter), the
    advice that cannot wait instead of the general help."""
    support, _ = _texts()
    if need.category == "financial_hardship" and is_enforcement(text):
        chosen = catalogue or default_catalogue()
        return enforcement_lines(chosen, debt_service(text, chosen))
    return [str(line) for line in support["help"].get(need.category, [])]


def _help_lines(needs: Sequence[Need], text: str = "", catalogue: Catalogue | None = None) -> list[str]:
    support, _ = _texts()
    lines: list[str] = []
    for need in needs:
        for line in _lines_for(need, text, catalogue):
            if line not in lines:
                lines.append(line)
    return lines + [str(support["person_offer"])] if lines else []


def consent_reply(agreed: bool, needs: Sequence[Need], text: str = "", catalogue: Catalogue | None = None) -> Reply:
    """One message after the yes or no to noting it: what was noted (or not), then the help that fits
    the needs and the resident's words (they get it whether or not they agreed to a note)."""
    support, _ = _texts()
    if agreed:
        first = support["consent_yes"].format(adjustment=_adjustment_phrase(recordable(needs)))
    else:
        first = support["consent_no"]
    return Reply(" ".join([first, *_help_lines(needs, text, catalogue)]))


def help_for(needs: Sequence[Need], text: str = "", catalogue: Catalogue | None = None) -> list[Reply]:
    """The help that fits each need (and the resident's words), in one message (none when nothing fits)."""
    lines = _help_lines(needs, text, catalogue)
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
