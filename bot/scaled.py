"""The scale-out profile (``COUNCIL_PROFILE=scaled``, ``make run-scaled``): what the launcher adds.

Several Rasa servers, action servers and web apps, one supervisord program each, behind HAProxy
(README, "Scale-out", says why HAProxy rather than Sanic's own workers). Rasa keeps conversations
in PostgreSQL (its ``SQLTrackerStore``, as ``bot.tracker_store``'s streaming one) and takes its
per-conversation lock in Redis (its ``RedisLockStore``), so any Rasa process can answer any turn.
Each conversation's events go through RabbitMQ to the monitoring consumer (``bot.outcome_consumer``).
This module writes Rasa's endpoints file and HAProxy's configuration from the settings, and gives
each process its command, port and name. Secrets stay in the environment: the files name the
variables, never the values.
"""

from __future__ import annotations

import json
import shutil
import sys
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable
from urllib.parse import unquote, urlsplit, urlunsplit

from storage.engine import ensure_database
from wiring.scale_out import ScaleOut
from wiring.settings import PROJECT_ROOT, Settings

# Sanic's and aiohttp's callers keep idle connections 15 s; a live chat stream stays open 5 minutes.
# A process is taken out after three failed checks in a row; one that has stopped refuses at once,
# and the request goes to another (redispatch). Rasa's check is a connection, not a request: a busy
# Rasa answers late (its event loop is parsing messages) but is not down.
HAPROXY_TIMEOUTS = (
    "timeout connect 5s\n    timeout client 330s\n    timeout server 330s\n    timeout http-keep-alive 15s\n"
    "    timeout check 10s"
)
# Password variables the endpoints file names (the launcher sets them from the URLs).
TRACKER_PASSWORD = "COUNCIL_TRACKER_DB_PASSWORD"
REDIS_PASSWORD = "COUNCIL_REDIS_PASSWORD"
RABBITMQ_PASSWORD = "COUNCIL_RABBITMQ_PASSWORD"


@dataclass(frozen=True)
class Program:
    """One process supervisord runs: its command line and the variables that make it this one."""

    command: list[str]
    environment: dict[str, str] = field(default_factory=dict)


def scale_of(settings: Settings) -> ScaleOut:
    """The scale-out settings (``load_settings`` checked them); an error if the profile is embedded."""
    if settings.scale is None:
        raise ValueError("COUNCIL_PROFILE is not scaled")
    return settings.scale


def endpoints_file(settings: Settings) -> Path:
    """The endpoints file Rasa reads: the project's (embedded) or the one written for the scale-out."""
    return settings.var_dir / "endpoints-scaled.yml" if settings.scale else PROJECT_ROOT / "endpoints.yml"


def endpoints_yaml(settings: Settings) -> str:
    """Rasa's endpoints for the scale-out: PostgreSQL tracker store, Redis lock store, the action
    servers' balancer, and RabbitMQ as the event broker."""
    scale = scale_of(settings)
    tracker = scale.tracker_url
    redis = urlsplit(scale.redis_url)
    return f"""# Written by the launcher for COUNCIL_PROFILE=scaled (bot/scaled.py) from the settings; edits are lost.
action_endpoint:
  url: ${{ACTION_SERVER_URL}}
  token: ${{ACTIONS_TOKEN}}
  # Which Rasa process calls: the balancer sends each one's calls to an action server of its own.
  headers:
    {RASA_PROCESS_HEADER}: ${{COUNCIL_PROCESS_NAME}}

# Rasa's SQL tracker store, as the project's streaming one (bot/tracker_store.py): it saves a turn
# once and publishes each new event with its session's start, which names the conversation.
tracker_store:
  type: bot.tracker_store.StreamingSQLTrackerStore
  dialect: postgresql
  url: {tracker.host or "127.0.0.1"}
  port: {tracker.port or 5432}
  db: {tracker.database}
  username: {tracker.username or "postgres"}
  password: ${{{TRACKER_PASSWORD}}}

lock_store:
  type: redis
  url: {redis.hostname or "127.0.0.1"}
  port: {redis.port or 6379}
  db: {(redis.path or "/0").strip("/") or 0}
  password: ${{{REDIS_PASSWORD}}}
  use_ssl: {str(redis.scheme == "rediss").lower()}
  key_prefix: {scale.redis_prefix}

# Each conversation's new events go to RabbitMQ (Rasa's Pika broker: durable queue, persistent
# messages) and the monitoring consumer (bot/outcome_consumer.py) stores the outcome events they
# mean. A publish that fails while RabbitMQ is away is kept and sent again when the connection is
# back, never raised into the conversation. The exchange is named after the queue, so deployments
# sharing a RabbitMQ never receive each other's events.
event_broker:
  type: pika
{pika_lines(scale)}"""


