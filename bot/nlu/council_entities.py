"""Rasa NLU component for the entities that must be exact: ``service`` codes and references.

DIET finds spans, but a ``service`` entity is only useful as one of the catalogue's codes, so this
component replaces DIET's ``service`` guesses with ``routing.service_detection``: catalogue
keywords first (the matched words are kept as the cue), then a classifier it trains on the
project's NLU examples. References (``SCC-7KQ4XH``) follow a fixed format, so a pattern finds them.
"""

from __future__ import annotations

from typing import Any, Dict, List

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu.trained_classifier import TrainedModelComponent
from routing.catalogue import default_catalogue
from routing.locations import with_house_number
from routing.references import find_reference
from routing.service_detection import detect_services, training_pairs
from routing.textclassifier import MultiLabelTextClassifier

EXTRACTOR_NAME = "CouncilEntityExtractor"


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=True)
class CouncilEntityExtractor(TrainedModelComponent, EntityExtractorMixin):
    """Sets ``service`` entities to catalogue codes and adds ``reference`` entities."""

    MODEL_FILE = "service_classifier.pkl"
    MODEL_TYPE = MultiLabelTextClassifier

    def __init__(
        self, model_storage: ModelStorage, resource: Resource, classifier: MultiLabelTextClassifier | None = None
    ) -> None:
        super().__init__(model_storage, resource, classifier)
        self._catalogue = default_catalogue()

    def train(self, training_data: TrainingData) -> Resource:
        """Fit the service classifier on the NLU examples' ``service`` annotations."""
        synonyms = {key.lower(): value for key, value in training_data.entity_synonyms.items()}
        examples = []
        for message in training_data.nlu_examples:
            text = message.get(TEXT)
            if not text:
                continue
            values = [
                synonyms.get(str(entity.get("value")).lower(), str(entity.get("value")))
                for entity in message.get(ENTITIES, [])
                if entity.get("entity") == "service"
            ]
            examples.append((text, values))
        texts, labels = training_pairs(examples, self._catalogue)
        return self._keep(MultiLabelTextClassifier.fit(texts, labels))

    def process(self, messages: List[Message]) -> List[Message]:
        """Replace ``service`` entities with detected codes and add any reference."""
        for message in messages:
            text = message.get(TEXT) or ""
            entities = [
                _with_house_number(text, entity)
                for entity in message.get(ENTITIES, [])
                if entity.get("entity") != "service"
            ]
            entities.extend(self._service_entities(text))
            entities.extend(self._reference_entities(text))
            message.set(ENTITIES, entities, add_to_output=True)
        return messages

    def _service_entities(self, text: str) -> List[Dict[str, Any]]:
        entities = []
        for match in detect_services(text, self._catalogue, self._model):
            start = text.lower().find(match.cue.lower()) if match.cue else 0
            end = start + len(match.cue) if match.cue else len(text)
            entity: Dict[str, Any] = {
                "entity": "service",
                "value": match.code,
                "start": start,
                "end": end,
                "confidence_entity": match.confidence,
                "extractor": EXTRACTOR_NAME,
            }
            if match.cue:
                entity["cue"] = match.cue
            entities.append(entity)
        return entities

    @staticmethod
    def _reference_entities(text: str) -> List[Dict[str, Any]]:
        lookup = find_reference(text)
        if lookup.text is None or lookup.span is None:
            return []
        return [
            {
                "entity": "reference",
                "value": lookup.text,
                "start": lookup.span[0],
                "end": lookup.span[1],
                "confidence_entity": 1.0,
                "extractor": EXTRACTOR_NAME,
            }
        ]


def _with_house_number(text: str, entity: Dict[str, Any]) -> Dict[str, Any]:
    """A ``location`` with the house number written just before the span the model found (its
    training marks streets without their numbers)."""
    start = entity.get("start")
    if entity.get("entity") != "location" or not isinstance(start, int):
        return entity
    begins = with_house_number(text, start)
    if begins == start:
        return entity
    return {**entity, "start": begins, "value": f"{text[begins:start]}{entity.get('value', '')}"}
