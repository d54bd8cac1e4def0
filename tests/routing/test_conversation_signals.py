"""Signs, read from the conversation itself, that a resident is struggling and should be offered a person."""

import pytest

from routing.conversation_signals import SIGNALS, Turn, new_signals, signals

FALLBACK = Turn("nlu_fallback")
GREET = Turn("greet")
REPORT = Turn("report_issue")
PAY = Turn("make_payment")
ASK_HUMAN = Turn("request_human")
YES_TO_LOCATION = Turn("affirm", asked_for="location")
NO_TO_DESCRIPTION = Turn("deny", asked_for="description")
NO_TO_CONFIRM = Turn("deny", asked_for="report_confirmed")
YES_TO_CONFIRM = Turn("affirm", asked_for="report_confirmed")
ANGRY = Turn("report_issue", frustrated=True)


@pytest.mark.parametrize(
    ("turns", "signal", "raises"),
    [
        ([FALLBACK, FALLBACK], "repeated_misunderstanding", "frustration"),
        ([GREET, FALLBACK, FALLBACK, REPORT], "repeated_misunderstanding", "frustration"),
        ([REPORT, REPORT, REPORT], "repeated_request", "mental_health_cognitive"),
        ([PAY, GREET, PAY, FALLBACK, PAY], "repeated_request", "mental_health_cognitive"),
        ([REPORT, YES_TO_LOCATION, NO_TO_DESCRIPTION], "yes_no_echo", "mental_health_cognitive"),
        ([REPORT, NO_TO_CONFIRM, NO_TO_CONFIRM], "contradictory_answers", "mental_health_cognitive"),
        ([ASK_HUMAN, GREET, ASK_HUMAN], "repeated_ask_for_person", "frustration"),
        ([ANGRY], "frustrated_words", "frustration"),
    ],
)
def test_a_struggling_conversation_shows_the_signal(turns, signal, raises):
    assert signal in signals(turns)
    assert SIGNALS[signal] == raises


@pytest.mark.parametrize(
    ("turns", "signal"),
    [
        ([FALLBACK], "repeated_misunderstanding"),
        ([FALLBACK, GREET, FALLBACK], "repeated_misunderstanding"),  # not in a row
        ([REPORT, REPORT], "repeated_request"),
        ([REPORT, PAY, Turn("apply_for_service")], "repeated_request"),  # three different tasks
        (
            [REPORT, Turn("report_issue", asked_for="location"), Turn("report_issue", asked_for="description")],
            "repeated_request",
        ),  # answering the form's questions is not asking again
        ([REPORT, YES_TO_LOCATION], "yes_no_echo"),
        ([REPORT, YES_TO_CONFIRM, NO_TO_CONFIRM], "yes_no_echo"),  # yes/no is the right answer there
        ([REPORT, NO_TO_CONFIRM], "contradictory_answers"),
        ([REPORT, NO_TO_CONFIRM, YES_TO_CONFIRM], "contradictory_answers"),
        ([ASK_HUMAN], "repeated_ask_for_person"),
        ([REPORT], "frustrated_words"),
    ],
)
def test_once_is_not_a_signal(turns, signal):
    assert signal not in signals(turns)


@pytest.mark.parametrize(
    "turns",
    [
        [],
        [GREET],
        [GREET, REPORT, Turn("inform", asked_for="service"), Turn("inform", asked_for="location"), YES_TO_CONFIRM],
        [PAY, Turn("inform", asked_for="service"), Turn("thank"), Turn("goodbye")],
        [Turn("get_information"), FALLBACK, Turn("get_information"), Turn("check_status")],
    ],
)
def test_an_ordinary_conversation_shows_no_signal(turns):
    assert signals(turns) == set()


@pytest.mark.parametrize(
    ("turns", "new"),
    [
        ([FALLBACK], set()),
        ([FALLBACK, FALLBACK], {"repeated_misunderstanding"}),
        ([FALLBACK, FALLBACK, FALLBACK], set()),  # already there: not reported again
        ([REPORT, REPORT, REPORT], {"repeated_request"}),
        ([ASK_HUMAN, FALLBACK, FALLBACK, ASK_HUMAN], {"repeated_ask_for_person"}),
        ([ANGRY, GREET], set()),
        ([FALLBACK, Turn("nlu_fallback", frustrated=True)], {"repeated_misunderstanding", "frustrated_words"}),
    ],
)
def test_new_signals_reports_only_what_the_last_turn_added(turns, new):
    assert new_signals(turns) == new
