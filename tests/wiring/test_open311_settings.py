"""The Open311 connector's settings: off by default, from the environment or a file, checked once,
and the API key from the environment only."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest

from wiring.open311 import Open311Settings, load_open311_settings
from wiring.settings import SettingsError


def test_with_nothing_set_the_connector_is_off():
    settings = load_open311_settings({})
    assert settings == Open311Settings() and not settings.enabled


def test_the_environment_sets_the_endpoint_key_and_limits():
    settings = load_open311_settings(
        {
            "COUNCIL_OPEN311_URL": "https://311.example.gov.uk/open311/v2",
            "COUNCIL_OPEN311_API_KEY": "secret",
            "COUNCIL_OPEN311_JURISDICTION_ID": "southampton.gov.uk",
            "COUNCIL_OPEN311_RETRY_SECONDS": "10",
            "COUNCIL_OPEN311_MAX_ATTEMPTS": "20",
            "COUNCIL_OPEN311_SEND_FROM": "2026-12-01T00:00:00Z",
        }
    )
    assert settings.enabled and settings.url == "https://311.example.gov.uk/open311/v2/"
    assert (settings.api_key, settings.jurisdiction_id) == ("secret", "southampton.gov.uk")
    assert (settings.retry_seconds, settings.max_attempts) == (10, 20)
    assert settings.send_from == datetime(2026, 12, 1, tzinfo=timezone.utc)


def test_a_file_gives_the_settings_and_the_environment_wins(tmp_path: Path):
    file = tmp_path / "open311.yml"
    file.write_text("url: https://311.example.gov.uk/v2/\njurisdiction_id: from-the-file\ntimeout_seconds: 4\n")
    settings = load_open311_settings(
        {"COUNCIL_OPEN311_FILE": str(file), "COUNCIL_OPEN311_JURISDICTION_ID": "from-the-environment"}
    )
    assert settings.url == "https://311.example.gov.uk/v2/" and settings.timeout_seconds == 4
    assert settings.jurisdiction_id == "from-the-environment"


def test_an_api_key_in_the_file_is_refused(tmp_path: Path):
    file = tmp_path / "open311.yml"
    file.write_text("url: https://311.example.gov.uk/v2/\napi_key: oops\n")
    with pytest.raises(SettingsError, match="must not hold the API key"):
        load_open311_settings({"COUNCIL_OPEN311_FILE": str(file)})


@pytest.mark.parametrize(
    ("name", "value", "said"),
    [
        ("COUNCIL_OPEN311_URL", "http://311.example.gov.uk/v2/", "must use https"),
        ("COUNCIL_OPEN311_URL", "ftp://311.example.gov.uk/", "http or https URL"),
        ("COUNCIL_OPEN311_TIMEOUT_SECONDS", "0", "more than 0"),
        ("COUNCIL_OPEN311_TIMEOUT_SECONDS", "nan", "more than 0"),  # else every lease would be NaN
        ("COUNCIL_OPEN311_RETRY_SECONDS", "inf", "at most"),
        ("COUNCIL_OPEN311_MAX_ATTEMPTS", "2.5", "whole number"),
        ("COUNCIL_OPEN311_RETRY_CAP_SECONDS", "lots", "must be a number"),
        ("COUNCIL_OPEN311_SEND_FROM", "2026-12-01T00:00:00", "offset from UTC"),
    ],
)
def test_values_the_connector_cannot_use_are_refused_with_the_setting_named(name, value, said):
    with pytest.raises(SettingsError, match=said) as refused:
        load_open311_settings({"COUNCIL_OPEN311_URL": "https://311.example.gov.uk/", name: value})
    assert name in str(refused.value)


def test_plain_http_is_allowed_on_this_machine_only():
    assert load_open311_settings({"COUNCIL_OPEN311_URL": "http://127.0.0.1:9311/v2"}).url == "http://127.0.0.1:9311/v2/"
