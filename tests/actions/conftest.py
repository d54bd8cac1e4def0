"""Fixtures for action tests: the real domain, a real SQLite database, and tracker building."""

from __future__ import annotations

from typing import Any, Iterator

import pytest
from rasa.shared.core.domain import Domain
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import context
from tests.conftest import ROOT


@pytest.fixture(scope="session")
def domain() -> dict[str, Any]:
    return Domain.load(str(ROOT / "domain.yml")).as_dict()


@pytest.fixture(autouse=True)
def database(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    url = f"sqlite:///{tmp_path / 'council.db'}"
    monkeypatch.setenv("COUNCIL_DATABASE_URL", url)
    context.database_engine.cache_clear()
    context.outcomes.cache_clear()
    yield url
    context.database_engine.cache_clear()
    context.outcomes.cache_clear()


@pytest.fixture
def dispatcher() -> CollectingDispatcher:
    return CollectingDispatcher()


def tracker(
    text: str = "",
    intent: str = "inform",
    confidence: float = 0.99,
    entities: list[dict[str, Any]] | None = None,
    slots: dict[str, Any] | None = None,
    events: list[dict[str, Any]] | None = None,
    active_loop: str | None = None,
) -> Tracker:
    """A tracker whose latest message is ``text`` with the given NLU result and slots."""
    latest = {"text": text, "intent": {"name": intent, "confidence": confidence}, "entities": entities or []}
    return Tracker(
        sender_id="test-resident",
        slots=slots or {},
        latest_message=latest,
        events=events or [],
        paused=False,
        followup_action=None,
        active_loop={"name": active_loop} if active_loop else {},
        latest_action_name="action_listen",
    )


def service(code: str) -> dict[str, Any]:
    """A ``service`` entity as the NLU pipeline gives it."""
    return {"entity": "service", "value": code, "start": 0, "end": 1}


def said(dispatcher: CollectingDispatcher) -> str:
    """Everything the action said, joined."""
    return "\n".join(str(message.get("text") or "") for message in dispatcher.messages)
