"""What the assistant tells residents about paying, applying, information, bins and reaching a person."""

import re
from datetime import date, datetime, timezone

import pytest

from routing import complaint_replies, handoff_replies, menu, prompts, report_replies, satisfaction
from routing.answers import (
    Reply,
    apply_answer,
    best_answer,
    bin_day_answer,
    human_contact_answer,
    information_answer,
    payment_answer,
)
from routing.bins import find_bin_day
from routing.catalogue import load_catalogue
from routing.channels import BOOKINGS, URGENT_CASE
from routing.complaints import Complaint, default_procedure
from routing.handoffs import HandoffCase
from routing.hours import load_schedule
from routing.live_chat import wait_estimate
from routing.money_help import enforcement_answer
from routing.phone_numbers import check_uk_number
from routing.proxy import proxy_answer
from routing.reports import ServiceRequest, open311_status
from routing.support_responses import Need, acknowledgement

CATALOGUE = load_catalogue()
PAY = ["council_tax", "parking_fine", "council_rent", "business_rates", "garden_waste"]
APPLY = [
    "parking_permit",
    "blue_badge",
    "housing_register",
    "council_tax_support",
    "school_place",
    "bulky_waste",
    "free_school_meals",
    "bus_pass",
    "garden_waste",
]
INFORMATION = ["bin_collection", "recycling", "library", "gateway", "planning", "council_tax"]
MAX_WORDS = 25


def _said(replies):
    return " ".join(reply.text for reply in replies)


@pytest.mark.parametrize("code", PAY)
def test_payment_answer_gives_the_online_link_and_automated_line(code):
    service = CATALOGUE.get(code)
    said = _said(payment_answer(service, CATALOGUE))
    assert service.pay["online_url"]["url"] in said
    assert service.pay["automated_line"]["number"] in said


@pytest.mark.parametrize("code", PAY)
def test_payment_answer_never_asks_for_card_details(code):
    said = _said(payment_answer(CATALOGUE.get(code), CATALOGUE)).lower()
    assert "card number" not in said
    assert "security code" not in said
    assert "cvv" not in said
    assert not re.search(r"\b(give|tell|type|enter|send|share)\b[^.]*\bcard\b", said)
    assert "i will never ask for your card details" in said


@pytest.mark.parametrize(
    ("code", "places"),
    [
        ("council_tax", ["the Gateway", "a PayPoint shop", "a Post Office"]),
        ("parking_fine", ["the Gateway"]),
        ("business_rates", ["the Gateway", "a Post Office"]),
    ],
)
def test_payment_answer_says_where_to_pay_in_person(code, places):
    said = _said(payment_answer(CATALOGUE.get(code), CATALOGUE))
    assert all(place in said for place in places)


@pytest.mark.parametrize("code", APPLY)
def test_apply_answer_gives_the_form_link_and_who_can_apply(code):
    service = CATALOGUE.get(code)
    said = _said(apply_answer(service))
    assert service.apply["form_url"]["url"] in said
    assert service.apply["eligibility"] in said
    assert service.name in said


@pytest.mark.parametrize("code", INFORMATION)
def test_information_answer_gives_the_answer_and_a_link(code):
    service = CATALOGUE.get(code)
    said = _said(information_answer(service))
    assert service.information["answer"] in said
    assert service.online.value in said


@pytest.mark.parametrize("band", list("ABCDEFGH"))
def test_council_tax_information_lists_every_band(band):
    service = CATALOGUE.get("council_tax")
    said = _said(information_answer(service))
    assert f"Band {band}: {service.information['bands'][band]}" in said


def test_human_contact_answer_gives_phone_text_relay_and_gateway():
    said = _said(human_contact_answer(CATALOGUE))
    assert "023 8083 3000" in said
    assert "18001 023 8083 3000" in said
    assert "Civic Centre, Civic Centre Road, Southampton SO14 7LY" in said
    assert "Monday to Friday" in said


