"""The scale-out's configuration, from the settings: refused clearly when it cannot work, and the
files the launcher writes are ones Rasa and HAProxy accept."""

from __future__ import annotations

import asyncio
import subprocess
from pathlib import Path

import pytest
from rasa.core.utils import AvailableEndpoints

from bot.launcher import free_port
from bot.scaled import endpoints_file, haproxy, haproxy_config, not_ready, programs, secrets_environment
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
        "COUNCIL_RABBITMQ_URL": "amqps://council%40ops:rabbit%2Fpass@mq.internal:5673/council?heartbeat=30",
        "COUNCIL_RABBITMQ_QUEUE": "council_outcomes_a",
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
        ("COUNCIL_RABBITMQ_URL", "", "COUNCIL_RABBITMQ_URL must be set"),
        ("COUNCIL_RABBITMQ_URL", "redis://mq.internal", "COUNCIL_RABBITMQ_URL must be an amqp or amqps URL"),
        ("COUNCIL_RABBITMQ_URL", "amqp://mq.internal:port/", "COUNCIL_RABBITMQ_URL must be an amqp or amqps URL"),
        ("COUNCIL_RABBITMQ_URL", "amqp:///", "COUNCIL_RABBITMQ_URL must be an amqp or amqps URL with a host"),
        ("COUNCIL_RABBITMQ_QUEUE", "amq.outcomes", "COUNCIL_RABBITMQ_QUEUE"),
        ("COUNCIL_RABBITMQ_QUEUE", "out comes", "COUNCIL_RABBITMQ_QUEUE"),
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
    assert not [secret for secret in ("s3cret", "redis-pass", "rabbit%2Fpass", "rabbit/pass") if secret in written]
    endpoints_file(settings).write_text(written)
    for name, value in {**secrets_environment(settings), "ACTION_SERVER_URL": "http://x/webhook"}.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("ACTIONS_TOKEN", "t")
    endpoints = AvailableEndpoints.read_endpoints(str(endpoints_file(settings)))
    assert endpoints.tracker_store is not None and endpoints.lock_store is not None
    tracker = endpoints.tracker_store
    # The project's SQL tracker store, which adds each event's session start for the consumer.
    assert (tracker.type, tracker.url) == ("bot.tracker_store.StreamingSQLTrackerStore", "db.internal")
    assert {k: tracker.kwargs[k] for k in ("dialect", "port", "db", "username", "password")} == {
        "dialect": "postgresql", "port": 5433, "db": "council_tracker", "username": "council", "password": "s3cret",
    }  # fmt: skip
    lock = endpoints.lock_store
    assert (lock.type, lock.url, lock.kwargs["port"], lock.kwargs["db"]) == ("redis", "cache.internal", 6380, 2)
    assert (lock.kwargs["password"], lock.kwargs["key_prefix"]) == ("redis-pass", "councilA")
    broker = endpoints.event_broker
    assert broker is not None and broker.type == "pika"
    assert broker.url == "amqps://mq.internal:5673/council?heartbeat=30"
    assert {k: broker.kwargs[k] for k in ("port", "username", "password", "queues", "exchange_name")} == {
        "port": 5673, "username": "council%40ops", "password": "rabbit%2Fpass",
        "queues": ["council_outcomes_a"], "exchange_name": "council_outcomes_a",
    }  # fmt: skip
    # A RabbitMQ blip keeps the events to send again and never stops a conversation.
    assert (broker.kwargs["raise_on_failure"], broker.kwargs["should_keep_unpublished_messages"]) == (False, True)


def test_rasas_pika_broker_connects_with_the_whole_url_and_the_password_from_the_environment(
    scaled_environment: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    from rasa.core.brokers.pika import PikaEventBroker

    from bot.scaled import endpoints_yaml

    settings = load_settings()
    endpoints_file(settings).write_text(endpoints_yaml(settings))
    for name, value in {**secrets_environment(settings), "ACTION_SERVER_URL": "x", "ACTIONS_TOKEN": "t"}.items():
        monkeypatch.setenv(name, value)
    config = AvailableEndpoints.read_endpoints(str(endpoints_file(settings))).event_broker
    assert config is not None
    broker = PikaEventBroker(config.url, **config.kwargs, event_loop=asyncio.new_event_loop())
    # The URL Rasa hands aio-pika: the user, the password, the port, the virtual host and options.
    assert broker._configure_url() == "amqps://council%40ops:rabbit%2Fpass@mq.internal:5673/council?heartbeat=30"
    assert broker.queues == ["council_outcomes_a"] and broker.exchange_name == "council_outcomes_a"


def test_haproxy_accepts_its_configuration_and_balances_every_process(scaled_environment: None, tmp_path: Path) -> None:
    settings = load_settings()
    config = tmp_path / "haproxy.cfg"
    config.write_text(haproxy_config(settings))
    checked = subprocess.run([haproxy(), "-c", "-f", str(config)], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    names = set(programs(settings))
    assert names == {"rasa-1", "rasa-2", "actions-1", "actions-2", "web-1", "web-2", "web-3", "outcomes", "balancer"}
    consumer = programs(settings)["outcomes"]
    assert consumer.command[1:] == ["-m", "bot.outcome_consumer"]
    assert consumer.environment["COUNCIL_PROCESS_NAME"] == "outcomes"  # its own outbox file
    for number in (1, 2, 3):
        assert f"server web{number} 127.0.0.1:{8080 + number} check" in config.read_text()
    # Only the balancer is public: every web process listens on the internal host.
    assert all(programs(settings)[f"web-{n}"].environment["BIND_HOST"] == "127.0.0.1" for n in (1, 2, 3))


def test_until_each_process_answers_the_scale_out_is_not_ready_and_says_which(
    scaled_environment: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Nothing listens on these ports: every process is still starting.
    for variable in ("RASA_PORT", "ACTIONS_PORT", "WEB_PORT"):
        monkeypatch.setenv(variable, str(free_port()))
    waiting = not_ready(load_settings(), rasa_token="unused")
    assert waiting == ["rasa-1", "rasa-2", "actions-1", "actions-2", "web-1", "web-2", "web-3"]
