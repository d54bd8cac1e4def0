"""The assistant's settings: the one place the environment is read, validated once.

Every value has a default for the embedded set-up (localhost, SQLite under ``var/``), so
``make run`` needs no configuration; each can be overridden by its environment variable.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit

from limits import parse_many
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from routing import clock
from routing.hours import ContactSchedule, load_schedule
from wiring.scale_out import ScaleOut

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class SettingsError(ValueError):
    """An environment variable holds a value the assistant cannot use."""


def _port(name: str, default: int) -> int:
    raw = os.environ.get(name, str(default))
    try:
        port = int(raw)
    except ValueError as error:
        raise SettingsError(f"{name} must be a port number, not {raw!r}") from error
    if not 1 <= port <= 65535:
        raise SettingsError(f"{name} must be between 1 and 65535, not {port}")
    return port


def _flag(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    if raw.strip().lower() in ("1", "true", "yes", "on"):
        return True
    if raw.strip().lower() in ("0", "false", "no", "off"):
        return False
    raise SettingsError(f"{name} must be 1 or 0, not {raw!r}")


@dataclass(frozen=True)
class RetentionPeriods:
    """How many days residents' data is kept (README, "Privacy and retention", says why).

    Attributes:
        conversations: Rasa's record of a conversation, after its last message. Env
            ``COUNCIL_KEEP_CONVERSATIONS_DAYS``.
        transcripts: live chat messages, and what a resident said in a case, after the case closed.
            Env ``COUNCIL_KEEP_TRANSCRIPTS_DAYS``.
        cases: a closed case's bare record (reference, channel, status, times) and its history;
            a closed report, with its history.
            Env ``COUNCIL_KEEP_CASES_DAYS``.
        resident_keys: the monitoring's pseudonym tying a resident's conversations together.
            Env ``COUNCIL_KEEP_RESIDENT_KEYS_DAYS``.
    """

    conversations: int = 30
    transcripts: int = 90
    cases: int = 365
    resident_keys: int = 90


@dataclass(frozen=True)
class Settings:
    """Where things run and where data lives.

    Attributes:
        rasa_port: the Rasa server (REST channel and HTTP API). Env ``RASA_PORT``.
        actions_port: the action server. Env ``ACTIONS_PORT``.
        web_port: the web app (chat page, staff inbox, dashboard, health). Env ``WEB_PORT``.
        host: the interface the web app listens on (the only public server). Env ``BIND_HOST``.
        internal_host: the interface Rasa and the action server listen on, and where the web app
            finds them: loopback, unless they run on hosts of their own. Env ``INTERNAL_HOST``.
        var_dir: runtime data (databases, logs, reports). Env ``VAR_DIR``.
        database_url: the assistant's own database. Env ``COUNCIL_DATABASE_URL``.
        monitoring_database_url: where outcome events and the figures built from them are kept;
            the assistant's own database unless set. Env ``COUNCIL_MONITORING_DATABASE_URL``.
        monitoring_retry_seconds: how long the outcome recorder leaves a database that failed alone
            before it tries again (events wait in a local outbox meanwhile).
            Env ``COUNCIL_MONITORING_RETRY_SECONDS``.
        tracker_db: Rasa's SQLite tracker store file. Env ``RASA_TRACKER_DB``.
        model_path: the trained model the Rasa server loads. Env ``RASA_MODEL``.
        secure_cookies: mark staff cookies Secure (set it behind HTTPS). Env ``COUNCIL_SECURE_COOKIES``.
        demo_users: on a database with no staff accounts, create two demo accounts (an adviser and a
            manager) instead of the one first manager, each with a random password printed once. Off
            by default; never a fixed password. Env ``COUNCIL_DEMO_USERS``.
        session_idle_hours: a staff session ends after this long with no request. Env
            ``COUNCIL_SESSION_IDLE_HOURS`` (default 8).
        session_max_hours: a staff session ends this long after signing in, however busy. Env
            ``COUNCIL_SESSION_MAX_HOURS`` (default 12).
        api_token_days: an API token stops working this many days after it was made. Env
            ``COUNCIL_API_TOKEN_DAYS`` (default 30).
        sign_in_limit: sign-in tries allowed from one client address. Env ``COUNCIL_SIGN_IN_LIMIT``
            (default ``10/minute``; the form is the ``limits`` library's, such as ``100/hour``).
        sign_in_failures_per_client: wrong passwords for one username from one client address
            before that pair must wait (other addresses can still sign in as that user). Env
            ``COUNCIL_SIGN_IN_FAILURES_PER_CLIENT`` (default ``5/15minutes``).
        sign_in_failures_per_username: wrong passwords for one username from anywhere before it
            must wait a little (slows guessing from many addresses). Env
            ``COUNCIL_SIGN_IN_FAILURES_PER_USERNAME`` (default ``30/minute``).
        chat_limit_per_chat: messages one chat may send to the chat page. Env
            ``COUNCIL_CHAT_LIMIT_PER_CHAT`` (default ``30/minute``).
        chat_limit_per_client: messages one client address may send to the chat page, across its
            chats (generous: a council office or library shares one address). Env
            ``COUNCIL_CHAT_LIMIT_PER_CLIENT`` (default ``600/minute``).
        live_chats_per_client: live chats one client address may have waiting at once (so a script
            cannot fill the queue). Env ``COUNCIL_LIVE_CHATS_PER_CLIENT`` (default 3).
        channels_file: opening hours, SLAs and bookable slots of each channel (a council's own, or the
            tests' always-open one). Env ``COUNCIL_CHANNELS_FILE``.
        thresholds_file: when the ESIA report raises a flag. Env ``COUNCIL_THRESHOLDS_FILE``.
        clock_start: the time the assistant's clock starts at, instead of now (an ISO 8601 time with
            its offset, for demonstrations and the journeys suite). Env ``COUNCIL_CLOCK``.
        retention: how long residents' data is kept (``RetentionPeriods``).
        scale: the scale-out profile, or None for the embedded one (one process each, SQLite). Env
            ``COUNCIL_PROFILE`` (``embedded`` or ``scaled``).
        process_name: which process this is ("web-2"), so each keeps a local file of its own. Env
            ``COUNCIL_PROCESS_NAME`` (the launcher sets it).
    """

    rasa_port: int
    actions_port: int
    web_port: int
    host: str
    var_dir: Path
    database_url: str
    tracker_db: Path
    model_path: Path
    secure_cookies: bool = False
    demo_users: bool = False
    session_idle_hours: float = 8.0
    session_max_hours: float = 12.0
    api_token_days: float = 30.0
    sign_in_limit: str = "10/minute"
    sign_in_failures_per_client: str = "5/15minutes"
    sign_in_failures_per_username: str = "30/minute"
    chat_limit_per_chat: str = "30/minute"
    chat_limit_per_client: str = "600/minute"
    live_chats_per_client: int = 3
    monitoring_database_url: str = ""
    monitoring_retry_seconds: float = 30.0
    channels_file: Path = PROJECT_ROOT / "data" / "catalogue" / "channels.yml"
    thresholds_file: Path = PROJECT_ROOT / "data" / "monitoring" / "thresholds.yml"
    clock_start: datetime | None = None
    retention: RetentionPeriods = RetentionPeriods()
    internal_host: str = "127.0.0.1"
    scale: ScaleOut | None = None
    process_name: str = ""

    def __post_init__(self) -> None:
        if not self.monitoring_database_url:
            object.__setattr__(self, "monitoring_database_url", self.database_url)

    @property
    def rasa_url(self) -> str:
        """Base URL of the Rasa server."""
        return f"http://{self.internal_host}:{self.rasa_port}"

    @property
    def action_server_url(self) -> str:
        """The action server's webhook, as Rasa's endpoints file wants it."""
        return f"{self.actions_url}/webhook"

    @property
    def actions_url(self) -> str:
        """Base URL of the action server."""
        return f"http://{self.internal_host}:{self.actions_port}"

    @property
    def tracker_url(self) -> str:
        """Rasa's tracker store as an SQLAlchemy URL (the SQLite file, or the scale-out's database)."""
        return self.scale.tracker_database_url if self.scale else f"sqlite:///{self.tracker_db}"

    @property
    def web_url(self) -> str:
        """Base URL of the web app."""
        return f"http://{self.host}:{self.web_port}"


def _seconds(name: str, default: float) -> float:
    return _number(name, default, "seconds", 24 * 60 * 60, zero=True)


def _number(name: str, default: float, unit: str, most: float, zero: bool = False) -> float:
    """A number of ``unit`` from ``name``: above 0 (or 0 itself, where ``zero``) and at most ``most``."""
    raw = os.environ.get(name)
    if raw is None:
        return default
    try:
        value = float(raw)
    except ValueError as error:
        raise SettingsError(f"{name} must be a number of {unit}, not {raw!r}") from error
    lowest_ok = value >= 0 if zero else value > 0
    if not lowest_ok or value > most:
        least = "0" if zero else "more than 0"
        raise SettingsError(f"{name} must be {least} and at most {most:g} {unit}, not {raw}")
    return value


def _rate(name: str, default: str) -> str:
    """A rate limit in the ``limits`` library's words ("10/minute", "5 per 15 minutes"), checked here."""
    raw = os.environ.get(name) or default
    try:
        parse_many(raw)
    except ValueError as error:
        raise SettingsError(f"{name} must be a rate such as '10/minute', not {raw!r}") from error
    return raw


