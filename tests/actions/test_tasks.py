"""Pay, apply, information, status, a person, and not understanding."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import pytest
from rasa_sdk import Action
from rasa_sdk.executor import ActionExecutor, CollectingDispatcher

from actions.conversation import ActionCancelTask, ActionFallback
from actions.tasks import (
    ActionApplyInfo,
    ActionCheckStatus,
    ActionInformation,
    ActionPaymentInfo,
    ValidateStatusForm,
)
from routing import clock
from routing.catalogue import load_catalogue
from storage.reports import ReportStore
from storage.schema import ASSISTANT, open_database
from tests.actions.conftest import said, service, tracker

CATALOGUE = load_catalogue()
PAY_CODES = sorted(s.code for s in CATALOGUE.for_intent("make_payment"))
APPLY_CODES = sorted(s.code for s in CATALOGUE.for_intent("apply_for_service"))


@pytest.mark.parametrize("code", PAY_CODES)
async def test_payment_answer_gives_link_and_phone_line_and_never_asks_for_a_card(
    code: str, dispatcher: CollectingDispatcher, domain: dict[str, Any]
) -> None:
    await ActionPaymentInfo().run(dispatcher, tracker("pay it", "make_payment", entities=[service(code)]), domain)
    text = said(dispatcher)
    pay = CATALOGUE.services[code].pay or {}
    assert pay["online_url"]["url"] in text and pay["automated_line"]["number"] in text
    assert "never ask for your card" in text


@pytest.mark.parametrize(
    ("text", "entities", "team"),
    [
        ("I got a bailiff letter for my council tax", [service("council_tax")], "council tax team"),
        ("had a liability order, what do I do", [], "council tax team"),
        ("enforcement agents about my parking fine", [service("parking_fine")], "parking team"),
    ],
)
async def test_an_enforcement_letter_gets_advice_not_a_payment_link(
    text: str, entities: list[dict[str, Any]], team: str, dispatcher: CollectingDispatcher, domain: dict[str, Any]
) -> None:
    events = [{"event": "user", "text": text, "parse_data": {"intent": {"name": "make_payment"}}}]
    await ActionPaymentInfo().run(dispatcher, tracker(text, "make_payment", entities=entities, events=events), domain)
    text_said = said(dispatcher)
    assert dispatcher.messages[0]["text"].startswith("Please do not ignore the letter.")
    assert team in text_said and "0800 138 1111" in text_said and "0808 808 4000" in text_said
    assert "quick and secure" not in text_said
    assert len(dispatcher.messages) <= 3


@pytest.mark.parametrize(
    ("intent", "action"),
    [
        ("nlu_fallback", ActionFallback()),  # the NLU cannot place it
        ("get_information", ActionInformation()),  # read as a question about council tax
    ],
)
async def test_an_enforcement_letter_read_another_way_still_gets_advice_not_a_link_or_the_bands(
    intent: str, action: Action, dispatcher: CollectingDispatcher, domain: dict[str, Any]
) -> None:
    text = "i got a letter from the bailiffs about my council tax"
    message = {"event": "user", "text": text, "parse_data": {"intent": {"name": intent}}}
    resident = tracker(text, intent, entities=[service("council_tax")], events=[message])
    await action.run(dispatcher, resident, domain)
    text_said = said(dispatcher)
    assert dispatcher.messages[0]["text"].startswith("Please do not ignore the letter.")
    assert "council tax team" in text_said and "quick and secure" not in text_said and "band" not in text_said


async def test_after_a_consent_answer_the_enforcement_advice_is_not_repeated(
    dispatcher: CollectingDispatcher, domain: dict[str, Any]
) -> None:
    from actions.support import ActionRecordConsent

    need = {"category": "financial_hardship", "confidence": 0.95, "adjustment": "may_need_payment_help"}
    request = "bailiffs have written about my council tax"
    events = [
        {"event": "user", "text": request, "parse_data": {"intent": {"name": "make_payment"}, "support_needs": [need]}},
        {"event": "action", "name": "action_acknowledge_need"},
        {"event": "user", "text": "yes", "parse_data": {"intent": {"name": "affirm"}}},
    ]
    current = tracker("yes", "affirm", slots={"service": "council_tax"}, events=events)
    await ActionRecordConsent().run(dispatcher, current, domain)
    await ActionPaymentInfo().run(dispatcher, current, domain)
    text_said = said(dispatcher)
    assert text_said.count("Please do not ignore the letter.") == 1
    assert "0808 808 4000" in text_said and "quick and secure" not in text_said


async def test_payment_without_a_service_offers_the_choices(
    dispatcher: CollectingDispatcher, domain: dict[str, Any]
) -> None:
    await ActionPaymentInfo().run(dispatcher, tracker("i want to pay", "make_payment"), domain)
    payloads = [button["payload"] for button in dispatcher.messages[0]["buttons"]]
    assert payloads == [f'/make_payment{{"service": "{s.code}"}}' for s in CATALOGUE.for_intent("make_payment")]


@pytest.mark.parametrize("code", APPLY_CODES)
async def test_apply_answer_says_who_can_apply_and_gives_the_form(
    code: str, dispatcher: CollectingDispatcher, domain: dict[str, Any]
) -> None:
    await ActionApplyInfo().run(dispatcher, tracker("apply", "apply_for_service", entities=[service(code)]), domain)
    apply = CATALOGUE.services[code].apply or {}
    assert apply["form_url"]["url"] in said(dispatcher)
    assert len(dispatcher.messages) == 3  # who can apply, what you need and the form, how to get help


async def test_bin_day_from_the_postcode(dispatcher: CollectingDispatcher, domain: dict[str, Any]) -> None:
    current = tracker("SO17 1BJ", slots={"service": "bin_collection", "postcode": "SO17 1BJ"})
    await ActionInformation().run(dispatcher, current, domain)
    assert "Bins for SO17 1BJ are collected on" in said(dispatcher)


async def test_bin_day_says_which_week_it_is_by_the_councils_clock(
    dispatcher: CollectingDispatcher, domain: dict[str, Any]
) -> None:
    current = tracker("SO17 1BJ", slots={"service": "bin_collection", "postcode": "SO17 1BJ"})
    # Monday 7 December 2026 (week A), on the assistant's one clock.
    with clock.frozen_at(datetime(2026, 12, 7, 9, tzinfo=timezone.utc)):
        await ActionInformation().run(dispatcher, current, domain)
    assert "This week is week A." in said(dispatcher)
    assert "We empty your general waste bin this Tuesday, 8 December." in said(dispatcher)
    assert len(dispatcher.messages) <= 3


async def test_council_tax_information_lists_the_bands(
    dispatcher: CollectingDispatcher, domain: dict[str, Any]
) -> None:
    current = tracker("what are the bands", "get_information", entities=[service("council_tax")])
    await ActionInformation().run(dispatcher, current, domain)
    assert all(f"Band {band}" in said(dispatcher) for band in "ABCDEFGH")


@pytest.mark.parametrize(
    ("answer", "slot", "complaint"),
    [
        ("scc-7kq4xh", "SCC-7KQ4XH", None),
        ("SCC-48213", None, "does not look like one of our references"),
        ("i lost it", None, "could not find a reference"),
    ],
)
def test_references_are_checked(
    answer: str, slot: str | None, complaint: str | None, dispatcher: CollectingDispatcher, domain: dict[str, Any]
) -> None:
    assert ValidateStatusForm().validate_reference(answer, dispatcher, tracker(answer), domain) == {"reference": slot}
    if complaint:
        assert complaint in said(dispatcher)


async def test_status_of_a_stored_report(
    dispatcher: CollectingDispatcher, domain: dict[str, Any], database: str
) -> None:
    stored = ReportStore(open_database(database, ASSISTANT)).create("pothole", "POTHOLE", "Hill Lane", "deep")
    await ActionCheckStatus().run(dispatcher, tracker(slots={"reference": stored.service_request_id}), domain)
    assert f"Your report {stored.service_request_id}" in said(dispatcher)
    assert "work has not started yet" in said(dispatcher)
    assert "We aim to inspect it within 5 working days." in said(dispatcher)  # the pothole's response time
    assert "Waiting for the team" not in said(dispatcher)


async def test_status_of_an_unknown_reference(dispatcher: CollectingDispatcher, domain: dict[str, Any]) -> None:
    await ActionCheckStatus().run(dispatcher, tracker(slots={"reference": "SCC-ZZZZ22"}), domain)
    assert "I cannot find SCC-ZZZZ22" in said(dispatcher)
    assert "call us on 023 8083 3000" in said(dispatcher)


def _fallback_turn(name: str = "action_fallback") -> list[dict[str, Any]]:
    return [
        {"event": "user", "text": "???", "parse_data": {"intent": {"name": "nlu_fallback"}}},
        {"event": "action", "name": name},
        {"event": "rewind"},
    ]


@pytest.mark.parametrize(
    ("history", "offers_a_person"),
    [
        ([], False),
        (_fallback_turn(), True),
        (_fallback_turn("action_default_fallback"), True),
        (
            _fallback_turn() + [{"event": "user", "text": "hello"}, {"event": "action", "name": "utter_greet"}],
            False,
        ),
    ],
)
async def test_a_second_misunderstanding_in_a_row_offers_a_person(
    history: list[dict[str, Any]], offers_a_person: bool, dispatcher: CollectingDispatcher, domain: dict[str, Any]
) -> None:
    events = history + [{"event": "user", "text": "???", "parse_data": {"intent": {"name": "nlu_fallback"}}}]
    result = await ActionFallback().run(dispatcher, tracker("???", "nlu_fallback", events=events), domain)
    assert ("A person can help you" in said(dispatcher)) is offers_a_person
    assert result == [{"event": "rewind", "timestamp": None}]


async def test_stopping_says_nothing_was_sent(dispatcher: CollectingDispatcher, domain: dict[str, Any]) -> None:
    await ActionCancelTask().run(dispatcher, tracker("stop", "stop", slots={"service": "pothole"}), domain)
    assert "I have not sent anything" in said(dispatcher)


def test_every_action_in_the_domain_is_implemented(domain: dict[str, Any]) -> None:
    # Found as the action server finds them (some are made in a loop, one per form slot).
    executor = ActionExecutor()
    executor.register_package("actions")
    assert set(domain["actions"]) == set(executor.actions)
