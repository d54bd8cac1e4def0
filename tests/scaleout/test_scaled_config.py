"""The scale-out's configuration, from the settings: refused clearly when it cannot work, and the
files the launcher writes are ones Rasa and HAProxy accept."""

from __future__ import annotations

import asyncio
import subprocess
import time
import urllib.request
from pathlib import Path
from typing import Callable

import pytest
from rasa.core.utils import AvailableEndpoints

from bot.launcher import free_port
from bot.scaled import (
    RASA_PROCESS_HEADER,
    endpoints_file,
    haproxy,
    haproxy_config,
    not_ready,
    programs,
    secrets_environment,
)
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
    monkeypatch.setenv("COUNCIL_PROCESS_NAME", "rasa-2")
    endpoints = AvailableEndpoints.read_endpoints(str(endpoints_file(settings)))
    assert endpoints.tracker_store is not None and endpoints.lock_store is not None
    # Each Rasa process names itself on its action calls, for the balancer to pair it with one server.
    assert endpoints.action is not None and endpoints.action.headers == {RASA_PROCESS_HEADER: "rasa-2"}
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
    process = {"ACTION_SERVER_URL": "x", "ACTIONS_TOKEN": "t", "COUNCIL_PROCESS_NAME": "rasa-1"}
    for name, value in {**secrets_environment(settings), **process}.items():
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


def test_each_rasa_process_calls_an_action_server_of_its_own_and_another_while_that_one_is_down(
    scaled_environment: None, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Through the real HAProxy: rasa-1's calls reach actions-1 and rasa-2's actions-2, every time
    (the action server then holds what that process sent before); with actions-1 stopped, rasa-1's
    calls are answered by actions-2."""
    ports = [free_port() for _ in range(3)]  # the balancer's, then one per action server
    monkeypatch.setenv("ACTIONS_PORT", str(ports[0]))
    monkeypatch.setenv("INTERNAL_HOST", "127.0.0.1")
    settings = load_settings()
    scale = settings.scale
    assert scale is not None
    config = tmp_path / "haproxy.cfg"
    config.write_text(haproxy_config(settings))
    servers = {}
    for number in (1, 2):  # each answers with its own name
        port = scale.process_port(ports[0], number)
        script = (
            "import http.server as h\n"
            "class A(h.BaseHTTPRequestHandler):\n"
            "    def answer(self):\n"
            f"        body = b'actions-{number}'\n"
            "        self.send_response(200); self.send_header('Content-Length', str(len(body))); self.end_headers()\n"
            "        self.wfile.write(body)\n"
            "    do_GET = do_POST = answer\n"
            "    def log_message(self, *args): pass\n"
            f"h.HTTPServer(('127.0.0.1', {port}), A).serve_forever()\n"
        )
        servers[number] = subprocess.Popen(["python3", "-c", script])
    balancer = subprocess.Popen([haproxy(), "-db", "-f", str(config)], stdout=subprocess.DEVNULL)
    try:

        def called_by(process: str) -> str:
            request = urllib.request.Request(
                f"http://127.0.0.1:{ports[0]}/webhook", data=b"{}", headers={RASA_PROCESS_HEADER: process}
            )
            with urllib.request.urlopen(request, timeout=5) as answer:
                return str(answer.read().decode())

        wait_until(lambda: called_by("rasa-1") == "actions-1", seconds=15)
        assert [called_by("rasa-1") for _ in range(6)] == ["actions-1"] * 6
        assert [called_by("rasa-2") for _ in range(6)] == ["actions-2"] * 6
        servers[1].terminate()
        servers[1].wait()
        # HAProxy finds actions-1 refusing (redispatch at once; its checks take it out soon after).
        assert [called_by("rasa-1") for _ in range(6)] == ["actions-2"] * 6
    finally:
        balancer.terminate()
        balancer.wait()
        for server in servers.values():
            server.kill()
            server.wait()


def wait_until(condition: Callable[[], bool], seconds: float) -> None:
    """Until ``condition`` holds (errors while the servers start count as not yet)."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            if condition():
                return
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise AssertionError("the balancer and the action servers did not start")
        time.sleep(0.2)
