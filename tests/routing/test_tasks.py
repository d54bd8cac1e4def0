"""Which task a message is for, even when the NLU could not place it for sure."""

import pytest

from routing.tasks import RESUME_TASK, TASK_INTENTS, task_intent

FALLBACK = {"name": "nlu_fallback", "confidence": 0.3}


@pytest.mark.parametrize(
    ("intent", "ranking", "expected"),
    [
        ({"name": "make_payment", "confidence": 0.9}, [], "make_payment"),
        (FALLBACK, [FALLBACK, {"name": "make_payment", "confidence": 0.3}], "make_payment"),
        (FALLBACK, [FALLBACK, {"name": "report_issue", "confidence": 0.1}], "nlu_fallback"),  # not close
        (FALLBACK, [FALLBACK, {"name": "greet", "confidence": 0.5}], "nlu_fallback"),  # not a task
        (FALLBACK, [], "nlu_fallback"),
    ],
)
def test_a_close_task_survives_a_fallback(intent, ranking, expected):
    assert task_intent(intent, ranking) == expected


def test_every_task_can_be_carried_on():
    assert set(TASK_INTENTS) <= set(RESUME_TASK)
