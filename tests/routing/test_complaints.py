"""The complaints procedure: reply dates in working days, which stage and which ombudsman, when the
first question can be skipped, what staff see, and what the resident is told."""

from __future__ import annotations

from datetime import date, datetime, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import yaml

from routing.catalogue import CatalogueError, load_catalogue
from routing.complaint_replies import (
    REPORT_INSTEAD,
    complaint_logged,
    complaint_status,
    opening,
    procedure_explained,
    what_happens_now,
)
from routing.complaints import (
    PROCEDURE_FILE,
    Complaint,
    case_needs,
    case_summary,
    complaint_from,
    date_words,
    due_at,
    just_yes_or_no,
    load_procedure,
    reply_by,
    says_what_about,
    stage_of,
    working_days_after,
)
from routing.conversation_events import Message
from routing.handoffs import MODES, TRIGGERS, HandoffCase
from routing.hours import load_schedule

UK = ZoneInfo("Europe/London")
SCHEDULE = load_schedule()
PROCEDURE = load_procedure()
COUNCIL = load_catalogue().council


@pytest.mark.parametrize(
    ("made", "days", "due"),
    [
        (datetime(2026, 12, 1, 11, 0, tzinfo=UK), 10, date(2026, 12, 15)),  # Tuesday: two weeks later
        (datetime(2026, 12, 1, 23, 30, tzinfo=UK), 10, date(2026, 12, 15)),  # late in the evening: same day
        (datetime(2026, 12, 5, 12, 0, tzinfo=UK), 10, date(2026, 12, 18)),  # Saturday: counts from Monday
        (datetime(2026, 12, 6, 12, 0, tzinfo=UK), 1, date(2026, 12, 7)),  # Sunday: Monday is the first day
        (datetime(2026, 12, 21, 11, 0, tzinfo=UK), 10, date(2027, 1, 7)),  # Christmas, Boxing Day, New Year
        (datetime(2026, 12, 24, 11, 0, tzinfo=UK), 1, date(2026, 12, 29)),  # Christmas Eve: next is the 29th
        (datetime(2026, 3, 30, 11, 0, tzinfo=UK), 10, date(2026, 4, 15)),  # Good Friday and Easter Monday
        (datetime(2026, 12, 1, 11, 0, tzinfo=UK), 20, date(2026, 12, 31)),  # stage 2 over Christmas
        (datetime(2026, 12, 1, 0, 30, tzinfo=timezone.utc), 3, date(2026, 12, 4)),  # UTC read as UK time
    ],
)
def test_reply_dates_count_working_days_only(made: datetime, days: int, due: date) -> None:
    assert reply_by(made, days, SCHEDULE) == due


def test_the_deadline_is_the_end_of_the_reply_day_in_uk_time() -> None:
    assert due_at(date(2026, 12, 15), SCHEDULE) == datetime(2026, 12, 15, 23, 59, tzinfo=UK)
    assert due_at(date(2026, 7, 15), SCHEDULE) == datetime(2026, 7, 15, 22, 59, tzinfo=timezone.utc)  # summer time


def test_zero_working_days_is_the_same_day() -> None:
    assert working_days_after(date(2026, 12, 5), 0, SCHEDULE) == date(2026, 12, 5)


@pytest.mark.parametrize(
    ("day", "today", "words"),
    [
        (date(2026, 12, 15), date(2026, 12, 1), "Tuesday 15 December"),
        (date(2027, 1, 7), date(2026, 12, 21), "Thursday 7 January 2027"),
    ],
)
def test_dates_read_as_people_say_them(day: date, today: date, words: str) -> None:
    assert date_words(day, today) == words


@pytest.mark.parametrize(
    ("message", "names_a_service", "enough"),
    [
        ("i want to make a complaint", False, False),
        ("how do i complain about the council", False, False),
        ("this is the THIRD time... i want to complain", False, False),
        ("i want to escalate my complaint to the ombudsman", False, False),
        ("i dont want it reported again i want to complain about the service", False, False),
        ("/make_complaint", False, False),
        ("/make_complaint", True, False),  # a button, whatever its entities
        ("", False, False),
        ("i want to complain about the man at the gateway who was rude to me", False, True),
        ("complaint about my bin not being collected", False, True),
        ("i want to complain about council tax", True, True),  # the service says what about
        ("the bin men threw my bin in the road", False, True),
    ],
)
def test_a_request_that_already_says_what_about_skips_the_first_question(
    message: str, names_a_service: bool, enough: bool
) -> None:
    assert says_what_about(message, names_a_service) is enough


@pytest.mark.parametrize(
    ("answer", "only_yes_or_no"),
    [("yes", True), ("No.", True), ("ok thanks", True), ("", True), ("no one came", False), ("rude staff", False)],
)
def test_a_bare_yes_or_no_is_not_a_complaint(answer: str, only_yes_or_no: bool) -> None:
    assert just_yes_or_no(answer) is only_yes_or_no