def test_bin_day_answer_gives_the_day_and_time():
    said = _said(bin_day_answer(find_bin_day("SO17 1BJ", CATALOGUE.bin_days), "SO17 1BJ", "023 8083 3005"))
    assert "SO17 1BJ" in said
    assert "Tuesday" in said
    assert "7am" in said


WEEK_A = date(2026, 1, 5)


@pytest.mark.parametrize(
    ("postcode", "today", "must_say", "never_say"),
    [
        (
            "SO17 1BJ", date(2026, 12, 7),  # Monday of week A; Tuesday is week A's general waste
            ["This week is week A.", "We empty your general waste bin this Tuesday, 8 December.",
             "We empty your recycling bin the week after."],
            ["next Tuesday"],
        ),
        (
            "SO17 1BJ", date(2026, 12, 8),
            ["This week is week A.", "We empty your general waste bin today."],
            ["this Tuesday"],
        ),
        (
            "SO17 1BJ", date(2026, 12, 10),  # Thursday: this week's Tuesday has gone
            ["This week is week A.", "We empty your recycling bin next Tuesday, 15 December."],
            ["this Tuesday"],
        ),
        (
            "SO18 2AB", date(2026, 12, 14),  # week B: Thursday's week B bin is the recycling
            ["This week is week B.", "We empty your recycling bin this Thursday, 17 December.",
             "We empty your general waste bin the week after."],
            ["week A"],
        ),
    ],
)  # fmt: skip
def test_bin_day_answer_says_which_week_it_is_and_what_goes_out_next(postcode, today, must_say, never_say):
    replies = bin_day_answer(find_bin_day(postcode, CATALOGUE.bin_days), postcode, "023 8083 3005", today, WEEK_A)
    said = _said(replies)
    assert len(replies) <= 3 and "7am" in said
    assert all(words in said for words in must_say), said
    assert not any(words in said for words in never_say), said


def test_bin_day_answer_without_a_date_gives_the_schedule():
    said = _said(bin_day_answer(find_bin_day("SO17 1BJ", CATALOGUE.bin_days), "SO17 1BJ", "023 8083 3005"))
    assert "week A" in said and "This week" not in said


@pytest.mark.parametrize(
    ("code", "must_say"),
    [
        ("bulky_waste", ["It costs £38.50 for up to 3 items.", "Each extra item costs £11.", "certain benefits"]),
        ("garden_waste", ["It costs £45 a year."]),
        ("bus_pass", ["a new one costs £10"]),
        ("blue_badge", ["It costs £10."]),
        ("parking_permit", ["It costs £30 a year"]),
    ],
)
def test_apply_answer_says_the_price(code, must_say):
    replies = apply_answer(CATALOGUE.get(code))
    assert len(replies) == 3
    assert all(words in _said(replies) for words in must_say)


@pytest.mark.parametrize("code", ["housing_register", "school_place", "council_tax_support", "free_school_meals"])
def test_apply_answer_names_no_price_where_there_is_none(code):
    assert "£" not in _said(apply_answer(CATALOGUE.get(code)))


def test_payment_answer_says_the_price_first_where_there_is_one():
    replies = payment_answer(CATALOGUE.get("garden_waste"), CATALOGUE)
    assert replies[0].text.startswith("Garden waste collection costs £45 a year.")
    assert "£" not in _said(payment_answer(CATALOGUE.get("council_tax"), CATALOGUE))


def test_bin_day_answer_for_an_unknown_postcode_says_sorry_and_suggests_calling():
    said = _said(bin_day_answer(None, "SO16 7AB", "023 8083 3005"))
    assert said.startswith("Sorry")
    assert "SO16 7AB" in said
    assert "call" in said.lower() and "023 8083 3005" in said


# ---------------------------------------------------------------- plain English


