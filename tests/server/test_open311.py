"""The whole assistant with an Open311 back office: a resident's report reaches the back office
(tests/open311_server.py) by itself, and what the back office's staff write about it is what the
resident hears when they ask."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Iterator

import pytest

from routing.references import find_reference
from tests.conftest import Assistant, start_assistant, stop_assistant_process
from tests.http import say, texts
from tests.open311_server import EndpointInThread, Open311Endpoint

pytestmark = pytest.mark.server


@pytest.fixture(scope="module")
def with_back_office(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Open311Endpoint, Assistant]]:
    with EndpointInThread(Open311Endpoint()) as endpoint:
        environment = {
            "COUNCIL_OPEN311_URL": endpoint.url,
            "COUNCIL_OPEN311_API_KEY": endpoint.api_key,
            "COUNCIL_OPEN311_POLL_SECONDS": "0.2",
        }
        running = start_assistant(Path(tmp_path_factory.mktemp("open311-var")), environment)
        try:
            yield endpoint, running
        finally:
            stop_assistant_process(running.process)


def test_a_report_reaches_the_back_office_and_its_status_comes_back(with_back_office) -> None:
    endpoint, assistant = with_back_office
    resident = "open311-resident"
    say(assistant.rasa_url, resident, "there's a pothole on Portswood Road")
    say(assistant.rasa_url, resident, "about a foot wide and deep")
    reference = find_reference(texts(say(assistant.rasa_url, resident, "yes"))).reference
    assert reference

    deadline = time.monotonic() + 30
    while not endpoint.with_reference(reference) and time.monotonic() < deadline:
        time.sleep(0.2)
    [stored] = endpoint.with_reference(reference)
    assert stored.form["service_code"] == "POTHOLE" and "Portswood Road" in stored.form["address_string"]
    endpoint.set_status(stored.service_request_id, "closed", "We filled the hole on 8 December.")

    status = texts(say(assistant.rasa_url, "someone-else", f"any update on {reference}?"))

    assert f"Your report {reference}" in status and "closed" in status
    assert "We filled the hole on 8 December." in status
    assert endpoint.posts() == 1
