"""``python -m bot users``: creating accounts and API tokens from the command line."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from storage.engine import open_engine
from storage.staff import StaffAccounts, StaffSessions
from tests.conftest import ROOT


def users(tmp_path: Path, *args: str, password: str | None = None) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, COUNCIL_DATABASE_URL=f"sqlite:///{tmp_path / 'council.db'}", PYTHONPATH=str(ROOT))
    if password is not None:
        env["COUNCIL_NEW_PASSWORD"] = password
    return subprocess.run(
        [sys.executable, "-m", "bot", "users", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )


def test_add_list_and_token(tmp_path: Path) -> None:
    added = users(tmp_path, "add", "ravi", "--role", "manager", "--name", "Ravi Shah", password="a strong passphrase")
    assert added.returncode == 0, added.stderr
    assert "Created ravi (manager)." in added.stdout
    assert "ravi\tmanager\tRavi Shah" in users(tmp_path, "list").stdout

    token = users(tmp_path, "token", "ravi").stdout.strip()
    assert token.startswith("cca_")
    engine = open_engine(f"sqlite:///{tmp_path / 'council.db'}")
    accounts = StaffAccounts(engine)
    assert StaffSessions(engine, accounts).api_user(token) == accounts.get("ravi")
    assert accounts.sign_in("ravi", "a strong passphrase").is_manager


def test_refusals_are_one_plain_line_and_exit_1(tmp_path: Path) -> None:
    weak = users(tmp_path, "add", "ravi", password="short")
    assert weak.returncode == 1 and "at least 12 characters" in weak.stderr and "Traceback" not in weak.stderr
    missing = users(tmp_path, "token", "nobody")
    assert missing.returncode == 1 and "no account called nobody" in missing.stderr
