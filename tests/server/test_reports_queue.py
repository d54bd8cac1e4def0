"""The issue's "done when", end to end through the running assistant with no back office configured:
a resident reports a pothole in the chat, a member of staff moves it on in the reports queue at
/staff, and the resident who asks about it hears the new stage and the team's note."""

from __future__ import annotations

import json
import re
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar

import pytest

from routing.references import find_reference
from tests.conftest import Assistant
from tests.databases import ADVISER, make_test_staff

pytestmark = pytest.mark.server

NOTE = "We have booked the repair for Friday 11 December."


def a_browser() -> urllib.request.OpenerDirector:
    return urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))


def chat(resident: urllib.request.OpenerDirector, assistant: Assistant, message: str) -> str:
    """Type a message on the chat page, as its script does (the answer is JSON); the replies' text."""
    sent = urllib.request.Request(
        f"{assistant.web_url}/", data=urllib.parse.urlencode({"message": message}).encode(),
        headers={"Accept": "application/json"},
    )  # fmt: skip
    answer = json.loads(resident.open(sent).read())
    return "\n".join(line["text"] for line in answer["lines"])


def field(html: str, name: str) -> str:
    found = re.search(rf'name="{name}" value="([^"]+)"', html)
    assert found, f"no {name} on the page"
    return found.group(1)


def test_a_status_change_in_the_reports_queue_is_what_the_resident_hears(assistant: Assistant) -> None:
    resident = a_browser()
    assert "about the problem" in chat(resident, assistant, "there's a pothole on Portswood Road")
    assert "Shall I send it?" in chat(resident, assistant, "about a foot wide and deep")
    reference = find_reference(chat(resident, assistant, "yes")).reference
    assert reference
    assert "work has not started yet" in chat(resident, assistant, f"any update on {reference}?")

    make_test_staff(assistant.database_url)
    staff = a_browser()
    sign_in = staff.open(f"{assistant.web_url}/staff/sign-in").read().decode()
    form = {"csrf_token": field(sign_in, "csrf_token"), "username": ADVISER[0], "password": ADVISER[1]}
    staff.open(f"{assistant.web_url}/staff/sign-in", data=urllib.parse.urlencode(form).encode())
    queue = staff.open(f"{assistant.web_url}/staff/reports").read().decode()
    assert reference in queue and "Portswood Road" in queue
    page = staff.open(f"{assistant.web_url}/staff/reports/{reference}").read().decode()
    change = {
        "csrf_token": field(page, "csrf_token"), "seen_changes": field(page, "seen_changes"),
        "stage": "in_progress", "note": NOTE,
    }  # fmt: skip
    with staff.open(
        f"{assistant.web_url}/staff/reports/{reference}/stage", data=urllib.parse.urlencode(change).encode()
    ) as saved:
        assert saved.status == 200 and "Saved." in saved.read().decode()

    heard = chat(resident, assistant, f"any update on {reference}?")
    assert f"Your report {reference}" in heard and "is being worked on now" in heard
    assert f"The team's latest note: {NOTE}" in heard
    assert "work has not started yet" not in heard
