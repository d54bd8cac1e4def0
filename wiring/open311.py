"""The Open311 connector's settings: where the council's back office is, and how hard to try.

Read from the environment, or from a YAML file named by ``COUNCIL_OPEN311_FILE`` (the environment
wins where both say something), and checked once. The API key comes from the environment only, so a
settings file can be kept in a repository. With no endpoint URL the connector is off: the embedded
default has none, and reports stay in the assistant's own queue.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any, Mapping

import yaml

from routing.web_addresses import needs_https, web_address
from wiring.settings import SettingsError

# The file's keys, each with the environment variable that overrides it.
FILE_KEYS = {
    "url": "COUNCIL_OPEN311_URL",
    "jurisdiction_id": "COUNCIL_OPEN311_JURISDICTION_ID",
    "timeout_seconds": "COUNCIL_OPEN311_TIMEOUT_SECONDS",
    "status_timeout_seconds": "COUNCIL_OPEN311_STATUS_TIMEOUT_SECONDS",
    "status_cache_seconds": "COUNCIL_OPEN311_STATUS_CACHE_SECONDS",
    "retry_seconds": "COUNCIL_OPEN311_RETRY_SECONDS",
    "retry_cap_seconds": "COUNCIL_OPEN311_RETRY_CAP_SECONDS",
    "max_attempts": "COUNCIL_OPEN311_MAX_ATTEMPTS",
    "poll_seconds": "COUNCIL_OPEN311_POLL_SECONDS",
    "reference_attribute": "COUNCIL_OPEN311_REFERENCE_ATTRIBUTE",
    "send_from": "COUNCIL_OPEN311_SEND_FROM",
}
API_KEY = "COUNCIL_OPEN311_API_KEY"
SETTINGS_FILE = "COUNCIL_OPEN311_FILE"


@dataclass(frozen=True)
class Open311Settings:
    """How the assistant reaches the council's Open311 GeoReport v2 back office.

    Attributes:
        url: the endpoint's base URL, under which ``services.json`` and ``requests.json`` are
            (https, or http on this machine only: the API key travels with each report). Empty:
            the connector is off. Env ``COUNCIL_OPEN311_URL``, file ``url``.
        api_key: sent with each new report. Env ``COUNCIL_OPEN311_API_KEY`` only, never the file.
        jurisdiction_id: sent with every call, for an endpoint that serves several councils.
            Env ``COUNCIL_OPEN311_JURISDICTION_ID``, file ``jurisdiction_id``.
        timeout_seconds: the longest the sender waits for one answer. Env
            ``COUNCIL_OPEN311_TIMEOUT_SECONDS`` (default 10).
        status_timeout_seconds: the longest a resident's "any update?" waits for the back office
            before the assistant answers from what it has. Env ``COUNCIL_OPEN311_STATUS_TIMEOUT_SECONDS``
            (default 2).
        status_cache_seconds: how long a status read from the back office is reused. Env
            ``COUNCIL_OPEN311_STATUS_CACHE_SECONDS`` (default 60).
        retry_seconds: the wait before the second try; it doubles with each failure. Env
            ``COUNCIL_OPEN311_RETRY_SECONDS`` (default 30).
        retry_cap_seconds: the longest wait between tries. Env ``COUNCIL_OPEN311_RETRY_CAP_SECONDS``
            (default 3600).
        max_attempts: tries before a report is left for staff as not sent; 0 keeps trying while a
            retry could help. Env ``COUNCIL_OPEN311_MAX_ATTEMPTS`` (default 0).
        poll_seconds: how often the sender looks for new reports. Env ``COUNCIL_OPEN311_POLL_SECONDS``
            (default 5).
        reference_attribute: the code of a service attribute that takes the SCC reference, for a back
            office whose services define one. Env ``COUNCIL_OPEN311_REFERENCE_ATTRIBUTE``.
        send_from: reports made before this time are not sent (an ISO 8601 time with its offset).
            Unset: from the moment the connector first ran against this database. Env
            ``COUNCIL_OPEN311_SEND_FROM``.
    """

    url: str = ""
    api_key: str = ""
    jurisdiction_id: str = ""
    timeout_seconds: float = 10.0
    status_timeout_seconds: float = 2.0
    status_cache_seconds: float = 60.0
    retry_seconds: float = 30.0
    retry_cap_seconds: float = 3600.0
    max_attempts: int = 0
    poll_seconds: float = 5.0
    reference_attribute: str = ""
    send_from: datetime | None = None

    @property
    def enabled(self) -> bool:
        """Whether reports are sent to a back office at all."""
        return bool(self.url)

    @property
    def lease_seconds(self) -> float:
        """How long a sender holds a report: past its longest try (a look-up, then the post), so a
        sender that died lets another take the report, and a slow one is never overtaken."""
        return 3 * self.timeout_seconds + 30


def load_open311_settings(environ: Mapping[str, str] | None = None) -> Open311Settings:
    """Read and check the connector's settings (``environ`` defaults to the process environment).

    Raises:
        SettingsError: a value the connector cannot use, or an API key in the settings file.
    """
    env = os.environ if environ is None else environ
    values = _file_values(env.get(SETTINGS_FILE, ""))
    for key, name in FILE_KEYS.items():
        if env.get(name, "").strip():
            values[key] = env[name].strip()
    url = _url(str(values.get("url") or ""))
    return Open311Settings(
        url=url,
        api_key=env.get(API_KEY, ""),
        jurisdiction_id=str(values.get("jurisdiction_id") or ""),
        timeout_seconds=_number(values, "timeout_seconds", 10.0, 120),
        status_timeout_seconds=_number(values, "status_timeout_seconds", 2.0, 30),
        status_cache_seconds=_number(values, "status_cache_seconds", 60.0, 3600, zero=True),
        retry_seconds=_number(values, "retry_seconds", 30.0, 3600),
        retry_cap_seconds=_number(values, "retry_cap_seconds", 3600.0, 7 * 24 * 3600),
        max_attempts=int(_number(values, "max_attempts", 0, 10000, zero=True, whole=True)),
        poll_seconds=_number(values, "poll_seconds", 5.0, 3600),
        reference_attribute=str(values.get("reference_attribute") or ""),
        send_from=_moment(values.get("send_from")),
    )


@lru_cache(maxsize=1)
def open311_settings() -> Open311Settings:
    """This process's connector settings, read and checked once."""
    return load_open311_settings()


