"""Rasa NLU component: a message made only of words never seen in training is not understood.

It learns the training vocabulary during ``rasa train`` and, for such a message, sets the intent's
confidence to 0 so the ``FallbackClassifier`` after it turns it into ``nlu_fallback``. Messages in
another language are left to the support-need detector, which notices them first.
"""

from __future__ import annotations

import json
from typing import Any, Dict, List

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from routing.gibberish import is_gibberish, vocabulary

VOCABULARY_FILE = "vocabulary.json"


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class UnknownWordsComponent(GraphComponent):
    """Marks messages with no known word as not understood."""

    def __init__(self, model_storage: ModelStorage, resource: Resource, known: frozenset[str] = frozenset()) -> None:
        self._model_storage = model_storage
        self._resource = resource
        self._known = known

    @classmethod
    def create(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> UnknownWordsComponent:
        """A new component with no vocabulary yet."""
        return cls(model_storage, resource)

    @classmethod
    def load(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> UnknownWordsComponent:
        """Load the vocabulary saved with the model."""
        with model_storage.read_from(resource) as directory:
            known = frozenset(json.loads((directory / VOCABULARY_FILE).read_text(encoding="utf-8")))
        return cls(model_storage, resource, known)

    def train(self, training_data: TrainingData) -> Resource:
        """Keep every word of the NLU examples."""
        self._known = vocabulary(str(message.get(TEXT) or "") for message in training_data.nlu_examples)
        with self._model_storage.write_to(self._resource) as directory:
            (directory / VOCABULARY_FILE).write_text(json.dumps(sorted(self._known)), encoding="utf-8")
        return self._resource

    def process(self, messages: List[Message]) -> List[Message]:
        """Zero the intent confidence of gibberish (unless it already has a support need noticed)."""
        for message in messages:
            text = str(message.get(TEXT) or "")
            if message.get("support_needs") or not is_gibberish(text, self._known):
                continue
            intent = dict(message.get(INTENT) or {})
            if intent:
                intent["confidence"] = 0.0
                message.set(INTENT, intent, add_to_output=True)
                ranking = [dict(item, confidence=0.0) for item in message.get(INTENT_RANKING_KEY) or []]
                message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
        return messages
