"""The curated cue lexicon (``data/support_needs/lexicon.yml``): exact, explainable phrases.

A matched cue is what staff see as the reason a need was noticed. Near misses ("window blind",
"dead fox") are blanked out before matching, and a cue right after a negation ("I'm not disabled")
does not count, except in categories marked ``negatable: false``. The lexicon is also turned into
features for the support-need classifier (:meth:`CueLexicon.features`): which cue groups matched,
and which risk concepts a message mentions. The classifier weighs them with everything else in the
message, so a cue is evidence, not a gate.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Mapping, Sequence

import numpy as np
import yaml
from scipy import sparse

from routing.categories import CATEGORIES
from routing.risk_concepts import RiskConcepts

LEXICON_PATH = Path(__file__).resolve().parent.parent / "data" / "support_needs" / "lexicon.yml"
NEGATION_WINDOW_WORDS = 3
CUE_FEATURE_WEIGHT = 1.0


@dataclass(frozen=True)
class CueMatch:
    """A category a cue showed, with the resident's words that showed it."""

    category: str
    cue: str
    kind: str | None
    adjustment: str | None


@dataclass(frozen=True)
class _CueGroup:
    category: str
    pattern: re.Pattern[str]
    kind: str | None
    adjustment: str | None
    negatable: bool


def _compile(phrases: Sequence[str]) -> re.Pattern[str]:
    # With no phrases, a pattern that can never match (an empty one would match everywhere).
    if not phrases:
        return re.compile(r"(?!)")
    return re.compile(r"(?<!\w)(?:" + "|".join(phrases) + r")(?!\w)", re.IGNORECASE)


@dataclass(frozen=True)
class CueLexicon:
    """The curated cues, near misses and negations, compiled once."""

    groups: tuple[_CueGroup, ...]
    near_misses: re.Pattern[str]
    negations: frozenset[str]
    category_adjustments: Mapping[str, str] = field(default_factory=dict)
    concepts: RiskConcepts | None = None

    @classmethod
    def load(cls, path: Path = LEXICON_PATH, categories: Sequence[str] = CATEGORIES) -> CueLexicon:
        """Read and compile the lexicon file; a bad pattern fails loudly with its category."""
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        groups = []
        adjustments = {}
        for category, spec in raw["categories"].items():
            if category not in categories:
                raise ValueError(f"{path}: unknown category {category!r}")
            if spec.get("adjustment"):
                adjustments[category] = spec["adjustment"]
            for group in spec["groups"]:
                try:
                    pattern = _compile(group["cues"])
                except re.error as error:
                    raise ValueError(f"{path}: bad cue in {category}: {error}") from error
                groups.append(
                    _CueGroup(
                        category=category,
                        pattern=pattern,
                        kind=group.get("kind"),
                        adjustment=group.get("adjustment") or spec.get("adjustment"),
                        negatable=bool(spec.get("negatable", True)),
                    )
                )
        try:
            near = _compile(raw.get("near_misses") or [])
        except re.error as error:
            raise ValueError(f"{path}: bad near miss: {error}") from error
        concepts = RiskConcepts.from_config(raw["risk_concepts"]) if raw.get("risk_concepts") else None
        return cls(tuple(groups), near, frozenset(raw["negations"]), adjustments, concepts)

    def blank_near_misses(self, text: str) -> tuple[str, bool]:
        """The text with near-miss phrases replaced by spaces (so positions keep), and whether any were."""
        blanked, count = self.near_misses.subn(lambda match: " " * len(match.group(0)), text)
        return blanked, count > 0

    def _negated(self, text: str, start: int) -> bool:
        # Phones type curly apostrophes ("don’t"); treat them as straight ones.
        before = text[:start].lower().replace("\u2019", "'")
        words = re.findall(r"[\w']+", before)[-NEGATION_WINDOW_WORDS:]
        if any(word in self.negations or word.endswith("n't") for word in words):
            return True
        window = " ".join(words)
        return any(" " in negation and negation in window for negation in self.negations)

    def _first_match(self, group: _CueGroup, text: str) -> re.Match[str] | None:
        for match in group.pattern.finditer(text):
            if not (group.negatable and self._negated(text, match.start())):
                return match
        return None

    def matches(self, text: str) -> list[CueMatch]:
        """Every category a cue shows, first cue per category (text already blanked of near misses)."""
        found: dict[str, CueMatch] = {}
        for group in self.groups:
            if group.category in found:
                continue
            match = self._first_match(group, text)
            if match is not None:
                found[group.category] = CueMatch(group.category, match.group(0).strip(), group.kind, group.adjustment)
        return list(found.values())

    def features(self, texts: Sequence[str]) -> sparse.csr_matrix:
        """One row per text: a column per cue group (did it match, near misses blanked), then the
        risk concepts and their pairs."""
        rows = np.zeros((len(texts), len(self.groups)))
        for row, text in enumerate(texts):
            blanked, _ = self.blank_near_misses(text)
            for column, group in enumerate(self.groups):
                rows[row, column] = self._first_match(group, blanked) is not None
        cues = sparse.csr_matrix(rows * CUE_FEATURE_WEIGHT)
        if self.concepts is None:
            return cues
        return sparse.hstack([cues, self.concepts.transform(texts)]).tocsr()

    # The classifier calls its extra features' ``transform``.
    transform = features


@lru_cache(maxsize=1)
def default_lexicon() -> CueLexicon:
    """The project's lexicon, loaded once per process."""
    return CueLexicon.load()
