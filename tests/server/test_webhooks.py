"""The whole assistant with webhook subscribers from a file: a report a resident makes in the
conversation (recorded by the action server) is delivered, signed, by the web app to a real
receiver, with the resident's words for the council's own case system only."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Iterator

import pytest

from routing.references import find_reference
from routing.webhooks import new_secret
from tests.conftest import Assistant, start_assistant, stop_assistant_process
from tests.http import say, texts
from tests.integrations.receiver import Receiver, ReceiverInThread

pytestmark = pytest.mark.server


@pytest.fixture(scope="module")
def with_receivers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Receiver, Receiver, Assistant]]:
    council, reporting = Receiver(secret=new_secret()), Receiver(secret=new_secret())
    var_dir = Path(tmp_path_factory.mktemp("webhooks-var"))
    hooks = var_dir / "webhooks.yml"
    hooks.write_text(
        f"subscribers:\n"
        f"  - {{name: Council CRM, url: '{council.url}', secret_env: CRM_SECRET, events: all, council_system: true}}\n"
        f"  - {{name: Reporting, url: '{reporting.url}', secret_env: BI_SECRET, events: [report.created]}}\n"
    )
    environment = {"COUNCIL_WEBHOOKS_FILE": str(hooks), "CRM_SECRET": council.secret, "BI_SECRET": reporting.secret}
    with ReceiverInThread(council), ReceiverInThread(reporting):
        running = start_assistant(var_dir, environment)
        try:
            yield council, reporting, running
        finally:
            stop_assistant_process(running.process)


def test_a_report_made_in_conversation_reaches_the_subscribers_signed(with_receivers) -> None:
    council, reporting, assistant = with_receivers
    resident = "webhook-resident"
    say(assistant.rasa_url, resident, "there's a pothole on Portswood Road")
    say(assistant.rasa_url, resident, "about a foot wide and deep")
    reference = find_reference(texts(say(assistant.rasa_url, resident, "yes"))).reference
    assert reference

    def sent_to(receiver: Receiver) -> list[dict]:
        return [r.json for r in receiver.delivered if r.json["data"]["reference"] == reference]

    deadline = time.monotonic() + 30
    while not (sent_to(council) and sent_to(reporting)) and time.monotonic() < deadline:
        time.sleep(0.2)
    [to_council], [to_reporting] = sent_to(council), sent_to(reporting)
    assert to_council["type"] == to_reporting["type"] == "report.created"
    assert to_council["data"]["resident"]["address_string"] == "Portswood Road"
    assert "foot wide" in to_council["data"]["resident"]["description"]
    assert to_reporting["data"] == {
        "reference": reference, "service_code": "pothole", "open311_code": to_reporting["data"]["open311_code"],
        "status": "open", "stage": "new",
    }  # fmt: skip