@pytest.mark.parametrize(
    ("words", "stage"),
    [
        ("i want to make a complaint", 1),
        ("i will go to the ombudsman if you do not fix it", 1),  # a threat, not a finished complaint
        ("i want to escalate my complaint to the ombudsman", 2),
        ("i am not happy with the answer to my complaint", 2),
        ("please review my complaint SCC-7KQ4XH", 2),
        ("i want to go to stage 2", 2),
        ("i already complained and nothing happened", 2),
    ],
)
def test_a_request_for_a_review_is_stage_2(words: str, stage: int) -> None:
    assert stage_of([words]) == stage


@pytest.mark.parametrize(
    ("words", "service", "housing"),
    [
        ("the man at the gateway was rude", None, False),
        ("my council flat has had no heating for weeks", None, True),
        ("i am a council tenant and the repairs team never came", None, True),
        ("my housing officer never calls back", None, True),
        ("the lifts on our estate are always broken", None, True),
        ("my rent account is wrong", None, True),
        ("they never repaired my front door", None, True),
        ("the pothole repair on my road fell apart", None, False),  # a road repair, not a home
        ("the street light repair took months", None, False),
        ("nobody came", "housing_repair", True),
        ("current parent", None, False),  # "rent" only as a word of its own
    ],
)
def test_the_housing_ombudsman_is_for_council_homes(words: str, service: str | None, housing: bool) -> None:
    assert PROCEDURE.about_council_home([words], service) is housing
    expected = "Housing Ombudsman Service" if housing else "Local Government and Social Care Ombudsman"
    assert PROCEDURE.ombudsman_for(housing).name == expected


def test_a_complaint_takes_its_stage_and_ombudsman_from_everything_said() -> None:
    complaint = complaint_from(
        "  the repairs team\n", "nobody came", ["i want to escalate my complaint"], None, PROCEDURE
    )
    assert complaint == Complaint("the repairs team", "nobody came", stage=2, council_home=True)
    assert len(complaint_from("x" * 3000, "y", [], None, PROCEDURE).about) == 2000


def message(number: int, intent: str, *needs: str, asked_for: str | None = None) -> Message:
    parse = {"intent": {"name": intent}, "support_needs": [{"category": need, "cue": "third time"} for need in needs]}
    return Message(position=number, number=number, text="...", parse=parse, asked_for=asked_for)


@pytest.mark.parametrize(
    ("seen", "messages", "categories"),
    [
        ([], [message(0, "make_complaint")], []),
        ([{"category": "frustration", "cue": "third time"}], [message(0, "make_complaint", "frustration")],
         ["frustration"]),
        ([], [message(0, "nlu_fallback"), message(1, "nlu_fallback"), message(2, "make_complaint")],
         ["frustration"]),  # misunderstood twice: the conversation shows it
        ([], [message(0, "request_human"), message(1, "request_human"), message(2, "make_complaint")],
         ["frustration"]),
        ([{"category": "older_age", "cue": "i'm 84"}], [message(0, "make_complaint")], ["older_age"]),
        ([], [message(0, "affirm", asked_for="location"), message(1, "affirm", asked_for="location")], []),
    ],
)  # fmt: skip
def test_staff_see_the_needs_noticed_and_frustration(
    seen: list[dict[str, str]], messages: list[Message], categories: list[str]
) -> None:
    assert [need["category"] for need in case_needs(seen, messages)] == categories


def test_the_case_summary_has_the_residents_words_and_the_reply_date() -> None:
    about = "the man at the gateway who was rude to me when I asked about my parking permit"
    complaint = Complaint(about, "He shouted. I want an apology.")
    needs = [{"category": "frustration", "cue": None}]
    summary = case_summary(complaint, date(2026, 12, 15), PROCEDURE.local_ombudsman, needs)
    assert summary == {
        "wanted": "Complaint (stage 1): the man at the gateway who was rude to me when I asked about...",
        "form": {
            "complaint about": about,
            "what happened and what would put it right": "He shouted. I want an apology.",
        },
        "stage": 1,
        "reply_by": "2026-12-15",
        "ombudsman": "Local Government and Social Care Ombudsman",
        "needs": needs,
    }
    review = case_summary(Complaint("bins", "x", stage=2), date(2026, 12, 31), PROCEDURE.local_ombudsman, [])
    assert review["wanted"] == "Review of a complaint (stage 2): bins"


def test_a_complaint_is_a_case_the_store_accepts() -> None:
    assert "complaint" in MODES and "complaint" in TRIGGERS


TODAY = date(2026, 12, 1)


