"""Signing in and chatting under attack, through real HTTP on a real database: no fixed password on
a fresh install, sessions and API tokens that expire, rate limits that answer 429 politely, a
lock-out nobody can turn against an adviser, no usernames given away, and no resident chat id in
what staff and the API are shown.

Other clients are real connections from other loopback addresses (127.0.0.2, ...).
"""

from __future__ import annotations

import asyncio
import dataclasses
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, AsyncIterator, Awaitable, Callable

import aiohttp
import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy.engine import make_url

from bot.launcher import _demo_users
from bot.web.app import create_app
from bot.web.chat_session import CHAT_COOKIE
from routing.handoffs import NewHandoff
from routing.hours import load_schedule
from storage.engine import open_engine
from storage.handoffs import HandoffStore
from storage.schema import ASSISTANT, migrate
from storage.staff import StaffAccounts, StaffSessions
from tests.bot.test_staff_inbox import csrf, sign_in
from tests.conftest import free_port
from tests.databases import ADVISER, add_test_staff
from wiring.settings import Settings

README_PASSWORDS = (("asha", "asha-demo-password"), ("morgan", "morgan-demo-password"))
WRONG = "That username and password do not match."
Client = Callable[..., Awaitable[TestClient]]


@pytest.fixture
async def web(engine: Any, tmp_path: Path) -> AsyncIterator[Client]:
    """Start the web app (Rasa is not running) with these settings; clients from any loopback address."""
    add_test_staff(engine)
    opened: list[TestClient] = []
    servers: dict[str, TestServer] = {}

    async def client(address: str = "127.0.0.1", **settings: Any) -> TestClient:
        key = repr(sorted(settings.items()))
        if key not in servers:
            base = Settings(
                rasa_port=free_port(), actions_port=free_port(), web_port=free_port(), host="127.0.0.1",
                var_dir=tmp_path, database_url=make_url(engine.url).render_as_string(hide_password=False),
                tracker_db=tmp_path / "tracker.db", model_path=tmp_path / "model.tar.gz",
            )  # fmt: skip
            servers[key] = TestServer(create_app(dataclasses.replace(base, **settings)))
            await servers[key].start_server()
        connector = aiohttp.TCPConnector(local_addr=(address, 0))
        opened.append(TestClient(servers[key], connector=connector))
        await opened[-1].start_server()
        return opened[-1]

    yield client
    for each in opened:
        await each.close()
    for server in servers.values():
        await server.close()


async def try_sign_in(client: TestClient, username: str, password: str) -> aiohttp.ClientResponse:
    page = await client.get("/staff/sign-in")
    form = {"csrf_token": csrf(await page.text()), "username": username, "password": password}
    return await client.post("/staff/sign-in", data=form, allow_redirects=False)


# --- no fixed password ---------------------------------------------------------------------------


def first_start(tmp_path: Path, demo: bool, capsys: Any) -> tuple[str, Any]:
    url = f"sqlite:///{tmp_path / 'council.db'}"
    engine = open_engine(url)
    migrate(engine, ASSISTANT)
    settings = Settings(
        rasa_port=1, actions_port=2, web_port=3, host="127.0.0.1", var_dir=tmp_path, database_url=url,
        tracker_db=tmp_path / "tracker.db", model_path=tmp_path / "model.tar.gz", demo_users=demo,
    )  # fmt: skip
    reminder = _demo_users(settings)
    printed = capsys.readouterr().out
    assert bool(reminder) == bool(printed)
    return printed, engine


@pytest.mark.parametrize("demo", [False, True])
def test_a_fresh_install_has_no_fixed_password_and_prints_a_random_one_once(
    tmp_path: Path, demo: bool, capsys: Any
) -> None:
    note, engine = first_start(tmp_path / "one", demo, capsys)
    accounts = StaffAccounts(engine)
    for username, password in README_PASSWORDS:
        with pytest.raises(Exception, match="do not match"):
            accounts.sign_in(username, password)
    logins = note.split("shown only this once: ")[1].split("\n")[0]
    names = ["asha", "morgan"] if demo else ["admin"]
    printed = [login.split(" (")[0].split(" / ") for login in logins.split(", ")]
    assert [name for name, _ in printed] == names
    for name, password in printed:
        assert len(password) >= 16 and accounts.sign_in(name, password).username == name
    assert any(accounts.get(name).is_manager for name in names)
    again, _ = first_start(tmp_path / "one", demo, capsys)
    assert again == ""  # the next start prints nothing: the password was shown once
    other, _ = first_start(tmp_path / "two", demo, capsys)
    assert other.split("shown only this once: ")[1] != note.split("shown only this once: ")[1]


# --- same answer for unknown names, and no lock-out against an adviser -----------------------------


