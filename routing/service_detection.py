"""Which council service a message is about, as a canonical service code.

Two sources, in order of trust: the catalogue's keywords (exact, explainable: the matched words
are the cue) and a classifier trained on the NLU examples (for phrasings no keyword covers).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Sequence

from routing.catalogue import Catalogue
from routing.textclassifier import MultiLabelTextClassifier

CLASSIFIER_THRESHOLD = 0.5


@dataclass(frozen=True)
class ServiceMatch:
    """One service found in a message, with how sure we are and the words that showed it."""

    code: str
    confidence: float
    cue: str | None = None


def detect_services(text: str, catalogue: Catalogue, classifier: MultiLabelTextClassifier | None) -> list[ServiceMatch]:
    """The services ``text`` is about: keyword matches if any, else the classifier's best guess."""
    keyword_hits = [ServiceMatch(code, 1.0, cue) for code, cue in catalogue.find_in_text(text)]
    if keyword_hits or classifier is None:
        return keyword_hits
    scores = classifier.scores(text)
    code, confidence = max(scores.items(), key=lambda item: item[1], default=("", 0.0))
    return [ServiceMatch(code, confidence)] if confidence >= CLASSIFIER_THRESHOLD else []


def training_pairs(
    examples: Iterable[tuple[str, Sequence[str]]], catalogue: Catalogue
) -> tuple[list[str], list[frozenset[str]]]:
    """Texts and label sets for the classifier: the examples plus each catalogue keyword.

    Values that are not catalogue codes are dropped, so a stray annotation cannot invent a service.
    """
    texts: list[str] = []
    labels: list[frozenset[str]] = []
    for text, values in examples:
        texts.append(text)
        labels.append(frozenset(value for value in values if value in catalogue.services))
    for code, service in catalogue.services.items():
        for keyword in service.keywords:
            texts.append(keyword)
            labels.append(frozenset({code}))
    return texts, labels
