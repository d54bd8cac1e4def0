"""Support-need detection on the labelled evaluation set (tests/nlu/support_needs_eval.yml).

The issue's targets are held here: safeguarding recall 0.97 with precision 0.85, every other
category F1 0.85 and micro-F1 0.90.
"""

from __future__ import annotations

import pytest

from routing.support_needs import CATEGORIES
from tests.conftest import Assistant
from tests.nlu.support_eval import REPORT, evaluate, http_parser, load_eval_set, write_report

pytestmark = pytest.mark.server

SAFEGUARDING_RECALL = 0.97
SAFEGUARDING_PRECISION = 0.85
OTHER_CATEGORY_F1 = 0.85
MICRO_F1 = 0.90


def test_evaluation_set_is_big_and_covers_every_category() -> None:
    examples = load_eval_set()
    assert len(examples) >= 300
    for category in CATEGORIES:
        assert sum(category in example.needs for example in examples) >= 25, category
    assert sum(len(example.needs) >= 2 for example in examples) >= 30
    assert sum(not example.needs for example in examples) >= 60


def test_detection_holds_its_floors(assistant: Assistant) -> None:
    report = evaluate(http_parser(assistant.rasa_url), load_eval_set())
    write_report(report)
    safeguarding = report.categories["safeguarding"]
    assert safeguarding.recall >= SAFEGUARDING_RECALL, safeguarding
    assert safeguarding.precision >= SAFEGUARDING_PRECISION, safeguarding
    weak = {c: round(s.f1, 3) for c, s in report.categories.items() if c != "safeguarding" and s.f1 < OTHER_CATEGORY_F1}
    assert not weak, weak
    assert report.micro_f1 >= MICRO_F1
    assert REPORT.exists()
