"""Telling gibberish from a message: does it use any word the assistant has ever been taught?

Intent models are over-confident on keyboard mash ("asdf ghjk"): they still pick an intent. A
message of two or more words where none is in the training vocabulary (and none is a number or a
reference) is treated as not understood, so the resident gets "could you say it another way?" and,
the second time, a person.
"""

from __future__ import annotations

import re
from typing import Iterable

WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
MIN_WORDS = 2


def words(text: str) -> list[str]:
    """The lower-case words of ``text`` (letters only)."""
    return [word.lower() for word in WORD.findall(text or "")]


def vocabulary(texts: Iterable[str]) -> frozenset[str]:
    """Every word in ``texts``."""
    return frozenset(word for text in texts for word in words(text))


def is_gibberish(text: str, known: frozenset[str]) -> bool:
    """True when ``text`` has at least two words and none of them is known."""
    found = words(text)
    if len(found) < MIN_WORDS or re.search(r"\d|/", text or ""):
        return False
    return not any(word in known for word in found)