def _file_values(path: str) -> dict[str, Any]:
    if not path:
        return {}
    if not Path(path).is_file():
        raise SettingsError(f"{SETTINGS_FILE} must name a file, and {path} is not one")
    raw = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    if not isinstance(raw, dict):
        raise SettingsError(f"{path} must hold Open311 settings as 'name: value' lines")
    if "api_key" in raw:
        raise SettingsError(f"{path} must not hold the API key: set {API_KEY} in the environment instead")
    unknown = set(raw) - set(FILE_KEYS)
    if unknown:
        raise SettingsError(f"{path} has settings the connector does not know: {', '.join(sorted(unknown))}")
    return dict(raw)


def _url(raw: str) -> str:
    if not raw:
        return ""
    parts = web_address(raw)
    if parts is None:
        raise SettingsError(f"{FILE_KEYS['url']} must be an http or https URL with a host, not {raw!r}")
    if needs_https(parts):
        raise SettingsError(f"{FILE_KEYS['url']} must use https (the API key and residents' reports travel on it)")
    return raw if raw.endswith("/") else raw + "/"  # so "requests.json" joins under it


def _number(
    values: Mapping[str, Any], key: str, default: float, most: float, zero: bool = False, whole: bool = False
) -> float:
    raw = values.get(key)
    if raw is None or str(raw).strip() == "":
        return default
    try:
        value = float(raw)
    except ValueError as error:
        raise SettingsError(f"{FILE_KEYS[key]} must be a number, not {raw!r}") from error
    if (
        not math.isfinite(value)
        or (value < 0 if zero else value <= 0)
        or value > most
        or (whole and value != int(value))
    ):
        least = "0" if zero else "more than 0"
        kind = "a whole number" if whole else "a number"
        raise SettingsError(f"{FILE_KEYS[key]} must be {kind}, {least} and at most {most:g}, not {raw}")
    return value


def _moment(raw: Any) -> datetime | None:
    if raw is None or str(raw).strip() == "":
        return None
    if isinstance(raw, datetime):  # YAML reads an unquoted time itself
        moment = raw
    else:
        try:
            moment = datetime.fromisoformat(str(raw).strip().replace("Z", "+00:00"))
        except ValueError as error:
            raise SettingsError(f"{FILE_KEYS['send_from']} must be a time like 2026-12-05T19:30:00+00:00") from error
    if moment.tzinfo is None:
        raise SettingsError(f"{FILE_KEYS['send_from']} must say its offset from UTC, like 2026-12-05T19:30:00+00:00")
    return moment
