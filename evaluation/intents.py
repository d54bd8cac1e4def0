"""Intent and service-entity accuracy on the held-out task phrasings (``sets/heldout-intents.yml``,
never used in training). Part of ``make eval``; the report goes to ``var/nlu-heldout.json``."""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from evaluation.parsing import Parse

HELDOUT = Path(__file__).resolve().parent / "sets" / "heldout-intents.yml"

# [text](entity) or [text]{"entity": ..., "value": ...}
_ANNOTATION = re.compile(r"\[(?P<text>[^\]]+)\](?:\((?P<entity>[^)]+)\)|(?P<json>\{[^}]+\}))")


@dataclass(frozen=True)
class Example:
    """One held-out message with its expected intent and service codes."""

    text: str
    intent: str
    services: frozenset[str]


def load_examples(path: Path = HELDOUT) -> list[Example]:
    """Read the held-out set, stripping entity markup and keeping the expected service values."""
    examples = []
    for block in yaml.safe_load(path.read_text())["nlu"]:
        for line in block["examples"].splitlines():
            line = line.strip()
            if not line.startswith("- "):
                continue
            annotated = line[2:]
            services = set()
            for match in _ANNOTATION.finditer(annotated):
                if match.group("json"):
                    spec = json.loads(match.group("json"))
                    if spec.get("entity") == "service":
                        services.add(spec.get("value", match.group("text")))
                elif match.group("entity") == "service":
                    services.add(match.group("text"))
            text = _ANNOTATION.sub(lambda m: m.group("text"), annotated)
            examples.append(Example(text=text, intent=block["intent"], services=frozenset(services)))
    return examples


@dataclass
class HeldoutReport:
    """Intent and service-entity accuracy, with every miss listed."""

    messages: int = 0
    intent_accuracy: float = 0.0
    service_messages: int = 0
    service_accuracy: float = 0.0
    intent_confusions: dict[str, int] = field(default_factory=dict)
    misses: list[dict[str, Any]] = field(default_factory=list)


def evaluate(parse: Parse, examples: list[Example]) -> HeldoutReport:
    """Parse every example and score it."""
    report = HeldoutReport(messages=len(examples))
    intents_right = services_right = 0
    confusions: Counter[str] = Counter()
    for example in examples:
        parsed = parse(example.text)
        intent = (parsed.get("intent") or {}).get("name")
        services = frozenset(e["value"] for e in parsed.get("entities", []) if e.get("entity") == "service")
        intent_ok = intent == example.intent
        intents_right += intent_ok
        if not intent_ok:
            confusions[f"{example.intent} -> {intent}"] += 1
        service_ok = True
        if example.services:
            report.service_messages += 1
            service_ok = services == example.services
            services_right += service_ok
        if not (intent_ok and service_ok):
            report.misses.append(
                {
                    "text": example.text,
                    "expected_intent": example.intent,
                    "intent": intent,
                    "expected_services": sorted(example.services),
                    "services": sorted(services),
                }
            )
    report.intent_accuracy = intents_right / max(1, len(examples))
    report.service_accuracy = services_right / max(1, report.service_messages)
    report.intent_confusions = dict(confusions.most_common())
    return report
