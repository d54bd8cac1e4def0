"""Noticing when a resident needs assisted support, or is at risk (CONTRACTS.md section 5).

Two sources are combined. The curated cue lexicon (``data/support_needs/lexicon.yml``) is exact
and explainable: the words that matched are the cue staff see. A classifier trained on the
project's labelled examples catches phrasings no cue covers. Near misses ("window blind", "dead
fox") are blanked out first, and a cue right after a negation ("I'm not disabled") does not count.
A safeguarding alarm from the classifier alone also needs evidence: at least one of the lexicon's
risk concepts in the message, which is what staff are shown as the reason.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Mapping

import yaml

from routing.risk_concepts import RiskConcepts
from routing.textclassifier import MultiLabelTextClassifier

DATA = Path(__file__).resolve().parent.parent / "data" / "support_needs"
LEXICON_PATH = DATA / "lexicon.yml"
EXAMPLES_PATH = DATA / "examples.yml"

CATEGORIES = (
    "safeguarding", "digital_exclusion", "disability", "mental_health_cognitive", "older_age",
    "financial_hardship", "language_literacy", "life_event", "carer_proxy", "frustration",
)  # fmt: skip

# The classifier alone must be surer than this to report a category. Safeguarding is set lower:
# a false alarm shows helplines to someone who did not need them; a miss can cost a life.
CLASSIFIER_THRESHOLDS = {category: 0.6 for category in CATEGORIES} | {"safeguarding": 0.35}
NEAR_MISS_THRESHOLD = 0.85  # when a near-miss phrase was present, the classifier must be very sure
CUE_CONFIDENCE = 0.95
NEGATION_WINDOW_WORDS = 3
NON_LATIN_SHARE = 0.3


@dataclass(frozen=True)
class SupportNeed:
    """One detected category, with the evidence for it.

    Attributes:
        category: one of :data:`CATEGORIES`.
        confidence: 0..1.
        cue: the resident's words that triggered it, when a cue did.
        kind: for safeguarding, which kind of risk (chooses the emergency routes shown first).
        adjustment: the adjustment that usually helps (never a diagnosis).
        evidence: for a detection no cue triggered, the risk concepts the message mentions.
    """

    category: str
    confidence: float
    cue: str | None = None
    kind: str | None = None
    adjustment: str | None = None
    evidence: str | None = None

    def as_output(self) -> dict[str, Any]:
        """The ``support_needs`` item of the parse output (CONTRACTS.md section 5)."""
        output: dict[str, Any] = {"category": self.category, "confidence": round(self.confidence, 3)}
        for key in ("cue", "kind", "adjustment", "evidence"):
            if getattr(self, key):
                output[key] = getattr(self, key)
        return output


@dataclass(frozen=True)
class _CueGroup:
    category: str
    pattern: re.Pattern[str]
    kind: str | None
    adjustment: str | None
    negatable: bool


@dataclass(frozen=True)
class CueLexicon:
    """The curated cues, near misses and negations, compiled once."""

    groups: tuple[_CueGroup, ...]
    near_misses: re.Pattern[str]
    negations: frozenset[str]
    category_adjustments: Mapping[str, str] = field(default_factory=dict)
    concepts: RiskConcepts | None = None

    @classmethod
    def load(cls, path: Path = LEXICON_PATH) -> CueLexicon:
        """Read and compile the lexicon file; a bad pattern fails loudly with its category."""
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        groups = []
        adjustments = {}
        for category, spec in raw["categories"].items():
            if category not in CATEGORIES:
                raise ValueError(f"{path}: unknown category {category!r}")
            if spec.get("adjustment"):
                adjustments[category] = spec["adjustment"]
            for group in spec["groups"]:
                try:
                    pattern = re.compile(r"(?<!\w)(?:" + "|".join(group["cues"]) + r")(?!\w)", re.IGNORECASE)
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
        near_misses = raw.get("near_misses") or []
        try:
            # With no near misses, a pattern that can never match (an empty one would match everywhere).
            near = re.compile(r"(?<!\w)(?:" + "|".join(near_misses) + r")(?!\w)" if near_misses else r"(?!)", re.I)
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

    def matches(self, text: str) -> list[SupportNeed]:
        """Every category a cue shows, first cue per category (text already blanked of near misses)."""
        found: dict[str, SupportNeed] = {}
        for group in self.groups:
            if group.category in found:
                continue
            for match in group.pattern.finditer(text):
                if group.negatable and self._negated(text, match.start()):
                    continue
                found[group.category] = SupportNeed(
                    group.category, CUE_CONFIDENCE, match.group(0).strip(), group.kind, group.adjustment
                )
                break
        return list(found.values())


# Common words of the languages most spoken in UK cities after English; a message made of these and
# no English function words is most likely written by someone who would be helped by an interpreter.
_ENGLISH_WORDS = frozenset(
    [
        "the",
        "a",
        "an",
        "and",
        "is",
        "are",
        "to",
        "of",
        "in",
        "on",
        "for",
        "my",
        "i",
        "you",
        "it",
        "this",
        "that",
        "with",
        "have",
        "has",
        "was",
        "be",
        "do",
        "not",
        "can",
        "me",
        "we",
    ]
)
_OTHER_LANGUAGE_WORDS = frozenset(
    [
        "nie",
        "jest",
        "się",
        "że",
        "na",
        "w",
        "z",
        "do",
        "mam",
        "moja",
        "mój",
        "proszę",
        "dzień",
        "dobry",
        "pomoc",
        "el",
        "la",
        "los",
        "las",
        "que",
        "de",
        "por",
        "para",
        "con",
        "una",
        "un",
        "mi",
        "es",
        "está",
        "hola",
        "gracias",
        "ayuda",
        "necesito",
        "și",
        "nu",
        "sunt",
        "este",
        "pentru",
        "cu",
        "mea",
        "meu",
        "bună",
        "ziua",
        "vă",
        "rog",
        "não",
        "é",
        "para",
        "com",
        "uma",
        "minha",
        "meu",
        "olá",
        "obrigado",
        "ajuda",
        "preciso",
        "und",
        "der",
        "die",
        "das",
        "ich",
        "ist",
        "nicht",
        "mit",
        "ein",
        "eine",
        "mein",
        "meine",
        "bitte",
        "hilfe",
        "ne",
        "ir",
        "aš",
        "mano",
        "prašau",
        "labas",
    ]
)


def _other_language(text: str) -> bool:
    words = re.findall(r"[^\W\d_]+", text.lower())
    if len(words) < 3:
        return False
    english = sum(word in _ENGLISH_WORDS for word in words)
    other = sum(word in _OTHER_LANGUAGE_WORDS for word in words)
    return other >= 2 and other > english


def _mostly_non_latin(text: str) -> bool:
    letters = [char for char in text if char.isalpha()]
    if len(letters) < 4:
        return False
    non_latin = sum("LATIN" not in unicodedata.name(char, "") for char in letters)
    return non_latin / len(letters) >= NON_LATIN_SHARE


class SupportNeedDetector:
    """Detects support needs in one message from the cue lexicon and, if trained, the classifier."""

    def __init__(self, lexicon: CueLexicon, classifier: MultiLabelTextClassifier | None = None) -> None:
        self.lexicon = lexicon
        self.classifier = classifier

    def detect(self, text: str) -> list[SupportNeed]:
        """The support needs in ``text``, safeguarding first; empty when there are none."""
        if not text or not text.strip():
            return []
        blanked, had_near_miss = self.lexicon.blank_near_misses(text)
        needs = {need.category: need for need in self.lexicon.matches(blanked)}
        if "language_literacy" not in needs and (_mostly_non_latin(text) or _other_language(text)):
            needs["language_literacy"] = SupportNeed(
                "language_literacy", CUE_CONFIDENCE, "message not in English",
                adjustment=self.lexicon.category_adjustments.get("language_literacy"),
            )  # fmt: skip
        if self.classifier is not None:
            for category, score in self.classifier.scores(text).items():
                threshold = NEAR_MISS_THRESHOLD if had_near_miss else CLASSIFIER_THRESHOLDS[category]
                if category in needs or score < threshold:
                    continue
                evidence = None
                if category == "safeguarding" and self.lexicon.concepts is not None:
                    evidence = self.lexicon.concepts.explain(text)
                    if evidence is None:
                        continue  # no risk alarm that staff could not see a reason for
                needs[category] = SupportNeed(
                    category, score, adjustment=self.lexicon.category_adjustments.get(category), evidence=evidence
                )
        return sorted(needs.values(), key=lambda need: CATEGORIES.index(need.category))


def training_pairs(examples: list[tuple[str, list[str]]]) -> tuple[list[str], list[frozenset[str]]]:
    """Texts and label sets for the classifier; unknown category names are an error, not a label."""
    texts, labels = [], []
    for text, categories in examples:
        unknown = set(categories) - set(CATEGORIES)
        if unknown:
            raise ValueError(f"unknown support-need categories {sorted(unknown)} in example {text!r}")
        texts.append(text)
        labels.append(frozenset(categories))
    return texts, labels


def load_examples(path: Path = EXAMPLES_PATH) -> list[tuple[str, list[str]]]:
    """The labelled training examples: ``(text, categories)`` pairs."""
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    return [(str(item["text"]).strip(), list(item.get("needs") or [])) for item in raw["examples"]]


@lru_cache(maxsize=1)
def default_lexicon() -> CueLexicon:
    """The project's lexicon, loaded once per process."""
    return CueLexicon.load()
