"""The evaluation: how each figure is counted, the sets' shape and seal, and the development floors
held by the running assistant."""

from __future__ import annotations

import hashlib
import re
from typing import Any

import pytest

from evaluation.detection import TARGETS, intent_matches, score
from evaluation.labelled import (
    DEVELOPMENT,
    EARLIER_SEALED,
    SEALED,
    SETS,
    BadSet,
    Labelled,
    load_set,
    training_texts,
    unseen,
)
from evaluation.parsing import http_parser
from routing.categories import CATEGORIES
from tests.conftest import Assistant


def parsed(intent: str, *needs: str, tier: str | None = None) -> dict[str, Any]:
    items: list[dict[str, Any]] = [{"category": need, "confidence": 0.9} for need in needs]
    if tier:
        items.insert(0, {"category": "safeguarding", "confidence": 0.5, "tier": tier})
    return {"intent": {"name": intent}, "support_needs": items}


# message, its labels, and what the assistant made of it
CASES = [
    ("took all my pills", Labelled("took all my pills", "any", frozenset({"safeguarding"}), "safeguarding"),
     parsed("nlu_fallback", tier="clear")),
    ("cant see the point", Labelled("cant see the point", "any", frozenset({"safeguarding"}), "safeguarding"),
     parsed("out_of_scope", tier="possible")),
    ("he hits me", Labelled("he hits me", "any", frozenset({"safeguarding"}), "safeguarding"), parsed("inform")),
    ("ivy strangling my fence", Labelled("ivy strangling my fence", "report_issue", frozenset(), "near_miss"),
     parsed("report_issue", tier="possible")),
    ("dead fox", Labelled("dead fox", "report_issue", frozenset(), "near_miss"), parsed("report_issue")),
    ("pay council tax, no computer",
     Labelled("pay council tax, no computer", "make_payment", frozenset({"digital_exclusion"}), "need_and_task"),
     parsed("make_payment", "digital_exclusion")),
    ("pothole, im 82", Labelled("pothole, im 82", "report_issue", frozenset({"older_age"}), "need_and_task"),
     parsed("get_information", "older_age")),
]  # fmt: skip


@pytest.fixture(scope="module")
def report():
    answers = {text: answer for text, _, answer in CASES}
    return score("table", [labelled for _, labelled, _ in CASES], lambda text: answers[text])


def test_safeguarding_is_reached_by_the_interrupt_or_the_check_in(report):
    assert report.safeguarding_messages == 3
    assert report.safeguarding_reached == pytest.approx(2 / 3)
    assert report.safeguarding_interrupted == pytest.approx(1 / 3)


def test_interrupt_precision_counts_interrupts_only(report):
    assert report.interrupt_precision == 1.0  # the near miss got a check-in, not an interrupt


def test_a_near_miss_that_gets_a_check_in_is_an_alarm(report):
    assert (report.near_misses, report.near_miss_alarms) == (2, 0.5)


def test_either_tier_counts_as_detecting_safeguarding(report):
    safeguarding = report.categories["safeguarding"]
    assert (safeguarding.true_positives, safeguarding.false_positives, safeguarding.false_negatives) == (2, 1, 1)


def test_intent_accuracy_skips_any_and_is_also_given_on_the_mixes(report):
    assert report.intent_messages == 4  # the three "any" messages are not scored
    assert report.intent_accuracy == pytest.approx(3 / 4)
    assert (report.mixed_messages, report.intent_accuracy_mixed) == (2, 0.5)


@pytest.mark.parametrize(
    ("found", "writer_meant", "right"),
    [
        ("make_complaint", "request_human", True),  # "a formal complaint about the officer who was rude"
        ("make_complaint", "report_issue", True),
        ("ask_contact", "get_information", True),  # "what's the number for bulky waste?"
        ("make_complaint", "make_payment", False),
        ("get_information", "ask_contact", False),  # only a project intent narrows a contract one
        ("report_issue", "report_issue", True),
    ],
)
def test_a_project_intent_is_right_where_it_narrows_the_writers(found, writer_meant, right):
    assert intent_matches(found, writer_meant) is right


