"""Changes of circumstances the resident tells the council about (``data/catalogue/changes.yml``):
moving home, someone moving in or out, a death in the household, a change for Council Tax
Support, and a correction to a report or case. Value types, the file, and the checks on answers.

A change is recorded as a handoff case (``routing.handoffs``) for the team that records it, in the
staff "Changes to record" queue, with the answers in its summary and the working days the team
takes as its deadline. What the assistant says is ``routing.change_replies``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any, Mapping

import yaml

from routing.bereavement import is_bereavement
from routing.catalogue import DEFAULT_DIR, CatalogueError
from routing.change_dates import DateError, When, parse_date
from routing.complaints import answer_text, date_words, just_yes_or_no
from routing.references import find_reference

INTENT = "tell_change"
ENTITY = "change_kind"
KINDS = ("moving_home", "occupants", "bereavement", "council_tax_support", "correction")
# Like a complaint, a change is a case staff deal with by phone or letter: the "phone" channel, with
# a mode and a trigger of its own so the inbox gives it its own queue.
CHANNEL = "phone"
MODE = "change"
TRIGGER = "change"
QUEUE = "changes"
FIELDS = ("date", "new_address", "forwarding_address", "liable", "who", "what", "estate", "reference", "wrong", "right")
TYPES = ("text", "date", "reference")
SLOT_PREFIX = "change_"
KIND_SLOT = SLOT_PREFIX + "kind"
SLOTS = (KIND_SLOT, *(SLOT_PREFIX + field for field in FIELDS))
CATALOGUE_FILE = DEFAULT_DIR / "changes.yml"
# An optional field left for now: "skip", "I don't know yet", "I'm not sure".
_SKIP = re.compile(
    r"^(skip|pass|no|none|(i'?m |i am )?not sure|unsure|dunno|(i )?(don'?t|do not) know|not yet|n/?a)\b", re.I
)


@dataclass(frozen=True)
class Field:
    """A thing the team needs: its key, how it is checked, the question, and its name for staff."""

    key: str
    type: str
    question: str
    staff: str
    optional: bool = False
    when: When = "any"

    @property
    def slot(self) -> str:
        """The domain slot that holds the answer."""
        return SLOT_PREFIX + self.key


@dataclass(frozen=True)
class ChangeKind:
    """One kind of change: what residents call it, who records it and how soon, and what is asked."""

    key: str
    name: str
    team: str
    queue: str
    record_working_days: int
    opening: str
    next: str
    fields: tuple[Field, ...]
    extra: Mapping[str, str]  # wording only this kind has (the condolence, Tell Us Once)


@dataclass(frozen=True)
class ChangeCatalogue:
    """Every kind of change, and the wording the questions share."""

    kinds: Mapping[str, ChangeKind]
    wording: Mapping[str, Any]

    def text(self, key: str) -> str:
        """A shared text from the file ("recorded", "bad_date")."""
        return str(self.wording[key])


@dataclass(frozen=True)
class Answer:
    """A checked answer: the value kept in the slot, or the problem (a wording key) to say."""

    value: str | None
    problem: str | None = None


def _field(kind: str, raw: Any) -> Field:
    if not isinstance(raw, Mapping):
        raise CatalogueError(f"changes.yml: {kind} has a field that is not a mapping")
    key, kind_of = raw.get("key"), raw.get("type", "text")
    if key not in FIELDS:
        raise CatalogueError(f"changes.yml: {kind} asks for {key!r}; use one of {', '.join(FIELDS)}")
    if kind_of not in TYPES:
        raise CatalogueError(f"changes.yml: {kind}.{key} has type {kind_of!r}; use one of {', '.join(TYPES)}")
    when = raw.get("when", "any")
    if when not in ("past", "future", "any"):
        raise CatalogueError(f"changes.yml: {kind}.{key}.when must be past, future or any")
    for text in ("question", "staff"):
        if not isinstance(raw.get(text), str) or not raw[text].strip():
            raise CatalogueError(f"changes.yml: {kind}.{key} needs a {text}")
    return Field(str(key), str(kind_of), raw["question"], raw["staff"], bool(raw.get("optional", False)), when)


def _kind(key: str, raw: Any) -> ChangeKind:
    if not isinstance(raw, Mapping):
        raise CatalogueError(f"changes.yml: {key} must be a mapping")
    for text in ("name", "team", "queue", "opening", "next"):
        if not isinstance(raw.get(text), str) or not raw[text].strip():
            raise CatalogueError(f"changes.yml: {key} needs a {text}")
    days = raw.get("record_working_days")
    if not isinstance(days, int) or days <= 0:
        raise CatalogueError(f"changes.yml: {key}.record_working_days must be a whole number above 0")
    fields = tuple(_field(key, field) for field in raw.get("fields") or [])
    if not fields:
        raise CatalogueError(f"changes.yml: {key} needs at least one field")
    known = {"name", "team", "queue", "opening", "next", "record_working_days", "fields"}
    extra = {name: str(value) for name, value in raw.items() if name not in known}
    return ChangeKind(key, raw["name"], raw["team"], raw["queue"], days, raw["opening"], raw["next"], fields, extra)


_TEXTS = ("ask_kind", "recorded", "bad_date", "past_date", "far_date", "in_your_own_words", "bad_reference",
          "unknown_reference", "skipped", "not_recorded")  # fmt: skip


def load_changes(path: Path = CATALOGUE_FILE) -> ChangeCatalogue:
    """Read and check the changes file; CatalogueError names what is missing or wrong."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise CatalogueError(f"cannot read {path}: {error}") from error
    if not isinstance(raw, Mapping) or not isinstance(raw.get("kinds"), Mapping):
        raise CatalogueError("changes.yml must hold a mapping with kinds")
    unknown = set(raw["kinds"]) - set(KINDS)
    if unknown or set(KINDS) - set(raw["kinds"]):
        raise CatalogueError(f"changes.yml: kinds must be exactly {', '.join(KINDS)}")
    for text in _TEXTS:
        if not isinstance(raw.get(text), str) or not raw[text].strip():
            raise CatalogueError(f"changes.yml: missing the text {text}")
    buttons = raw.get("kind_buttons") or {}
    if set(buttons) != set(KINDS):
        raise CatalogueError("changes.yml: kind_buttons needs a button for every kind")
    return ChangeCatalogue({key: _kind(key, raw["kinds"][key]) for key in KINDS}, raw)


