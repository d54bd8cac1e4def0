"""The web app on its own: health reports what is down, and bad settings are refused."""

from __future__ import annotations

from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.settings import Settings, SettingsError, load_settings
from bot.web.app import create_app
from tests.conftest import free_port


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


@pytest.mark.parametrize(("name", "value"), [("RASA_PORT", "abc"), ("WEB_PORT", "70000"), ("ACTIONS_PORT", "0")])
def test_bad_ports_in_the_environment_are_refused_clearly(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError, match=name):
        load_settings()
