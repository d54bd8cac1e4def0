"""The webhooks file: read once, each mistake named with where it is and how to put it right."""

from __future__ import annotations

from pathlib import Path

import pytest

from routing.webhooks import EVENT_TYPES, new_secret
from wiring.settings import SettingsError
from wiring.webhooks import load_webhook_settings, read_subscribers

GOOD = """
subscribers:
  - name: Council CRM
    url: https://crm.example.gov.uk/hooks/assistant
    secret_env: CRM_WEBHOOK_SECRET
    events: all
    council_system: true
  - name: Reporting
    url: http://bi.example.gov.uk/in
    secret_env: BI_WEBHOOK_SECRET
    events: [case.closed, report.closed]
"""


@pytest.fixture
def secrets_set(monkeypatch):
    crm, bi = new_secret(), new_secret()
    monkeypatch.setenv("CRM_WEBHOOK_SECRET", crm)
    monkeypatch.setenv("BI_WEBHOOK_SECRET", bi)
    return crm, bi


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "webhooks.yml"
    path.write_text(text)
    return path


def test_a_good_file_gives_its_subscribers_with_secrets_from_the_environment(tmp_path, secrets_set, monkeypatch):
    monkeypatch.setenv("COUNCIL_WEBHOOKS_FILE", str(write(tmp_path, GOOD)))
    settings = load_webhook_settings()
    crm, bi = settings.subscribers
    assert (crm.name, crm.events, crm.council_system, crm.secret) == ("Council CRM", EVENT_TYPES, True, secrets_set[0])
    assert (bi.name, bi.events, bi.council_system, bi.secret) == (
        "Reporting", ("case.closed", "report.closed"), False, secrets_set[1],
    )  # fmt: skip
    assert settings.keep_log_days == 30


def test_without_a_file_there_are_no_subscribers_from_one(monkeypatch):
    monkeypatch.delenv("COUNCIL_WEBHOOKS_FILE", raising=False)
    monkeypatch.setenv("COUNCIL_KEEP_WEBHOOK_LOG_DAYS", "7")
    assert load_webhook_settings().subscribers == ()
    assert load_webhook_settings().keep_log_days == 7


@pytest.mark.parametrize("days", ["0", "a week", "-3", "99999"])
def test_a_log_period_that_is_not_a_number_of_days_is_refused(monkeypatch, days):
    monkeypatch.setenv("COUNCIL_KEEP_WEBHOOK_LOG_DAYS", days)
    with pytest.raises(SettingsError, match="COUNCIL_KEEP_WEBHOOK_LOG_DAYS"):
        load_webhook_settings()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            ("events: all\n    council_system: true", "events: [case.deleted]\n    council_system: true"),
            "no event case.deleted",
        ),
        (
            ("https://crm.example.gov.uk", "https://crm.example.gov.uk:port"),
            "subscriber 1: The address must start with https://",
        ),
        (("https://crm.example.gov.uk", "http://crm.example.gov.uk"), "must use https"),
        (("council_system: true", "council_system: maybe"), "council_system must be true or false"),
        (("secret_env: CRM_WEBHOOK_SECRET", "secret_env: NOT_SET_ANYWHERE"), "NOT_SET_ANYWHERE"),
        (("secret_env: CRM_WEBHOOK_SECRET", "secret: whsec_abc"), "has no setting secret; needs secret_env"),
        (("name: Reporting", "name: Council CRM"), "Council CRM more than once"),
        (("subscribers:", "subscriber:"), "a list called 'subscribers'"),
        (("events: all", "events: [case.created"), "not valid YAML"),
    ],
)
def test_each_mistake_is_named(tmp_path, secrets_set, change, message):
    with pytest.raises(SettingsError, match=message):
        read_subscribers(write(tmp_path, GOOD.replace(*change)))


def test_a_secret_not_in_the_standard_form_is_refused(tmp_path, secrets_set, monkeypatch):
    monkeypatch.setenv("CRM_WEBHOOK_SECRET", "hunter2")
    with pytest.raises(SettingsError, match="subscriber 1: A signing secret starts with 'whsec_'"):
        read_subscribers(write(tmp_path, GOOD))


def test_a_file_that_is_not_there_is_named(tmp_path, monkeypatch):
    monkeypatch.setenv("COUNCIL_WEBHOOKS_FILE", str(tmp_path / "missing.yml"))
    with pytest.raises(SettingsError, match="missing.yml, which cannot be read"):
        load_webhook_settings()
