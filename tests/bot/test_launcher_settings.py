"""``python -m bot run`` with a setting it cannot use: one plain line naming it, and nothing started."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("name", "value", "says"),
    [
        ("WEB_PORT", "abc", "WEB_PORT must be a port number"),
        ("COUNCIL_OPEN311_URL", "ftp://backoffice.example", "COUNCIL_OPEN311_URL must be an http or https URL"),
        ("COUNCIL_WEBHOOKS_FILE", "/no/such/webhooks.yml", "COUNCIL_WEBHOOKS_FILE names /no/such/webhooks.yml"),
    ],
)
def test_a_setting_it_cannot_use_stops_the_start_with_one_clear_line(
    name: str, value: str, says: str, tmp_path: Path
) -> None:
    environment = {**os.environ, "VAR_DIR": str(tmp_path), name: value}
    started = subprocess.run(
        [sys.executable, "-m", "bot", "run"], cwd=ROOT, env=environment, capture_output=True, text=True, timeout=120
    )
    assert started.returncode == 2
    assert started.stderr.startswith(f"Cannot start: {says}") and "Traceback" not in started.stderr
    assert not (tmp_path / "supervisord.conf").exists() and not (tmp_path / "council.db").exists()
