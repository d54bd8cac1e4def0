"""A small, fast multi-label text classifier: word and character n-grams, one logistic
regression per label.

Used where a label must come from a fixed vocabulary (service codes, support-need categories) and
a model is wanted that learns from the project's examples, needs no downloads, and answers in well
under a millisecond. At prediction time the per-label models are one sparse matrix product.
"""

from __future__ import annotations

import pickle
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, Sequence

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression


class ExtraFeatures(Protocol):
    """Hand-made features added to the n-grams (for example, which risk concepts a text mentions)."""

    def transform(self, texts: Sequence[str]) -> sparse.csr_matrix: ...


@dataclass
class MultiLabelTextClassifier:
    """Scores how likely each label is for a text, independently per label."""

    labels: tuple[str, ...]
    _words: TfidfVectorizer
    _chars: TfidfVectorizer
    _weights: np.ndarray[Any, Any]  # (features, labels)
    _bias: np.ndarray[Any, Any]  # (labels,)
    _extra: ExtraFeatures | None = None

    @classmethod
    def fit(
        cls,
        texts: Sequence[str],
        label_sets: Sequence[frozenset[str]],
        regularisation: float = 10.0,
        extra: ExtraFeatures | None = None,
    ) -> MultiLabelTextClassifier:
        """Train on texts and the set of labels each one has (an empty set is a negative for all)."""
        labels = tuple(sorted({label for found in label_sets for label in found}))
        words = TfidfVectorizer(analyzer="word", ngram_range=(1, 2), sublinear_tf=True, lowercase=True)
        chars = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, lowercase=True)
        blocks = [words.fit_transform(texts), chars.fit_transform(texts)]
        if extra is not None:
            blocks.append(extra.transform(texts))
        features = sparse.hstack(blocks).tocsr()
        weights = np.zeros((features.shape[1], len(labels)))
        bias = np.zeros(len(labels))
        for column, label in enumerate(labels):
            target = np.array([label in found for found in label_sets], dtype=int)
            model = LogisticRegression(C=regularisation, class_weight="balanced", max_iter=2000)
            model.fit(features, target)
            weights[:, column] = model.coef_[0]
            bias[column] = model.intercept_[0]
        return cls(labels, words, chars, weights, bias, extra)

    def scores(self, text: str) -> dict[str, float]:
        """Probability of each label for ``text``."""
        blocks = [self._words.transform([text]), self._chars.transform([text])]
        if self._extra is not None:
            blocks.append(self._extra.transform([text]))
        features = sparse.hstack(blocks).tocsr()
        logits = np.asarray(features @ self._weights).ravel() + self._bias
        probabilities = 1.0 / (1.0 + np.exp(-logits))
        return {label: float(p) for label, p in zip(self.labels, probabilities, strict=True)}

    def save(self, path: Path) -> None:
        """Write the trained classifier to ``path``."""
        path.write_bytes(pickle.dumps(self))

    @staticmethod
    def load(path: Path) -> MultiLabelTextClassifier:
        """Read a classifier written by :meth:`save` (only ever files this project trained)."""
        loaded = pickle.loads(path.read_bytes())
        if not isinstance(loaded, MultiLabelTextClassifier):
            raise TypeError(f"{path} does not hold a MultiLabelTextClassifier")
        return loaded
