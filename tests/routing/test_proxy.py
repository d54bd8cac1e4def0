"""Acting for someone: who the resident helps, whose need it is, and "can I fill it in for her?"."""

from __future__ import annotations

import pytest

from routing.catalogue import load_catalogue
from routing.cue_lexicon import CueLexicon
from routing.proxy import Person, about_them, acting_for, asks_to_act_for, names_them, proxy_answer
from routing.support_needs import SupportNeedDetector
from routing.support_responses import Need, acknowledgement, acting_person, adjustment_records, consent_reply

CATALOGUE = load_catalogue()
DETECTOR = SupportNeedDetector(CueLexicon.load())


def _needs(message: str) -> list[Need]:
    return [Need.from_output(need.as_output()) for need in DETECTOR.detect(message)]


@pytest.mark.parametrize(
    ("text", "noun", "subject", "possessive"),
    [
        ("my mum is 90", "mum", "she", "her"),
        ("I'm doing this for my dad", "dad", "he", "his"),
        ("for my 84 year old nan", "nan", "she", "her"),
        ("my elderly neighbour asked me to report it", "neighbour", "they", "their"),
        ("paying my husband's council tax", "husband", "he", "his"),
        ("my mother-in-law can't use computers", "mother-in-law", "she", "her"),
        ("my grandad's bins", "grandad", "he", "his"),
        ("my son is deaf", "son", "he", "his"),
        ("my daughter has autism", "daughter", "she", "her"),
        ("my friend needs help", "friend", "they", "their"),
        ("can i fill it in for her?", "", "she", "her"),
        ("can I apply on his behalf", "", "he", "his"),
        ("I'm doing it for them", "", "they", "their"),
    ],
)
def test_who_the_resident_acts_for(text, noun, subject, possessive):
    person = acting_for(text)
    assert person is not None
    assert (person.noun, person.subject, person.possessive) == (noun, subject, possessive)


@pytest.mark.parametrize("text", ["I want to pay my council tax", "my bin was missed", "I'm deaf", ""])
def test_nobody_named(text):
    assert acting_for(text) is None


@pytest.mark.parametrize(
    ("person", "described"),
    [(Person("mum", "she"), "your mum"), (Person("", "he"), "him"), (Person(), "someone else")],
)
def test_how_the_person_is_named_back(person, described):
    assert person.described == described


@pytest.mark.parametrize(
    ("text", "cue", "theirs"),
    [
        ("my mum is deaf", "deaf", True),
        ("I'm deaf and writing for my mum", "deaf", False),
        ("I'm writing for my dad, he is deaf", "deaf", True),
        ("for my dad, who is 90", "90", True),
        ("I'm 84 and doing this for my wife", "I'm 84", False),
        ("my mum is 90", "mum is 90", True),
        ("I care for my mum who uses a wheelchair", "wheelchair", True),
        ("i translate for my mother, she no speak english", "translate", True),
        ("writing for my mum", None, True),  # no cue: the resident is writing about them
    ],
)
def test_whose_need_it_is(text, cue, theirs):
    assert about_them(text, cue) is theirs


@pytest.mark.parametrize(
    ("text", "cue", "named"),
    [("my mum is 90", "mum is 90", True), ("I'm 90", "I'm 90", False), ("my wife left me", "left me", False)],
)
def test_a_need_said_about_someone_named(text, cue, named):
    assert names_them(text, cue) is named


# ---------------------------------------------------------------- the consent question about them


@pytest.mark.parametrize(
    ("message", "must_say", "never_say"),
    [
        (
            "my mum is 90 and uses a wheelchair",
            ["you are helping your mum with this", "she may need step-free access"],
            ["you need step-free access", "are acting for someone else"],
        ),
        (
            "I'm writing for my dad, he is deaf",
            ["you are helping your dad with this", "he would rather use text, webchat or Relay UK"],
            ["you would rather use text"],
        ),
        (
            "I'm deaf and writing for my mum",
            ["you are helping your mum with this", "you would rather use text, webchat or Relay UK"],
            ["she would rather"],
        ),
        (
            "on behalf of my neighbour who is registered blind",
            ["you are helping your neighbour with this", "they would rather talk by phone"],
            ["you would rather"],
        ),
        ("my dad has dementia", ["you are helping your dad with this", "he may need more time"], ["you need more"]),
        ("I use a wheelchair", ["May I note that you need step-free access"], ["helping"]),
        ("my wife left me", ["May I note that you need a little extra time and care?"], ["helping", "she"]),
    ],
)
def test_the_consent_question_is_about_the_person_they_describe(message, must_say, never_say):
    replies = acknowledgement(_needs(message), message)
    question = replies[-1].text
    assert len(replies) <= 3 and question.endswith("?") and question.count("?") == 1
    assert all(words in question for words in must_say), question
    assert not any(words in question for words in never_say), question


