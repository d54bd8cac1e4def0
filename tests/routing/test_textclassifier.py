"""How the text classifiers read a message before they learn from it or score it."""

from __future__ import annotations

import pytest

from routing.textclassifier import normalise, word_features


@pytest.mark.parametrize(
    ("message", "read_as"),
    [
        ("sarah.jones@gmail.com", "emailaddress"),
        ("my email is K.Patel@outlook.com please", "my email is emailaddress please"),
        ("07700 900123", "phonenumber"),
        ("+44 7700 900123", "phonenumber"),
        ("ring me on 023 8083 3000", "ring me on phonenumber"),
        ("flat 3, 12 Hill Lane, Southampton SO15 5AA", "flat 3, 12 hill lane, southampton postcode"),
        ("see https://www.gov.uk/after-a-death", "see weblink"),
        # Numbers that are not contact details stay as they are.
        ("i took 20 pills at 3am", "i took 20 pills at 3am"),
        ("my reference is 12345", "my reference is 12345"),
        ("I'm sooooo fed up", "i'm soo fed up"),
    ],
)
def test_contact_details_are_read_as_one_word_for_their_kind(message: str, read_as: str) -> None:
    assert " ".join(normalise(message).split()) == read_as


def test_an_email_address_gives_no_word_of_its_own() -> None:
    features = word_features("jo.hurt.self@example.com")
    assert "emailaddress" in features and not {"hurt", "self"} & set(features)
