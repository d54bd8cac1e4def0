"""The webhooks' settings: subscribers from a file, and how long the delivery log is kept.

``COUNCIL_WEBHOOKS_FILE`` (optional) names a YAML file of subscribers, read and checked once at
start-up; a mistake stops the start with a message naming the entry and the fix. Each secret comes
from an environment variable the file names, never from the file itself::

    subscribers:
      - name: Council CRM
        url: https://crm.example.gov.uk/hooks/assistant
        secret_env: COUNCIL_CRM_WEBHOOK_SECRET   # holds whsec_...
        events: [case.created, case.claimed, case.closed]   # or: all
        council_system: true   # may receive residents' words (default false)

Managers add more on ``/staff/webhooks``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from routing.webhooks import EVENT_TYPES, SubscriberSpec, WebhookError, check_events, check_name, check_url, secret_key
from wiring.settings import SettingsError

FILE_VARIABLE = "COUNCIL_WEBHOOKS_FILE"
KEEP_LOG_VARIABLE = "COUNCIL_KEEP_WEBHOOK_LOG_DAYS"
_KEYS = {"name", "url", "secret_env", "events", "council_system"}


@dataclass(frozen=True)
class WebhookSettings:
    """Where the webhooks' subscribers come from, and how long their log is kept.

    Attributes:
        subscribers: those in ``COUNCIL_WEBHOOKS_FILE`` (none when it is not set).
        keep_log_days: a delivery (and an event with none left) is deleted this many days after it
            last changed. Env ``COUNCIL_KEEP_WEBHOOK_LOG_DAYS`` (default 30).
    """

    subscribers: tuple[SubscriberSpec, ...] = ()
    keep_log_days: int = 30


def load_webhook_settings() -> WebhookSettings:
    """Read and check the webhooks' settings from the environment (and its file); SettingsError
    with what is wrong and how to put it right."""
    raw_days = os.environ.get(KEEP_LOG_VARIABLE, "").strip()
    if raw_days and (not raw_days.isdigit() or not 1 <= int(raw_days) <= 3660):
        raise SettingsError(f"{KEEP_LOG_VARIABLE} must be a whole number of days from 1 to 3660, not {raw_days!r}")
    days = int(raw_days) if raw_days else WebhookSettings.keep_log_days
    path = os.environ.get(FILE_VARIABLE, "").strip()
    return WebhookSettings(subscribers=read_subscribers(Path(path)) if path else (), keep_log_days=days)


def read_subscribers(path: Path) -> tuple[SubscriberSpec, ...]:
    """The subscribers in the YAML file at ``path``, each checked; SettingsError for the first mistake."""
    try:
        content = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise SettingsError(f"{FILE_VARIABLE} names {path}, which cannot be read: {error.strerror}") from None
    except yaml.YAMLError as error:
        raise SettingsError(f"{path} is not valid YAML: {error}") from None
    entries = content.get("subscribers") if isinstance(content, dict) else None
    if not isinstance(entries, list):
        raise SettingsError(
            f"{path} must have a list called 'subscribers' (see README, Connecting to the council's systems)"
        )
    specs = [_subscriber(path, number, entry) for number, entry in enumerate(entries, start=1)]
    names = [spec.name for spec in specs]
    twice = sorted({name for name in names if names.count(name) > 1})
    if twice:
        raise SettingsError(f"{path} names {', '.join(twice)} more than once; each subscriber needs its own name")
    return tuple(specs)


def _subscriber(path: Path, number: int, entry: Any) -> SubscriberSpec:
    where = f"{path}, subscriber {number}"
    if not isinstance(entry, dict):
        raise SettingsError(f"{where} must be a mapping with {', '.join(sorted(_KEYS))}")
    unknown, missing = set(entry) - _KEYS, {"name", "url", "secret_env", "events"} - set(entry)
    if unknown or missing:
        extra = f" has no setting {', '.join(sorted(map(str, unknown)))}" if unknown else ""
        needs = f" needs {', '.join(sorted(missing))}" if missing else ""
        raise SettingsError(f"{where}{extra}{';' if extra and needs else ''}{needs}")
    council_system = entry.get("council_system", False)
    if not isinstance(council_system, bool):
        raise SettingsError(f"{where}: council_system must be true or false")
    variable = str(entry["secret_env"])
    secret = os.environ.get(variable, "").strip()
    if not secret:
        raise SettingsError(f"{where}: the environment variable {variable} (its secret_env) is not set")
    events = EVENT_TYPES if entry["events"] == "all" else entry["events"]
    try:
        secret_key(secret)
        return SubscriberSpec(
            check_name(str(entry["name"])), check_url(str(entry["url"]), council_system), secret,
            check_events(events), council_system,
        )  # fmt: skip
    except WebhookError as error:
        raise SettingsError(f"{where}: {error}") from None
