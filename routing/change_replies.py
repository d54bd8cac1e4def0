"""What the assistant says while the resident tells us about a change: which change, the opening
(condolence first after a death), one question at a time, the problem with an answer, and the
reference with what happens next and by when.

The wording is in ``data/catalogue/changes.yml`` (``routing.changes`` reads it); the contact
centre's number comes from ``council.yml``.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Mapping

from routing.answers import Button, Reply
from routing.changes import ENTITY, INTENT, KINDS, ChangeCatalogue, ChangeKind, Field
from routing.complaint_replies import contact_phone
from routing.complaints import date_words


def kind_buttons(changes: ChangeCatalogue) -> tuple[Button, ...]:
    """A button for each kind of change, sending the intent with its kind."""
    titles = changes.wording["kind_buttons"]
    return tuple(Button(str(titles[kind]), f'/{INTENT}{{"{ENTITY}":"{kind}"}}') for kind in KINDS)


def ask_kind(changes: ChangeCatalogue) -> Reply:
    """The first question when the resident has not said which change."""
    return Reply(changes.text("ask_kind"), kind_buttons(changes))


def opening(kind: ChangeKind) -> list[Reply]:
    """Before the first question: what the assistant can do. After a death, condolence first and
    Tell Us Once, never pushing (the resident can stop or ask for a person at any time)."""
    if kind.key == "bereavement":
        return [Reply(f"{kind.extra['condolence']} {kind.opening}"), Reply(kind.extra["tell_us_once"])]
    return [Reply(kind.opening)]


def question(field: Field) -> Reply:
    """The question for one field."""
    return Reply(field.question)


def problem(changes: ChangeCatalogue, key: str, reference: str | None = None) -> Reply:
    """Why an answer could not be taken ("bad_date", "unknown_reference"), politely."""
    return Reply(changes.text(key).format(reference=reference or "that reference"))


def recorded(
    changes: ChangeCatalogue, kind: ChangeKind, reference: str, record_by: date, today: date,
    council: Mapping[str, Any], related: str | None = None,
) -> list[Reply]:  # fmt: skip
    """The confirmation: the reference, then what happens next and by when."""
    values = {
        "reference": reference,
        "days": kind.record_working_days,
        "record_by": date_words(record_by, today),
        "contact_phone": contact_phone(council),
        "case": related or "the case",
    }
    return [Reply(changes.text("recorded").format(**values)), Reply(kind.next.format(**values))]


def not_recorded(changes: ChangeCatalogue, council: Mapping[str, Any]) -> Reply:
    """The change could not be stored just now."""
    return Reply(changes.text("not_recorded").format(contact_phone=contact_phone(council)))


def correction_note(kind: ChangeKind, reference: str, wrong: str, right: str) -> str:
    """The staff note added to the open case a correction is about."""
    return f'{kind.name} ({reference}): the resident says "{wrong}" is wrong; it should be "{right}".'
