"""A fresh install, as ``make run`` starts it: no fixed password signs in; the one printed once does."""

from __future__ import annotations

import re
import urllib.error
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar

import pytest

from tests.conftest import Assistant

pytestmark = pytest.mark.server

README_PASSWORDS = (("asha", "asha-demo-password"), ("morgan", "morgan-demo-password"), ("admin", "admin"))


def sign_in(web_url: str, username: str, password: str) -> tuple[int, urllib.request.OpenerDirector]:
    browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))
    page = browser.open(f"{web_url}/staff/sign-in").read().decode()
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    form = {"csrf_token": token, "username": username, "password": password, "next": "/dashboard"}
    try:
        with browser.open(f"{web_url}/staff/sign-in", data=urllib.parse.urlencode(form).encode()) as answer:
            return answer.status, browser
    except urllib.error.HTTPError as refused:
        return refused.code, browser


def test_no_fixed_password_signs_in_and_the_printed_one_does(assistant: Assistant) -> None:
    for username, password in README_PASSWORDS:
        assert sign_in(assistant.web_url, username, password)[0] == 401, username
    printed = (assistant.var_dir / "launcher.log").read_text()
    found = re.search(r"shown only this once: admin / (\S+) \(manager\)", printed)
    assert found, printed[-2000:]
    status, browser = sign_in(assistant.web_url, "admin", found.group(1))
    assert status == 200  # followed to the dashboard: the first account is a manager
    assert browser.open(f"{assistant.web_url}/dashboard").status == 200
