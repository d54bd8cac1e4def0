"""The web app on its own: health reports what is down."""

from __future__ import annotations

from pathlib import Path

from aiohttp.test_utils import TestClient, TestServer

from bot.web.app import create_app
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


async def test_chat_page_says_sorry_when_the_assistant_is_down(tmp_path: Path) -> None:
    async with TestClient(TestServer(create_app(_settings_with_nothing_running(tmp_path)))) as client:
        answer = await client.post("/", data={"message": "hello"}, allow_redirects=False)
        assert answer.status == 503
        assert "not available just now" in await answer.text()
