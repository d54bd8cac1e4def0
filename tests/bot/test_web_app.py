"""The web app on its own: health reports what is down."""

from __future__ import annotations

import asyncio
import socket
import time
from pathlib import Path

from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import event

from bot.web.app import TURN_WAIT_SECONDS, create_app
from bot.web.keys import ENGINE
from routing.catalogue import default_catalogue
from routing.contact_answers import main_phone
from tests.conftest import free_port
from wiring.settings import Settings


def _settings_with_nothing_running(tmp_path: Path) -> Settings:
    return Settings(
        rasa_port=free_port(),
        actions_port=free_port(),
        web_port=free_port(),
        host="127.0.0.1",
        var_dir=tmp_path,
        database_url=f"sqlite:///{tmp_path / 'council.db'}",
        tracker_db=tmp_path / "tracker.db",
        model_path=tmp_path / "model.tar.gz",
    )


async def test_health_is_503_and_names_what_is_down_when_rasa_is_not_running(tmp_path: Path) -> None:
    async with TestClient(TestServer(create_app(_settings_with_nothing_running(tmp_path)))) as client:
        answer = await client.get("/health")
        assert answer.status == 503
        assert await answer.json() == {"status": "unavailable", "rasa": "down", "actions": "down"}


PHONE = main_phone(default_catalogue())


def _safe(text: str) -> bool:
    return PHONE in text and "If you are in danger, call 999" in text


async def test_with_rasa_down_the_resident_gets_the_phone_number_and_999_at_once(tmp_path: Path) -> None:
    async with TestClient(TestServer(create_app(_settings_with_nothing_running(tmp_path)))) as client:
        started = time.monotonic()
        page = await client.post("/", data={"message": "hello"}, allow_redirects=False)
        assert page.status == 503 and _safe(await page.text())
        assert "chat_id" in page.cookies  # the conversation carries on once the assistant is back
        script = await client.post("/", data={"message": "hello"}, headers={"Accept": "application/json"})
        body = await script.json()
        assert script.status == 503 and body["outage"] and _safe(body["lines"][0]["text"])
        reload = await client.get("/", cookies={"chat_id": "a" * 32})
        assert _safe(await reload.text())
        assert time.monotonic() - started < 3


async def test_a_rasa_that_stopped_answering_gives_the_safe_answer_not_a_hang(tmp_path: Path) -> None:
    settings = _settings_with_nothing_running(tmp_path)
    with socket.socket() as hung:  # accepts connections, never answers (a Rasa that is stuck)
        hung.bind(("127.0.0.1", settings.rasa_port))
        hung.listen()
        async with TestClient(TestServer(create_app(settings))) as client:
            started = time.monotonic()
            answer = await client.post("/", data={"message": "hello"}, headers={"Accept": "application/json"})
            assert answer.status == 503 and _safe((await answer.json())["lines"][0]["text"])
            # The turn wait, then the health check that finds Rasa stuck (3 s at most).
            assert time.monotonic() - started < TURN_WAIT_SECONDS + 3 + 2
            # The page itself (the script shows the safe answer while a turn is slow) carries it.
            assert _safe(await (await client.get("/")).text())


async def test_a_database_that_is_away_gives_the_safe_answer_not_a_500(tmp_path: Path) -> None:
    async with TestClient(TestServer(create_app(_settings_with_nothing_running(tmp_path)))) as client:
        database = tmp_path / "council.db"
        database.rename(tmp_path / "away.db")
        # A background task may open (and so create) the file again between the two steps.
        database.unlink(missing_ok=True)
        database.mkdir()  # where the file was, something SQLite cannot open
        try:
            for accept in ("text/html", "application/json"):
                answer = await client.post("/", data={"message": "hello"}, headers={"Accept": accept})
                assert answer.status == 503 and _safe(await answer.text())
            assert _safe(await (await client.get("/chat/updates", cookies={"chat_id": "b" * 32})).text())
            api = await client.get("/api/v1/cases", headers={"Authorization": "Bearer " + "c" * 40})
            assert api.status == 503 and "try again" in (await api.json())["error"]
            staff = await client.get("/staff", cookies={"staff_session": "d" * 40})
            assert staff.status == 503 and "try again" in await staff.text()
        finally:
            database.rmdir()
            (tmp_path / "away.db").rename(database)


async def test_a_dropped_live_chat_stream_stops_asking_the_database(tmp_path: Path) -> None:
    """aiohttp 3.9 cancels the handler of a dropped connection; from 3.10 that is off by default, and
    the stream checks for itself (bot/web/live_chat.py)."""
    async with TestClient(TestServer(create_app(_settings_with_nothing_running(tmp_path)))) as client:
        queries: list[str] = []
        engine = client.server.app[ENGINE]
        listener = lambda *args: queries.append(args[2])  # noqa: E731 - the statement of each query
        event.listen(engine, "before_cursor_execute", listener)
        stream = await client.get("/chat/stream", cookies={"chat_id": "e" * 32})
        await stream.content.readany()  # the first status: the stream is running
        stream.close()  # the resident closed the tab
        await asyncio.sleep(2.5)
        settled = len(queries)
        await asyncio.sleep(3)
        event.remove(engine, "before_cursor_execute", listener)
        assert len(queries) == settled