def test_yes_notes_it_about_them_and_staff_see_whose_it_is():
    message = "my mum is 90 and uses a wheelchair"
    needs = _needs(message)
    said = consent_reply(True, needs, message).text
    assert said.startswith("Thank you. I have noted that you are helping your mum with this, and that she may need")
    assert adjustment_records(needs, message) == [
        "needs home visit or step free access (for their mum)",
        "prefers phone or face to face (for their mum)",
    ]


def test_staff_see_who_the_resident_acts_for():
    message = "I'm writing for my dad, he is deaf"
    assert adjustment_records(_needs(message), message) == [
        "prefers text relay or webchat (for their dad)",
        "acting for someone else: their dad",
    ]


def test_the_help_for_acting_for_someone_names_them():
    message = "I'm doing this for my husband"
    said = consent_reply(False, _needs(message), message).text
    assert "You can ask us things for your husband." in said
    assert "To act on his account, we need his permission, or a Lasting Power of Attorney." in said


def test_someone_who_has_died_is_not_someone_they_act_for():
    message = "my mum died and I'm sorting her council tax"
    needs = [*_needs(message), Need("carer_proxy", "acting_for_someone_else", cue="mum")]
    assert acting_person(needs, message) is None
    assert "helping" not in acknowledgement(needs, message)[-1].text


# ---------------------------------------------------------------- "can I fill it in for her?"


@pytest.mark.parametrize(
    ("text", "code", "must_say", "never_say"),
    [
        (
            "can i fill it in for her?", "blue_badge",
            ["Yes, you can fill it in for her, with her permission.",
             "If she cannot give permission, you need a power of attorney.",
             "https://www.southampton.gov.uk/health-social-care/blue-badge/apply/", "023 8083 3009"],
            ["his", "you need step-free"],
        ),
        (
            "can I apply on his behalf", "bus_pass",
            ["Yes, you can apply on his behalf, with his permission.", "If he cannot give permission",
             "https://www.southampton.gov.uk/travel-transport/bus-pass/apply/"],
            [" her "],
        ),
        (
            "can I pay it for my dad", "council_tax",
            ["Yes, you can pay it for him.", "Anyone can pay a bill", "his bill",
             "https://www.southampton.gov.uk/council-tax/pay/"],
            ["with his permission."],
        ),
        (
            "can I do it for them", None,
            ["Yes, you can do this for them, with their permission.", "If they cannot give permission"],
            ["http", "call"],
        ),
        (
            "can I book it for my nan", "bulky_waste",
            ["Yes, you can book it for her, with her permission.", "023 8083 3005"],
            [],
        ),
    ],
)  # fmt: skip
def test_the_answer_to_can_i_do_it_for_them(text, code, must_say, never_say):
    replies = proxy_answer(text, CATALOGUE.get(code))
    said = " ".join(reply.text for reply in replies)
    assert 1 <= len(replies) <= 3 and "?" not in said
    assert all(words in said for words in must_say), said
    assert not any(words in said for words in never_say), said


def test_the_person_can_come_from_earlier_in_the_conversation():
    said = " ".join(r.text for r in proxy_answer("can I fill it in?", None, context="it's for my dad, he is 92"))
    assert "fill it in for him, with his permission" in said


@pytest.mark.parametrize(
    ("text", "asks"),
    [
        ("can i fill it in for her?", True),
        ("can I apply on his behalf", True),
        ("am i allowed to apply for my mum", True),
        ("can i pay it for him", True),
        ("could I do it on my dad's behalf?", True),
        ("im trying to get a blue badge for my mum shes 90", False),
        ("can i fill in the form online", False),
        ("my mum needs a bus pass", False),
    ],
)
def test_asking_to_act_for_someone(text: str, asks: bool) -> None:
    assert asks_to_act_for(text) is asks
