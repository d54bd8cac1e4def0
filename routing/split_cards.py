"""Catch a card number typed over two (or more) messages: "4111 1111", then "1111 1111".

Policy (PCI DSS: no card number is ever stored):

* The first part, when it looks like the start of a card (``routing.redaction``'s partial card
  rule), is redacted on its own before it is stored.
* Per conversation, the digits at the end of the latest message are kept IN MEMORY ONLY (never
  stored, never logged) for ``TTL_SECONDS``, with where their groups start. When the next message's
  first digits complete a Luhn-valid card with them, that first digit run is redacted.
* Right after card details, a message that is only 3-4 digits is taken as the security code, and a
  lone MM/YY or MM/YYYY as the expiry date.
* Phone numbers, dates, years and numbers called an account or reference number are never joined
  into a card, so "my number is 023 8083 3000" then "07700 900123" both stay; nor is a
  message after 13 or more digits (a whole number of its own, not the start of a card).

The memory is bounded (``MAX_CONVERSATIONS``, oldest forgotten first) so a flood of senders cannot
grow it without limit.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Callable

from routing.card_numbers import (
    CARD_LENGTHS,
    MAX_ATTACHED,
    DigitRun,
    digit_runs,
    is_card_start,
    is_separator,
    is_years,
    luhn_valid,
    normalise,
    protected_spans,
)
from routing.redaction import NOT_A_CARD, Redacted, redact_to_length

TTL_SECONDS = 120.0
MAX_CONVERSATIONS = 10_000


@dataclass(frozen=True)
class _Tail:
    digits: str  # up to 19 digits at the end of the latest message(s)
    starts: tuple[int, ...]  # where digit groups start in ``digits``
    card_details: bool  # the latest message had card details
    at: float


def _completes(tail: _Tail, run: DigitRun) -> bool:
    """True when a group start in the tail and a group end in ``run`` (or up to ``MAX_ATTACHED``
    digits before the end of its last group) bound a Luhn-valid card number."""
    digits = tail.digits + run.digits
    ends = [len(tail.digits)]
    for length in run.lengths:
        ends.append(ends[-1] + length)
    for start in tail.starts:
        if not is_card_start(digits[start:]):
            continue
        for end in range(len(tail.digits) + 1, len(digits) + 1):
            length = end - start
            group_end = next(e for e in ends if e >= end)
            attached_ok = end == group_end or (group_end == ends[-1] and group_end - end <= MAX_ATTACHED)
            if length in CARD_LENGTHS and attached_ok and luhn_valid(digits[start:end]):
                return True
    return False


def _unprotected(run: DigitRun, normalised: str) -> bool:
    return not any(run.start < end and start < run.end for start, end in protected_spans(normalised))


class CardGuard:
    """Redacts each resident message of a conversation, catching a card split over messages."""

    def __init__(
        self,
        ttl_seconds: float = TTL_SECONDS,
        max_conversations: int = MAX_CONVERSATIONS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._ttl = ttl_seconds
        self._max = max_conversations
        self._clock = clock
        self._tails: OrderedDict[str, _Tail] = OrderedDict()

    def redact(self, conversation: str, text: str, limit: int) -> Redacted:
        """The message redacted (``routing.redaction.redact_to_length``) and cut to ``limit``,
        with the rest of a card begun in the previous message removed too."""
        now = self._clock()
        tail = self._tails.pop(conversation, None)
        if tail is not None and now - tail.at > self._ttl:
            tail = None
        normalised = normalise(text[: limit + 200])
        runs = [run for run in digit_runs(normalised) if _unprotected(run, normalised) and not is_years(run)]
        also: list[tuple[int, int]] = []
        if tail is not None and runs and tail.digits and _completes(tail, runs[0]):
            also.append((runs[0].start, runs[0].end))
        result = redact_to_length(text, limit, about_a_card=bool(tail and tail.card_details), also=also)
        self._remember(conversation, normalised, runs, tail, result.had_card_details, now)
        return result

    def _remember(
        self, conversation: str, normalised: str, runs: list[DigitRun], tail: _Tail | None, card: bool, now: float
    ) -> None:
        last = runs[-1] if runs else None
        if last is not None and not all(is_separator(c) or c in "!?" for c in normalised[last.end :]):
            last = None  # the message does not end with digits
        if NOT_A_CARD.search(normalised) or (last is not None and len(last.digits) >= CARD_LENGTHS.start):
            last = None  # "my account number is 5012 3456", or a whole long number: not the start of a card
        digits = ""
        starts: tuple[int, ...] = ()
        if last is not None:
            offsets = [0]
            for length in last.lengths[:-1]:
                offsets.append(offsets[-1] + length)
            digits, starts = last.digits, tuple(offsets)
            only_digits = len(runs) == 1 and not normalised[: last.start].strip()
            if tail is not None and only_digits:  # a third part: keep the parts together
                digits = tail.digits + digits
                starts = tail.starts + tuple(len(tail.digits) + start for start in starts)
            cut = max(0, len(digits) - (CARD_LENGTHS.stop - 2))
            digits = digits[cut:]
            starts = tuple(start - cut for start in starts if start >= cut)
        if digits or card:
            self._tails[conversation] = _Tail(digits, starts, card, now)
            while len(self._tails) > self._max:
                self._tails.popitem(last=False)
