"""The resident journeys' pure parts: loading the scripts, the goal checks and the counting (no assistant)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from evaluation.journey_checks import (
    BotMessage,
    Journey,
    JourneyFormatError,
    Turn,
    bot_messages,
    failed_check,
    load_journeys,
    message_budget,
    parse_journeys,
    read_yaml,
    score,
    summarise,
    third_time_questions,
)
from evaluation.journeys import CHANNELS, CLOCKS, JOURNEYS
from routing.hours import load_schedule

ROOT = Path(__file__).resolve().parents[2]
FALLBACK = "Sorry, I did not understand that. Could you say it another way?"
REFERENCE_ASKED = "what is your reference?"
REFERENCE_QUESTION = "What is your reference? It starts with SCC- and has 6 letters and numbers after it."


def turn(said: str, *texts: str, buttons: tuple[str, ...] = ()) -> Turn:
    return Turn(said=said, replies=tuple(BotMessage(text=text, buttons=buttons) for text in texts))


def journey(goal: dict[str, object], turns: int = 2) -> Journey:
    return Journey(id="j", who="a resident", hours="in", turns=tuple(f"m{i}" for i in range(turns)), goal=goal)


CONVERSATION = [
    turn("whats the number", "Call us on 023 8083 3000.", "Which would you like?", buttons=("Webchat",)),
    turn("any update on SCC-7KQ4XH", "I cannot find SCC-7KQ4XH. Your new reference is SCC-ABC234."),
]


@pytest.mark.parametrize(
    ("goal", "failure"),
    [
        ({"any_reply_contains": ["023 8083 3000"]}, ""),
        ({"any_reply_contains": ["02380833000"]}, ""),  # a number matches without its spaces
        ({"any_reply_contains": ["CALL US"]}, ""),  # case does not matter
        ({"any_reply_contains": ["0800 111 999"]}, "any_reply_contains"),
        ({"any_reply_contains_any": ["live chat", "webchat"]}, ""),  # button titles are read too
        ({"any_reply_contains_any": ["live chat", "ombudsman"]}, "any_reply_contains_any"),
        ({"any_reply_contains_any": [["call us"], ["ombudsman", "stage 1"]]}, "any_reply_contains_any"),
        ({"any_reply_contains_any": [["call us"], ["webchat", "stage 1"]]}, ""),
        ({"never_contains": ["samaritans"]}, ""),
        ({"never_contains": ["cannot find"]}, "never_contains"),
        ({"reference_given": True}, ""),
        ({"turn_contains_any": {1: ["023 8083 3000"]}}, ""),
        ({"turn_contains_any": {2: ["023 8083 3000"]}}, "turn_contains_any"),
        ({"turn_contains_any": {5: ["anything"]}}, "turn_contains_any"),  # a turn that never happened
        ({"asked_at_most": {"which": 1}}, ""),
        ({"asked_at_most": {"which": 0}}, "asked_at_most"),
        ({"no_fallback": True}, ""),
    ],
)
def test_goal_checks(goal: dict[str, object], failure: str) -> None:
    assert failed_check(journey(goal), CONVERSATION).split(":")[0] == failure


@pytest.mark.parametrize(
    ("turns", "failure"),
    [
        ([turn("SCC-ABC234 any news", "SCC-ABC234 is open.")], "reference_given"),  # only the one they typed
        ([turn("pothole", "Your reference is scc-abc234.")], ""),
        ([turn("pothole", "Reference SCC-ABC1L0.")], "reference_given"),  # 1, L and 0 are not in the alphabet
    ],
)
def test_reference_given_ignores_what_the_resident_typed(turns: list[Turn], failure: str) -> None:
    assert failed_check(journey({"reference_given": True}, 1), turns).split(":")[0] == failure


def test_first_failed_check_is_reported_and_fallbacks_counted() -> None:
    turns = [turn("hello", FALLBACK), turn("what", "Sorry, I am still not understanding.")]
    result = score(journey({"any_reply_contains": ["a number"], "no_fallback": True}), turns)
    assert not result.reached_goal
    assert result.first_failed_check.startswith("any_reply_contains")
    assert result.fallback_turns == 2
    assert failed_check(journey({"no_fallback": True}), turns) == "no_fallback: the reply to turn 1 was a fallback"


@pytest.mark.parametrize(
    ("texts", "third_time"),
    [
        ([REFERENCE_QUESTION] * 2, []),
        ([REFERENCE_QUESTION] * 3, ["what is your reference?"]),
        (["What is your reference?", "what is  your reference?", "WHAT is your reference?"], [REFERENCE_ASKED]),
        (["Where is it?", "What is your reference?", "Where is it?"], []),
        (["Sorry. Where is it?", "Where is it? Give a street.", "I could not tell. Where is it?"], ["where is it?"]),
    ],
)
def test_questions_asked_a_third_time(texts: list[str], third_time: list[str]) -> None:
    assert third_time_questions([turn(f"m{i}", text) for i, text in enumerate(texts)]) == third_time


def test_a_question_repeated_inside_one_turn_counts_once() -> None:
    turns = [turn("a", REFERENCE_QUESTION, REFERENCE_QUESTION), turn("b", REFERENCE_QUESTION)]
    assert third_time_questions(turns) == []


@pytest.mark.parametrize(
    ("texts", "budget", "over"),
    [
        (["one", "two", "three"], 3, 0),
        (["one", "two", "three", "four"], 3, 1),
        (["Call 999 now.", "two", "three", "four"], 4, 0),
        (["Call 999 now.", "two", "three", "four", "five"], 4, 1),
        (["Call 0999 123.", "two", "three", "four"], 3, 1),  # 999 inside another number is not 999
    ],
)
def test_message_budget(texts: list[str], budget: int, over: int) -> None:
    played = turn("m", *texts)
    assert message_budget(played) == budget
    result = score(journey({"no_fallback": True}, 1), [played])
    assert result.turns_over_budget == over
    assert result.max_messages == len(texts)
    assert result.longest_turn_words == sum(len(text.split()) for text in texts)


def test_summary_shares_and_targets() -> None:
    good = score(journey({"no_fallback": True}), [turn("a", "Hello."), turn("b", "Done.")])
    bad = score(journey({"no_fallback": True}), [turn("a", FALLBACK), turn("b", *["x"] * 5)])
    summary = summarise([good, bad])
    assert (summary.journeys, summary.reached_goal, summary.goal_share) == (2, 1, 0.5)
    assert (summary.bot_turns, summary.fallback_turns, summary.fallback_share) == (4, 1, 0.25)
    assert (summary.max_messages_per_turn, summary.turns_over_budget) == (5, 1)
    assert summary.failing == [("j", "no_fallback: the reply to turn 1 was a fallback")]
    assert len(summary.targets_missed) == 3
    assert summarise([good]).targets_missed == []


def test_rest_replies_become_bot_messages() -> None:
    replies = [{"text": "Which?", "buttons": [{"title": "Phone", "payload": "/x"}]}, {"image": "a.png"}]
    assert bot_messages(replies) == (BotMessage("Which?", ("Phone",)), BotMessage(""))


def test_yes_and_no_in_a_script_stay_words() -> None:
    text = "journeys:\n- id: a\n  who: b\n  hours: in\n  turns: [yes, no, ok, 'on']\n  goal: {no_fallback: true}"
    document = read_yaml(text)
    (loaded,) = parse_journeys(document)
    assert loaded.turns == ("yes", "no", "ok", "on")
    assert loaded.goal == {"no_fallback": True}


@pytest.mark.parametrize(
    ("entry", "problem"),
    [
        ({"id": "a", "who": "b", "hours": "night", "turns": ["hi"], "goal": {"no_fallback": True}}, "hours"),
        ({"id": "a", "who": "b", "hours": "in", "turns": ["hi"], "goal": {"says_hello": True}}, "unknown goal"),
        ({"id": "a", "hours": "in", "turns": ["hi"], "goal": {"no_fallback": True}}, "needs id"),
        ({"id": "a", "who": "b", "hours": "in", "turns": [12], "goal": {"no_fallback": True}}, "text"),
    ],
)
def test_badly_formed_journeys_are_refused(entry: dict[str, object], problem: str) -> None:
    with pytest.raises(JourneyFormatError, match=problem):
        parse_journeys({"journeys": [entry]})


def test_the_suite_loads_and_covers_both_hours() -> None:
    journeys = load_journeys(JOURNEYS)
    assert len(journeys) >= 40
    assert {j.hours for j in journeys} == {"in", "out"}
    assert all(j.turns and j.goal for j in journeys)


@pytest.mark.parametrize(("hours", "open_expected"), [("in", True), ("out", False)])
def test_the_journeys_clock_is_in_and_out_of_the_councils_real_hours(hours: str, open_expected: bool) -> None:
    schedule = load_schedule(CHANNELS)
    moment = datetime.fromisoformat(CLOCKS[hours])
    for channel in ("phone", "webchat", "gateway"):
        assert schedule.is_open(channel, moment) is open_expected, channel