def load_settings() -> Settings:
    """Read and validate the settings from the environment."""
    var_dir = Path(os.environ.get("VAR_DIR", PROJECT_ROOT / "var")).resolve()
    database_url = os.environ.get("COUNCIL_DATABASE_URL", f"sqlite:///{var_dir / 'council.db'}")
    return Settings(
        rasa_port=_port("RASA_PORT", 5005),
        actions_port=_port("ACTIONS_PORT", 5055),
        web_port=_port("WEB_PORT", 8080),
        host=os.environ.get("BIND_HOST", "127.0.0.1"),
        var_dir=var_dir,
        database_url=database_url,
        tracker_db=Path(os.environ.get("RASA_TRACKER_DB", var_dir / "tracker.db")).resolve(),
        model_path=Path(os.environ.get("RASA_MODEL", PROJECT_ROOT / "models" / "council.tar.gz")),
        secure_cookies=_flag("COUNCIL_SECURE_COOKIES", False),
        demo_users=_flag("COUNCIL_DEMO_USERS", False),
        session_idle_hours=_number("COUNCIL_SESSION_IDLE_HOURS", 8.0, "hours", 24 * 7),
        session_max_hours=_number("COUNCIL_SESSION_MAX_HOURS", 12.0, "hours", 24 * 7),
        api_token_days=_number("COUNCIL_API_TOKEN_DAYS", 30.0, "days", 366),
        sign_in_limit=_rate("COUNCIL_SIGN_IN_LIMIT", Settings.sign_in_limit),
        sign_in_failures_per_client=_rate("COUNCIL_SIGN_IN_FAILURES_PER_CLIENT", Settings.sign_in_failures_per_client),
        sign_in_failures_per_username=_rate(
            "COUNCIL_SIGN_IN_FAILURES_PER_USERNAME", Settings.sign_in_failures_per_username
        ),
        chat_limit_per_chat=_rate("COUNCIL_CHAT_LIMIT_PER_CHAT", Settings.chat_limit_per_chat),
        chat_limit_per_client=_rate("COUNCIL_CHAT_LIMIT_PER_CLIENT", Settings.chat_limit_per_client),
        live_chats_per_client=max(1, round(_number("COUNCIL_LIVE_CHATS_PER_CLIENT", 3, "chats", 100000))),
        monitoring_database_url=os.environ.get("COUNCIL_MONITORING_DATABASE_URL") or database_url,
        monitoring_retry_seconds=_seconds("COUNCIL_MONITORING_RETRY_SECONDS", 30.0),
        channels_file=_file("COUNCIL_CHANNELS_FILE", Settings.channels_file),
        thresholds_file=_file("COUNCIL_THRESHOLDS_FILE", Settings.thresholds_file),
        clock_start=_moment("COUNCIL_CLOCK"),
        retention=RetentionPeriods(
            conversations=_days("COUNCIL_KEEP_CONVERSATIONS_DAYS", RetentionPeriods.conversations),
            transcripts=_days("COUNCIL_KEEP_TRANSCRIPTS_DAYS", RetentionPeriods.transcripts),
            cases=_days("COUNCIL_KEEP_CASES_DAYS", RetentionPeriods.cases),
            resident_keys=_days("COUNCIL_KEEP_RESIDENT_KEYS_DAYS", RetentionPeriods.resident_keys),
        ),
        internal_host=os.environ.get("INTERNAL_HOST", "127.0.0.1"),
        scale=_scale_out(database_url),
        process_name=os.environ.get("COUNCIL_PROCESS_NAME", ""),
    )


