"""Whole conversations over real HTTP against the running assistant."""

from __future__ import annotations

import re
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar

import pytest

from routing.references import find_reference
from storage.engine import open_engine
from storage.reports import ReportStore
from tests.conftest import Assistant, start_assistant, stop_assistant_process
from tests.http import request_json, say, texts

pytestmark = pytest.mark.server


def test_health_and_hello(assistant: Assistant) -> None:
    status, body = request_json(f"{assistant.web_url}/health")
    assert (status, body["status"]) == (200, "ok")
    assert "online assistant" in texts(say(assistant.rasa_url, "hello-test", "hello"))


def test_parse_returns_intent_and_service(assistant: Assistant) -> None:
    status, parsed = request_json(assistant.rasa_api("/model/parse"), {"text": "i want to pay my council tax"})
    assert status == 200
    assert parsed["intent"]["name"] == "make_payment"
    assert {"entity": "service", "value": "council_tax"}.items() <= parsed["entities"][0].items()


def test_report_a_pothole_then_ask_about_it(assistant: Assistant) -> None:
    sender = "resident-report"
    assert "about the problem" in texts(say(assistant.rasa_url, sender, "there's a pothole on Portswood Road"))
    check = texts(say(assistant.rasa_url, sender, "about a foot wide and deep"))
    assert "Portswood Road" in check and "Shall I send it?" in check
    sent = texts(say(assistant.rasa_url, sender, "yes"))
    reference = find_reference(sent).reference
    assert reference, sent
    stored = ReportStore(open_engine(assistant.database_url)).get(reference)
    assert stored is not None and stored.service_code == "pothole" and stored.address_string == "Portswood Road"
    status = texts(say(assistant.rasa_url, "someone-else", f"any update on {reference.lower()}?"))
    assert f"Your report {reference}" in status


def test_a_wrong_report_can_be_corrected_before_it_is_sent(assistant: Assistant) -> None:
    sender = "resident-correct"
    say(assistant.rasa_url, sender, "someone has dumped rubbish")
    say(assistant.rasa_url, sender, "Bitterne Road West")
    say(assistant.rasa_url, sender, "a sofa")
    assert "ask for the place and the details again" in texts(say(assistant.rasa_url, sender, "no"))
    say(assistant.rasa_url, sender, "SO19 2JJ")
    check = texts(say(assistant.rasa_url, sender, "a sofa and two bags"))
    assert "SO19 2JJ" in check and "a sofa and two bags" in check
    assert find_reference(texts(say(assistant.rasa_url, sender, "yes"))).reference


def test_a_vague_place_is_asked_again_with_an_explanation(assistant: Assistant) -> None:
    sender = "resident-vague"
    say(assistant.rasa_url, sender, "my bin wasn't collected")
    assert "street name, a postcode, or a landmark" in texts(say(assistant.rasa_url, sender, "outside my house"))


def test_unknown_and_malformed_references_get_clear_answers(assistant: Assistant) -> None:
    assert "I cannot find SCC-ZZZZ22" in texts(say(assistant.rasa_url, "status-1", "what's happening with SCC-ZZZZ22"))
    malformed = texts(say(assistant.rasa_url, "status-2", "any update on SCC-48213?"))
    assert "does not look like one of our references" in malformed


def test_bin_day_asks_for_the_postcode(assistant: Assistant) -> None:
    assert "postcode" in texts(say(assistant.rasa_url, "bins", "when is my bin day"))
    assert "collected on" in texts(say(assistant.rasa_url, "bins", "SO17 1BJ"))


def test_two_misunderstandings_offer_a_person(assistant: Assistant) -> None:
    first = texts(say(assistant.rasa_url, "lost", "asdf ghjk"))
    assert "did not understand" in first
    second = say(assistant.rasa_url, "lost", "zzkrrp blorf")
    assert "A person can help you" in texts(second)
    assert [b["payload"] for reply in second for b in reply.get("buttons") or []] == ["/request_human"]


def test_chat_page_works_without_javascript(assistant: Assistant) -> None:
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))
    form = urllib.parse.urlencode({"message": "<script>alert(1)</script> hello"}).encode()
    with opener.open(f"{assistant.web_url}/", data=form) as page:  # follows the 303 back to the page
        html = page.read().decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt; hello" in html  # the resident's text, shown inert
    assert "<script>alert(1)" not in html
    assert re.search(r'role="log"', html) and "online assistant" in html


def test_a_restart_keeps_the_conversation(tmp_path_factory: pytest.TempPathFactory) -> None:
    var_dir = tmp_path_factory.mktemp("restart-var")
    first = start_assistant(var_dir)
    try:
        say(first.rasa_url, "restart-resident", "there's a pothole on Hill Lane")
    finally:
        stop_assistant_process(first.process)
    second = start_assistant(var_dir)
    try:
        # The form is still waiting for the description, so the next answer carries on from there.
        check = texts(say(second.rasa_url, "restart-resident", "deep and wide"))
        assert "Hill Lane" in check and "Shall I send it?" in check
    finally:
        stop_assistant_process(second.process)
