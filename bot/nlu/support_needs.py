"""Rasa NLU component that adds ``support_needs`` to every parse (CONTRACTS.md section 5).

It trains a classifier during ``rasa train`` from the labelled examples in
``data/support_needs/examples.yml`` (every ordinary NLU example is a negative too), and combines it
with the cue lexicon in ``routing.support_needs``. The examples are kept out of the NLU files so
they do not pull DIET's intent classifier towards disclosures; their hash is part of the
component's fingerprint, so changing them retrains it. Each detection is also added as a
``support_need`` entity, so dialogue policies and test stories can see it.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any, Dict, List

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

import routing.risk_concepts
import routing.support_needs
import routing.textclassifier
from bot.nlu.trained_classifier import TrainedClassifierComponent
from routing.support_needs import (
    EXAMPLES_PATH,
    LEXICON_PATH,
    SupportNeedDetector,
    default_lexicon,
    load_examples,
    training_pairs,
)
from routing.textclassifier import MultiLabelTextClassifier

# The code whose behaviour the saved classifier depends on: changing it retrains the component.
TRAINED_CODE = (routing.support_needs, routing.risk_concepts, routing.textclassifier)

SUPPORT_NEEDS = "support_needs"
ENTITY = "support_need"


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=True)
class SupportNeedComponent(TrainedClassifierComponent):
    """Detects support-need categories in each message, alongside the intent."""

    CLASSIFIER_FILE = "support_need_classifier.pkl"

    def __init__(
        self, model_storage: ModelStorage, resource: Resource, classifier: MultiLabelTextClassifier | None = None
    ) -> None:
        super().__init__(model_storage, resource, classifier)
        self._detector = SupportNeedDetector(default_lexicon(), classifier)

    @classmethod
    def fingerprint_addon(cls, config: Dict[str, Any]) -> str | None:
        """Retrain when the labelled examples or the lexicon's risk concepts change (neither is part of
        Rasa's training data)."""
        sources = [EXAMPLES_PATH, LEXICON_PATH, *(Path(module.__file__ or "") for module in TRAINED_CODE)]
        return hashlib.sha256(b"".join(path.read_bytes() for path in sources)).hexdigest()

    def train(self, training_data: TrainingData) -> Resource:
        """Fit the classifier on the labelled examples, with every other NLU example as a negative."""
        labelled = load_examples()
        known = {text.lower() for text, _ in labelled}
        negatives: List[tuple[str, List[str]]] = [
            (str(message.get(TEXT)).strip(), [])
            for message in training_data.nlu_examples
            if message.get(TEXT) and str(message.get(TEXT)).strip().lower() not in known
        ]
        texts, labels = training_pairs(labelled + negatives)
        classifier = MultiLabelTextClassifier.fit(texts, labels, extra=default_lexicon().concepts)
        self._detector = SupportNeedDetector(default_lexicon(), classifier)
        return self._keep(classifier)

    def process(self, messages: List[Message]) -> List[Message]:
        """Add ``support_needs`` (and matching ``support_need`` entities) to each message."""
        for message in messages:
            text = message.get(TEXT) or ""
            needs = self._detector.detect(text)
            message.set(SUPPORT_NEEDS, [need.as_output() for need in needs], add_to_output=True)
            if needs:
                entities = list(message.get(ENTITIES, []))
                entities.extend(
                    {
                        "entity": ENTITY,
                        "value": need.category,
                        "start": 0,
                        "end": len(text),
                        "confidence_entity": need.confidence,
                        "extractor": type(self).__name__,
                    }
                    for need in needs
                )
                message.set(ENTITIES, entities, add_to_output=True)
        return messages