async def test_an_unknown_name_and_a_wrong_password_get_the_same_page(web: Client) -> None:
    client = await web()
    unknown = await try_sign_in(client, "nobody-here", "a wrong password")
    wrong = await try_sign_in(client, ADVISER[0], "a wrong password")
    assert unknown.status == wrong.status == 401
    unknown_text, wrong_text = await unknown.text(), await wrong.text()
    assert WRONG in unknown_text and WRONG in wrong_text
    assert unknown_text.replace("nobody-here", ADVISER[0]) == wrong_text


async def test_guessing_from_elsewhere_cannot_keep_an_adviser_out(web: Client) -> None:
    attacker = await web("127.0.0.2")
    answers = [(await try_sign_in(attacker, ADVISER[0], f"guess number {n}")).status for n in range(8)]
    assert answers[:5] == [401] * 5 and answers[5:] == [429] * 3  # the guesser is slowed...
    refused = await try_sign_in(attacker, ADVISER[0], ADVISER[1])
    assert refused.status == 429 and "too many tries" in await refused.text()  # ...even with the password
    adviser = await web("127.0.0.1")
    arrived = await try_sign_in(adviser, ADVISER[0], ADVISER[1])
    assert arrived.status == 303  # ...but the adviser, at their own computer, signs in


async def test_being_slowed_does_not_reveal_which_usernames_exist(web: Client) -> None:
    attacker = await web("127.0.0.3")
    for username in (ADVISER[0], "nobody-here"):
        for n in range(5):
            assert (await try_sign_in(attacker, username, f"guess {n}")).status == 401
    real, unknown = await try_sign_in(attacker, ADVISER[0], "x"), await try_sign_in(attacker, "nobody-here", "x")
    assert real.status == unknown.status == 429
    assert (await real.text()).replace(ADVISER[0], "nobody-here") == await unknown.text()


async def test_sign_in_tries_from_one_address_are_limited_with_a_polite_429(web: Client) -> None:
    client = await web("127.0.0.4")
    statuses = [(await try_sign_in(client, f"someone{n}", "a wrong password")).status for n in range(11)]
    assert statuses == [401] * 10 + [429]
    limited = await try_sign_in(client, ADVISER[0], ADVISER[1])
    assert limited.status == 429 and int(limited.headers["Retry-After"]) > 0
    text = await limited.text()
    assert "Please wait a minute, then try again." in text and "Traceback" not in text
    json_caller = await client.post("/staff/sign-in", headers={"Accept": "application/json"})
    assert json_caller.status == 429 and "error" in await json_caller.json()
    elsewhere = await web("127.0.0.5")
    assert (await try_sign_in(elsewhere, ADVISER[0], ADVISER[1])).status == 303


async def test_password_checks_run_off_the_event_loop(web: Client) -> None:
    # Argon2 takes tens of milliseconds a check: on the event loop, a burst of sign-ins would hold
    # up every chat. In a thread, a page asked for during the burst is served during it.
    client = await web(sign_in_limit="1000/minute", sign_in_failures_per_client="1000/minute")
    page = await client.get("/staff/sign-in")
    form = {"csrf_token": csrf(await page.text()), "username": ADVISER[0], "password": "wrong"}
    finished: list[str] = []

    async def post(n: int) -> None:
        await client.post("/staff/sign-in", data=dict(form, username=f"user{n}"))
        finished.append("sign-in")

    async def look() -> None:
        await asyncio.sleep(0.05)
        await client.get("/staff/sign-in")
        finished.append("page")

    await asyncio.gather(*(post(n) for n in range(12)), look())
    assert finished.index("page") < len(finished) - 1, finished


# --- expiry -------------------------------------------------------------------------------------


async def test_an_ended_session_gets_a_clear_401_and_the_sign_in_form(web: Client, set_clock: Any) -> None:
    client = await web()
    set_clock(datetime(2026, 12, 1, 9, 0, tzinfo=timezone.utc))
    await sign_in(client)
    assert (await client.get("/staff")).status == 200
    set_clock(datetime(2026, 12, 1, 17, 1, tzinfo=timezone.utc))  # 8 hours without a request
    api = await client.get("/api/v1/cases")
    assert api.status == 401 and "session ended" in (await api.json())["error"]
    page = await client.get("/staff", allow_redirects=False)
    assert page.status == 401
    text = await page.text()
    assert "signed out because the session ended" in text and 'name="password"' in text


async def test_an_expired_api_token_gets_a_clear_401(web: Client, engine: Any) -> None:
    client = await web()
    sessions = StaffSessions(engine, StaffAccounts(engine))
    old = sessions.new_api_token(ADVISER[0], now=datetime.now(timezone.utc) - timedelta(days=31))
    fresh = sessions.new_api_token(ADVISER[0])
    answer = await client.get("/api/v1/cases", headers={"Authorization": f"Bearer {old}"})
    assert answer.status == 401 and "expired" in (await answer.json())["error"]
    assert (await client.get("/api/v1/cases", headers={"Authorization": f"Bearer {fresh}"})).status == 200
    short = await web(api_token_days=1.0)
    weekday = sessions.new_api_token(ADVISER[0], now=datetime.now(timezone.utc) - timedelta(days=2))
    assert (await short.get("/api/v1/cases", headers={"Authorization": f"Bearer {weekday}"})).status == 401


