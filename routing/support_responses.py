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
from routing.bereavement import is_baby_loss, is_bereavement, mentions_council_home
from routing.catalogue import Catalogue, default_catalogue
from routing.contact_answers import sign_language_line, uses_sign_language
from routing.money_help import debt_service, enforcement_lines, is_enforcement
from routing.proxy import SOMEONE, Person, about_them, acting_for, names_them

DATA = Path(__file__).resolve().parent.parent / "data" / "catalogue"
# Needs that are about the conversation, not the resident: nothing to record, so no consent asked.
NOT_RECORDED = {"safeguarding", "frustration"}
# Needs that, said about a named person ("my mum is 90"), show the resident is acting for them even
# when the detector did not say so (a life event names people too: "my wife left me").
ABOUT_A_PERSON = {
    "disability", "older_age", "mental_health_cognitive", "digital_exclusion", "language_literacy",
    "financial_hardship",
}  # fmt: skip
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
    cue: str | None = None  # the resident's words that showed it, when a cue did
    subject: str | None = None  # ``other`` when the one at risk is someone else

    @classmethod
    def from_output(cls, item: Mapping[str, Any]) -> Need:
        """Build from one ``support_needs`` item of the parse output."""
        return cls(
            str(item.get("category")), item.get("adjustment"), item.get("kind"), item.get("cue"), item.get("subject")
        )


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


def _adjustment_phrase(needs: Sequence[Need], key: str = "adjustments") -> str:
    support, _ = _texts()
    phrases = [support[key].get(need.adjustment, str(need.adjustment).replace("_", " ")) for need in needs]
    unique = list(dict.fromkeys(phrases))
    return " and ".join(unique)


def bereaved(needs: Sequence[Need], text: str) -> bool:
    """Whether the life event the resident told us about is a death (``routing.bereavement``)."""
    return any(need.category == "life_event" for need in needs) and is_bereavement(text)


def _phone(catalogue: Catalogue, code: str) -> str:
    service = catalogue.get(code)
    return service.phone.value if service else _contacts(catalogue)["contact_phone"]


def _bereavement_steps(text: str, catalogue: Catalogue | None) -> list[Reply]:
    """Condolence, then what to do: Tell Us Once, the council tax bill, a council tenancy."""
    support, _ = _texts()
    wording = support["bereavement"]
    if is_baby_loss(text):  # Tell Us Once and the bill do not apply: condolence alone
        return [Reply(str(wording["condolence"]))]
    chosen = catalogue or default_catalogue()
    phones = {"council_tax_phone": _phone(chosen, "council_tax"), "housing_phone": _phone(chosen, "housing_repair")}
    account = [str(wording["council_tax"]).format(**phones)]
    if mentions_council_home(text):
        account.append(str(wording["council_home"]).format(**phones))
    return [Reply(f"{wording['condolence']} {wording['tell_us_once']}"), Reply(" ".join(account))]


def council_home_later(catalogue: Catalogue | None = None) -> Reply:
    """Whom to call about the tenancy, when the resident tells of the council home of the one who
    died after the steps after the death were given."""
    support, _ = _texts()
    housing_phone = _phone(catalogue or default_catalogue(), "housing_repair")
    return Reply(str(support["bereavement"]["council_home_later"]).format(housing_phone=housing_phone))


def acting_person(needs: Sequence[Need], text: str) -> Person | None:
    """The person the resident is acting for, when they are: the detector said so (``carer_proxy``),
    or a need is said about someone they name ("my mum is 90"). None otherwise, and never the
    person who has died ("my mum died and I'm sorting her flat")."""
    if bereaved(needs, text):
        return None
    person = acting_for(text)
    if any(need.category == "carer_proxy" for need in needs):
        return person or SOMEONE
    if person and any(need.category in ABOUT_A_PERSON and names_them(text, need.cue) for need in needs):
        return person
    return None


def _theirs(need: Need, text: str) -> bool:
    return need.category != "carer_proxy" and about_them(text, need.cue)


def _proxy_clauses(needs: Sequence[Need], text: str, person: Person) -> str:
    """ "you are helping your mum with this, and that she may need step-free access" """
    support, _ = _texts()
    others = [need for need in recordable(needs) if need.category != "carer_proxy"]
    mine = [need for need in others if not _theirs(need, text)]
    theirs = [need for need in others if _theirs(need, text)]
    clauses = [support["acting_for"]["helping"].format(person=person.described)]
    if mine:
        clauses.append(f"you {_adjustment_phrase(mine)}")
    if theirs:
        clauses.append(f"{person.subject} {_adjustment_phrase(theirs, 'adjustments_them')}")
    if len(clauses) == 1:
        return clauses[0]
    return ", that ".join(clauses[:-1]) + f", and that {clauses[-1]}"


