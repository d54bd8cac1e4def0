"""'What do I do?' gets the last advice again, shorter."""

from __future__ import annotations

from routing.catalogue import load_catalogue
from routing.next_steps import again_in_short, safety_steps


def test_the_numbers_and_links_of_the_last_answer_come_again() -> None:
    previous = [
        "Please do not ignore the letter. Call the council tax team on 023 8083 3003 today.",
        "Free debt advice: StepChange on 0800 138 1111.",
    ]
    [reply] = again_in_short(previous)
    assert "023 8083 3003" in reply.text and "0800 138 1111" in reply.text
    assert "ignore" not in reply.text  # only what they can act on


def test_nothing_to_repeat_when_the_last_answer_gave_nothing_to_act_on() -> None:
    assert again_in_short(["What is your postcode? For example, SO14 7LY."]) == []


def test_after_a_gas_reply_the_gas_line_comes_again() -> None:
    [reply] = safety_steps("gas_danger", load_catalogue())
    assert "0800 111 999" in reply.text
