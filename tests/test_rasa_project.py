"""The Rasa project as a whole: its data validates cleanly and the conversation tests pass."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import MODEL, ROOT

RASA = str(Path(sys.executable).with_name("rasa"))


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PYTHONPATH=str(ROOT), SQLALCHEMY_SILENCE_UBER_WARNING="1", TF_CPP_MIN_LOG_LEVEL="2")
    return subprocess.run([RASA, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=900)


def test_training_data_validates_without_warnings() -> None:
    result = _run("data", "validate", "--fail-on-warnings")
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]


def test_every_conversation_test_story_is_predicted_exactly() -> None:
    out = ROOT / "var" / "results" / "conversations"
    result = _run(
        "test", "core",
        "--model", str(MODEL),
        "--stories", str(ROOT / "tests" / "stories"),
        "--fail-on-prediction-errors",
        "--out", str(out),
    )  # fmt: skip
    failed = out / "failed_test_stories.yml"
    detail = failed.read_text() if failed.exists() else ""
    assert result.returncode == 0, (result.stdout + result.stderr)[-3000:] + detail[-3000:]
