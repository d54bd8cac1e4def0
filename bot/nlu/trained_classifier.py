"""Shared plumbing for NLU components that train a ``MultiLabelTextClassifier`` during
``rasa train`` and keep it in the model archive."""

from __future__ import annotations

from typing import Any, ClassVar, Dict, TypeVar

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage

from routing.textclassifier import MultiLabelTextClassifier

T = TypeVar("T", bound="TrainedClassifierComponent")


class TrainedClassifierComponent(GraphComponent):
    """Creates, saves and loads the component's classifier; subclasses say what to train it on."""

    CLASSIFIER_FILE: ClassVar[str]

    def __init__(
        self, model_storage: ModelStorage, resource: Resource, classifier: MultiLabelTextClassifier | None = None
    ) -> None:
        self._model_storage = model_storage
        self._resource = resource
        self._classifier = classifier

    @classmethod
    def create(
        cls: type[T],
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> T:
        """A new, untrained component."""
        return cls(model_storage, resource)

    @classmethod
    def load(
        cls: type[T],
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> T:
        """Load the trained classifier from the model."""
        with model_storage.read_from(resource) as directory:
            classifier = MultiLabelTextClassifier.load(directory / cls.CLASSIFIER_FILE)
        return cls(model_storage, resource, classifier)

    def _keep(self, classifier: MultiLabelTextClassifier) -> Resource:
        """Use ``classifier`` from now on and save it into the model."""
        self._classifier = classifier
        with self._model_storage.write_to(self._resource) as directory:
            classifier.save(directory / self.CLASSIFIER_FILE)
        return self._resource
