"""Which task a message is for, even when the NLU could not place it for sure."""

import pytest

from routing.tasks import RESUME_TASK, TASK_INTENTS, asks_to_carry_on, task_intent

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


@pytest.mark.parametrize(
    ("intent", "text", "carries_on"),
    [
        ("check_status", "can you still send the pothole thing", True),
        ("report_issue", "/report_issue", True),
        ("affirm", "yes carry on", True),
        ("affirm", "yes", False),
        ("check_status", "any update on SCC-7KQ4XH", False),
        ("make_payment", "can i still pay my council tax", False),
    ],
)
def test_asking_to_carry_on_an_interrupted_report(intent: str, text: str, carries_on: bool) -> None:
    assert asks_to_carry_on(intent, text) is carries_on
