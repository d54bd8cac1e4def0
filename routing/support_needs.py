"""Noticing when a resident needs assisted support, or is at risk (the categories in ``routing.categories``).

A classifier trained on the project's labelled examples scores each category. It sees the words
(with negation marked), character n-grams (for misspellings), and the curated cue lexicon as
features: which cue groups matched and which risk concepts the message mentions. A matched cue
also names the category outright for everything but safeguarding, and is the reason staff see.

For safeguarding the evidence sets a tier (``routing.safety``): a clear risk interrupts, a possible
one gets a gentle check-in. A second classifier, trained on the risk examples alone, names the kind
of risk (self-harm, domestic abuse, a child at risk...) where no cue does, which chooses the
emergency routes shown first. Whether the risk is the resident's own or someone else's (a child or
an adult in another home) is read from the words (``routing.risk_subject``). The thresholds are in
``data/support_needs/thresholds.yml`` and are tuned on the development sets only.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Mapping

import numpy as np
import yaml

from routing.categories import CATEGORIES
from routing.cue_lexicon import CueAnalysis, CueLexicon
from routing.languages import mostly_non_latin, other_language
from routing.risk_subject import OTHER, kind_for_subject, subject_of, their_family
from routing.safety import RiskEvidence, Thresholds, Tier, tier_for
from routing.textclassifier import MultiLabelTextClassifier

DATA = Path(__file__).resolve().parent.parent / "data" / "support_needs"
EXAMPLES_PATHS = (DATA / "examples.yml", *sorted((DATA / "examples").glob("*.yml")))
THRESHOLDS_PATH = DATA / "thresholds.yml"
CUE_CONFIDENCE = 0.95
UNKNOWN_KIND = "unknown"
# Below this, the kind of risk is not named: the routes for any risk are shown (999, Samaritans, the
# out-of-hours team) rather than, say, fire advice to someone who is cold.
KIND_CONFIDENCE = 0.5
# Weak regularisation: the examples are many and varied, and near misses need fine distinctions.
REGULARISATION = 100.0
# The kinds of risk whose examples say nothing about a category unless they mark it (see ``train``).
CONVENTIONAL: Mapping[str, frozenset[str]] = {"mental_health_cognitive": frozenset({"self_harm"})}


@dataclass(frozen=True)
class SupportNeed:
    """One detected category, with the evidence for it.

    Attributes:
        category: one of :data:`CATEGORIES`.
        confidence: 0..1.
        cue: the resident's words that triggered it, when a cue did.
        kind: for safeguarding, which kind of risk (chooses the emergency routes shown first).
        tier: for safeguarding, ``clear`` (interrupt) or ``possible`` (check in).
        adjustment: the adjustment that usually helps (never a diagnosis).
        evidence: for a risk no cue named, the risk concepts the message mentions, if any.
        subject: for safeguarding, ``other`` when the one at risk is someone else (a child or an
            adult in another home); absent when it is the resident.
    """

    category: str
    confidence: float
    cue: str | None = None
    kind: str | None = None
    tier: str | None = None
    adjustment: str | None = None
    evidence: str | None = None
    subject: str | None = None

    def as_output(self) -> dict[str, Any]:
        """The ``support_needs`` item of the parse output (the categories in ``routing.categories``)."""
        output: dict[str, Any] = {"category": self.category, "confidence": round(self.confidence, 3)}
        for key in ("cue", "kind", "tier", "adjustment", "evidence", "subject"):
            if getattr(self, key):
                output[key] = getattr(self, key)
        return output


@dataclass(frozen=True)
class DetectionThresholds:
    """How sure the classifier must be for each category, and the safety net's tiers."""

    categories: Mapping[str, float]
    near_miss: float
    risk: Thresholds
    cue_floor: float = 0.0  # a cue names a category only when the classifier gives it at least this

    @classmethod
    def load(cls, path: Path = THRESHOLDS_PATH) -> DetectionThresholds:
        """Read the tuned thresholds; a category outside the vocabulary is an error."""
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        categories = {category: float(raw["default"]) for category in CATEGORIES}
        for category, value in (raw.get("categories") or {}).items():
            if category not in CATEGORIES:
                raise ValueError(f"{path}: unknown category {category!r}")
            categories[category] = float(value)
        risk = Thresholds(**(raw.get("risk") or {}))
        return cls(categories, float(raw["near_miss"]), risk, float(raw.get("cue_floor", 0.0)))


