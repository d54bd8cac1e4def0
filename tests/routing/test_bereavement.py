"""Bereavement: condolence first, then Tell Us Once and what to do about the council tax bill (and a
council tenancy), then the consent question last, in at most three messages."""

from __future__ import annotations

import pytest

from routing.bereavement import council_home_still_to_answer, is_baby_loss, is_bereavement, mentions_council_home
from routing.catalogue import load_catalogue
from routing.support_responses import Need, acknowledgement, consent_reply

CATALOGUE = load_catalogue()
LIFE_EVENT = Need("life_event", "needs_extra_care")
COUNCIL_TAX_PHONE = CATALOGUE.get("council_tax").phone.value
HOUSING_PHONE = CATALOGUE.get("housing_repair").phone.value
TELL_US_ONCE = "https://www.gov.uk/after-a-death/organisations-you-need-to-contact-and-tell-us-once"


@pytest.mark.parametrize(
    "text",
    [
        "my husband died last week",
        "my mum passed away on sunday",
        "lost my wife in march",
        "my wife passed in march and i don't know how to pay the bills",
        "it's been a hard week since the funeral",
        "recently bereaved, please bear with me",
        "I'm sorting out my late father's council tax",
        "I need to tell you about a death",
        "I've just been widowed",
        "we lost the baby last month",
    ],
)
def test_words_that_say_someone_has_died(text):
    assert is_bereavement(text)


@pytest.mark.parametrize(
    "text",
    ["my phone died", "the battery has died", "lost my job", "we've separated", "I'm out of hospital", "my car died"],
)
def test_words_that_do_not(text):
    assert not is_bereavement(text)


def test_a_baby_loss_is_told_apart():
    assert is_baby_loss("we lost the baby last month") and not is_baby_loss("my husband died")


@pytest.mark.parametrize(
    ("text", "council_home"),
    [("she had a council flat", True), ("about his tenancy", True), ("my mum's house", False), ("", False)],
)
def test_a_council_home_is_noticed(text, council_home):
    assert mentions_council_home(text) is council_home


@pytest.mark.parametrize(
    ("message", "must_say", "never_say"),
    [
        (
            "my husband died last week",
            ["Tell Us Once", TELL_US_ONCE, "registrar", f"council tax team on {COUNCIL_TAX_PHONE}",
             "change the name on the bill", "25% off", "single person discount", "do not need a reference"],
            ["Thank you for telling me", "tenancy"],
        ),
        (
            "my mum passed away, she had a council flat",
            ["Tell Us Once", f"council homes team on {HOUSING_PHONE} about the tenancy", COUNCIL_TAX_PHONE],
            ["Thank you for telling me"],
        ),
        (
            "we lost the baby last month",
            [],
            ["Tell Us Once", "council tax", "Thank you for telling me"],
        ),
    ],
)  # fmt: skip
def test_condolence_first_then_what_to_do_then_the_question(message, must_say, never_say):
    replies = acknowledgement([LIFE_EVENT], message, CATALOGUE)
    said = " ".join(reply.text for reply in replies)
    assert len(replies) <= 3
    assert replies[0].text.startswith("I am so sorry for your loss.")
    assert replies[-1].text.endswith("May I note that you need a little extra time and care?")
    assert [b.payload for b in replies[-1].buttons] == ["/affirm", "/deny"]
    assert said.count("?") == 1 and all(reply.buttons == () for reply in replies[:-1])
    assert all(words in said for words in must_say), said
    assert not any(words in said for words in never_say), said


@pytest.mark.parametrize("message", ["lost my job last week", "we've separated"])
def test_other_life_events_are_thanked_not_condoled(message):
    replies = acknowledgement([LIFE_EVENT], message, CATALOGUE)
    said = " ".join(reply.text for reply in replies)
    assert replies[0].text.startswith("Thank you for telling me.")
    assert "sorry for your loss" not in said and "Tell Us Once" not in said


def test_after_the_consent_answer_the_help_is_gentle_and_not_repeated():
    message = "my husband died last week"
    said = consent_reply(True, [LIFE_EVENT], message, CATALOGUE).text
    assert said.startswith("Thank you. I have noted that you need a little extra time and care.")
    assert "There is no rush." in said and "Tell Us Once" not in said and "?" not in said


@pytest.mark.parametrize(
    ("earlier", "latest", "due"),
    [
        (["my mum died on tuesday. who do i tell at the council"], "she lived on her own in a council flat", True),
        (["hello", "my husband passed away last month"], "he was the council tenant", True),
        (["my mum died and she had a council flat"], "she lived on her own in a council flat", False),  # covered
        (["my phone died"], "i live in a council flat", False),  # nobody died
        (["my dad passed away last week"], "what do i do with his car", False),  # no council home
        (["my dad passed away last week"], "his council flat has a leak in the kitchen", False),  # a repair
        ([], "she lived in a council flat", False),
    ],
)
def test_a_council_home_told_of_after_a_death_is_still_to_answer(earlier, latest, due):
    assert council_home_still_to_answer(earlier, latest) is due
