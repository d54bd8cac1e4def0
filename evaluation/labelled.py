"""The labelled message sets the evaluation scores against, and how to read them.

Each set is a YAML file in ``evaluation/sets/`` with one entry per resident message: its text, the
intent it asks for (``any`` when it asks for no task, as a pure disclosure may take any intent),
the support-need categories a careful reader would mark, and the group it
was written for (``safeguarding``, ``near_miss``, ``need_and_task``, ``need_only``, ``task_only``).
None of these messages is used in training.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from routing.categories import CATEGORIES

SETS = Path(__file__).resolve().parent / "sets"
# The sealed set: written by someone who saw none of the data; added by the lead, never read while tuning.
SEALED = SETS / "sealed-2026-12-07l.yml"
# Sets that were sealed once and have been scored since: reported beside the sealed set, never tuned on.
EARLIER_SEALED: tuple[Path, ...] = ()
# Scored and read for tuning. The older sets became training data on 2026-12-06, and
# sealed-2026-12-06g, sealed-2026-12-07h, sealed-2026-12-07i, sealed-2026-12-07j and sealed-2026-12-07k on 2026-12-07
# (data/support_needs/examples/outside_writers_*.yml).
DEVELOPMENT = (SETS / "sealed-2026-12-06f.yml",)  # sealed until 2026-12-06 (night), scored five times
ANY_INTENT = "any"
TASK_INTENTS = frozenset(
    {"report_issue", "make_payment", "apply_for_service", "get_information", "check_status", "request_human"}
)
GROUPS = ("safeguarding", "near_miss", "need_and_task", "need_only", "task_only")


class BadSet(ValueError):
    """A set file with a label outside the fixed vocabularies."""


@dataclass(frozen=True)
class Labelled:
    """One message with what a careful reader expects the assistant to see in it."""

    text: str
    intent: str
    needs: frozenset[str]
    group: str

    @property
    def scores_intent(self) -> bool:
        """Whether the message asks for something definite (its intent is scored)."""
        return self.intent != ANY_INTENT


def _group_of(intent: str, needs: frozenset[str]) -> str:
    """The group of a message from a set written before groups were recorded."""
    if "safeguarding" in needs:
        return "safeguarding"
    if needs:
        return "need_and_task" if intent in TASK_INTENTS else "need_only"
    return "task_only"


def load_set(path: Path) -> list[Labelled]:
    """Read one set; an unknown category or group is an error, not a label."""
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    messages = []
    for item in raw["messages"]:
        needs = frozenset(item.get("needs") or [])
        unknown = needs - set(CATEGORIES)
        if unknown:
            raise BadSet(f"{path.name}: unknown categories {sorted(unknown)} for {item['text']!r}")
        # The first set marked a pure disclosure "inform"; the contract lets it take any intent.
        intent = ANY_INTENT if item["intent"] == "inform" else str(item["intent"])
        group = str(item.get("group") or _group_of(intent, needs))
        if group not in GROUPS:
            raise BadSet(f"{path.name}: unknown group {group!r} for {item['text']!r}")
        messages.append(Labelled(str(item["text"]), intent, needs, group))
    return messages


def training_texts() -> frozenset[str]:
    """Every training message, lower-cased: NLU examples and the support-need examples."""
    from rasa.shared.importers.importer import TrainingDataImporter

    from routing.support_needs import load_examples

    root = SETS.parent.parent
    importer = TrainingDataImporter.load_from_dict(
        training_data_paths=[str(root / "data")], domain_path=str(root / "domain.yml")
    )
    texts = {str(message.get("text")).strip().lower() for message in importer.get_nlu_data().nlu_examples}
    return frozenset(texts | {example.text.lower() for example in load_examples()})


def unseen(messages: list[Labelled], trained: frozenset[str]) -> list[Labelled]:
    """The messages that are not also training examples ("hello" may well be both): only these are scored."""
    return [message for message in messages if message.text.strip().lower() not in trained]