@dataclass(frozen=True)
class TrainedModels:
    """The classifiers ``rasa train`` fits: one score per category, and the kind of risk."""

    needs: MultiLabelTextClassifier
    kinds: MultiLabelTextClassifier | None


class SupportNeedDetector:
    """Detects support needs in one message from the cue lexicon and, if trained, the classifiers."""

    def __init__(
        self,
        lexicon: CueLexicon,
        models: TrainedModels | None = None,
        thresholds: DetectionThresholds | None = None,
    ) -> None:
        self.lexicon = lexicon
        self.models = models
        self.thresholds = thresholds or DetectionThresholds.load()

    def detect(self, text: str, intent: str | None = None, intent_confidence: float = 1.0) -> list[SupportNeed]:
        """The support needs in ``text``, safeguarding first; empty when there are none.

        ``intent`` and ``intent_confidence`` say how well the assistant could place the message
        otherwise: a risk word in a message it cannot place earns a check-in.
        """
        if not text or not text.strip():
            return []
        analysis = self.lexicon.analyse(text)  # worked out once: cues, near misses, risk concepts
        features = self.lexicon.feature_row(analysis)
        cues = {match.category: match for match in self.lexicon.matches(analysis)}
        scores = self.models.needs.scores(text, features) if self.models else {}
        needs: dict[str, SupportNeed] = {}
        for category in CATEGORIES[1:]:
            need = self._need(category, cues, scores, analysis.near_miss)
            if need is not None:
                needs[category] = need
        if "language_literacy" not in needs and (mostly_non_latin(text) or other_language(text)):
            needs["language_literacy"] = SupportNeed(
                "language_literacy", CUE_CONFIDENCE, "message not in English",
                adjustment=self.lexicon.category_adjustments.get("language_literacy"),
            )  # fmt: skip
        risk = self._risk(text, analysis, features, cues, scores, intent, intent_confidence)
        if risk is None:
            return list(needs.values())
        for_family = risk.subject == OTHER and their_family(text) is not None
        return [risk] + [need for need in needs.values() if not _only_the_risk_speaking(need, risk, for_family)]

    def _need(
        self, category: str, cues: Mapping[str, Any], scores: Mapping[str, float], had_near_miss: bool
    ) -> SupportNeed | None:
        adjustment = self.lexicon.category_adjustments.get(category)
        trained = category in scores  # without a classifier for it, a cue is all the evidence
        score = scores.get(category, 0.0)
        if category in cues and (not trained or score >= self.thresholds.cue_floor):
            cue = cues[category]
            return SupportNeed(category, CUE_CONFIDENCE, cue.cue, adjustment=cue.adjustment or adjustment)
        threshold = self.thresholds.categories[category]
        if had_near_miss:
            threshold = max(threshold, self.thresholds.near_miss)
        return SupportNeed(category, score, adjustment=adjustment) if score >= threshold else None

    def _risk(
        self,
        text: str,
        analysis: CueAnalysis,
        features: np.ndarray[Any, Any],
        cues: Mapping[str, Any],
        scores: Mapping[str, float],
        intent: str | None,
        intent_confidence: float,
    ) -> SupportNeed | None:
        cue = cues.get("safeguarding")
        concepts = self.lexicon.explain(analysis)
        # With no classifier trained, a cue is all the evidence there is.
        score = scores.get("safeguarding", 0.0) if self.models else (CUE_CONFIDENCE if cue else 0.0)
        evidence = RiskEvidence(score, cue.cue if cue else None, concepts is not None)
        tier = tier_for(evidence, intent, intent_confidence, self.thresholds.risk)
        if tier is Tier.NONE:
            return None
        kind = (cue.kind if cue else None) or self._kind(text, features)
        subject = subject_of(text, kind)
        return SupportNeed(
            "safeguarding", max(score, CUE_CONFIDENCE if cue else 0.0), cue.cue if cue else None,
            kind_for_subject(kind, subject, text), tier.value, evidence=None if cue else concepts,
            subject=OTHER if subject == OTHER else None,
        )  # fmt: skip

    def _kind(self, text: str, features: np.ndarray[Any, Any]) -> str:
        if self.models is None or self.models.kinds is None:
            return UNKNOWN_KIND
        scores = self.models.kinds.scores(text, features)
        kind = max(scores, key=scores.__getitem__)
        return kind if scores[kind] >= KIND_CONFIDENCE else UNKNOWN_KIND


