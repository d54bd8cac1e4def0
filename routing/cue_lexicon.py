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
from typing import Any, Mapping, Sequence

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
class CueAnalysis:
    """Everything the lexicon sees in one message, worked out once.

    Attributes:
        near_miss: whether a near-miss phrase was blanked out.
        group_cues: for each cue group, the resident's words that matched it (None where none did).
        concepts: each risk concept the message mentions, with the words that showed it.
    """

    near_miss: bool
    group_cues: tuple[str | None, ...]
    concepts: Mapping[str, str]


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

    def analyse(self, text: str) -> CueAnalysis:
        """What the lexicon sees in ``text``: near misses, each cue group's match, the risk concepts."""
        blanked, near_miss = self.blank_near_misses(text)
        group_cues = []
        for group in self.groups:
            match = self._first_match(group, blanked)
            group_cues.append(match.group(0).strip() if match else None)
        concepts = self.concepts.found(text) if self.concepts else {}
        return CueAnalysis(near_miss, tuple(group_cues), concepts)

    def matches(self, analysis: CueAnalysis) -> list[CueMatch]:
        """Every category a cue shows, the first cue per category."""
        found: dict[str, CueMatch] = {}
        for group, cue in zip(self.groups, analysis.group_cues, strict=True):
            if cue is not None and group.category not in found:
                found[group.category] = CueMatch(group.category, cue, group.kind, group.adjustment)
        return list(found.values())

    def feature_row(self, analysis: CueAnalysis) -> np.ndarray[Any, Any]:
        """The classifier's features from the lexicon: a column per cue group (did it match), then the
        risk concepts and their pairs."""
        cues = np.array([cue is not None for cue in analysis.group_cues], dtype=float) * CUE_FEATURE_WEIGHT
        if self.concepts is None:
            return cues
        return np.concatenate([cues, self.concepts.feature_row(analysis.concepts)])

    def group_categories(self) -> tuple[str, ...]:
        """The category of each cue group, in the order of the first columns of :meth:`feature_row`."""
        return tuple(group.category for group in self.groups)

    def transform(self, texts: Sequence[str]) -> sparse.csr_matrix:
        """One feature row per text (for training; a single message uses :meth:`feature_row`)."""
        return sparse.csr_matrix(np.vstack([self.feature_row(self.analyse(text)) for text in texts]))

    def explain(self, analysis: CueAnalysis) -> str | None:
        """The risk concepts as staff will read them ("means: rope; now: tonight"), if any."""
        return "; ".join(f"{name}: {words}" for name, words in analysis.concepts.items()) or None


@lru_cache(maxsize=1)
def default_lexicon() -> CueLexicon:
    """The project's lexicon, loaded once per process."""
    return CueLexicon.load()
