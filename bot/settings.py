"""The assistant's settings, read from the environment once and validated.

Every value has a default for the embedded set-up (localhost, SQLite under ``var/``), so
``make run`` needs no configuration; each can be overridden by its environment variable.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path

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
class Settings:
    """Where things run and where data lives.

    Attributes:
        rasa_port: the Rasa server (REST channel and HTTP API). Env ``RASA_PORT``.
        actions_port: the action server. Env ``ACTIONS_PORT``.
        web_port: the web app (chat page, staff inbox, dashboard, health). Env ``WEB_PORT``.
        host: the interface every server listens on. Env ``BIND_HOST``.
        var_dir: runtime data (databases, logs, reports). Env ``VAR_DIR``.
        database_url: the assistant's own database. Env ``COUNCIL_DATABASE_URL``.
        tracker_db: Rasa's SQLite tracker store file. Env ``RASA_TRACKER_DB``.
        model_path: the trained model the Rasa server loads. Env ``RASA_MODEL``.
        secure_cookies: mark staff cookies Secure (set it behind HTTPS). Env ``COUNCIL_SECURE_COOKIES``.
        demo_users: create the README's demo staff accounts when there are none. Env ``COUNCIL_DEMO_USERS``.
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
    demo_users: bool = True

    @property
    def rasa_url(self) -> str:
        """Base URL of the Rasa server."""
        return f"http://{self.host}:{self.rasa_port}"

    @property
    def action_server_url(self) -> str:
        """The action server's webhook, as Rasa's endpoints file wants it."""
        return f"http://{self.host}:{self.actions_port}/webhook"

    @property
    def web_url(self) -> str:
        """Base URL of the web app."""
        return f"http://{self.host}:{self.web_port}"


def load_settings() -> Settings:
    """Read and validate the settings from the environment."""
    var_dir = Path(os.environ.get("VAR_DIR", PROJECT_ROOT / "var")).resolve()
    return Settings(
        rasa_port=_port("RASA_PORT", 5005),
        actions_port=_port("ACTIONS_PORT", 5055),
        web_port=_port("WEB_PORT", 8080),
        host=os.environ.get("BIND_HOST", "127.0.0.1"),
        var_dir=var_dir,
        database_url=os.environ.get("COUNCIL_DATABASE_URL", f"sqlite:///{var_dir / 'council.db'}"),
        tracker_db=Path(os.environ.get("RASA_TRACKER_DB", var_dir / "tracker.db")).resolve(),
        model_path=Path(os.environ.get("RASA_MODEL", PROJECT_ROOT / "models" / "council.tar.gz")),
        secure_cookies=_flag("COUNCIL_SECURE_COOKIES", False),
        demo_users=_flag("COUNCIL_DEMO_USERS", True),
    )


def metrics_secret(settings: Settings) -> bytes:
    """The secret that keys the monitoring's pseudonyms: ``COUNCIL_METRICS_KEY`` (hex), or a random
    key kept in ``var/metrics.key`` (readable by this user only) made on first use."""
    raw = os.environ.get("COUNCIL_METRICS_KEY")
    if raw:
        try:
            return bytes.fromhex(raw)
        except ValueError as error:
            raise SettingsError("COUNCIL_METRICS_KEY must be hexadecimal") from error
    path = settings.var_dir / "metrics.key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as file:
            file.write(secrets.token_hex(32))
    return bytes.fromhex(path.read_text().strip())
