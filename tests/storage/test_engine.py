"""The assistant's engine keeps SQLite connections open, and still notices the file going away."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from storage.engine import open_engine


def _count(engine_url: str) -> int:
    engine = open_engine(engine_url)
    with engine.connect() as connection:
        count = int(connection.execute(text("SELECT count(*) FROM notes")).scalar_one())
    engine.dispose()
    return count


def test_a_database_file_that_goes_away_fails_its_queries_and_comes_back_with_nothing_lost(tmp_path: Path) -> None:
    database = tmp_path / "council.db"
    engine = open_engine(f"sqlite:///{database}")
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)"))
        connection.execute(text("INSERT INTO notes (body) VALUES ('before')"))
    away = tmp_path / "away.db"
    database.rename(away)
    database.mkdir()  # where the file was, something SQLite cannot open
    try:
        # The pool's open connection still reads the moved file; it must not be used.
        with pytest.raises(DBAPIError), engine.connect() as connection:
            connection.execute(text("SELECT count(*) FROM notes")).scalar_one()
    finally:
        database.rmdir()
        away.rename(database)
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO notes (body) VALUES ('after')"))
    engine.dispose()
    assert _count(f"sqlite:///{database}") == 2


def test_a_file_replaced_by_an_empty_one_is_not_read_through_an_old_connection(tmp_path: Path) -> None:
    database = tmp_path / "council.db"
    engine = open_engine(f"sqlite:///{database}")
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)"))
    database.rename(tmp_path / "away.db")
    database.touch()  # a background task opened (and so created) the file again
    with pytest.raises(DBAPIError), engine.connect() as connection:
        connection.execute(text("SELECT count(*) FROM notes")).scalar_one()
    engine.dispose()


def test_an_in_memory_database_still_works(tmp_path: Path) -> None:
    engine = open_engine("sqlite://")
    with engine.connect() as connection:
        assert connection.execute(text("SELECT 1")).scalar_one() == 1
    engine.dispose()
