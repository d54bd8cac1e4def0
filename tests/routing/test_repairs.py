"""Everyday emergencies in a council home are urgent repairs, with the fastest way to get them fixed."""

from __future__ import annotations

import pytest

from routing.catalogue import load_catalogue
from routing.repairs import is_urgent_repair, urgent_repair_note


@pytest.mark.parametrize(
    ("text", "urgent"),
    [
        ("my boiler has broken, no heating or hot water and its freezing", True),
        ("boiler gone no heating no hot water and ive got a baby", True),
        ("The radiators are all cold and there is no hot water.", True),
        ("the tap under my sink is leaking theres water all over the floor", True),
        ("under the sink, water going on the floor", True),
        ("burst pipe in the bathroom", True),
        ("my front door won't lock", True),
        ("the boiler is in the kitchen cupboard, it just clicks and wont light", True),
        ("there is some mould in the bedroom", False),
        ("the kitchen cupboard door is loose", False),
        ("my bin was not collected", False),
    ],
)
def test_urgent_repairs(text: str, urgent: bool) -> None:
    assert is_urgent_repair(text) is urgent


def test_the_note_gives_the_repairs_line_and_the_out_of_hours_line() -> None:
    note = urgent_repair_note(load_catalogue()).text
    assert "023 8083 4000" in note and "023 8023 3344" in note and "24 hours" in note
    assert "?" not in note  # the report's question follows it
