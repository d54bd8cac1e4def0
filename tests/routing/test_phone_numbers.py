"""Call-back numbers: UK numbers we can call, found in what the resident typed."""

import pytest

from routing.phone_numbers import check_uk_number


@pytest.mark.parametrize(
    ("typed", "e164"),
    [
        ("07912 345678", "+447912345678"),
        ("it's 07912 345678 thanks", "+447912345678"),
        ("+44 7912 345678", "+447912345678"),
        ("023 8083 3000", "+442380833000"),
        ("(023) 8083-3000", "+442380833000"),
    ],
)
def test_uk_numbers_are_kept_in_international_form(typed, e164):
    assert check_uk_number(typed).e164 == e164


@pytest.mark.parametrize(
    ("typed", "problem"),
    [
        ("", "could not see a phone number"),
        ("call me please", "could not see a phone number"),
        ("👍👍👍", "could not see a phone number"),
        ("07700 900123", "not a UK number we can call"),  # Ofcom's range for drama: never assigned
        ("0900 123 4567", "cannot call that kind of number"),  # premium rate
        ("+33 1 23 45 67 89", "only book calls to UK numbers"),
        ("'; DROP TABLE handoff_cases; --", "could not see a phone number"),
    ],
)
def test_other_input_gets_a_plain_reason(typed, problem):
    checked = check_uk_number(typed)
    assert checked.e164 is None and problem in checked.problem
