"""The secrets the assistant keeps: the monitoring's pseudonym key and the internal servers' tokens.

Each comes from its environment variable, or is a random one made on first use and kept under
``var/`` (readable by this user only), so a fresh install has no fixed secret.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from wiring.settings import Settings, SettingsError


def metrics_secret(settings: Settings) -> bytes:
    """The secret that keys the monitoring's pseudonyms: ``COUNCIL_METRICS_KEY`` (hex), or a random
    key kept in ``var/metrics.key`` (readable by this user only) made on first use."""
    raw = os.environ.get("COUNCIL_METRICS_KEY")
    if raw:
        try:
            return bytes.fromhex(raw)
        except ValueError as error:
            raise SettingsError("COUNCIL_METRICS_KEY must be hexadecimal") from error
    return bytes.fromhex(_kept_secret(settings.var_dir / "metrics.key"))


@dataclass(frozen=True)
class InternalTokens:
    """The secrets the internal servers ask of their callers.

    Attributes:
        rasa: Rasa's HTTP API token (``?token=``): the web app needs it to read and add to a
            conversation. Rasa's REST webhook, which every message comes through, needs none.
            Env ``RASA_TOKEN``.
        actions: what Rasa sends the action server with each call (``?token=``). Env ``ACTIONS_TOKEN``.
    """

    rasa: str
    actions: str


def internal_tokens(settings: Settings) -> InternalTokens:
    """The internal servers' tokens: from the environment, or random ones kept under ``var/``
    (readable by this user only) and made on first use, so a fresh install has no fixed secret."""
    return InternalTokens(
        rasa=os.environ.get("RASA_TOKEN") or _kept_secret(settings.var_dir / "rasa.token"),
        actions=os.environ.get("ACTIONS_TOKEN") or _kept_secret(settings.var_dir / "actions.token"),
    )


def _kept_secret(path: Path) -> str:
    """A random hex secret kept in ``path``, made on first use."""
    if not path.exists():
        # Servers starting together may both make one: each writes its key whole under a temporary
        # name, then links it into place, so whichever is second reads the first's key.
        path.parent.mkdir(parents=True, exist_ok=True)
        draft = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
        descriptor = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as file:
            file.write(secrets.token_hex(32))
        try:
            os.link(draft, path)
        except FileExistsError:
            pass
        finally:
            draft.unlink()
    return path.read_text().strip()