def _everything_said():
    """Every message the routing package and catalogue give residents, labelled by where it comes from."""
    said = []
    for service in CATALOGUE.services.values():
        said.append((f"{service.code} summary", service.summary))
        if service.pay:
            said += [(f"{service.code} pay", r.text) for r in payment_answer(service, CATALOGUE)]
        if service.apply:
            said += [(f"{service.code} apply", r.text) for r in apply_answer(service)]
        if service.information:
            said += [(f"{service.code} information", r.text) for r in information_answer(service)]
        if service.report:
            said += [(f"{service.code} report {k}", str(v)) for k, v in service.report.items() if k != "open311_code"]
    said += [("human contact", r.text) for r in human_contact_answer(CATALOGUE)]
    said += [("bin day unknown", r.text) for r in bin_day_answer(None, "SO16 7AB", "023 8083 3005")]
    for sector in CATALOGUE.bin_days:
        postcode = f"{sector}AB"
        bin_day = find_bin_day(postcode, CATALOGUE.bin_days)
        said += [
            (f"bin day {sector}", r.text)
            for today in (None, date(2026, 12, 7), date(2026, 12, 10))
            for r in bin_day_answer(bin_day, postcode, "023 8083 3005", today, WEEK_A)
        ]
    for service in CATALOGUE.services.values():
        said += [(f"{service.code} best answer", r.text) for r in best_answer(service, CATALOGUE)]
    said += [(f"closing {index}", reply.text) for index, reply in enumerate(satisfaction.ALL_REPLIES)]
    return said + _wording_said()


def _fixed_replies(module):
    """Every reply a wording module holds ready-made (its upper-case names)."""
    return [(f"{module.__name__} {name}", value.text) for name, value in vars(module).items()
            if name.isupper() and isinstance(value, Reply)]  # fmt: skip


def _wording_said():
    """The wording modules the actions speak from: fixed replies, and each built one with sample values."""
    said = []
    for module in (prompts, menu, report_replies, handoff_replies):
        said += _fixed_replies(module)
    said += [("prompt topic", question) for question in prompts.TOPIC_QUESTIONS.values()]
    said += [("prompt location", prompts.location_problem("I could not find that place.").text)]
    said += [("prompt reference", prompts.not_a_reference("SCC-48213").text)]
    sent = report_replies.report_sent("SCC-7KQ4XH", {"response_time": "We fix most in 5 days.", "urgent": "Call 999."})
    said += [("report sent", reply.text) for reply in sent]
    said += [("report check", report_replies.check_report("Pothole", "Portswood Road", "A deep hole").text)]
    said += [("report not found", report_replies.reference_not_found("SCC-7KQ4XH", "023 8083 3000").text)]
    for stage in report_replies.STATUS_WORDS:
        when = datetime(2026, 12, 1)
        status = open311_status(stage)
        report = ServiceRequest(
            "SCC-7KQ4XH", "pothole", "POTHOLE", "Hill", None, "deep", status, "Fixed.", when, when, stage
        )
        replies = report_replies.report_status(report, "a pothole", "We aim to inspect it within 5 working days.")
        said += [(f"report status {stage}", reply.text) for reply in replies]
    for channel in ("phone", "emergency", "carrier pigeon"):
        said += [(f"handoff not open {channel}", handoff_replies.not_open(channel).text)]
    said += [
        ("handoff number", handoff_replies.number_noted("07912 345678").text),
        ("handoff urgent case", handoff_replies.urgent_case_made("SCC-7KQ4XH").text),
        ("handoff nothing to cancel", handoff_replies.nothing_to_cancel("023 8083 3000").text),
        ("handoff cancelled", handoff_replies.booking_cancelled("SCC-7KQ4XH").text),
        ("handoff cancel passed on", handoff_replies.cancel_passed_on("SCC-7KQ4XH").text),
        ("handoff urgent option", URGENT_CASE.reason),
    ]
    said += [(f"handoff booking {mode}", option.title) for mode, option in BOOKINGS.items()]
    for typed in ("", "abc", "+33 1 23 45 67 89", "0791", "0900 123 4567", "0800 123 4567"):
        if check_uk_number(typed).problem:
            said += [(f"phone number {typed!r}", str(check_uk_number(typed).problem))]
    said += [(f"live chat wait {n}", wait_estimate(n, advisers)) for n, advisers in ((1, 1), (4, 2), (3, 0))]
    for code in ("council_tax", "parking_fine"):
        said += [(f"enforcement {code}", r.text) for r in enforcement_answer(CATALOGUE, CATALOGUE.get(code))]
    for question, code in (("can I fill it in for her", "blue_badge"), ("can I pay it for him", "council_tax")):
        said += [(f"proxy {question}", r.text) for r in proxy_answer(question, CATALOGUE.get(code))]
    for words, needs in (
        ("my mum passed away, she had a council flat", [Need("life_event", "needs_extra_care")]),
        ("my dad is 90", [Need("older_age", "prefers_phone_or_face_to_face", cue="dad is 90")]),
        ("I'm writing for my dad, he is deaf", [Need("carer_proxy", "acting_for_someone_else"),
                                                Need("disability", "prefers_text_relay_or_webchat", cue="deaf")]),
    ):  # fmt: skip
        said += [(f"acknowledgement {words}", r.text) for r in acknowledgement(needs, words, CATALOGUE)]
    return said + _complaints_said()


