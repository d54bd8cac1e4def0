"""Scores support-need detection on the labelled evaluation set (never used in training).

``make eval`` runs it against the running assistant (starting one if none is running) and prints
per-category precision, recall and F1, micro-F1, intent accuracy on the same set, and which
categories get confused; the report is written to ``var/support-needs-eval.json``.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Callable

import yaml

from routing.support_needs import CATEGORIES
from tests.http import request_json

ROOT = Path(__file__).resolve().parents[2]
EVAL_SET = ROOT / "tests" / "nlu" / "support_needs_eval.yml"
REPORT = ROOT / "var" / "support-needs-eval.json"


@dataclass(frozen=True)
class Labelled:
    """One evaluation message with its expected intent and support needs."""

    text: str
    intent: str
    needs: frozenset[str]


def load_eval_set(path: Path = EVAL_SET) -> list[Labelled]:
    """Read the evaluation set."""
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    return [Labelled(m["text"], m["intent"], frozenset(m.get("needs") or [])) for m in raw["messages"]]


@dataclass
class CategoryScore:
    """Precision, recall and F1 for one category."""

    support: int = 0
    true_positives: int = 0
    false_positives: int = 0
    false_negatives: int = 0
    precision: float = 0.0
    recall: float = 0.0
    f1: float = 0.0


@dataclass
class SupportEvalReport:
    """The whole evaluation: per category, micro-F1, intent accuracy, confusions and misses."""

    messages: int = 0
    categories: dict[str, CategoryScore] = field(default_factory=dict)
    micro_f1: float = 0.0
    intent_accuracy: float = 0.0
    confusions: dict[str, int] = field(default_factory=dict)
    misses: list[dict[str, Any]] = field(default_factory=list)


def _f1(precision: float, recall: float) -> float:
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def evaluate(parse: Callable[[str], dict[str, Any]], examples: list[Labelled]) -> SupportEvalReport:
    """Parse every message and score the detected needs and the intent."""
    report = SupportEvalReport(messages=len(examples))
    scores = {category: CategoryScore() for category in CATEGORIES}
    confusions: Counter[str] = Counter()
    intents_right = 0
    for example in examples:
        parsed = parse(example.text)
        found = frozenset(item["category"] for item in parsed.get("support_needs", []))
        intents_right += (parsed.get("intent") or {}).get("name") == example.intent
        for category in CATEGORIES:
            score = scores[category]
            expected, predicted = category in example.needs, category in found
            score.support += expected
            score.true_positives += expected and predicted
            score.false_positives += predicted and not expected
            score.false_negatives += expected and not predicted
        for wrong in found - example.needs:
            for gold in example.needs or {"none"}:
                confusions[f"{gold} -> {wrong}"] += 1
        for missed in example.needs - found:
            confusions[f"{missed} -> missed"] += 1
        if found != example.needs:
            report.misses.append({"text": example.text, "expected": sorted(example.needs), "found": sorted(found)})
    for score in scores.values():
        score.precision = score.true_positives / max(1, score.true_positives + score.false_positives)
        score.recall = score.true_positives / max(1, score.true_positives + score.false_negatives)
        score.f1 = _f1(score.precision, score.recall)
    tp = sum(s.true_positives for s in scores.values())
    fp = sum(s.false_positives for s in scores.values())
    fn = sum(s.false_negatives for s in scores.values())
    report.categories = scores
    report.micro_f1 = _f1(tp / max(1, tp + fp), tp / max(1, tp + fn))
    report.intent_accuracy = intents_right / max(1, len(examples))
    report.confusions = dict(confusions.most_common())
    return report


def http_parser(rasa_url: str) -> Callable[[str], dict[str, Any]]:
    """Parse with a running Rasa server's ``/model/parse``."""

    def parse(text: str) -> dict[str, Any]:
        status, parsed = request_json(f"{rasa_url}/model/parse", {"text": text})
        if status != 200:
            raise RuntimeError(f"/model/parse answered {status}: {parsed}")
        return dict(parsed)

    return parse


def format_report(report: SupportEvalReport) -> str:
    """The report as a table for the terminal."""
    lines = [f"{'category':26} {'n':>4} {'precision':>9} {'recall':>7} {'F1':>6}"]
    for category, score in report.categories.items():
        lines.append(f"{category:26} {score.support:4d} {score.precision:9.3f} {score.recall:7.3f} {score.f1:6.3f}")
    lines.append(f"micro-F1 {report.micro_f1:.3f}; intent accuracy {report.intent_accuracy:.3f} on {report.messages}")
    lines.append(
        "confusions (expected -> found): " + ", ".join(f"{k}: {v}" for k, v in list(report.confusions.items())[:15])
    )
    return "\n".join(lines)


def write_report(report: SupportEvalReport, path: Path = REPORT) -> None:
    """Save the report as JSON under var/."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(asdict(report), indent=2))


def main() -> int:
    """``make eval``: score the running assistant (or one started for the purpose)."""
    from bench.__main__ import running_assistant

    with running_assistant() as rasa_url:
        report = evaluate(http_parser(rasa_url), load_eval_set())
    write_report(report)
    print(format_report(report))
    print(f"Saved to {REPORT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
