"""Risk concepts: groups of words that often mean risk when they come together.

A message about a rope is not a risk; a rope and "tonight" in one message often is. Bag-of-words
models see words, not these groups, so each concept (means, finality, threat, a child, a hazard,
...) and each listed pair of concepts becomes one extra feature for the support-need classifier.
Rare phrasings then borrow strength from common ones in the same concept. The concepts also
explain a detection that no cue triggered: staff see which concepts were present.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Mapping

import numpy as np


@dataclass(frozen=True)
class RiskConcepts:
    """The concepts and pairs from the ``risk_concepts`` section of the lexicon file."""

    names: tuple[str, ...]
    patterns: tuple[re.Pattern[str], ...]
    pairs: tuple[tuple[int, int], ...]
    weight: float

    @classmethod
    def from_config(cls, raw: Mapping[str, Any]) -> RiskConcepts:
        """Compile the section; an unknown concept in a pair or a bad pattern fails loudly."""
        concepts = raw["concepts"]
        names = tuple(concepts)
        try:
            patterns = tuple(
                re.compile(r"(?<!\w)(?:" + "|".join(concepts[name]) + r")(?!\w)", re.IGNORECASE) for name in names
            )
        except re.error as error:
            raise ValueError(f"risk_concepts: bad pattern: {error}") from error
        pairs = []
        for first, second in raw.get("pairs") or []:
            if first not in names or second not in names:
                raise ValueError(f"risk_concepts: pair [{first}, {second}] names an unknown concept")
            pairs.append((names.index(first), names.index(second)))
        return cls(names, patterns, tuple(pairs), float(raw.get("weight", 0.5)))

    def found(self, text: str) -> dict[str, str]:
        """Each concept present in ``text``, with the first words that showed it."""
        present = {}
        for name, pattern in zip(self.names, self.patterns, strict=True):
            match = pattern.search(text)
            if match:
                present[name] = match.group(0)
        return present

    def feature_row(self, present: Mapping[str, str]) -> np.ndarray[Any, Any]:
        """The features for a text whose concepts are ``present`` (from :meth:`found`): a column per
        concept, then one per pair, scaled by the weight."""
        hits = [name in present for name in self.names]
        pairs = [hits[first] and hits[second] for first, second in self.pairs]
        return np.array(hits + pairs, dtype=float) * self.weight
