"""GOV.UK Notify's settings: none needed for the local outbox; with a key, a templates file naming
every message on every channel, and a clear message for each mistake."""

from __future__ import annotations

from pathlib import Path

import pytest

from routing.updates import MESSAGE_KINDS
from wiring.notify import DEFAULT_BASE_URL, load_notify_settings
from wiring.settings import SettingsError

KEY = "council_live-26785a09-ab16-4eb0-8407-a37497a57506-3d844edf-8d35-48ac-975b-e847b4f122b0"
TEMPLATE = "f33517ff-2a88-4f6e-b855-c550268ce08a"


def templates_file(tmp_path: Path, leave_out: str | None = None) -> Path:
    lines = ["templates:"]
    for kind in MESSAGE_KINDS:
        channels = [
            f"{channel}: {TEMPLATE}" for channel in ("text", "email", "letter") if f"{kind}.{channel}" != leave_out
        ]
        lines.append(f"  {kind}: {{{', '.join(channels)}}}")
    path = tmp_path / "templates.yml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_with_no_key_messages_go_to_the_local_outbox(monkeypatch):
    for name in ("COUNCIL_NOTIFY_API_KEY", "COUNCIL_NOTIFY_BASE_URL", "COUNCIL_NOTIFY_TEMPLATES"):
        monkeypatch.delenv(name, raising=False)
    settings = load_notify_settings()
    assert settings.local and settings.base_url == DEFAULT_BASE_URL


def test_a_key_with_its_templates_is_read(monkeypatch, tmp_path):
    monkeypatch.setenv("COUNCIL_NOTIFY_API_KEY", KEY)
    monkeypatch.setenv("COUNCIL_NOTIFY_TEMPLATES", str(templates_file(tmp_path)))
    settings = load_notify_settings()
    assert not settings.local and settings.api_key == KEY
    assert (
        len(settings.templates) == len(MESSAGE_KINDS) * 3
        and settings.templates[("report_closed", "letter")] == TEMPLATE
    )


@pytest.mark.parametrize(
    ("key", "templates", "base_url", "message"),
    [
        ("not-a-key", True, None, "does not look like a GOV.UK Notify API key"),
        (KEY, False, None, "COUNCIL_NOTIFY_TEMPLATES must name the templates file"),
        (KEY, "callback_today.letter", None, "callback_today needs a letter template id"),
        (KEY, True, "http://notify.example.org", "must be an https:// address"),
    ],
)
def test_each_mistake_stops_the_start_with_what_to_fix(monkeypatch, tmp_path, key, templates, base_url, message):
    monkeypatch.setenv("COUNCIL_NOTIFY_API_KEY", key)
    if templates:
        leave_out = templates if isinstance(templates, str) else None
        monkeypatch.setenv("COUNCIL_NOTIFY_TEMPLATES", str(templates_file(tmp_path, leave_out)))
    else:
        monkeypatch.delenv("COUNCIL_NOTIFY_TEMPLATES", raising=False)
    if base_url:
        monkeypatch.setenv("COUNCIL_NOTIFY_BASE_URL", base_url)
    else:
        monkeypatch.delenv("COUNCIL_NOTIFY_BASE_URL", raising=False)
    with pytest.raises(SettingsError, match=message):
        load_notify_settings()
