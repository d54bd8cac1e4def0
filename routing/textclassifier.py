"""A small, fast multi-label text classifier: word and character n-grams, one logistic regression
per label.

Used where a label must come from a fixed vocabulary (service codes, support-need categories, kinds
of risk) and a model is wanted that learns from the project's examples, needs no downloads, and
answers in well under a millisecond. At prediction time the per-label models are one sparse matrix
product.

Words after a negation also get a marked copy ("not in danger" gives ``neg:danger``), so the model
learns from examples where a negation really negates ("I'm not in danger") and where it does not
("I don't see the point of living"), instead of a rule deciding for it. Character n-grams carry
misspellings ("sucide", "kil myself") towards the words they stand for.
"""

from __future__ import annotations

import pickle
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Mapping, Protocol, Sequence
from weakref import WeakKeyDictionary

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

NEGATIONS = frozenset(
    {"not", "no", "never", "nothing", "nobody", "nowhere", "cannot", "cant", "dont", "wont", "isnt", "arent",
     "wasnt", "didnt", "doesnt", "havent", "hasnt", "aint", "without"}
)  # fmt: skip
NEGATION_SCOPE = 3  # words after a negation that it can reach
_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?|[^\sa-z0-9]")
_STRETCHED = re.compile(r"(\w)\1{2,}")  # "sooooo" -> "soo"
# Contact details say nothing about what a message is about, but their letters do look like words:
# "sarah.jones@gmail.com" shares character n-grams with risk words, and was read as self-harm when
# typed in answer to "What email address should we use?". Each is read as one word for its kind.
_CONTACT_DETAILS = (
    (re.compile(r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)+"), " emailaddress "),
    (re.compile(r"\bhttps?://\S+|\bwww\.\S+"), " weblink "),
    (re.compile(r"(?<![\w+])(?:\+44\s?|0)(?:\d[\s-]?){9,10}(?!\w)"), " phonenumber "),
    (re.compile(r"\b[a-z]{1,2}\d[a-z\d]? ?\d[abd-hjlnp-uw-z]{2}\b"), " postcode "),
)


def normalise(text: str) -> str:
    """Lower case, straight apostrophes, stretched letters cut to two, and an email address, web
    link, phone number or postcode each read as one word for its kind."""
    text = text.lower().replace("\u2019", "'").replace("\u2018", "'")
    for pattern, word in _CONTACT_DETAILS:
        text = pattern.sub(word, text)
    return _STRETCHED.sub(r"\1\1", text)


def word_features(text: str) -> list[str]:
    """Words, word pairs, and a marked copy of each word a negation reaches."""
    words = [word for word in _WORD.findall(normalise(text)) if word.strip()]
    features = list(words)
    features.extend(f"{first} {second}" for first, second in zip(words, words[1:], strict=False))
    reach = 0
    for word in words:
        if reach:
            features.append(f"neg:{word}")
            reach -= 1
        if word.replace("'", "") in NEGATIONS or word.endswith("n't"):
            reach = NEGATION_SCOPE
    return features


# A fitted vectoriser's analyser and idf weights, worked out once: scikit-learn's ``idf_`` sums a
# sparse diagonal matrix on every read, which cost more than the rest of a message's features.
# The vectorisers are fitted once, before their first message, and never refitted.
_FITTED: WeakKeyDictionary[TfidfVectorizer, tuple[Callable[[str], list[str]], np.ndarray[Any, Any]]] = (
    WeakKeyDictionary()
)


def _fitted(vectoriser: TfidfVectorizer) -> tuple[Callable[[str], list[str]], np.ndarray[Any, Any]]:
    found = _FITTED.get(vectoriser)
    if found is None:
        found = _FITTED[vectoriser] = (vectoriser.build_analyzer(), np.asarray(vectoriser.idf_))
    return found


def tfidf_row(vectoriser: TfidfVectorizer, text: str) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]:
    """One text's tf-idf features as (column indices, values): what ``vectoriser.transform`` gives
    (sublinear tf, idf, unit length), without building a sparse matrix, which costs more than the
    sums for a single short message."""
    vocabulary = vectoriser.vocabulary_
    analyse, idf = _fitted(vectoriser)
    counts = Counter(term for term in analyse(text) if term in vocabulary)
    if not counts:
        return np.zeros(0, dtype=int), np.zeros(0)
    columns = np.fromiter((vocabulary[term] for term in counts), dtype=int, count=len(counts))
    values = (1.0 + np.log(np.fromiter(counts.values(), dtype=float, count=len(counts)))) * idf[columns]
    return columns, values / np.linalg.norm(values)


class ExtraFeatures(Protocol):
    """Hand-made features added to the n-grams (for example, which lexicon cues a text matches)."""

    def transform(self, texts: Sequence[str]) -> sparse.csr_matrix: ...