def pika_lines(scale: ScaleOut) -> str:
    """The Pika broker's settings: the URL without its credentials (the user is named, the password
    stays in the environment), the queue and its exchange."""
    rabbit = urlsplit(scale.rabbitmq_url)
    port = rabbit.port or (5671 if rabbit.scheme == "amqps" else 5672)
    # Rasa puts the user and password into the URL as they are, so both stay percent-encoded.
    location = urlunsplit((rabbit.scheme, f"{rabbit.hostname}:{port}", rabbit.path, rabbit.query, ""))
    user = rabbit.username or "guest"
    return (
        f"  url: {json.dumps(location)}\n  port: {port}\n  username: {json.dumps(user)}\n"
        f"  password: ${{{RABBITMQ_PASSWORD}}}\n  queues: [{scale.rabbitmq_queue}]\n"
        f"  exchange_name: {scale.rabbitmq_queue}\n"
        "  raise_on_failure: false\n  should_keep_unpublished_messages: true\n"
    )


def secrets_environment(settings: Settings) -> dict[str, str]:
    """The passwords the endpoints file names, taken from the URLs in the environment."""
    scale = scale_of(settings)
    return {
        TRACKER_PASSWORD: scale.tracker_url.password or "",
        REDIS_PASSWORD: unquote(urlsplit(scale.redis_url).password or ""),
        # Percent-encoded as in the URL: Rasa writes it into the URL it connects with.
        RABBITMQ_PASSWORD: urlsplit(scale.rabbitmq_url).password or "",
    }


def programs(settings: Settings) -> dict[str, Program]:
    """Every process of the scale-out: ``rasa-1``.., ``actions-1``.., ``web-1``.., the monitoring
    consumer ``outcomes`` and ``balancer``.

    Process ``i`` of a server takes its balancer's port + ``i`` on the internal host (the web apps
    too: only the balancer is public) and its name, for files of its own such as its outbox.
    """
    scale = scale_of(settings)
    host = settings.internal_host
    servers = (
        ("rasa", "bot.rasa_server", "RASA_PORT", settings.rasa_port, scale.rasa),
        ("actions", "bot.action_server", "ACTIONS_PORT", settings.actions_port, scale.actions),
        ("web", "bot.web", "WEB_PORT", settings.web_port, scale.web),
    )
    found: dict[str, Program] = {}
    for name, module, port_variable, port, count in servers:
        for number in range(1, count + 1):
            environment = {port_variable: str(scale.process_port(port, number))}
            environment["COUNCIL_PROCESS_NAME"] = f"{name}-{number}"
            if name == "web":
                environment["BIND_HOST"] = host
            found[f"{name}-{number}"] = Program([sys.executable, "-m", module], environment)
    # One consumer: it reads the queue in order (a session's start follows its entry channel).
    found["outcomes"] = Program([sys.executable, "-m", "bot.outcome_consumer"], {"COUNCIL_PROCESS_NAME": "outcomes"})
    found["balancer"] = Program([haproxy(), "-db", "-f", str(settings.var_dir / "haproxy.cfg")])
    return found


def not_ready(settings: Settings, rasa_token: str) -> list[str]:
    """The processes of the scale-out that cannot yet take their share of turns: a Rasa server
    without its model, an action server or web app not answering ``/health``.

    The web app's own ``/health`` goes through the balancers, so one Rasa server with its model
    makes it 200 while the others are still loading; a resident hashed to those would wait.
    """
    scale = scale_of(settings)
    host = settings.internal_host
    waiting = []
    for number in range(1, scale.rasa + 1):
        url = f"http://{host}:{scale.process_port(settings.rasa_port, number)}/status?token={rasa_token}"
        if not _answers(url, lambda body: bool(json.loads(body).get("model_file"))):
            waiting.append(f"rasa-{number}")
    for name, port, count in (("actions", settings.actions_port, scale.actions), ("web", settings.web_port, scale.web)):
        for number in range(1, count + 1):
            if not _answers(f"http://{host}:{scale.process_port(port, number)}/health", lambda _body: True):
                waiting.append(f"{name}-{number}")
    return waiting


