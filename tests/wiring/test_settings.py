"""The settings are read from the environment in one place, and a bad value is refused by name."""

from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from routing import clock
from routing.hours import ContactSchedule
from wiring.settings import (
    PROJECT_ROOT,
    SettingsError,
    channel_schedule,
    load_settings,
    new_password,
    start_clock,
)


@pytest.mark.parametrize(("name", "value"), [("RASA_PORT", "abc"), ("WEB_PORT", "70000"), ("ACTIONS_PORT", "0")])
def test_bad_ports_in_the_environment_are_refused_clearly(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError, match=name):
        load_settings()


@pytest.mark.parametrize("name", ["COUNCIL_CHANNELS_FILE", "COUNCIL_THRESHOLDS_FILE"])
def test_a_configuration_file_that_is_not_there_is_refused_by_name(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, name: str
) -> None:
    monkeypatch.setenv(name, str(tmp_path / "missing.yml"))
    with pytest.raises(SettingsError, match=name):
        load_settings()


def test_without_overrides_the_project_files_are_used(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("COUNCIL_CHANNELS_FILE", "COUNCIL_THRESHOLDS_FILE", "COUNCIL_MONITORING_DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    settings = load_settings()
    assert settings.channels_file == PROJECT_ROOT / "data" / "catalogue" / "channels.yml"
    assert settings.thresholds_file == PROJECT_ROOT / "data" / "monitoring" / "thresholds.yml"
    assert settings.monitoring_database_url == settings.database_url  # one database unless told otherwise


def test_the_channel_schedule_comes_from_the_settings_file(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("COUNCIL_CHANNELS_FILE", raising=False)
    schedule = channel_schedule()
    assert isinstance(schedule, ContactSchedule)
    assert set(schedule.channels) == {"webchat", "phone", "gateway", "emergency"}
    assert channel_schedule() is schedule  # read and checked once


def test_a_new_password_is_asked_for_unless_a_script_gives_one(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("COUNCIL_NEW_PASSWORD", raising=False)
    assert new_password() is None
    monkeypatch.setenv("COUNCIL_NEW_PASSWORD", "a strong passphrase")
    assert new_password() == "a strong passphrase"


@pytest.mark.parametrize("value", ["saturday evening", "2026-12-05T19:30:00", "2026-13-05T19:30:00+00:00"])
def test_a_clock_setting_without_a_time_and_offset_is_refused(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("COUNCIL_CLOCK", value)
    with pytest.raises(SettingsError, match="COUNCIL_CLOCK"):
        load_settings()


def test_a_set_clock_starts_at_its_time_and_runs_on(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COUNCIL_CLOCK", "2026-12-05T19:30:00+00:00")
    try:
        start_clock(load_settings())
        first = clock.now()
        assert first - datetime(2026, 12, 5, 19, 30, tzinfo=timezone.utc) < timedelta(seconds=5)
        time.sleep(0.01)
        assert clock.now() > first  # it runs on: bookings and waiting times still move
    finally:
        clock.start_at(None)


def test_without_a_clock_setting_the_clock_is_the_real_time(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("COUNCIL_CLOCK", raising=False)
    assert load_settings().clock_start is None


def test_sign_in_and_chat_limits_and_lifetimes_have_documented_defaults_and_can_be_changed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    defaults = load_settings()
    assert (defaults.session_idle_hours, defaults.session_max_hours, defaults.api_token_days) == (8, 12, 30)
    assert (defaults.sign_in_limit, defaults.chat_limit_per_chat, defaults.chat_limit_per_client) == (
        "10/minute", "30/minute", "600/minute",
    )  # fmt: skip
    assert defaults.demo_users is False  # no demo accounts unless asked for
    monkeypatch.setenv("COUNCIL_CHAT_LIMIT_PER_CLIENT", "5000/minute")
    monkeypatch.setenv("COUNCIL_API_TOKEN_DAYS", "7")
    changed = load_settings()
    assert changed.chat_limit_per_client == "5000/minute" and changed.api_token_days == 7


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("COUNCIL_CHAT_LIMIT_PER_CHAT", "lots"),
        ("COUNCIL_SIGN_IN_LIMIT", "10 a minute"),
        ("COUNCIL_SESSION_IDLE_HOURS", "0"),
        ("COUNCIL_SESSION_MAX_HOURS", "forever"),
        ("COUNCIL_API_TOKEN_DAYS", "-1"),
    ],
)
def test_bad_limits_and_lifetimes_are_refused_by_name(monkeypatch: pytest.MonkeyPatch, name: str, value: str) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError, match=name):
        load_settings()