@pytest.mark.parametrize(
    ("complaint", "must_say"),
    [
        (
            Complaint("bins", "missed again"),
            [
                ["SCC-7KQ4XH", "stage 1", "within 3 working days", "within 10 working days", "Tuesday 15 December"],
                ["stage 2", "senior manager", "20 working days"],
                ["Local Government and Social Care Ombudsman", "0300 061 0614", "www.lgo.org.uk"],
            ],
        ),
        (
            Complaint("my council flat", "damp", council_home=True),
            [["SCC-7KQ4XH", "10 working days"], ["stage 2"], ["Housing Ombudsman Service", "0300 111 3000"]],
        ),
        (
            Complaint("bins", "i want to escalate my complaint", stage=2),
            [["request for a review", "SCC-7KQ4XH", "stage 2", "20 working days", "Tuesday 15 December"],
             ["Local Government and Social Care Ombudsman"]],
        ),
    ],
)  # fmt: skip
def test_the_confirmation_gives_the_reference_the_date_and_the_procedure(
    complaint: Complaint, must_say: list[list[str]]
) -> None:
    replies = complaint_logged(PROCEDURE, "SCC-7KQ4XH", complaint, date(2026, 12, 15), TODAY)
    assert len(replies) == len(must_say) <= 3
    for reply, phrases in zip(replies, must_say, strict=True):
        for phrase in phrases:
            assert phrase in reply.text, (phrase, reply.text)
    assert all("?" not in reply.text for reply in replies)


def test_the_procedure_on_its_own_has_no_reference() -> None:
    replies = procedure_explained(PROCEDURE, Complaint("a", "b"), date(2026, 12, 15), TODAY)
    assert [reply.text.split(".")[0] for reply in replies] == [
        "This is stage 1",
        "If you are not happy with our answer, you can ask for stage 2: a review by a senior manager",
        "If you are still not happy after that, you can ask the Local Government and Social Care Ombudsman to "
        "look at it",
    ]


def test_the_opening_gives_the_other_ways_to_complain_and_a_way_to_report_instead() -> None:
    reply = opening(PROCEDURE, COUNCIL)
    assert "This is stage 1" in reply.text and "within 10 working days" in reply.text  # what happens, before asking
    assert "review" in reply.text and "Ombudsman" in reply.text  # and the whole way, for "how do I complain"
    assert COUNCIL["contact_centre"]["phone"]["number"] in reply.text and "Gateway" in reply.text
    assert "missed bin" in reply.text and "?" not in reply.text
    assert [button.payload for button in reply.buttons] == [REPORT_INSTEAD]


def test_what_happens_now_is_short() -> None:
    text = what_happens_now(PROCEDURE, date(2026, 12, 15), TODAY, COUNCIL).text
    assert "Tuesday 15 December" in text and "023 8083 3000" in text and len(text.split()) < 40


def _case(status: str) -> HandoffCase:
    now = datetime(2026, 12, 1, 11, tzinfo=UK)
    return HandoffCase(
        reference="SCC-7KQ4XH", conversation_id="c", channel="phone", mode="complaint", trigger="complaint",
        status=status, service_code=None, intent="make_complaint", summary={}, needs=[], adjustments=[],
        transcript=[], callback_number=None, slot_start=None, slot_end=None, created_at=now, updated_at=now,
        sla_due_at=due_at(date(2026, 12, 15), SCHEDULE), claimed_by=None, claimed_at=None, closed_at=None,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("status", "owner", "said"),
    [
        ("queued", True, ["Your complaint SCC-7KQ4XH is with our complaints team.", "reply by Tuesday 15 December"]),
        ("claimed", False, ["Your complaint SCC-7KQ4XH is with our complaints team."]),  # no more to a stranger
        ("resolved", True, ["Your complaint SCC-7KQ4XH is answered."]),
        ("cancelled", True, ["Your complaint SCC-7KQ4XH is withdrawn."]),
    ],
)
def test_asked_later_a_complaint_says_where_it_is(status: str, owner: bool, said: list[str]) -> None:
    replies = complaint_status(_case(status), PROCEDURE, SCHEDULE, datetime(2026, 12, 2, 9, tzinfo=UK), COUNCIL, owner)
    assert len(replies) == len(said)
    for reply, phrase in zip(replies, said, strict=True):
        assert phrase in reply.text


def _broken(tmp_path: Path, change: dict[str, object]) -> Path:
    raw = yaml.safe_load(PROCEDURE_FILE.read_text(encoding="utf-8"))
    for dotted, value in change.items():
        *parents, last = dotted.split(".")
        target = raw
        for key in parents:
            target = target[key]
        if value is None:
            del target[last]
        else:
            target[last] = value
    path = tmp_path / "complaints.yml"
    path.write_text(yaml.safe_dump(raw), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"stage_1.reply_working_days": 0}, "stage_1.reply_working_days"),
        ({"stage_2.reply_working_days": "twenty"}, "stage_2.reply_working_days"),
        ({"ombudsman.housing.phone": None}, "ombudsman.housing needs phone"),
        ({"ask_details": None}, "ask_details"),
        ({"ombudsman.housing.words": "tenant"}, "ombudsman.housing.words"),
    ],
)
def test_a_mistake_in_the_file_is_named(tmp_path: Path, change: dict[str, object], problem: str) -> None:
    with pytest.raises(CatalogueError, match=problem):
        load_procedure(_broken(tmp_path, change))


def test_the_timescales_come_from_the_file(tmp_path: Path) -> None:
    procedure = load_procedure(_broken(tmp_path, {"stage_1.reply_working_days": 15}))
    replies = complaint_logged(procedure, "SCC-7KQ4XH", Complaint("a", "b"), date(2026, 12, 22), TODAY)
    assert "within 15 working days" in replies[0].text