# --- chat rate limits ---------------------------------------------------------------------------


async def test_one_chat_sending_too_fast_gets_a_polite_429_not_an_error(web: Client) -> None:
    client = await web("127.0.0.6", chat_limit_per_chat="3/minute")
    client.session.cookie_jar.update_cookies({CHAT_COOKIE: "a" * 32})
    json_answers = [await client.post("/", data={"message": "hello"}, headers={"Accept": "application/json"})]
    json_answers += [await client.post("/", data={"message": "hello"}, headers={"Accept": "application/json"})]
    assert all(answer.status == 503 for answer in json_answers)  # Rasa is not running in this test
    page = await client.post("/", data={"message": "hello"}, allow_redirects=False)
    assert page.status == 503
    limited = await client.post("/", data={"message": "hello"}, headers={"Accept": "application/json"})
    assert limited.status == 429 and "Please wait a minute" in (await limited.json())["error"]
    html = await client.post("/", data={"message": "hello"})
    text = await html.text()
    assert html.status == 429 and "Retry-After" in html.headers
    assert "sent a lot of messages very quickly" in text and "call 999" in text and "Traceback" not in text
    other_chat = await web("127.0.0.6", chat_limit_per_chat="3/minute")
    other_chat.session.cookie_jar.update_cookies({CHAT_COOKIE: "b" * 32})
    assert (await other_chat.post("/", data={"message": "hello"})).status == 503  # served (Rasa is down)


async def test_one_address_sending_for_many_chats_is_limited_too(web: Client) -> None:
    statuses = []
    for n in range(6):
        client = await web("127.0.0.7", chat_limit_per_client="5/minute")
        client.session.cookie_jar.update_cookies({CHAT_COOKIE: f"{n:032d}"})
        statuses.append((await client.post("/", data={"message": "hi"}, headers={"Accept": "application/json"})).status)
    assert statuses == [503] * 5 + [429]
    elsewhere = await web("127.0.0.8", chat_limit_per_client="5/minute")
    assert (await elsewhere.post("/", data={"message": "hi"})).status == 503


# --- what staff and API callers are shown --------------------------------------------------------


def live_chat_case(engine: Any, chat_id: str) -> str:
    """A resident waiting for a live chat in conversation ``chat_id``; the case's reference."""
    new = NewHandoff(
        channel="webchat", mode="live", trigger="asked", service_code="missed_bin", conversation_id=chat_id,
        summary={"wanted": "Report a missed bin"}, transcript=[{"who": "resident", "text": "my bin"}], needs=[],
    )  # fmt: skip
    return HandoffStore(engine, load_schedule()).create(new).reference


async def test_the_api_and_staff_pages_never_show_the_residents_chat_id(web: Client, engine: Any) -> None:
    chat_id = "residentchat0123456789abcdef"
    reference = live_chat_case(engine, chat_id)
    client = await web()
    token = StaffSessions(engine, StaffAccounts(engine)).new_api_token(ADVISER[0])
    bearer = {"Authorization": f"Bearer {token}"}
    answers = [
        await client.get("/api/v1/cases?status=queued,claimed", headers=bearer),
        await client.get(f"/api/v1/cases/{reference}", headers=bearer),
        await client.post(f"/api/v1/cases/{reference}/claim", headers=bearer),
        await client.get("/api/v1/openapi.yaml"),
    ]
    assert [answer.status for answer in answers] == [200, 200, 200, 200]
    for answer in answers:
        body = await answer.text()
        assert chat_id not in body and "conversation_id" not in body
    assert (await answers[1].json())["reference"] == reference
    await sign_in(client)
    for path in ("/staff", f"/staff/cases/{reference}", f"/staff/live/{reference}"):
        assert chat_id not in await (await client.get(path)).text()


async def test_residents_see_the_advisers_first_name_not_their_login(web: Client, engine: Any) -> None:
    chat_id = "residentchat9876543210fedcba"
    reference = live_chat_case(engine, chat_id)
    StaffAccounts(engine).add("apatel", "a long enough password", "staff", "Asha Patel")
    adviser = await web()
    token = await sign_in(adviser, ("apatel", "a long enough password"))
    await adviser.post(f"/staff/cases/{reference}/claim", data={"csrf_token": token})
    await adviser.post(f"/staff/live/{reference}/send", data={"csrf_token": token, "message": "Hello, I can help"})
    resident = await web("127.0.0.9")
    resident.session.cookie_jar.update_cookies({CHAT_COOKIE: chat_id})
    update = await (await resident.get("/chat/updates")).json()
    assert update["status"] == {"state": "with_adviser", "adviser": "Asha"}
    assert [(m["author"], m["text"]) for m in update["messages"]] == [("Asha", "Hello, I can help")]
    assert "apatel" not in str(update)