def _scale_out(database_url: str) -> ScaleOut | None:
    """The scale-out profile's settings, checked, when ``COUNCIL_PROFILE`` is ``scaled``."""
    profile = os.environ.get("COUNCIL_PROFILE", "embedded").strip().lower()
    if profile not in ("embedded", "scaled"):
        raise SettingsError(f"COUNCIL_PROFILE must be embedded or scaled, not {profile!r}")
    if profile == "embedded":
        return None
    _url("COUNCIL_DATABASE_URL", database_url, ("postgresql",))
    prefix = os.environ.get("COUNCIL_REDIS_PREFIX") or "council"
    if not prefix.isalnum():  # Rasa's lock store takes letters and digits only
        raise SettingsError(f"COUNCIL_REDIS_PREFIX must be letters and digits, not {prefix!r}")
    rasa, actions, web = (int(_number(name, 2, "processes", 16)) for name in _PROCESSES)
    return ScaleOut(
        *(rasa, actions, web),
        tracker_database_url=_url("COUNCIL_TRACKER_DATABASE_URL", None, ("postgresql",)),
        redis_url=_url("COUNCIL_REDIS_URL", None, ("redis", "rediss")),
        redis_prefix=prefix,
        rabbitmq_url=_amqp_url("COUNCIL_RABBITMQ_URL"),
        rabbitmq_queue=_queue_name("COUNCIL_RABBITMQ_QUEUE"),
    )