def acknowledgement(needs: Sequence[Need], text: str = "", catalogue: Catalogue | None = None) -> list[Reply]:
    """Thank, explain why noting it helps, and ask consent to note the adjustment (one question).

    When the resident acts for someone, the question is about that person, as the resident
    described them ("May I note that you are helping your mum with this, and that she may need
    step-free access?"). When someone has died, condolence comes first, then what to do (Tell Us
    Once, the council tax bill, a council tenancy), and the question last: three messages.
    """
    support, _ = _texts()
    to_record = recordable(needs)
    if not to_record:
        return []
    person = acting_person(needs, text)
    if person is not None:
        question = support["consent_question_proxy"].format(clauses=_proxy_clauses(needs, text, person))
    else:
        question = support["consent_question"].format(adjustment=_adjustment_phrase(to_record))
    if bereaved(needs, text):
        return [*_bereavement_steps(text, catalogue), Reply(f"{support['explain']} {question}", CONSENT_BUTTONS)]
    opening = f"{support['thank']} {support['explain']}"
    if catalogue is not None and uses_sign_language(text):
        opening = f"{support['thank']} {sign_language_line(catalogue)} {support['explain']}"
    return [Reply(opening), Reply(question, CONSENT_BUTTONS)]


def adjustment_records(needs: Sequence[Need], text: str) -> list[str]:
    """What staff see for each need the resident agreed to note, saying whose it is when they act
    for someone ("acting for someone else: their mum", "needs home visit ... (for their mum)")."""
    person = acting_person(needs, text)
    whose = f"their {person.noun}" if person and person.noun else "the person they help"
    records = []
    for need in recordable(needs):
        record = adjustment_record(need, text)
        if person is not None and need.category == "carer_proxy" and person.noun:
            record = f"{record}: {whose}"
        elif person is not None and _theirs(need, text):
            record = f"{record} (for {whose})"
        records.append(record)
    return list(dict.fromkeys(records))


def _lines_for(need: Need, text: str, catalogue: Catalogue | None, person: Person) -> list[str]:
    """The help for one need; for money trouble that shows enforcement (a bailiff letter), the
    advice that cannot wait instead of the general help."""
    support, _ = _texts()
    if need.category == "financial_hardship" and is_enforcement(text):
        chosen = catalogue or default_catalogue()
        return enforcement_lines(chosen, debt_service(text, chosen))
    if need.category == "life_event" and is_bereavement(text):
        return [str(line) for line in support["bereavement"]["help"]]
    names = {"person": person.described, "their": person.possessive}
    return [str(line).format(**names) for line in support["help"].get(need.category, [])]


def _help_lines(needs: Sequence[Need], text: str = "", catalogue: Catalogue | None = None) -> list[str]:
    support, _ = _texts()
    person = acting_person(needs, text) or SOMEONE
    lines: list[str] = []
    for need in needs:
        for line in _lines_for(need, text, catalogue, person):
            if line not in lines:
                lines.append(line)
    return lines + [str(support["person_offer"])] if lines else []


def consent_reply(agreed: bool, needs: Sequence[Need], text: str = "", catalogue: Catalogue | None = None) -> Reply:
    """One message after the yes or no to noting it: what was noted (or not), then the help that fits
    the needs and the resident's words (they get it whether or not they agreed to a note)."""
    support, _ = _texts()
    person = acting_person(needs, text)
    if agreed and person is not None:
        first = support["consent_yes_proxy"].format(clauses=_proxy_clauses(needs, text, person))
    elif agreed:
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


def offer_support(complaining: bool = False) -> Reply:
    """When the conversation shows the resident is struggling: say sorry, and offer a person or the
    complaints route (a frustrated resident may want to complain, not only to be helped); only a
    person to a resident who is ``complaining`` already."""
    offer = _texts()[0]["offer_support"]
    person = Button(offer["person_button"], "/request_human")
    if complaining:
        return Reply(offer["text_during_complaint"], (person,))
    return Reply(offer["text"], (person, Button(offer["complaint_button"], "/make_complaint")))
