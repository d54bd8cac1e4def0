"""What one web process knows, the others know too: a conversation a resident cleared on a shared
device is gone on every web process, and the sign-in limit counts tries made to any of them."""

from __future__ import annotations

import secrets
import urllib.error
import urllib.request

import pytest

from tests.http import say
from tests.scaleout.conftest import ScaledAssistant

pytestmark = [pytest.mark.server, pytest.mark.postgres]


def page(url: str, chat_id: str, data: bytes | None = None) -> tuple[int, str]:
    sent = urllib.request.Request(url, data=data, headers={"Cookie": f"chat_id={chat_id}", "Accept": "text/html"})
    try:
        with urllib.request.build_opener(NoRedirects).open(sent, timeout=60) as answer:
            return answer.status, answer.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(errors="replace")


class NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


def test_a_chat_cleared_on_one_web_process_is_not_shown_by_another(scaled: ScaledAssistant) -> None:
    chat_id = secrets.token_hex(16)
    say(scaled.assistant.rasa_url, chat_id, "when is my bin day")
    assert "when is my bin day" in page(f"{scaled.web_process(2)}/", chat_id)[1]
    assert page(f"{scaled.web_process(1)}/chat/clear", chat_id, data=b"")[0] == 303  # "Clear this chat"
    status, shown = page(f"{scaled.web_process(2)}/", chat_id)
    assert status == 200 and "when is my bin day" not in shown


def test_sign_in_tries_are_counted_across_web_processes(scaled: ScaledAssistant) -> None:
    statuses = []
    for attempt in range(11):  # the limit is 10 a minute from one address; these alternate processes
        form = f"username=nobody{attempt}&password=wrong".encode()
        statuses.append(page(f"{scaled.web_process(1 + attempt % 2)}/staff/sign-in", "x" * 32, data=form)[0])
    assert 429 not in statuses[:10], statuses
    assert statuses[10] == 429, statuses
