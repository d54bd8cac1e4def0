"""Changes of circumstances: the catalogue (each kind's fields, team and days), which kind the
resident's words tell of, the checks on answers, what staff read and what the resident is told."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import textstat
import yaml

from routing.catalogue import CatalogueError, load_catalogue
from routing.change_dates import DateError, parse_date
from routing.change_replies import ask_kind, opening, problem, recorded
from routing.changes import (
    CATALOGUE_FILE,
    KINDS,
    SLOTS,
    case_summary,
    check_answer,
    default_changes,
    kind_from_entity,
    kind_from_text,
    load_changes,
    missing_slots,
)
from routing.handoff_queues import MODE_NAMES, TITLES
from tests.test_plain_english import MIN_READING_EASE, _filled, _strings, readable

MONDAY = date(2026, 12, 7)
COUNCIL = load_catalogue().council

# kind -> the fields the team needs, in the order they are asked
FIELDS = {
    "moving_home": ["date", "new_address", "forwarding_address", "liable"],
    "occupants": ["who", "date"],
    "bereavement": ["date", "estate"],
    "council_tax_support": ["what", "date"],
    "correction": ["reference", "wrong", "right"],
}


@pytest.mark.parametrize(("kind", "fields"), FIELDS.items())
def test_each_kind_asks_what_its_team_needs(kind: str, fields: list[str]) -> None:
    change = default_changes().kinds[kind]
    assert [field.key for field in change.fields] == fields
    assert change.queue == "changes" and change.record_working_days > 0 and change.name and change.team
    assert all(field.slot in SLOTS for field in change.fields)
    assert "{record_by}" in change.next and "{days}" in change.next


def test_only_the_estate_can_be_skipped_and_a_death_is_in_the_past() -> None:
    optional = [
        (kind.key, field.key) for kind in default_changes().kinds.values() for field in kind.fields if field.optional
    ]
    assert optional == [("bereavement", "estate")]
    death = default_changes().kinds["bereavement"].fields[0]
    assert (death.type, death.when) == ("date", "past")


def test_the_catalogue_must_name_every_kind_and_known_fields(tmp_path: Path) -> None:
    raw = yaml.safe_load(CATALOGUE_FILE.read_text(encoding="utf-8"))
    raw["kinds"]["occupants"]["fields"][0]["key"] = "shoe_size"
    broken = tmp_path / "changes.yml"
    broken.write_text(yaml.safe_dump(raw), encoding="utf-8")
    with pytest.raises(CatalogueError, match="shoe_size"):
        load_changes(broken)
    del raw["kinds"]["occupants"]
    broken.write_text(yaml.safe_dump(raw), encoding="utf-8")
    with pytest.raises(CatalogueError, match="kinds must be exactly"):
        load_changes(broken)


# --- which change -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("I'm moving house next month, what do I do about council tax", "moving_home"),
        ("I want to tell you about a change of address", "moving_home"),
        ("we moved out of the city last week", "moving_home"),
        ("my son has moved out", "occupants"),
        ("i live alone now, can i get the single person discount", "occupants"),
        ("my husband passed away on tuesday", "bereavement"),
        ("my mum died and i need to tell the council", "bereavement"),
        ("my hours were cut at work", "council_tax_support"),
        ("i've started getting universal credit", "council_tax_support"),
        ("the address on my report SCC-7KQ4XH is wrong", "correction"),
        ("my phone died", None),
        ("hello", None),
    ],
)
def test_the_kind_of_change_is_read_from_the_residents_words(text: str, kind: str | None) -> None:
    assert kind_from_text(text) == kind


def test_only_known_kinds_are_taken_from_an_entity() -> None:
    assert [kind_from_entity(kind) for kind in KINDS] == list(KINDS)
    assert kind_from_entity("moving_planet") is None and kind_from_entity(None) is None


# --- dates ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "when", "expected"),
    [
        ("today", "any", date(2026, 12, 7)),
        ("yesterday", "past", date(2026, 12, 6)),
        ("next friday", "any", date(2026, 12, 11)),
        ("friday", "any", date(2026, 12, 11)),
        ("friday", "past", date(2026, 12, 4)),
        ("last friday", "any", date(2026, 12, 4)),
        ("12 January", "any", date(2027, 1, 12)),
        ("the 12th of Jan", "past", date(2026, 1, 12)),
        ("January 12, 2027", "any", date(2027, 1, 12)),
        ("12/1/27", "any", date(2027, 1, 12)),
        ("2027-01-12", "any", date(2027, 1, 12)),
        ("3 weeks ago", "past", date(2026, 11, 16)),
        ("in two weeks", "any", date(2026, 12, 21)),
        ("about 1st November", "past", date(2026, 11, 1)),
    ],
)
def test_dates_are_read_as_residents_write_them(text: str, when: str, expected: date) -> None:
    assert parse_date(text, MONDAY, when) == expected  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "when", "problem_key"),
    [
        ("next month", "any", "bad_date"),
        ("soon", "any", "bad_date"),
        ("31 February 2027", "any", "bad_date"),
        ("tomorrow", "past", "past_date"),
        ("12 January 2031", "any", "far_date"),
    ],
)
def test_a_date_that_will_not_do_names_the_problem(text: str, when: str, problem_key: str) -> None:
    with pytest.raises(DateError) as error:
        parse_date(text, MONDAY, when)  # type: ignore[arg-type]
    assert error.value.problem == problem_key
    assert problem(default_changes(), problem_key).text  # and there is a polite sentence for it


# --- answers ----------------------------------------------------------------------------------


def _field(kind: str, key: str):  # type: ignore[no-untyped-def]
    return next(field for field in default_changes().kinds[kind].fields if field.key == key)


def test_answers_are_checked_by_type() -> None:
    assert check_answer(_field("moving_home", "date"), "next friday", MONDAY).value == "2026-12-11"
    assert check_answer(_field("moving_home", "date"), "soonish", MONDAY).problem == "bad_date"
    assert check_answer(_field("bereavement", "date"), "next friday", MONDAY).problem == "past_date"
    assert check_answer(_field("correction", "reference"), "it's scc 7kq4xh", MONDAY).value == "SCC-7KQ4XH"
    assert check_answer(_field("correction", "reference"), "SCC-123", MONDAY).problem == "bad_reference"
    assert check_answer(_field("moving_home", "liable"), "yes", MONDAY).problem == "in_your_own_words"
    assert check_answer(_field("correction", "right"), "07700 900123", MONDAY).value == "07700 900123"
    assert check_answer(_field("moving_home", "liable"), "  me and  my partner ", MONDAY).value == "me and my partner"


@pytest.mark.parametrize("text", ["skip", "don't know", "I don't know yet", "I'm not sure", "not sure yet", "no"])
def test_the_estate_can_be_skipped(text: str) -> None:
    assert check_answer(_field("bereavement", "estate"), text, MONDAY).value == ""


def test_the_kind_is_asked_first_then_its_fields_in_order() -> None:
    moving = default_changes().kinds["moving_home"]
    assert missing_slots(None, {}) == ["change_kind"]
    assert missing_slots(moving, {"change_date": "2026-12-11"}) == [
        "change_new_address", "change_forwarding_address", "change_liable",
    ]  # fmt: skip
    bereavement = default_changes().kinds["bereavement"]
    assert missing_slots(bereavement, {"change_date": "2026-12-01", "change_estate": ""}) == []


# --- what staff read and what the resident hears ----------------------------------------------


def test_staff_read_every_answer_under_its_name() -> None:
    changes = default_changes()
    kind = changes.kinds["bereavement"]
    answers = {"change_date": "2026-12-01", "change_estate": ""}
    summary = case_summary(kind, answers, date(2026, 12, 21), MONDAY, changes, [])
    assert summary["wanted"] == "Change: A death in the household"
    assert summary["form"] == {"Date of death": "Tuesday 1 December", "Dealing with the estate": "Not given"}
    assert summary["record_by"] == "2026-12-21" and summary["change_kind"] == "bereavement"


def test_the_changes_queue_has_its_title() -> None:
    assert TITLES["changes"] == "Changes to record" and MODE_NAMES["change"]


def test_a_death_is_met_with_condolence_first_and_tell_us_once() -> None:
    first, second = opening(default_changes().kinds["bereavement"])
    assert first.text.startswith("I am so sorry for your loss.")
    assert "person" in first.text  # a person is offered, never pushed
    assert "gov.uk/after-a-death/organisations-you-need-to-contact-and-tell-us-once" in second.text


def test_the_resident_gets_the_reference_what_happens_next_and_by_when() -> None:
    changes = default_changes()
    texts = [
        reply.text
        for reply in recorded(changes, changes.kinds["moving_home"], "SCC-ABCDEF", date(2026, 12, 21), MONDAY, COUNCIL)
    ]
    assert "SCC-ABCDEF" in texts[0]
    assert "10 working days" in texts[1] and "Monday 21 December" in texts[1]


def test_the_kind_question_has_a_button_for_each_kind() -> None:
    payloads = [button.payload for button in ask_kind(default_changes()).buttons]
    assert payloads == [f'/tell_change{{"change_kind":"{kind}"}}' for kind in KINDS]


def test_every_resident_facing_text_is_plain_english() -> None:
    raw = yaml.safe_load(CATALOGUE_FILE.read_text(encoding="utf-8"))
    values = {"reference": "SCC-7KQ4XH", "record_by": "Tuesday 15 December", "days": "10", "case": "SCC-4HM2PQ"}
    hard = []
    for where, text in _strings(raw, "changes"):
        if where.endswith(".staff"):  # read by staff, not residents
            continue
        filled = _filled(text.format_map({**{name: "{" + name + "}" for name in ("contact_phone",)}, **values}))
        score = textstat.flesch_reading_ease(readable(filled))
        if score < MIN_READING_EASE:
            hard.append(f"{score:5.1f} {where}: {filled}")
    assert not hard, "\n".join(hard)
