"""A moving-window rate limiter in this process's memory (the embedded profile's counts).

The ``limits`` library's own memory storage starts a timer thread about every hit, which then walks
every count under the interpreter's lock: measured at about 1.8 ms for each chat message's two
counts. Here each key keeps the times of its hits inside the window, and old ones are dropped when
the key is next counted; keys nobody has used for a whole window are swept now and then. It answers
as the library's ``MovingWindowRateLimiter`` does, which the scale-out keeps, on Redis.
"""

from __future__ import annotations

import time
from collections import deque
from typing import Callable

from limits import RateLimitItem

SWEEP_EVERY = 1000  # hits between sweeps of keys whose windows have emptied


class MemoryMovingWindow:
    """``hit``, ``test`` and ``get_window_stats`` as in ``limits.strategies.MovingWindowRateLimiter``.

    Called from the web app's event loop only, so it takes no lock.
    """

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self._clock = clock
        self._hits: dict[str, tuple[float, deque[float]]] = {}  # key -> (window seconds, hit times)
        self._since_sweep = 0

    def hit(self, item: RateLimitItem, *identifiers: str) -> bool:
        """Count one hit, if the window has room for it; whether it had."""
        now = self._clock()
        times = self._window(item, identifiers, now)
        if len(times) >= item.amount:
            return False
        times.append(now)
        self._since_sweep += 1
        if self._since_sweep >= SWEEP_EVERY:
            self._sweep(now)
        return True

    def test(self, item: RateLimitItem, *identifiers: str) -> bool:
        """Whether a hit now would be allowed (counting nothing)."""
        return len(self._window(item, identifiers, self._clock())) < item.amount

    def get_window_stats(self, item: RateLimitItem, *identifiers: str) -> tuple[int, int]:
        """When the oldest hit in the window leaves it (seconds since the epoch), and the hits left."""
        now = self._clock()
        times = self._window(item, identifiers, now)
        reset = (times[0] if times else now) + item.get_expiry()
        return int(reset), max(0, item.amount - len(times))

    def _window(self, item: RateLimitItem, identifiers: tuple[str, ...], now: float) -> deque[float]:
        key = item.key_for(*identifiers)
        seconds = float(item.get_expiry())
        kept = self._hits.get(key)
        if kept is None:
            kept = self._hits[key] = (seconds, deque())
        times = kept[1]
        while times and times[0] <= now - seconds:
            times.popleft()
        return times

    def _sweep(self, now: float) -> None:
        self._since_sweep = 0
        for key, (seconds, times) in list(self._hits.items()):
            if not times or times[-1] <= now - seconds:
                del self._hits[key]
