"""Shared plumbing for NLU components that train a model of their own during ``rasa train`` and keep
it in the model archive (a pickle of a type the project defines, only ever written by this project)."""

from __future__ import annotations

import pickle
from typing import Any, ClassVar, Dict, TypeVar

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage

T = TypeVar("T", bound="TrainedModelComponent")


class TrainedModelComponent(GraphComponent):
    """Creates, saves and loads the component's model; subclasses say what to train it on."""

    MODEL_FILE: ClassVar[str]
    MODEL_TYPE: ClassVar[type]

    def __init__(self, model_storage: ModelStorage, resource: Resource, model: Any = None) -> None:
        self._model_storage = model_storage
        self._resource = resource
        self._model = model

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
        """Load the trained model from the model archive."""
        with model_storage.read_from(resource) as directory:
            model = pickle.loads((directory / cls.MODEL_FILE).read_bytes())
        if not isinstance(model, cls.MODEL_TYPE):
            raise TypeError(f"{cls.MODEL_FILE} does not hold a {cls.MODEL_TYPE.__name__}")
        return cls(model_storage, resource, model)

    def _keep(self, model: Any) -> Resource:
        """Use ``model`` from now on and save it into the model archive."""
        self._model = model
        with self._model_storage.write_to(self._resource) as directory:
            (directory / self.MODEL_FILE).write_bytes(pickle.dumps(model))
        return self._resource
