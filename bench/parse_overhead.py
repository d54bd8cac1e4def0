"""How much the support-need detector adds to a message's parse time.

Loads the trained model in-process twice and times ``parse_message`` over the development sets'
messages: as trained, and with the detector's ``process`` made a no-op before loading (Rasa binds
each component's method when it builds the graph), so everything else is identical. The difference
of the two medians moves with the machine's noise (two loads, minutes apart), so the detector's own
``process`` is also timed on every parse of the first run: its median is the steadier figure.
"""

from __future__ import annotations

import asyncio
import logging
import time
from statistics import median
from typing import Any

from bot.nlu.support_needs import SupportNeedComponent
from evaluation.labelled import DEVELOPMENT, load_set
from wiring.settings import load_settings

ROUNDS = 3


async def _parse_times(agent: Any, texts: list[str]) -> list[float]:
    samples = []
    for _ in range(ROUNDS):
        for text in texts:
            started = time.perf_counter()
            await agent.parse_message(text)
            samples.append((time.perf_counter() - started) * 1000)
    return samples


async def measure() -> dict[str, float]:
    """Median parse time with and without the detector, in milliseconds."""
    from rasa.core.agent import Agent
    from rasa.utils.log_utils import configure_structlog

    configure_structlog(logging.WARNING)  # Rasa's debug log would print every message's text
    model = str(load_settings().model_path)
    texts = [example.text for path in DEVELOPMENT for example in load_set(path)]
    original = SupportNeedComponent.process
    own: list[float] = []

    def timed(self: SupportNeedComponent, messages: Any) -> Any:
        started = time.perf_counter()
        try:
            return original(self, messages)
        finally:
            own.append((time.perf_counter() - started) * 1000)

    SupportNeedComponent.process = timed  # type: ignore[method-assign]
    try:
        agent = Agent.load(model)
    finally:
        SupportNeedComponent.process = original  # type: ignore[method-assign]
    await _parse_times(agent, texts[:20])  # warm up
    own.clear()
    with_detector = median(await _parse_times(agent, texts))
    detector_own = median(own)
    SupportNeedComponent.process = lambda self, messages: messages  # type: ignore[method-assign]
    try:
        plain = Agent.load(model)
    finally:
        SupportNeedComponent.process = original  # type: ignore[method-assign]
    await _parse_times(plain, texts[:20])
    without_detector = median(await _parse_times(plain, texts))
    return {
        "messages": len(texts) * ROUNDS,
        "parse_p50_ms_with_detector": with_detector,
        "parse_p50_ms_without_detector": without_detector,
        "detector_adds_ms": with_detector - without_detector,
        "detector_own_p50_ms": detector_own,
    }


def run() -> dict[str, float]:
    """Synchronous entry point for ``make bench``."""
    return asyncio.run(measure())