def _complaints_said():
    """Everything the complaint route says, with sample values (the wording is data/catalogue/complaints.yml)."""
    procedure, council, today = default_procedure(), CATALOGUE.council, date(2026, 12, 1)
    said = [
        ("complaint opening", complaint_replies.opening(procedure, council).text),
        ("complaint ask about", complaint_replies.ask_about(procedure).text),
        ("complaint ask details", complaint_replies.ask_details(procedure).text),
        ("complaint own words", complaint_replies.in_your_own_words(procedure).text),
        ("complaint not logged", complaint_replies.not_logged(procedure, council).text),
        ("complaint what now", complaint_replies.what_happens_now(procedure, date(2027, 1, 7), today, council).text),
    ]
    for complaint in (Complaint("a", "b"), Complaint("a", "b", council_home=True), Complaint("a", "b", stage=2)):
        replies = complaint_replies.complaint_logged(procedure, "SCC-7KQ4XH", complaint, date(2027, 1, 7), today)
        said += [(f"complaint logged stage {complaint.stage}", reply.text) for reply in replies]
    now = datetime(2026, 12, 1, 11, tzinfo=timezone.utc)
    for status in complaint_replies.STATUS_WORDS:
        case = HandoffCase(
            reference="SCC-7KQ4XH", conversation_id="c", channel="phone", mode="complaint", trigger="complaint",
            status=status, service_code=None, intent=None, summary={}, needs=[], adjustments=[], transcript=[],
            callback_number=None, slot_start=None, slot_end=None, created_at=now, updated_at=now, sla_due_at=now,
            claimed_by=None, claimed_at=None, closed_at=None,
        )  # fmt: skip
        replies = complaint_replies.complaint_status(case, procedure, load_schedule(), now, council)
        said += [(f"complaint status {status}", reply.text) for reply in replies]
    return said


SENTENCES = [
    pytest.param(sentence, id=f"{where}: {sentence[:40]}")
    for where, text in _everything_said()
    for sentence in re.split(r"(?<=[.!?])\s+", text.strip())
    if sentence
]


def test_the_sentence_check_sees_every_kind_of_message():
    assert len(SENTENCES) > 200


@pytest.mark.parametrize("sentence", SENTENCES)
def test_every_sentence_is_plain_english_of_at_most_25_words(sentence):
    assert len(sentence.split()) <= MAX_WORDS, sentence


def test_a_resident_without_the_internet_is_told_the_phone_and_in_person_ways_not_a_link() -> None:
    offline = " ".join(reply.text for reply in payment_answer(CATALOGUE.get("council_tax"), CATALOGUE, offline=True))
    assert "0300 456 2255" in offline and "Gateway" in offline
    assert "http" not in offline and "online" not in offline
