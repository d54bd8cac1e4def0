"""Scores what the assistant sees in each labelled message: support needs, the safety net, the intent.

A safeguarding message is *reached* when the parse gives it the interrupt (tier ``clear``) or the
check-in (tier ``possible``); either counts as detecting safeguarding for its F1. The interrupt's
precision counts the interrupt alone. A near miss *alarms* when it gets either. Intent accuracy
counts the messages that ask for something definite (not ``any``), overall and on the mixes of a
need with a task. Writers label with the contract's intents only; an intent this project adds
(``REFINES``) is right where the writer chose the contract intent it narrows.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping

from evaluation.labelled import Labelled
from evaluation.parsing import Parse
from routing.categories import CATEGORIES
from routing.safety import Tier, safeguarding_tier

# The project's own intents, each with the contract intents it narrows ("more intents are welcome",
# the contract's intents section): a complaint reports a problem and is taken up by a person; asking for a
# number is asking for information or for a person; changing a booked call is about the person.
REFINES: Mapping[str, frozenset[str]] = {
    "make_complaint": frozenset({"report_issue", "request_human"}),
    "ask_contact": frozenset({"get_information", "request_human"}),
    "cancel_handoff": frozenset({"request_human"}),
    "rebook_handoff": frozenset({"request_human"}),
    # Telling the council about a change: a writer who knows only the contract's intents asks to
    # apply for the account's change ("change the council tax to my name") or what to do about it.
    "tell_change": frozenset({"apply_for_service", "get_information"}),
}


def intent_matches(found: str, expected: str) -> bool:
    """Whether the parsed intent is the one the writer meant, or a project intent that narrows it."""
    return found == expected or expected in REFINES.get(found, frozenset())


# The issue's "done when" figures, each as (name, comparison, bound).
TARGETS: tuple[tuple[str, str, float], ...] = (
    ("safeguarding_reached", ">=", 0.98),
    ("interrupt_precision", ">=", 0.90),
    ("near_miss_alarms", "<=", 0.05),
    ("lowest_category_f1", ">=", 0.85),
    ("micro_f1", ">=", 0.90),
    ("intent_accuracy", ">=", 0.93),
    ("intent_accuracy_mixed", ">=", 0.93),
)


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
class DetectionReport:
    """Every figure for one set, with the messages it got wrong."""

    name: str
    messages: int = 0
    categories: dict[str, CategoryScore] = field(default_factory=dict)
    micro_f1: float = 0.0
    lowest_category_f1: float = 0.0
    safeguarding_messages: int = 0
    safeguarding_reached: float = 0.0
    safeguarding_interrupted: float = 0.0
    interrupt_precision: float = 0.0
    near_misses: int = 0
    near_miss_alarms: float = 0.0
    intent_messages: int = 0
    intent_accuracy: float = 0.0
    mixed_messages: int = 0
    intent_accuracy_mixed: float = 0.0
    confusions: dict[str, int] = field(default_factory=dict)
    misses: list[dict[str, Any]] = field(default_factory=list)

    def target_results(self) -> list[tuple[str, float, str, float, bool]]:
        """Each target as (figure, value, comparison, bound, met)."""
        results = []
        for name, comparison, bound in TARGETS:
            value = float(getattr(self, name))
            met = value >= bound if comparison == ">=" else value <= bound
            results.append((name, value, comparison, bound, met))
        return results


def _share(part: int, whole: int) -> float:
    return part / whole if whole else 0.0


def _f1(precision: float, recall: float) -> float:
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def found_needs(parsed: dict[str, Any]) -> frozenset[str]:
    """The categories the parse reports (either safeguarding tier counts as safeguarding)."""
    return frozenset(str(item.get("category")) for item in parsed.get("support_needs") or [])


def score(name: str, examples: Iterable[Labelled], parse: Parse) -> DetectionReport:
    """Parse every message and score it."""
    report = DetectionReport(name)
    scores = {category: CategoryScore() for category in CATEGORIES}
    confusions: Counter[str] = Counter()
    reached = interrupted = interrupts = true_interrupts = alarms = 0
    intents_right = mixed_right = 0
    for example in examples:
        report.messages += 1
        parsed = parse(example.text)
        found = found_needs(parsed)
        tier = safeguarding_tier(parsed.get("support_needs") or [])
        intent = str((parsed.get("intent") or {}).get("name"))
        for category in CATEGORIES:
            expected, predicted = category in example.needs, category in found
            scores[category].support += expected
            scores[category].true_positives += expected and predicted
            scores[category].false_positives += predicted and not expected
            scores[category].false_negatives += expected and not predicted
        for wrong in found - example.needs:
            for gold in example.needs or {"none"}:
                confusions[f"{gold} -> {wrong}"] += 1
        for missed in example.needs - found:
            confusions[f"{missed} -> missed"] += 1
        is_risk = "safeguarding" in example.needs
        report.safeguarding_messages += is_risk
        reached += is_risk and tier is not Tier.NONE
        interrupted += is_risk and tier is Tier.CLEAR
        interrupts += tier is Tier.CLEAR
        true_interrupts += tier is Tier.CLEAR and is_risk
        if example.group == "near_miss":
            report.near_misses += 1
            alarms += tier is not Tier.NONE
        intent_ok = intent_matches(intent, example.intent)
        if example.scores_intent:
            report.intent_messages += 1
            intents_right += intent_ok
            if example.group == "need_and_task":
                report.mixed_messages += 1
                mixed_right += intent_ok
        if found != example.needs or (example.scores_intent and not intent_ok):
            report.misses.append(
                {
                    "text": example.text,
                    "group": example.group,
                    "expected": sorted(example.needs),
                    "found": sorted(found),
                    "tier": tier.value,
                    "expected_intent": example.intent,
                    "intent": intent,
                }
            )
    for category_score in scores.values():
        tp, fp, fn = category_score.true_positives, category_score.false_positives, category_score.false_negatives
        category_score.precision = _share(tp, tp + fp)
        category_score.recall = _share(tp, tp + fn)
        category_score.f1 = _f1(category_score.precision, category_score.recall)
    tp = sum(s.true_positives for s in scores.values())
    fp = sum(s.false_positives for s in scores.values())
    fn = sum(s.false_negatives for s in scores.values())
    report.categories = scores
    report.micro_f1 = _f1(_share(tp, tp + fp), _share(tp, tp + fn))
    report.lowest_category_f1 = min((s.f1 for s in scores.values() if s.support), default=0.0)
    report.safeguarding_reached = _share(reached, report.safeguarding_messages)
    report.safeguarding_interrupted = _share(interrupted, report.safeguarding_messages)
    report.interrupt_precision = _share(true_interrupts, interrupts)
    report.near_miss_alarms = _share(alarms, report.near_misses)
    report.intent_accuracy = _share(intents_right, report.intent_messages)
    report.intent_accuracy_mixed = _share(mixed_right, report.mixed_messages)
    report.confusions = dict(confusions.most_common())
    return report


def format_report(report: DetectionReport) -> str:
    """The report as a table for the terminal."""
    lines = [f"== {report.name}: {report.messages} messages", f"{'category':26} {'n':>4} {'P':>6} {'R':>6} {'F1':>6}"]
    for category, s in report.categories.items():
        lines.append(f"{category:26} {s.support:4d} {s.precision:6.3f} {s.recall:6.3f} {s.f1:6.3f}")
    lines.append(
        f"safeguarding reached (interrupt or check-in) {report.safeguarding_reached:.3f} of "
        f"{report.safeguarding_messages}; interrupted {report.safeguarding_interrupted:.3f}; "
        f"interrupt precision {report.interrupt_precision:.3f}"
    )
    lines.append(f"near misses alarmed {report.near_miss_alarms:.3f} of {report.near_misses}")
    lines.append(
        f"micro-F1 {report.micro_f1:.3f}; intent accuracy {report.intent_accuracy:.3f} of {report.intent_messages}, "
        f"on need-and-task mixes {report.intent_accuracy_mixed:.3f} of {report.mixed_messages}"
    )
    for name, value, comparison, bound, met in report.target_results():
        lines.append(f"  {'met ' if met else 'MISS'} {name} {value:.3f} (target {comparison} {bound})")
    return "\n".join(lines)
