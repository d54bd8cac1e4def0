"""One SQLAlchemy engine per process for the assistant's own tables (not Rasa's tracker store).

SQLite under ``var/`` by default; any SQLAlchemy URL (PostgreSQL for scale) through
``COUNCIL_DATABASE_URL``. Written in SQLAlchemy 2.0 style on 1.4 (``future=True``). The tables are
made and changed only by the migrations (``storage.schema``).
"""

from __future__ import annotations

import os
from dataclasses import fields
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Mapping, TypeVar, overload

from sqlalchemy import MetaData, event, exc, text
from sqlalchemy.engine import Engine, create_engine, make_url
from sqlalchemy.pool import QueuePool

metadata = MetaData()


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # WAL lets the web app read while the action server writes; busy_timeout waits out short locks.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def _file_identity(path: str) -> tuple[int, int] | None:
    try:
        found = os.stat(path)
    except OSError:
        return None
    return (found.st_dev, found.st_ino)


def _keep_open_while_the_file_is_there(engine: Engine, path: str) -> None:
    """Pool a SQLite file's connections, and drop them when the file is gone or replaced.

    SQLAlchemy 1.4 opens and closes a SQLite file's connection for every use, and the last close of
    a WAL database checkpoints it: 0.7 ms a query against 0.1 ms pooled, on every resident's turn
    through the chat page. An open connection keeps reading a file that was moved or deleted,
    so each checkout checks the path still names the file it opened (a ``stat``); when not, the pool
    opens a new connection, which fails as a database that is away should (``DBAPIError``).
    """

    def remember_file(_dbapi_connection: Any, record: Any) -> None:
        record.info["file"] = _file_identity(path)

    def check_file(_dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        if _file_identity(path) != record.info.get("file"):
            raise exc.DisconnectionError(f"{path} is not the file this connection opened")

    event.listen(engine, "connect", remember_file)
    event.listen(engine, "checkout", check_file)


def open_engine(url: str) -> Engine:
    """Create the engine for ``url``, creating a SQLite file's folder."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        in_a_file = bool(parsed.database) and parsed.database != ":memory:"
        if in_a_file:
            Path(str(parsed.database)).parent.mkdir(parents=True, exist_ok=True)
            engine = create_engine(
                url, future=True, poolclass=QueuePool, pool_size=4, max_overflow=16,
                connect_args={"check_same_thread": False},
            )  # fmt: skip
            _keep_open_while_the_file_is_there(engine, str(parsed.database))
        else:
            engine = create_engine(url, future=True, connect_args={"check_same_thread": False})
        event.listen(engine, "connect", _sqlite_pragmas)
    else:
        engine = create_engine(url, future=True, pool_pre_ping=True)
    return engine


@overload
def as_utc(moment: datetime) -> datetime: ...
@overload
def as_utc(moment: None) -> None: ...
def as_utc(moment: datetime | None) -> datetime | None:
    """``moment`` in UTC. SQLite hands back naive datetimes; everything stored is UTC."""
    if moment is None:
        return None
    return moment.replace(tzinfo=timezone.utc) if moment.tzinfo is None else moment.astimezone(timezone.utc)


Record = TypeVar("Record")


def from_row(kind: type[Record], row: Mapping[str, Any], **given: Any) -> Record:
    """A ``kind`` dataclass from a table row: each field from the column of its name (times in UTC),
    unless its value is ``given`` (a column stored as JSON, say)."""
    values = dict(given)
    for field in fields(kind):  # type: ignore[arg-type]
        if field.name not in values and field.name in row:
            value = row[field.name]
            values[field.name] = as_utc(value) if isinstance(value, datetime) else value
    return kind(**values)


def ensure_database(url: str) -> None:
    """Create a PostgreSQL database that is not there yet (connecting to the server's ``postgres``
    database to do it), so a first start needs nothing made by hand. SQLite makes its own file."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "postgresql" or not parsed.database:
        return
    admin = create_engine(parsed.set(database="postgres"), future=True, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            query = text("SELECT 1 FROM pg_database WHERE datname = :name")
            if connection.execute(query, {"name": parsed.database}).scalar() is None:
                # A name cannot be a bound parameter; it is quoted, with any quote in it doubled.
                connection.execute(text(f'CREATE DATABASE "{parsed.database.replace(chr(34), chr(34) * 2)}"'))
    finally:
        admin.dispose()
