"""How long to wait before trying again to reach another system (the Open311 back office, a
webhook's receiver): longer after each failure, up to a cap, with a random part so that many
waiting items do not all come back at the same moment."""

from __future__ import annotations

import random
from typing import Callable


def growing_wait(
    attempts: int, first: float, cap: float, factor: float = 2.0, spread: float = 0.5,
    draw: Callable[[], float] = random.random,
) -> float:  # fmt: skip
    """Seconds to wait after ``attempts`` failed tries: ``first`` after the first, ``factor`` times
    longer after each one more, at most ``cap``; then up to ``spread`` of it (a share from 0 to 1)
    taken off at random (``draw`` gives a number from 0 to 1)."""
    ceiling = min(cap, first * factor ** max(0, min(attempts - 1, 60)))
    return ceiling * (1 - spread * (1 - draw()))