@lru_cache(maxsize=4)
def default_changes(path: str = str(CATALOGUE_FILE)) -> ChangeCatalogue:
    """The changes file loaded once per process."""
    return load_changes(Path(path))


# --- which change ---------------------------------------------------------------------------------

_KIND_WORDS = (
    ("correction", r"\b(wrong|mistake|typo|incorrect|correct(ion)?|not right)\b.*\b(report|case|reference|scc)\b"
     r"|\b(report|case|reference|scc[-\s]?\w*)\b.*\b(wrong|mistake|typo|incorrect|correct(ion)?|not right)\b"),
    ("council_tax_support", r"\b(council tax (support|reduction)|benefits?|universal credit|pension credit|income"
     r"|wages?|salary|lost my job|made redundant|hours (were |have been |got )?(cut|reduced|went down)"
     r"|pay (went|has gone|is going) (up|down))\b"),
    ("occupants", r"\b(single person discount|lives? alone|living alone|on my own now|lodger|someone moved"
     r"|(son|daughter|partner|husband|wife|boyfriend|girlfriend|mum|dad|mother|father|brother|sister|friend"
     r"|flatmate|housemate|tenant|child|kids?) (has |is |have |are |just )?(mov(ed|ing)|left|come|came))\b"),
    ("moving_home", r"\b(mov(e|ed|ing) (house|home|out|in|to|address|away|flat)|new (address|house|home|flat)"
     r"|change of address|chang(e|ing) (my )?address|relocat\w+|moving)\b"),
)  # fmt: skip


def kind_from_text(text: str) -> str | None:
    """The kind of change the resident's words tell of, if they show one ("my husband passed away",
    "I'm moving house next month"); None when they do not."""
    text = str(text or "").lower()
    if is_bereavement(text):
        return "bereavement"
    return next((kind for kind, words in _KIND_WORDS if re.search(words, text)), None)


def kind_from_entity(value: Any) -> str | None:
    """A ``change_kind`` entity's value, when it is one of the kinds."""
    return str(value) if value in KINDS else None


# --- the answers ----------------------------------------------------------------------------------


def check_answer(field: Field, text: str, today: date) -> Answer:
    """Check the resident's answer to ``field``: a date is kept as an ISO date, a reference as
    SCC-XXXXXX, words trimmed; an optional field can be skipped. Whether a reference exists is for
    the caller to look up."""
    words = answer_text(text)
    if field.optional and _SKIP.match(words):
        return Answer(value="")
    if field.type == "date":
        try:
            return Answer(parse_date(words, today, field.when).isoformat())
        except DateError as error:
            return Answer(None, error.problem)
    if field.type == "reference":
        reference = find_reference(words).reference
        return Answer(reference) if reference else Answer(None, "bad_reference")
    if not words or (just_yes_or_no(words) and not re.search(r"\d", words)):  # "07700 900123" is an answer
        return Answer(None, "in_your_own_words")
    return Answer(words)


def missing_slots(kind: ChangeKind | None, filled: Mapping[str, Any]) -> list[str]:
    """The slots still to ask, in order: the kind first, then its fields (an empty string is a
    skipped optional field, so it counts as answered)."""
    if kind is None:
        return [KIND_SLOT]
    return [field.slot for field in kind.fields if filled.get(field.slot) is None]


def staff_value(field: Field, value: str, skipped: str, today: date) -> str:
    """An answer as staff read it: a date in words, a skipped field as "Not given"."""
    if value == "":
        return skipped
    if field.type == "date":
        return date_words(date.fromisoformat(value), today)
    return value


def case_summary(
    kind: ChangeKind, answers: Mapping[str, str], record_by: date, today: date, changes: ChangeCatalogue,
    needs: list[dict[str, Any]], related: str | None = None,
) -> dict[str, Any]:  # fmt: skip
    """What staff read: the kind (the queue's "Wanted"), each answer under its staff name, the team,
    the date to record it by, the needs noticed, and the report or case a correction is about."""
    form = {
        field.staff: staff_value(field, answers[field.slot], changes.text("skipped"), today)
        for field in kind.fields
        if field.slot in answers
    }
    summary: dict[str, Any] = {
        "wanted": f"Change: {kind.name}",
        "form": form,
        "change_kind": kind.key,
        "team": kind.team,
        "record_by": record_by.isoformat(),
        "needs": needs,
    }
    if related:
        summary["related_reference"] = related
    return summary