_PROCESSES = ("COUNCIL_RASA_PROCESSES", "COUNCIL_ACTION_PROCESSES", "COUNCIL_WEB_PROCESSES")


def _url(name: str, value: str | None, schemes: tuple[str, ...]) -> str:
    """A URL of one of ``schemes`` (from ``name`` unless ``value`` is given), needed by the scale-out."""
    raw = value if value is not None else os.environ.get(name, "")
    if not raw:
        raise SettingsError(f"{name} must be set for COUNCIL_PROFILE=scaled (see README, Scale-out)")
    try:
        scheme = make_url(raw).get_backend_name()
    except ArgumentError:
        scheme = ""
    if scheme not in schemes:
        raise SettingsError(f"{name} must be a {' or '.join(schemes)} URL for COUNCIL_PROFILE=scaled")
    return raw


def _amqp_url(name: str) -> str:
    """A RabbitMQ URL (``amqp://`` or ``amqps://`` with a host), needed by the scale-out."""
    raw = os.environ.get(name, "")
    if not raw:
        raise SettingsError(f"{name} must be set for COUNCIL_PROFILE=scaled (see README, Scale-out)")
    try:
        parts = urlsplit(raw)
        parts.port  # noqa: B018 - raises for a port that is not a number
    except ValueError as error:
        raise SettingsError(f"{name} must be an amqp or amqps URL for COUNCIL_PROFILE=scaled") from error
    if parts.scheme not in ("amqp", "amqps") or not parts.hostname:
        raise SettingsError(f"{name} must be an amqp or amqps URL with a host for COUNCIL_PROFILE=scaled")
    return raw


def _queue_name(name: str) -> str:
    """A RabbitMQ queue name: letters, digits, ``_``, ``-`` and ``.``, not starting ``amq.`` (reserved)."""
    raw = os.environ.get(name) or "council_outcomes"
    if len(raw) > 200 or raw.startswith("amq.") or not all(c.isascii() and (c.isalnum() or c in "_-.") for c in raw):
        raise SettingsError(f"{name} must be letters, digits, '_', '-' or '.' (not starting 'amq.'), not {raw!r}")
    return raw


def _days(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or not raw.strip():
        return default
    if not raw.strip().isdigit() or not 1 <= int(raw) <= 3660:
        raise SettingsError(f"{name} must be a whole number of days from 1 to 3660, not {raw!r}")
    return int(raw)


def _moment(name: str) -> datetime | None:
    raw = os.environ.get(name)
    if not raw:
        return None
    try:
        moment = datetime.fromisoformat(raw.strip())
    except ValueError as error:
        raise SettingsError(f"{name} must be a time like 2026-12-05T19:30:00+00:00, not {raw!r}") from error
    if moment.tzinfo is None:
        raise SettingsError(f"{name} must say its offset from UTC, like 2026-12-05T19:30:00+00:00")
    return moment


def start_clock(settings: Settings) -> None:
    """Start this process's clock at ``settings.clock_start``, when one is set."""
    if settings.clock_start is not None:
        clock.start_at(settings.clock_start)


def _file(name: str, default: Path) -> Path:
    path = Path(os.environ.get(name) or default)
    if not path.is_file():
        raise SettingsError(f"{name} must name a file, and {path} is not one")
    return path


def channel_schedule() -> ContactSchedule:
    """This process's channel configuration (``channels_file``), read and checked once."""
    return _schedule(load_settings().channels_file)


@lru_cache(maxsize=1)
def _schedule(path: Path) -> ContactSchedule:
    return load_schedule(path)


def new_password() -> str | None:
    """A new staff account's password given in ``COUNCIL_NEW_PASSWORD`` (for scripts), or None to ask."""
    return os.environ.get("COUNCIL_NEW_PASSWORD") or None
