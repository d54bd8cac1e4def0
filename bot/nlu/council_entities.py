"""Rasa NLU component that adds the entities the catalogue and reference format can find exactly.

DIET learns the ``service`` entity from examples, but a resident may use a phrase it never saw.
The catalogue's keywords fill that gap, so the entity is found whenever a known phrase is used,
and each addition says which words triggered it. References (``SCC-7KQ4XH``) follow a fixed
format, so a pattern finds them better than a model would.
"""

from __future__ import annotations

from typing import Any, Dict, List

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message

from routing.catalogue import Catalogue, default_catalogue
from routing.references import find_reference

EXTRACTOR_NAME = "CouncilEntityExtractor"


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=False)
class CouncilEntityExtractor(GraphComponent, EntityExtractorMixin):
    """Adds ``service`` entities from catalogue keywords and ``reference`` entities by pattern."""

    def __init__(self, catalogue: Catalogue) -> None:
        self._catalogue = catalogue

    @classmethod
    def create(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> CouncilEntityExtractor:
        """Build the component over the project's service catalogue."""
        return cls(default_catalogue())

    def process(self, messages: List[Message]) -> List[Message]:
        """Add the entities to each message (DIET's ``service`` entities take precedence)."""
        for message in messages:
            text = message.get(TEXT) or ""
            entities = list(message.get(ENTITIES, []))
            entities.extend(self._service_entities(text, entities))
            entities.extend(self._reference_entities(text))
            message.set(ENTITIES, entities, add_to_output=True)
        return messages

    def _service_entities(self, text: str, existing: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
        if any(entity.get("entity") == "service" for entity in existing):
            return []
        found = []
        for code, cue in self._catalogue.find_in_text(text):
            start = text.lower().find(cue.lower())
            found.append(
                {
                    "entity": "service",
                    "value": code,
                    "start": start,
                    "end": start + len(cue),
                    "confidence_entity": 1.0,
                    "extractor": EXTRACTOR_NAME,
                }
            )
        return found

    @staticmethod
    def _reference_entities(text: str) -> List[Dict[str, Any]]:
        lookup = find_reference(text)
        value = lookup.reference or lookup.malformed
        if value is None:
            return []
        return [
            {
                "entity": "reference",
                "value": value,
                "start": 0,
                "end": len(text),
                "confidence_entity": 1.0,
                "extractor": EXTRACTOR_NAME,
            }
        ]