def _vectorisers() -> tuple[TfidfVectorizer, TfidfVectorizer]:
    words = TfidfVectorizer(analyzer=word_features, sublinear_tf=True, min_df=1)
    chars = TfidfVectorizer(
        analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, lowercase=True, preprocessor=normalise
    )
    return words, chars


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
        weights: Sequence[float] | None = None,
        unsure: Mapping[str, Sequence[bool]] | None = None,
        unseen_extra: Mapping[str, Sequence[int]] | None = None,
    ) -> MultiLabelTextClassifier:
        """Train on texts and the set of labels each one has (an empty set is a negative for all).

        ``weights`` counts some examples more than others (for example, the hand-labelled ones).
        ``unsure`` marks, per label, the examples whose label is a matter of convention (careful
        readers disagree): they teach that label's model nothing either way. ``unseen_extra`` names,
        per label, columns of the hand-made features its model must not use (their weight stays 0).
        """
        labels = tuple(sorted({label for found in label_sets for label in found}))
        words, chars = _vectorisers()
        blocks = [words.fit_transform(texts), chars.fit_transform(texts)]
        if extra is not None:
            blocks.append(extra.transform(texts))
        features = sparse.hstack(blocks).tocsr()
        extra_start = features.shape[1] - (blocks[2].shape[1] if extra is not None else 0)
        coefficients = np.zeros((features.shape[1], len(labels)))
        bias = np.zeros(len(labels))
        for column, label in enumerate(labels):
            target = np.array([label in found for found in label_sets], dtype=int)
            keep = ~np.asarray(unsure[label], dtype=bool) if unsure and label in unsure else np.ones(len(target), bool)
            model = LogisticRegression(C=regularisation, class_weight="balanced", max_iter=3000)
            sample_weight = None if weights is None else np.asarray(weights)[keep]
            seen = features
            if unseen_extra and unseen_extra.get(label):
                mask = np.ones(features.shape[1])
                mask[[extra_start + column for column in unseen_extra[label]]] = 0.0
                seen = (features @ sparse.diags(mask)).tocsr()
            model.fit(seen[keep], target[keep], sample_weight=sample_weight)
            coefficients[:, column] = model.coef_[0]
            bias[column] = model.intercept_[0]
        return cls(labels, words, chars, coefficients, bias, extra)

    def scores(self, text: str, extra: np.ndarray[Any, Any] | None = None) -> dict[str, float]:
        """Probability of each label for ``text``; ``extra`` is its hand-made feature row, when the
        caller has worked it out already."""
        word_columns, word_values = tfidf_row(self._words, text)
        char_columns, char_values = tfidf_row(self._chars, text)
        offset = len(self._words.vocabulary_)
        logits = self._bias + word_values @ self._weights[word_columns]
        logits = logits + char_values @ self._weights[char_columns + offset]
        if self._extra is not None:
            row = extra if extra is not None else self._extra.transform([text]).toarray()[0]
            start = offset + len(self._chars.vocabulary_)
            logits = logits + row @ self._weights[start : start + len(row)]
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


# Weak regularisation for the intent: thousands of outside writers' messages hold the fine
# distinctions ("how does X work" against "I want X"). Chosen on the development set and the held-out
# task phrasings: C 10 -> 100 took intent accuracy from 0.868 to 0.883 and 0.913 to 0.929.
INTENT_REGULARISATION = 100.0


@dataclass
class SingleLabelTextClassifier:
    """Ranks the labels for a text when each text has exactly one (the resident's intent): the same
    features, one multinomial logistic regression, probabilities that add up to one."""

    labels: tuple[str, ...]
    _words: TfidfVectorizer
    _chars: TfidfVectorizer
    _model: LogisticRegression

    @classmethod
    def fit(
        cls, texts: Sequence[str], labels: Sequence[str], regularisation: float = INTENT_REGULARISATION
    ) -> SingleLabelTextClassifier:
        """Train on texts and the one label each has (classes weighted so small ones still count)."""
        words, chars = _vectorisers()
        features = sparse.hstack([words.fit_transform(texts), chars.fit_transform(texts)]).tocsr()
        model = LogisticRegression(C=regularisation, class_weight="balanced", max_iter=3000)
        model.fit(features, list(labels))
        return cls(tuple(str(label) for label in model.classes_), words, chars, model)

    def ranking(self, text: str) -> list[tuple[str, float]]:
        """Every label with its probability for ``text``, most likely first."""
        word_columns, word_values = tfidf_row(self._words, text)
        char_columns, char_values = tfidf_row(self._chars, text)
        coefficients = self._model.coef_
        offset = len(self._words.vocabulary_)
        logits = self._model.intercept_ + coefficients[:, word_columns] @ word_values
        logits = logits + coefficients[:, char_columns + offset] @ char_values
        probabilities = np.exp(logits - logits.max())
        probabilities /= probabilities.sum()
        order = np.argsort(-probabilities)
        return [(self.labels[i], float(probabilities[i])) for i in order]
