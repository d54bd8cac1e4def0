"""Card numbers and security codes never reach the tracker store, the logs or staff."""

import re

import pytest

from routing.redaction import CARD_PLACEHOLDER, SECURITY_CODE_PLACEHOLDER, redact


@pytest.mark.parametrize(
    ("text", "redacted"),
    [
        ("4111 1111 1111 1111", CARD_PLACEHOLDER),
        ("my card is 4111 1111 1111 1111", f"my card is {CARD_PLACEHOLDER}"),
        ("my card is 4111-1111-1111-1111 ok", f"my card is {CARD_PLACEHOLDER} ok"),
        ("4111111111111111", CARD_PLACEHOLDER),
        ("amex 3782 822463 10005", f"amex {CARD_PLACEHOLDER}"),
        ("378282246310005", CARD_PLACEHOLDER),
        ("mastercard 5555 5555 5555 4444.", f"mastercard {CARD_PLACEHOLDER}."),
    ],
)
def test_a_card_number_is_removed_and_flagged(text, redacted):
    result = redact(text)
    assert result.text == redacted
    assert "card_number" in result.found
    assert result.had_card_details


@pytest.mark.parametrize(
    ("text", "card"),
    [
        ("4111 1111 1111 1111", "4111111111111111"),
        ("pay with 4111-1111-1111-1111 please", "4111111111111111"),
        ("3782 822463 10005", "378282246310005"),
        ("card 4111 1111 1111 1111, cvv 123", "4111111111111111"),
        pytest.param(
            "my card is 4111 1111 1111 1111 12/26",
            "4111111111111111",
        ),
        pytest.param(
            "4111111111111111 123",
            "4111111111111111",
        ),
    ],
)
def test_the_card_digits_never_appear_in_the_output(text, card):
    result = redact(text)
    digits_left = re.sub(r"\D", "", result.text)
    assert card not in digits_left
    assert card[:6] not in digits_left  # not even the first six digits
    assert result.had_card_details


@pytest.mark.parametrize(
    "text",
    [
        "4111 1111 1111 1112",  # fails the Luhn check: not a card
        "1234567812345678",
        "call me on 023 8083 3000",
        "my mobile is 07700 900123",
        "023 8083 3000 or 07700 900123",
        "my reference is SCC-7KQ4XH",
        "flat 12, 34 Portswood Road, SO17 1BJ",
        "council tax band D is £2,487.63",
        "the bin is broken 😡🗑️ <b>again</b> & <script>alert(1)</script>",
    ],
)
def test_text_without_card_details_is_left_alone(text):
    result = redact(text)
    assert result.text == text
    assert result.found == frozenset()
    assert not result.had_card_details


@pytest.mark.parametrize(
    ("text", "redacted"),
    [
        ("cvv 123", f"cvv {SECURITY_CODE_PLACEHOLDER}"),
        ("CVV: 789", f"CVV: {SECURITY_CODE_PLACEHOLDER}"),
        ("security code is 456", f"security code is {SECURITY_CODE_PLACEHOLDER}"),
        ("the cvc2 = 1234", f"the cvc2 = {SECURITY_CODE_PLACEHOLDER}"),
        pytest.param(
            "the 3 digits on the back are 789",
            f"the 3 digits on the back are {SECURITY_CODE_PLACEHOLDER}",
        ),
    ],
)
def test_a_security_code_is_removed_and_flagged(text, redacted):
    result = redact(text)
    assert result.text == redacted
    assert "security_code" in result.found
    assert result.had_card_details
