"""A reference is a help, never a condition: finding a report without one."""

from __future__ import annotations

import pytest

from routing.report_search import place_words, reference_given_earlier, says_no_reference


@pytest.mark.parametrize(
    ("text", "no_reference"),
    [
        ("i dont have a reference", True),
        ("I don't have one", True),
        ("i never got a reference number", True),
        ("lost it", True),
        ("no reference", True),
        ("i havent got the number", True),
        ("what reference? i dont have one i just want to change the name on it", True),
        ("SCC-7KQ4XH", False),
        ("it's scc 7kq4xh i don't have the letter though", False),
        ("the pothole on burgess road", False),
        ("yes", False),
    ],
)
def test_saying_there_is_no_reference(text: str, no_reference: bool) -> None:
    assert says_no_reference(text) is no_reference


def test_that_report_is_the_one_given_in_this_conversation() -> None:
    said = [
        "Where is it? Please give a street name.",
        "Thank you. Your report has been sent. Your reference is SCC-SYBB8G. Please keep it.",
        "Is there anything else?",
    ]
    assert reference_given_earlier(said) == "SCC-SYBB8G"
    assert reference_given_earlier(["It starts with SCC- and has 6 letters, like SCC-7KQ4XH."]) is None


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("it was on shirley high street", ["shirley", "high", "street"]),
        ("outside 12 Portswood Road", ["12", "portswood", "road"]),
        ("SO15 5LG", ["so15", "5lg"]),
        ("", []),
    ],
)
def test_the_place_without_the_filler(text: str, words: list[str]) -> None:
    assert place_words(text) == words
