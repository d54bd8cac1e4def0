"""GOV.UK Notify's settings: the API key, the API's address and the templates for each message.

With no key (``COUNCIL_NOTIFY_API_KEY`` unset) nothing is sent: each message is written to the local
outbox that staff read on ``/staff/messages``. With a key, ``COUNCIL_NOTIFY_TEMPLATES`` must name a
YAML file giving a template id for every message kind on every channel::

    templates:
      report_updated: {text: 0f6a..., email: 5b1c..., letter: 9d2e...}
      report_closed: {text: ..., email: ..., letter: ...}
      ...

It is read and checked once at start-up; a mistake stops the start with a message saying what to fix.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

import yaml

from routing.updates import MESSAGE_KINDS, NOTIFY_CHANNELS
from wiring.settings import SettingsError

KEY_VARIABLE = "COUNCIL_NOTIFY_API_KEY"
BASE_URL_VARIABLE = "COUNCIL_NOTIFY_BASE_URL"
TEMPLATES_VARIABLE = "COUNCIL_NOTIFY_TEMPLATES"
DEFAULT_BASE_URL = "https://api.notifications.service.gov.uk"
_UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
# A Notify key is "name-<service id>-<secret>": the client reads the last 73 characters.
_KEY = re.compile(rf"^.+-{_UUID}-{_UUID}$")
_TEMPLATE = re.compile(rf"^{_UUID}$")


@dataclass(frozen=True)
class NotifySettings:
    """How updates are sent.

    Attributes:
        api_key: the service's Notify API key; None writes every message to the local outbox.
        base_url: Notify's API (``COUNCIL_NOTIFY_BASE_URL``; a test server in the tests).
        templates: the template id for each (message kind, channel: text, email or letter).
        timeout: seconds to wait for Notify's answer before the outcome counts as unknown.
    """

    api_key: str | None = None
    base_url: str = DEFAULT_BASE_URL
    templates: Mapping[tuple[str, str], str] = field(default_factory=dict)
    timeout: float = 10.0

    @property
    def local(self) -> bool:
        """True when messages go to the local outbox, not to Notify."""
        return self.api_key is None


def load_notify_settings() -> NotifySettings:
    """Read and check Notify's settings from the environment; SettingsError with the fix."""
    key = os.environ.get(KEY_VARIABLE, "").strip() or None
    base_url = os.environ.get(BASE_URL_VARIABLE, "").strip() or DEFAULT_BASE_URL
    if not base_url.startswith(("https://", "http://localhost", "http://127.0.0.1")):
        raise SettingsError(f"{BASE_URL_VARIABLE} must be an https:// address, not {base_url!r}")
    if key is None:
        return NotifySettings(base_url=base_url)
    if not _KEY.match(key.lower()):
        raise SettingsError(
            f"{KEY_VARIABLE} does not look like a GOV.UK Notify API key (name-service id-secret). "
            "Copy it again from Notify's API integration page."
        )
    path = os.environ.get(TEMPLATES_VARIABLE, "").strip()
    if not path:
        raise SettingsError(
            f"{KEY_VARIABLE} is set, so {TEMPLATES_VARIABLE} must name the templates file "
            "(see README, Updates by text, email and letter)"
        )
    return NotifySettings(api_key=key, base_url=base_url, templates=read_templates(Path(path)))


def read_templates(path: Path) -> dict[tuple[str, str], str]:
    """The template ids in the YAML file at ``path``, every kind on every channel; SettingsError
    naming the first one missing or malformed."""
    try:
        content: Any = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise SettingsError(f"{TEMPLATES_VARIABLE} names {path}, which cannot be read: {error.strerror}") from None
    except yaml.YAMLError as error:
        raise SettingsError(f"{path} is not valid YAML: {error}") from None
    entries = content.get("templates") if isinstance(content, dict) else None
    if not isinstance(entries, dict):
        raise SettingsError(f"{path} must have a mapping called 'templates' (see README)")
    unknown = sorted(set(map(str, entries)) - set(MESSAGE_KINDS))
    if unknown:
        raise SettingsError(f"{path} has no message kind {', '.join(unknown)}; use {', '.join(MESSAGE_KINDS)}")
    found: dict[tuple[str, str], str] = {}
    for kind in MESSAGE_KINDS:
        channels = entries.get(kind)
        for channel in NOTIFY_CHANNELS:
            template = channels.get(channel) if isinstance(channels, dict) else None
            if not isinstance(template, str) or not _TEMPLATE.match(template.strip().lower()):
                raise SettingsError(
                    f"{path}: {kind} needs a {channel} template id (like 0f6a4b2c-...), from Notify's templates page"
                )
            found[(kind, channel)] = template.strip()
    return found