# Needs that describe a person: when the one at risk is someone else, these are that person's, not
# the resident's ("the old man across the road was shouting for help" says nothing about the
# resident's age), and the assistant records the least about anyone.
ABOUT_THE_ONE_AT_RISK = frozenset({"older_age"})
# Raising a concern about someone else is not acting for them: the classifier's guess of
# ``carer_proxy`` on such a message is the concern talking ("my husband says he wants to kill
# himself"). Words that say the resident acts for them ("on behalf of", "I'm her carer") still count.
CONCERN_NOT_PROXY = "carer_proxy"


def _only_the_risk_speaking(need: SupportNeed, risk: SupportNeed, for_family: bool) -> bool:
    """Whether ``need`` is no evidence of the resident's own need once ``risk`` is known.

    A thought of suicide or self-harm is no sign of ``mental_health_cognitive`` by itself (writers
    split on it; see ``CONVENTIONAL`` and ``train``), though a cue such as "depressed" is; an
    older person at risk is not an older resident; and a concern about someone is not, by itself,
    acting for them. Except ``for_family``, when the one at risk is the resident's own family ("my
    dad is 84 and..."): for them the resident acts, and their age is what the answer must fit.
    """
    if need.cue is None and risk.kind in CONVENTIONAL.get(need.category, ()):
        return True
    if risk.subject != OTHER or for_family:
        return False
    return need.category in ABOUT_THE_ONE_AT_RISK or (need.category == CONCERN_NOT_PROXY and need.cue is None)


@dataclass(frozen=True)
class Example:
    """One labelled training message: its categories and, for a risk, its kind and whose risk it is
    (``subject``: ``self`` or ``other``, where the example marks it; not used in training, only to
    check ``routing.risk_subject``). ``intent`` is the task it asks for, where its writer named one
    (the intent classifier learns from those too)."""

    text: str
    needs: frozenset[str]
    kind: str | None = None
    subject: str | None = None
    intent: str | None = None


def check_categories(examples: Iterable[Example]) -> list[Example]:
    """The examples, or an error naming the first with a category outside the vocabulary."""
    checked = list(examples)
    for example in checked:
        unknown = example.needs - set(CATEGORIES)
        if unknown:
            raise ValueError(f"unknown support-need categories {sorted(unknown)} in example {example.text!r}")
    return checked


def load_examples(paths: Iterable[Path] = EXAMPLES_PATHS) -> list[Example]:
    """The hand-labelled training examples (``needs: []`` marks a near miss)."""
    examples = []
    for path in paths:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        for item in raw["examples"]:
            examples.append(
                Example(
                    str(item["text"]).strip(),
                    frozenset(item.get("needs") or []),
                    item.get("kind"),
                    item.get("subject"),
                    item.get("intent"),
                )
            )
    return check_categories(examples)


def kind_of(example: Example, lexicon: CueLexicon) -> str | None:
    """A risk example's kind: as labelled, or the kind of the lexicon cue it contains."""
    if "safeguarding" not in example.needs:
        return None
    if example.kind:
        return example.kind
    matches = lexicon.matches(lexicon.analyse(example.text))
    return next((match.kind for match in matches if match.category == "safeguarding"), None)


def train(examples: list[Example], lexicon: CueLexicon) -> TrainedModels:
    """Fit the category classifier on every example and the kind classifier on the risk examples."""
    texts = [example.text for example in examples]
    kinds = [(example.text, kind_of(example, lexicon)) for example in examples]
    # Whether thoughts of suicide or self-harm are also a sign of mental health is a convention the
    # evaluation's writers split on; where the example does not mark it, it teaches nothing either way.
    unsure = {
        category: [kind in CONVENTIONAL[category] and category not in example.needs
                   for example, (_, kind) in zip(examples, kinds, strict=True)]
        for category in CONVENTIONAL
    }  # fmt: skip
    # Another need's cue is no evidence against a risk: "third time I've asked" or "for my mum" comes
    # with a gas leak or an adult at risk as often as with a repair. The risk model does not see them.
    other_cues = [index for index, category in enumerate(lexicon.group_categories()) if category != "safeguarding"]
    needs = MultiLabelTextClassifier.fit(
        texts, [example.needs for example in examples], regularisation=REGULARISATION, extra=lexicon, unsure=unsure,
        unseen_extra={"safeguarding": other_cues},
    )  # fmt: skip
    labelled = [(text, kind) for text, kind in kinds if kind]
    kind_model = None
    if len({kind for _, kind in labelled}) >= 2:
        kind_model = MultiLabelTextClassifier.fit(
            [text for text, _ in labelled], [frozenset({kind}) for _, kind in labelled], extra=lexicon
        )
    return TrainedModels(needs, kind_model)