def _answers(url: str, good: Callable[[bytes], bool]) -> bool:
    """True when ``url`` answers 200 with a body ``good`` accepts."""
    try:
        with urllib.request.urlopen(url, timeout=2) as answer:
            return bool(answer.status == 200 and good(answer.read()))
    except (urllib.error.URLError, OSError, ValueError):
        return False


def haproxy() -> str:
    """HAProxy's program (Debian's package; ``make run-scaled`` installs it)."""
    found = shutil.which("haproxy") or ("/usr/sbin/haproxy" if Path("/usr/sbin/haproxy").exists() else None)
    if found is None:
        raise SystemExit("HAProxy is not installed: run 'make run-scaled', or 'apt-get install haproxy'.")
    return found


# A conversation's messages go to one web process and one Rasa server while it is up (a hash of the
# chat cookie, and of the REST webhook's sender), so the card guard's memory of a card number typed
# over two messages, which is never stored anywhere (routing/split_cards.py), stays with it.
# Anything without a conversation (staff pages, the HTTP API) is spread round robin.
WEB_BALANCING = (
    "balance hash req.cook(chat_id)\n    hash-type consistent\n"
    # The web apps count rate limits per client: the balancer says who that is, replacing anything
    # the client sent (bot/web/rate_limits.py trusts it only in this profile).
    "    http-request set-header X-Forwarded-For %[src]\n"
)
# Each Rasa process calls one action server while it is up (the others take over when it is down),
# so the action server holds what that process sent before and each call carries only the new
# events (bot/action_calls.py); a server taking over asks for the whole conversation once.
RASA_PROCESS_HEADER = "X-Rasa-Process"


def actions_balancing(rasa: int, actions: int) -> str:
    """The action servers' balancing: Rasa process ``i`` to action server ``i`` (round the servers
    when there are fewer), and round robin for anything else or when that server is down."""
    header = f"req.hdr({RASA_PROCESS_HEADER})"
    pairs = "".join(
        f"    use-server actions{(number - 1) % actions + 1} if {{ {header} -m str rasa-{number} }}\n"
        for number in range(1, rasa + 1)
    )
    return f"balance roundrobin\n    option httpchk GET /health\n{pairs}"


RASA_BALANCING = (
    "option http-buffer-request\n    http-request set-var(txn.sender) req.body,json_query('$.sender')\n"
    "    balance hash var(txn.sender)\n    hash-type consistent\n"
)


def haproxy_config(settings: Settings) -> str:
    """HAProxy in front of each server: the web apps on the public address, Rasa and the action
    servers on the internal one; a process that stops answering is skipped."""
    scale = scale_of(settings)
    host = settings.internal_host
    sections = [
        "global\n    maxconn 4096\n",
        f"defaults\n    mode http\n    option http-server-close\n    {HAPROXY_TIMEOUTS}\n    retries 2\n"
        "    option redispatch\n",
    ]
    servers = (
        ("web", settings.host, settings.web_port, scale.web, WEB_BALANCING),
        ("rasa", host, settings.rasa_port, scale.rasa, RASA_BALANCING),
        ("actions", host, settings.actions_port, scale.actions, actions_balancing(scale.rasa, scale.actions)),
    )
    for name, bind, port, count, option in servers:
        backends = "".join(
            f"    server {name}{number} {host}:{scale.process_port(port, number)} check inter 3s fall 3 rise 1\n"
            for number in range(1, count + 1)
        )
        sections.append(f"frontend {name}\n    bind {bind}:{port}\n    default_backend {name}_servers\n")
        sections.append(f"backend {name}_servers\n    {option}{backends}")
    return "\n".join(sections)


def prepare(settings: Settings) -> None:
    """Before supervisord starts: make the databases that are missing, and write Rasa's endpoints
    file and HAProxy's configuration."""
    scale = scale_of(settings)
    for url in {settings.database_url, settings.monitoring_database_url, scale.tracker_database_url}:
        ensure_database(url)
    endpoints_file(settings).write_text(endpoints_yaml(settings), encoding="utf-8")
    (settings.var_dir / "haproxy.cfg").write_text(haproxy_config(settings), encoding="utf-8")
