"""One conversation, two Rasa processes: with the tracker store in PostgreSQL and the lock in Redis,
a resident whose turns land on different Rasa servers (each addressed directly here, not through the
balancer) keeps the order of their messages and where they were, a half-filled form included."""

from __future__ import annotations

import json
import urllib.request
from typing import Any

import pytest

from routing.references import find_reference
from storage.engine import open_engine
from storage.reports import ReportStore
from tests.http import say, texts
from tests.scaleout.conftest import ScaledAssistant

pytestmark = [pytest.mark.server, pytest.mark.postgres]


def tracker(scaled: ScaledAssistant, process: int, sender: str) -> dict[str, Any]:
    token = scaled.assistant.rasa_token
    url = f"{scaled.rasa_process(process)}/conversations/{sender}/tracker?token={token}"
    with urllib.request.urlopen(url, timeout=60) as answer:
        return dict(json.loads(answer.read()))


def test_a_report_whose_turns_alternate_between_two_rasa_servers_keeps_its_order_and_its_form(
    scaled: ScaledAssistant,
) -> None:
    sender = "scaled-alternating-resident"
    one, two = scaled.rasa_process(1), scaled.rasa_process(2)
    assert "where" in texts(say(one, sender, "someone has dumped rubbish")).lower()
    # The second Rasa server carries on the form the first one began: it asks for the details next.
    after_place = texts(say(two, sender, "Bitterne Road West"))
    assert "what has been dumped" in after_place, after_place
    seen_by_one = tracker(scaled, 1, sender)
    assert seen_by_one["active_loop"]["name"] == "report_form"
    assert seen_by_one["slots"]["location"] == "Bitterne Road West"
    assert seen_by_one["slots"]["requested_slot"] == "description"
    check = texts(say(one, sender, "a sofa and two bags"))
    assert "Bitterne Road West" in check and "a sofa and two bags" in check and "Shall I send it?" in check
    reference = find_reference(texts(say(two, sender, "yes"))).reference
    assert reference, "the report was not sent"
    # Each message once, in the order sent, whichever server is asked.
    for process in (1, 2):
        said = [event["text"] for event in tracker(scaled, process, sender)["events"] if event["event"] == "user"]
        assert said == ["someone has dumped rubbish", "Bitterne Road West", "a sofa and two bags", "yes"], said
    engine = open_engine(scaled.database_url)
    try:
        stored = ReportStore(engine).get(reference)
    finally:
        engine.dispose()
    assert stored is not None and stored.address_string == "Bitterne Road West"


def test_once_the_assistant_says_it_is_running_every_rasa_server_has_its_model_and_every_web_app_answers(
    scaled: ScaledAssistant,
) -> None:
    # The web app's health goes through the balancer, so one ready Rasa server would make it 200:
    # a resident whose conversation hashes to a server still loading would be refused.
    for process in (1, 2):
        status_url = f"{scaled.rasa_process(process)}/status?token={scaled.assistant.rasa_token}"
        with urllib.request.urlopen(status_url, timeout=10) as answer:
            assert json.loads(answer.read())["model_file"], f"Rasa server {process} has no model"
        with urllib.request.urlopen(f"{scaled.web_process(process)}/health", timeout=10) as answer:
            assert answer.status == 200
