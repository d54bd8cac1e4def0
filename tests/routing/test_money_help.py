"""Money trouble that cannot wait: a bailiff or enforcement letter gets "do not ignore it", the team's
number, free debt advice and Council Tax Support, never "pay online, it is quick and secure"."""

from __future__ import annotations

import pytest

from routing.catalogue import load_catalogue
from routing.money_help import debt_service, enforcement_answer, enforcement_said, is_enforcement
from routing.support_responses import Need, consent_reply, help_for
from routing.turns import MAX_MESSAGES

CATALOGUE = load_catalogue()
HARDSHIP = Need("financial_hardship", "may_need_payment_help")
DEBT_LINES = ["Citizens Advice on 0800 144 8848", "StepChange on 0800 138 1111", "National Debtline on 0808 808 4000"]
COUNCIL_TAX_PHONE = CATALOGUE.get("council_tax").phone.value
SUPPORT_FORM = CATALOGUE.get("council_tax_support").apply["form_url"]["url"]


@pytest.mark.parametrize(
    "text",
    [
        "I got a letter from the bailiffs about my council tax",
        "baliffs are coming on monday",
        "an enforcement agent came to my door",
        "letter from enforcement officers",
        "they've got a liability order against me",
        "I've had a final notice for council tax",
        "got a court summons for council tax arrears",
        "I was summonsed for my council tax",
        "debt collectors keep writing about my council tax",
        "notice of enforcement came today",
        "warrant of control",
        "parking fine has gone to an order for recovery",
    ],
)
def test_words_that_show_enforcement(text):
    assert is_enforcement(text)


@pytest.mark.parametrize(
    "text",
    [
        "I want to pay my council tax",
        "I can't afford my council tax this month",
        "I've had a jury summons",
        "a parking enforcement officer gave me a ticket",
        "the civil enforcement officer was rude",
        "planning enforcement about my neighbour's extension",
        "what is the final date to apply for a school place",
        "",
    ],
)
def test_words_that_do_not(text):
    assert not is_enforcement(text)


def test_the_enforcement_answer_for_council_tax():
    replies = enforcement_answer(CATALOGUE)
    said = " ".join(reply.text for reply in replies)
    assert len(replies) <= MAX_MESSAGES
    assert replies[0].text.startswith("Please do not ignore the letter.")
    assert f"Call our council tax team now on {COUNCIL_TAX_PHONE}." in said
    assert "payment plan you can afford" in said
    assert all(line in said for line in DEBT_LINES)
    assert "Council Tax Support" in said and SUPPORT_FORM in said
    assert "quick and secure" not in said and "pay for council tax online" not in said
    assert not said.rstrip().endswith("?")


def test_a_parking_debt_names_the_parking_team_and_not_council_tax_support():
    said = " ".join(reply.text for reply in enforcement_answer(CATALOGUE, CATALOGUE.get("parking_fine")))
    assert f"parking team now on {CATALOGUE.get('parking_fine').phone.value}" in said
    assert all(line in said for line in DEBT_LINES)
    assert "Council Tax Support" not in said


def test_a_service_with_no_team_of_its_own_gets_the_council_tax_team():
    said = " ".join(reply.text for reply in enforcement_answer(CATALOGUE, CATALOGUE.get("garden_waste")))
    assert f"council tax team now on {COUNCIL_TAX_PHONE}" in said


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("bailiffs about my council tax", "council_tax"),
        ("bailiffs for a parking fine", "parking_fine"),
        ("bailiffs for business rates", "business_rates"),
        ("bailiffs came", None),
    ],
)
def test_the_debt_a_letter_is_about(text, code):
    found = debt_service(text, CATALOGUE)
    assert (found.code if found else None) == code


@pytest.mark.parametrize(
    ("text", "must_say", "never_say"),
    [
        (
            "bailiffs letter about my council tax and I can't pay",
            ["Please do not ignore the letter.", COUNCIL_TAX_PHONE, *DEBT_LINES, SUPPORT_FORM],
            ["hardship fund", "quick and secure"],
        ),
        (
            "I can't afford my council tax",
            ["Council Tax Support", "hardship fund", "Citizens Advice or StepChange"],
            ["do not ignore the letter"],
        ),
    ],
)
def test_the_help_for_money_trouble_fits_the_words(text, must_say, never_say):
    for said in (help_for([HARDSHIP], text, CATALOGUE)[0].text, consent_reply(True, [HARDSHIP], text, CATALOGUE).text):
        assert all(words in said for words in must_say), said
        assert not any(words in said for words in never_say), said


def test_the_advice_is_known_once_given_this_turn():
    given = [reply.text for reply in enforcement_answer(CATALOGUE)]
    assert enforcement_said(given)
    assert not enforcement_said(["You can pay for council tax online."])
