"""Gibberish is not understood; anything with a known word, a number or a reference is left alone."""

import pytest

from routing.gibberish import is_gibberish, vocabulary

KNOWN = vocabulary(["my bin was not collected", "pay my council tax", "hello there"])


@pytest.mark.parametrize(
    ("message", "gibberish"),
    [
        ("asdf ghjk", True),
        ("zzkrrp blorf", True),
        ("qwerty uiop asdfgh", True),
        ("my bin", False),  # known words
        ("bin asdf", False),  # one known word is enough
        ("asdf", False),  # one word: could be a name or a typo, let the model try
        ("SO17 1BJ", False),  # numbers: a postcode or a reference
        ("SCC-7KQ4XH", False),
        ("/request_human", False),  # a button payload
        ("", False),
        ("👍👍", False),
    ],
)
def test_gibberish(message, gibberish):
    assert is_gibberish(message, KNOWN) is gibberish
