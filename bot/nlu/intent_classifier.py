"""Rasa NLU component that names the resident's intent: the project's own classifier.

Measured on messages written by people who never saw the training data, a multinomial logistic
regression over the same sparse features as the support-need classifier (words with negation
marked, character n-grams) named the intent more often than DIET did (0.90 against 0.82 on the
development set), trains in seconds instead of minutes and answers in well under a millisecond.
DIET still finds the entities.
"""

from __future__ import annotations

from typing import List

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu.trained_classifier import TrainedModelComponent
from routing.textclassifier import SingleLabelTextClassifier

RANKING_LENGTH = 10


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class CouncilIntentClassifier(TrainedModelComponent, IntentClassifier):
    """Sets ``intent`` and ``intent_ranking`` on each message."""

    MODEL_FILE = "intent_classifier.pkl"
    MODEL_TYPE = SingleLabelTextClassifier

    def train(self, training_data: TrainingData) -> Resource:
        """Fit the classifier on every NLU example with an intent."""
        examples = [message for message in training_data.intent_examples if message.get(TEXT)]
        texts = [str(message.get(TEXT)) for message in examples]
        intents = [str(message.get(INTENT)) for message in examples]
        return self._keep(SingleLabelTextClassifier.fit(texts, intents))

    def process(self, messages: List[Message]) -> List[Message]:
        """Name the intent of each message, with the ranking Rasa's fallback reads."""
        for message in messages:
            if self._model is None or not message.get(TEXT):
                continue
            ranking = self._model.ranking(str(message.get(TEXT)))
            named = [{"name": name, "confidence": confidence} for name, confidence in ranking[:RANKING_LENGTH]]
            message.set(INTENT, named[0], add_to_output=True)
            message.set(INTENT_RANKING_KEY, named, add_to_output=True)
        return messages
