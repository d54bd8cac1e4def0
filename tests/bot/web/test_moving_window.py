"""The embedded profile's rate limit counts: a moving window, as the ``limits`` library's."""

from __future__ import annotations

import pytest
from limits import parse
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter

from bot.web.moving_window import SWEEP_EVERY, MemoryMovingWindow


class Clock:
    """Seconds since the epoch, moved on by the test."""

    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


def test_three_a_minute_allows_three_then_refuses_until_the_first_leaves_the_window(clock: Clock) -> None:
    limiter, item = MemoryMovingWindow(clock), parse("3/minute")
    allowed = []
    for _ in range(4):
        allowed.append(limiter.hit(item, "chat", "abc"))
        clock.now += 10
    assert allowed == [True, True, True, False]
    assert limiter.get_window_stats(item, "chat", "abc") == (1_800_000_060, 0)  # the first hit leaves at +60 s
    assert not limiter.test(item, "chat", "abc")
    clock.now = 1_800_000_060.0
    assert limiter.test(item, "chat", "abc") and limiter.hit(item, "chat", "abc")
    assert not limiter.hit(item, "chat", "abc")  # the hits at +10 and +20 are still in the window


def test_keys_and_limits_count_apart(clock: Clock) -> None:
    limiter, item = MemoryMovingWindow(clock), parse("1/minute")
    assert limiter.hit(item, "chat", "one") and limiter.hit(item, "chat", "two")
    assert limiter.hit(parse("1/hour"), "chat", "one")  # another limit on the same key
    assert not limiter.hit(item, "chat", "one")


def test_a_refused_hit_is_not_counted(clock: Clock) -> None:
    limiter, item = MemoryMovingWindow(clock), parse("2/minute")
    limiter.hit(item, "k")
    limiter.hit(item, "k")
    for _ in range(5):
        assert not limiter.hit(item, "k")
    assert limiter.get_window_stats(item, "k")[1] == 0
    clock.now += 61
    assert limiter.get_window_stats(item, "k")[1] == 2


def test_keys_nobody_uses_are_forgotten(clock: Clock) -> None:
    limiter, item = MemoryMovingWindow(clock), parse("5/minute")
    for number in range(SWEEP_EVERY - 1):
        limiter.hit(item, "chat", str(number))
    clock.now += 120
    limiter.hit(item, "chat", "late")  # the sweep after SWEEP_EVERY hits
    assert len(limiter._hits) == 1


def test_it_answers_as_the_librarys_moving_window_does() -> None:
    """The same hits, one after another within a second, give the same answers as the library's."""
    ours, theirs = MemoryMovingWindow(), MovingWindowRateLimiter(MemoryStorage())
    rules = [parse("4/minute"), parse("2/second"), parse("10/hour")]
    answers = [[limiter.hit(rule, "k") for rule in rules for _ in range(5)] for limiter in (ours, theirs)]
    assert answers[0] == answers[1]
