"""The report form's answers, checks, confirmation and submission."""

from __future__ import annotations

from typing import Any

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.context import form_answer
from actions.report import ActionAskReportConfirmed, ActionSubmitReport, ValidateReportForm
from routing.references import find_reference
from storage.engine import open_engine
from storage.reports import ReportStore
from tests.actions.conftest import said, service, tracker

# message, intent, confidence -> is it taken as the answer to "where is it?"
ANSWERS = [
    ("Portswood Road", "inform", 0.99, True),
    ("a sofa", "apply_for_service", 0.97, True),  # short answers are answers, whatever the model thinks
    ("actually i want to pay a parking fine", "make_payment", 0.95, False),
    ("i might pay it later on the road", "make_payment", 0.40, True),  # unsure: keep it as the answer
    ("can i talk to a person", "request_human", 0.90, False),
    ("forget it", "stop", 0.95, False),
    ("/affirm", "affirm", 1.0, False),  # a quick reply is not typed text
    ("", "inform", 0.99, False),
]


@pytest.mark.parametrize(("text", "intent", "confidence", "taken"), ANSWERS)
def test_what_counts_as_an_answer(text: str, intent: str, confidence: float, taken: bool) -> None:
    current = tracker(text, intent, confidence, slots={"requested_slot": "location"}, active_loop="report_form")
    assert (form_answer(current, "location") == text) is taken


def test_an_answer_only_fills_the_slot_that_was_asked_for() -> None:
    current = tracker("Portswood Road", slots={"requested_slot": "description"})
    assert form_answer(current, "location") is None


LOCATIONS = [
    ("SO17 1BJ", "SO17 1BJ", None),
    ("outside 12 Portswood Road", "outside 12 Portswood Road", None),
    ("here", None, "I need to know exactly where it is."),
    ("dunno", None, "I need to know exactly where it is."),
    ("!!", None, "I could not tell where that is."),
]


@pytest.mark.parametrize(("answer", "stored", "problem"), LOCATIONS)
def test_location_answers_are_checked_and_explained(
    answer: str, stored: str | None, problem: str | None, dispatcher: CollectingDispatcher, domain: dict[str, Any]
) -> None:
    asked = tracker(answer, slots={"requested_slot": "location"})
    result = ValidateReportForm().validate_location(answer, dispatcher, asked, domain)
    assert result == {"location": stored}
    if problem:
        assert problem in said(dispatcher)
        assert "street name, a postcode, or a landmark" in said(dispatcher)
    else:
        assert dispatcher.messages == []


@pytest.mark.parametrize(
    ("value", "entities", "expected"),
    [
        ("pothole", [], "pothole"),
        ("the street lamp is out", [], "street_light"),  # found from the catalogue's keywords
        ("council_tax", [], None),  # a service you pay, not one you report
        ("blah blah", [], None),
        ("anything", [service("graffiti")], "graffiti"),
    ],
)
def test_the_problem_must_be_something_we_take_reports_for(
    value: str, entities: list[dict[str, Any]], expected: str | None, domain: dict[str, Any]
) -> None:
    dispatcher = CollectingDispatcher()
    current = tracker(value, entities=entities, slots={"requested_slot": "service"})
    assert ValidateReportForm().validate_service(value, dispatcher, current, domain) == {"service": expected}


def test_saying_no_at_the_check_asks_for_the_place_and_details_again(
    dispatcher: CollectingDispatcher, domain: dict[str, Any]
) -> None:
    result = ValidateReportForm().validate_report_confirmed(False, dispatcher, tracker("no", "deny"), domain)
    assert result == {"report_confirmed": None, "location": None, "description": None}
    assert "ask for the place and the details again" in said(dispatcher)


async def test_the_check_reads_the_report_back(dispatcher: CollectingDispatcher, domain: dict[str, Any]) -> None:
    slots = {"service": "pothole", "location": "Hill Lane", "description": "deep hole"}
    await ActionAskReportConfirmed().run(dispatcher, tracker(slots=slots), domain)
    text = said(dispatcher)
    assert "Hill Lane" in text and "deep hole" in text and "Pothole" in text
    assert [b["payload"] for b in dispatcher.messages[0]["buttons"]] == ["/affirm", "/deny", "/stop"]


async def test_a_confirmed_report_is_stored_with_a_reference(
    dispatcher: CollectingDispatcher, domain: dict[str, Any], database: str
) -> None:
    slots = {"service": "fly_tipping", "location": "SO19 2JJ", "description": "a sofa", "report_confirmed": True}
    events = await ActionSubmitReport().run(dispatcher, tracker(slots=slots), domain)
    reference = find_reference(said(dispatcher)).reference
    assert reference, said(dispatcher)
    stored = ReportStore(open_engine(database)).get(reference)
    assert stored is not None
    assert (stored.service_code, stored.open311_code, stored.postcode, stored.description, stored.status) == (
        "fly_tipping", "FLY_TIPPING", "SO19 2JJ", "a sofa", "open",
    )  # fmt: skip
    slots = {event["name"]: event["value"] for event in events if event["event"] == "slot"}
    assert slots["service"] is None  # the form is forgotten
    assert slots["updates_reference"] == reference  # and how to hear back is asked next


async def test_an_unconfirmed_report_is_not_sent(dispatcher: CollectingDispatcher, domain: dict[str, Any]) -> None:
    slots = {"service": "pothole", "location": "Hill Lane", "description": "deep", "report_confirmed": None}
    await ActionSubmitReport().run(dispatcher, tracker(slots=slots), domain)
    assert said(dispatcher) == "I have not sent a report."


def test_a_place_guessed_from_the_first_message_is_just_asked_for_when_it_will_not_do(
    dispatcher: CollectingDispatcher, domain: dict[str, Any]
) -> None:
    first = tracker("theres a pothole here", slots={"requested_slot": None})
    assert ValidateReportForm().validate_location("here", dispatcher, first, domain) == {"location": None}
    assert dispatcher.messages == []  # no "I could not tell where that is" to a question never asked


def test_a_place_asked_for_twice_is_taken_as_written_the_third_time(
    dispatcher: CollectingDispatcher, domain: dict[str, Any]
) -> None:
    # The second time, the turn left out the help it had just given: only "Where is it?" was asked.
    help_ = "Please give a street name, a postcode, or a landmark near it."
    events = [
        {"event": "active_loop", "name": "report_form"},
        {"event": "bot", "text": f"Where is it? {help_}"},
        {"event": "bot", "text": f"I could not tell where that is. {help_}"},
        {"event": "bot", "text": "Where is it?"},
    ]
    answer = "the one by my mums"
    asked = tracker(answer, slots={"requested_slot": "location"}, events=events, active_loop="report_form")
    result = ValidateReportForm().validate_location(answer, dispatcher, asked, domain)
    assert result == {"location": answer}
    assert "as you wrote it" in said(dispatcher)
