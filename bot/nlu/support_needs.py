"""Rasa NLU component that adds ``support_needs`` to every parse (each category noticed, its confidence and cue).

During ``rasa train`` it fits the classifiers in ``routing.support_needs`` on three sources:
the hand-labelled examples in ``data/support_needs/`` (disclosures, risks, near misses), the NLU
examples whose metadata carries ``needs`` (a need mixed with a task, so the intent is learnt from
the same sentence), and every other NLU example as a negative. Their hashes are part of the
component's fingerprint, so changing them retrains it.

It runs after DIET, so it knows how sure the intent is: a risk word in a message the assistant
cannot otherwise place earns a check-in. Each detection is also added as a ``support_need`` entity,
so dialogue policies and test stories can see it.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any, Dict, List

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import ENTITIES, INTENT, METADATA, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

import routing.cue_lexicon
import routing.risk_concepts
import routing.support_needs
import routing.textclassifier
from bot.nlu.trained_classifier import TrainedModelComponent
from routing.cue_lexicon import LEXICON_PATH, default_lexicon
from routing.support_needs import (
    EXAMPLES_PATHS,
    Example,
    SupportNeedDetector,
    TrainedModels,
    check_categories,
    load_examples,
    train,
)

# The code whose behaviour the saved classifiers depend on: changing it retrains the component.
TRAINED_CODE = (routing.support_needs, routing.cue_lexicon, routing.risk_concepts, routing.textclassifier)

SUPPORT_NEEDS = "support_needs"
ENTITY = "support_need"
METADATA_EXAMPLE = "example"


def nlu_example(message: Message) -> Example | None:
    """An NLU training message as a support-need example: labelled by its metadata, else a negative."""
    text = str(message.get(TEXT) or "").strip()
    if not text:
        return None
    labels = ((message.get(METADATA) or {}).get(METADATA_EXAMPLE) or {}) or {}
    return Example(text, frozenset(labels.get("needs") or []), labels.get("kind"))


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=True)
class SupportNeedComponent(TrainedModelComponent):
    """Detects support-need categories, and the tier of any risk, in each message."""

    MODEL_FILE = "support_need_models.pkl"
    MODEL_TYPE = TrainedModels

    def __init__(self, model_storage: ModelStorage, resource: Resource, model: TrainedModels | None = None) -> None:
        super().__init__(model_storage, resource, model)
        self._detector = SupportNeedDetector(default_lexicon(), model)

    @classmethod
    def fingerprint_addon(cls, config: Dict[str, Any]) -> str | None:
        """Retrain when the labelled examples, the lexicon or the code they train change (none of
        them is part of Rasa's training data)."""
        sources = [*EXAMPLES_PATHS, LEXICON_PATH, *(Path(module.__file__ or "") for module in TRAINED_CODE)]
        return hashlib.sha256(b"".join(path.read_bytes() for path in sources)).hexdigest()

    def train(self, training_data: TrainingData) -> Resource:
        """Fit the classifiers on the labelled examples and the NLU examples."""
        labelled = load_examples()
        known = {example.text.lower() for example in labelled}
        from_nlu = [nlu_example(message) for message in training_data.nlu_examples]
        examples = labelled + check_categories(
            example for example in from_nlu if example is not None and example.text.lower() not in known
        )
        models = train(examples, default_lexicon())
        self._detector = SupportNeedDetector(default_lexicon(), models)
        return self._keep(models)

    def process(self, messages: List[Message]) -> List[Message]:
        """Add ``support_needs`` (and matching ``support_need`` entities) to each message."""
        for message in messages:
            text = message.get(TEXT) or ""
            intent = message.get(INTENT) or {}
            needs = self._detector.detect(text, intent.get("name"), float(intent.get("confidence") or 0.0))
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