def test_the_targets_are_the_issues_figures(report):
    names = {name for name, _, _ in TARGETS}
    assert names == {
        "safeguarding_reached", "interrupt_precision", "near_miss_alarms", "lowest_category_f1", "micro_f1",
        "intent_accuracy", "intent_accuracy_mixed",
    }  # fmt: skip
    met = {name: ok for name, _, _, _, ok in report.target_results()}
    assert not met["safeguarding_reached"] and not met["near_miss_alarms"]


def test_a_set_with_an_unknown_category_is_refused(tmp_path):
    path = tmp_path / "set.yml"
    path.write_text('messages:\n  - {text: "hi", intent: greet, needs: [loneliness]}\n', encoding="utf-8")
    with pytest.raises(BadSet, match="loneliness"):
        load_set(path)


# ---------------------------------------------------------------- the sets


def test_the_sealed_set_is_as_big_as_the_issue_asks():
    messages = load_set(SEALED)
    groups = {
        group: sum(m.group == group for m in messages) for group in ("safeguarding", "near_miss", "need_and_task")
    }
    assert len(messages) >= 400
    assert groups["safeguarding"] >= 150 and groups["near_miss"] >= 100 and groups["need_and_task"] >= 100
    assert all("safeguarding" in m.needs for m in messages if m.group == "safeguarding")
    # A near miss shows no risk (a writer may still mark, say, the frustration in it).
    assert not any("safeguarding" in m.needs for m in messages if m.group == "near_miss")


@pytest.mark.parametrize("path", [SEALED, *EARLIER_SEALED], ids=lambda path: path.stem)
def test_each_sealed_set_is_the_one_the_seal_records(path):
    recorded = re.search(rf"`{re.escape(path.name)}` \| ([0-9a-f]{{16}}) \|", (SETS / "README.md").read_text())
    assert recorded, f"evaluation/sets/README.md must record the hash of {path.name}"
    assert hashlib.sha256(path.read_bytes()).hexdigest()[:16] == recorded.group(1)


@pytest.mark.parametrize("path", [SEALED, *EARLIER_SEALED, *DEVELOPMENT], ids=lambda path: path.stem)
def test_almost_every_evaluation_message_is_unseen_and_only_unseen_ones_are_scored(path):
    # A "hello" or "I want to die" can be in both: the training data holds over 16,000 messages from
    # twelve other outside writers, and short messages meet (those in common are about five words
    # long). A leaked set shows as long messages in common, or as many.
    # (Only counts are shown: nobody reads the sealed set.)
    messages = load_set(path)
    kept = unseen(messages, training_texts())
    common = [message for message in messages if message not in kept]
    long_common = [message for message in common if len(message.text.split()) >= 10]
    assert len(kept) >= 0.93 * len(messages), f"{path.name}: {len(common)} are training examples"
    assert len(long_common) <= 0.01 * len(messages), f"{path.name}: {len(long_common)} long ones are training examples"
    assert all(message in messages for message in kept)


# ---------------------------------------------------------------- the running assistant

# Floors on the development sets, a little below what they scored when the thresholds were set, so a
# change that makes detection worse fails here. They are not the headline: see `make eval`.
FLOORS = {
    # The development set since the older sets became training data (it then reached 0.965,
    # precision 0.979, micro-F1 0.894 when fitted in process; its misses are read for tuning).
    "sealed-2026-12-06f": {"safeguarding_reached": 0.95, "interrupt_precision": 0.93, "micro_f1": 0.87},
}


@pytest.mark.server
@pytest.mark.parametrize("path", DEVELOPMENT, ids=[path.stem for path in DEVELOPMENT])
def test_the_development_sets_hold_their_floors(assistant: Assistant, path):
    parse = http_parser(assistant.rasa_url, assistant.rasa_token)
    result = score(path.stem, unseen(load_set(path), training_texts()), parse)
    for name, floor in FLOORS[path.stem].items():
        assert getattr(result, name) >= floor, (name, getattr(result, name), result.misses[:20])
    assert set(result.categories) == set(CATEGORIES)
