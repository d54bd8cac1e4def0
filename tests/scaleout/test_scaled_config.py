"""The scale-out's configuration, from the settings: refused clearly when it cannot work, and the
files the launcher writes are ones Rasa and HAProxy accept."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from rasa.core.utils import AvailableEndpoints

from bot.scaled import endpoints_file, haproxy, haproxy_config, programs, secrets_environment
from wiring.settings import SettingsError, load_settings

POSTGRES = "postgresql+psycopg2://council:s3cret@db.internal:5433/council"


@pytest.fixture
def scaled_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name, value in {
        "COUNCIL_PROFILE": "scaled",
        "VAR_DIR": str(tmp_path),
        "COUNCIL_DATABASE_URL": POSTGRES,
        "COUNCIL_TRACKER_DATABASE_URL": POSTGRES + "_tracker",
        "COUNCIL_REDIS_URL": "redis://:redis-pass@cache.internal:6380/2",
        "COUNCIL_REDIS_PREFIX": "councilA",
        "COUNCIL_WEB_PROCESSES": "3",
    }.items():
        monkeypatch.setenv(name, value)


@pytest.mark.parametrize(
    ("name", "value", "says"),
    [
        ("COUNCIL_PROFILE", "huge", "COUNCIL_PROFILE"),
        ("COUNCIL_DATABASE_URL", "sqlite:////tmp/x.db", "COUNCIL_DATABASE_URL must be a postgresql URL"),
        ("COUNCIL_TRACKER_DATABASE_URL", "", "COUNCIL_TRACKER_DATABASE_URL must be set"),
        ("COUNCIL_REDIS_URL", "http://cache.internal", "COUNCIL_REDIS_URL must be a redis or rediss URL"),
        ("COUNCIL_REDIS_PREFIX", "a:b", "COUNCIL_REDIS_PREFIX"),
        ("COUNCIL_RASA_PROCESSES", "0", "COUNCIL_RASA_PROCESSES"),
    ],
)
def test_a_scale_out_that_cannot_work_is_refused_by_name(
    scaled_environment: None, monkeypatch: pytest.MonkeyPatch, name: str, value: str, says: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError, match=says):
        load_settings()


def test_the_embedded_profile_needs_none_of_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("COUNCIL_PROFILE", raising=False)
    assert load_settings().scale is None


def test_rasa_reads_the_endpoints_as_postgresql_and_redis_with_the_secrets_left_in_the_environment(
    scaled_environment: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bot.scaled import endpoints_yaml

    settings = load_settings()
    written = endpoints_yaml(settings)
    assert "s3cret" not in written and "redis-pass" not in written
    endpoints_file(settings).write_text(written)
    for name, value in {**secrets_environment(settings), "ACTION_SERVER_URL": "http://x/webhook"}.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("ACTIONS_TOKEN", "t")
    endpoints = AvailableEndpoints.read_endpoints(str(endpoints_file(settings)))
    assert endpoints.tracker_store is not None and endpoints.lock_store is not None
    tracker = endpoints.tracker_store
    assert (tracker.type, tracker.url) == ("bot.tracker_store.StreamingSQLTrackerStore", "db.internal")
    assert {k: tracker.kwargs[k] for k in ("dialect", "port", "db", "username", "password")} == {
        "dialect": "postgresql", "port": 5433, "db": "council_tracker", "username": "council", "password": "s3cret",
    }  # fmt: skip
    lock = endpoints.lock_store
    assert (lock.type, lock.url, lock.kwargs["port"], lock.kwargs["db"]) == ("redis", "cache.internal", 6380, 2)
    assert (lock.kwargs["password"], lock.kwargs["key_prefix"]) == ("redis-pass", "councilA")
    assert endpoints.event_broker is not None and endpoints.event_broker.type == "bot.outcome_broker.OutcomeBroker"


def test_haproxy_accepts_its_configuration_and_balances_every_process(scaled_environment: None, tmp_path: Path) -> None:
    settings = load_settings()
    config = tmp_path / "haproxy.cfg"
    config.write_text(haproxy_config(settings))
    checked = subprocess.run([haproxy(), "-c", "-f", str(config)], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    names = set(programs(settings))
    assert names == {"rasa-1", "rasa-2", "actions-1", "actions-2", "web-1", "web-2", "web-3", "balancer"}
    for number in (1, 2, 3):
        assert f"server web{number} 127.0.0.1:{8080 + number} check" in config.read_text()
    # Only the balancer is public: every web process listens on the internal host.
    assert all(programs(settings)[f"web-{n}"].environment["BIND_HOST"] == "127.0.0.1" for n in (1, 2, 3))
