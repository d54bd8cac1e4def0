"""The wait before trying another system again: growing, capped, and spread at random."""

from __future__ import annotations

import pytest

from routing.retries import growing_wait


@pytest.mark.parametrize(
    ("attempts", "first", "cap", "factor", "spread", "draw", "wait"),
    [
        (1, 30, 3600, 2, 0.5, 1.0, 30),  # no random part taken off
        (2, 30, 3600, 2, 0.5, 1.0, 60),
        (3, 30, 3600, 2, 0.5, 1.0, 120),
        (1, 30, 3600, 2, 0.5, 0.0, 15),  # all of the random half taken off
        (50, 30, 3600, 2, 0.5, 1.0, 3600),  # capped
        (10_000, 30, 3600, 2, 0.5, 1.0, 3600),  # however many tries
        (3, 10, 21600, 3, 0.2, 0.0, 72),  # the webhooks' schedule: 90 s, less a fifth
        (0, 10, 100, 2, 0.5, 1.0, 10),  # before any failure: the first wait
    ],
)
def test_the_wait_grows_by_its_factor_up_to_the_cap_less_a_random_part(
    attempts, first, cap, factor, spread, draw, wait
):
    assert growing_wait(attempts, first, cap, factor, spread, lambda: draw) == pytest.approx(wait)
