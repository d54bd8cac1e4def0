"""Whether a resident's answer to "where is it?" is something a crew could find."""

import pytest

from routing.locations import HOME_ADDRESS_NEEDED, check_location, format_postcode, with_house_number


@pytest.mark.parametrize(
    ("answer", "value", "postcode"),
    [
        ("SO17 1BJ", "SO17 1BJ", "SO17 1BJ"),
        ("so171bj", "SO17 1BJ", "SO17 1BJ"),
        ("so17   1bj", "SO17 1BJ", "SO17 1BJ"),
        ("pothole at so17 1bj please", "pothole at SO17 1BJ please", "SO17 1BJ"),
        ("Portswood Road", "Portswood Road", None),
        ("12 Portswood Rd", "12 Portswood Rd", None),
        ("  outside the library   on Portswood Road ", "outside the library on Portswood Road", None),
        ("near the Bargate", "near the Bargate", None),
        ("opposite Tesco", "opposite Tesco", None),
        ("Hoglands Park", "Hoglands Park", None),
    ],
)
def test_a_findable_place_is_accepted(answer, value, postcode):
    check = check_location(answer)
    assert check.ok
    assert check.value == value
    assert check.postcode == postcode
    assert check.problem is None


@pytest.mark.parametrize(
    "answer",
    [
        "here",
        "Here.",
        "my house",
        "dunno",
        "don't know",
        "not sure",
        "near me",
        "",
        "   ",
        "12",
        "!!!!",
        "round the corner",
        pytest.param(
            "outside my house",
        ),
        pytest.param(
            "near here",
        ),
    ],
)
def test_a_vague_answer_is_refused_with_a_sentence_saying_what_is_needed(answer):
    check = check_location(answer)
    assert not check.ok
    assert check.postcode is None
    assert check.problem
    assert check.problem[0].isupper()
    assert check.problem.endswith(".")


def test_a_place_of_200_characters_is_accepted():
    answer = ("near the Bargate " * 20)[:200]
    assert len(answer) == 200
    assert check_location(answer).ok


@pytest.mark.parametrize(
    "answer",
    [
        ("near the Bargate " * 20)[:201],
        "outside the library on Portswood Road, " * 6,
    ],
)
def test_an_overlong_answer_is_refused(answer):
    check = check_location(answer)
    assert not check.ok
    assert check.problem


@pytest.mark.parametrize(
    ("text", "postcode"),
    [
        ("SO15 2BT", "SO15 2BT"),
        ("so152bt", "SO15 2BT"),
        ("I live at so14 7ly, thanks", "SO14 7LY"),
        ("Portswood Road", None),
        ("", None),
    ],
)
def test_format_postcode(text, postcode):
    assert format_postcode(text) == postcode


@pytest.mark.parametrize(
    "answer",
    ["im a council tenant", "its a council flat", "its the kitchen sink, the pipe under it drips all the time"],
)
def test_a_home_without_its_address_is_understood_and_the_address_asked_for(answer):
    result = check_location(answer)
    assert not result.ok
    assert result.problem == HOME_ADDRESS_NEEDED and "could not tell" not in result.problem


@pytest.mark.parametrize(
    ("text", "street", "place"),
    [
        ("there's a big pothole outside 14 Hill Lane", "Hill Lane", "14 Hill Lane"),
        ("missed bin at 12a Portswood Road", "Portswood Road", "12a Portswood Road"),
        ("fly tipping behind 10-12 Shirley High Street", "Shirley High Street", "10-12 Shirley High Street"),
        ("pothole on Hill Lane", "Hill Lane", "Hill Lane"),
        ("it cost me £14 Hill Lane parking", "Hill Lane", "Hill Lane"),  # money, not a house
        ("it has been 3 weeks on Hill Lane", "Hill Lane", "Hill Lane"),
    ],
)
def test_a_house_number_just_before_the_street_is_part_of_the_place(text, street, place):
    start = text.index(street)
    assert text[with_house_number(text, start) : start + len(street)] == place
