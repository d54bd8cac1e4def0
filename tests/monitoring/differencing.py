"""A differencing attacker: what can be worked out exactly from figures published for date ranges.

The attacker knows how figures are published (Kerckhoffs): the rounding and suppression rule for
counts, and the formula that turns two counts into a rate as text. From one published result it
narrows every count it can to a set of possible values: a count shown as 15 is one of 13 to 17; a
rate shown beside its denominator rules out numerators (and denominators) that would not print the
same text; this is repeated until nothing changes. Then, for every pair of results where one date
range holds the other, it subtracts: the count for the days in one and not the other is one of
{b - a}. A leak is a count from 1 to 9 known exactly, in one result or from a pair.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import date
from typing import Callable

from monitoring.disclosure import protect_count

Key = tuple[str, ...]
Formula = Callable[[int, int], str]  # (numerator, denominator) -> the rate as printed


@dataclass(frozen=True)
class Rate:
    """A rate as printed, and which counts it was worked out from."""

    text: str
    numerator: Key
    denominator: Key


@dataclass
class Published:
    """Everything published for one date range: count cells (text) and rates."""

    source: str
    start: date
    end: date
    counts: dict[Key, str] = field(default_factory=dict)
    rates: list[Rate] = field(default_factory=list)

    def holds(self, other: Published) -> bool:
        """Whether this range holds ``other``'s (and is not the same range)."""
        return (
            self.start <= other.start and other.end <= self.end and (self.start, self.end) != (other.start, other.end)
        )


def knowledge(published: Published, formula: Formula, ceiling: int) -> dict[Key, set[int]]:
    """Every count the attacker can narrow down, with the values it may still have."""
    domain = range(ceiling + 1)
    known: dict[Key, set[int]] = {}
    for key, text in published.counts.items():
        if text.isdigit():  # "[c]" may be a primary or a secondary suppression: it says nothing sure
            possible = {n for n in domain if protect_count(n) == int(text)}
            known[key] = known[key] & possible if key in known else possible
    rates = [rate for rate in published.rates if rate.text.endswith("%")]
    changed = True
    while changed:
        changed = False
        for rate in rates:
            numerators, denominators = known.get(rate.numerator), known.get(rate.denominator)
            if numerators is None and denominators is None:
                continue
            pairs = [
                (n, d)
                for d in (domain if denominators is None else sorted(denominators))
                for n in (domain if numerators is None else sorted(numerators))
                if d > 0 and n <= d and formula(n, d) == rate.text
            ]
            for key, before, now in (
                (rate.numerator, numerators, {n for n, _ in pairs}),
                (rate.denominator, denominators, {d for _, d in pairs}),
            ):
                if before is None or now < before:
                    known[key] = now if before is None else before & now
                    changed = True
    return known


def leaks(results: list[Published], formula: Formula, ceiling: int) -> list[str]:
    """Every count from 1 to 9 the attacker can work out exactly, in words."""
    found: list[str] = []
    known = [(result, knowledge(result, formula, ceiling)) for result in results]
    for result, values in known:
        for key, possible in values.items():
            # No value fits: the attacker has misread how the figures are published.
            assert possible, f"{result.source} {result.start}..{result.end}: nothing fits {key}"
            if len(possible) == 1 and 1 <= min(possible) <= 9:
                found.append(f"{result.source} {result.start}..{result.end} {key} = {min(possible)}")
    for (outer, outer_values), (inner, inner_values) in itertools.permutations(known, 2):
        if not outer.holds(inner):
            continue
        for key in outer_values.keys() & inner_values.keys():
            differences = {b - a for a in inner_values[key] for b in outer_values[key] if b >= a}
            if len(differences) == 1 and 1 <= min(differences) <= 9:
                found.append(
                    f"{outer.source} {outer.start}..{outer.end} minus {inner.source} {inner.start}..{inner.end} "
                    f"{key} = {min(differences)}"
                )
    return found
