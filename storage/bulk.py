"""Loading many rows at once (a synthetic history for demonstrations and benchmarks).

``bulk_load`` opens the one transaction a load runs in. On SQLite it also sets the connection up
for a load only: no fsync (the load is one transaction, and a crash mid-way loses only the load),
a large page cache, a rollback journal instead of WAL when no one else has the file open (each
page is then written once, not to the WAL and again at the checkpoint), and each named table that
starts empty loses its secondary indexes until the rows are in: SQLite then builds each index in
one sorted pass instead of inserting millions of random keys one by one. The indexes are made
again from their own stored definitions before the commit, so the schema afterwards is exactly
the migrations' (constraints such as UNIQUE are never dropped). Everything is put back when the
load ends. On PostgreSQL the load is an ordinary transaction.

``insert_rows`` writes rows given as tuples: on SQLite straight through the driver's
``executemany`` (values converted as SQLAlchemy's own bind processors convert them, so they are
stored exactly as an ordinary insert stores them), elsewhere through SQLAlchemy's batched insert.
The conversion (``driver_rows``) can be done apart from the insert, in another process.
"""

from __future__ import annotations

import sqlite3
from contextlib import contextmanager
from datetime import datetime, timezone
from typing import Any, Callable, Iterator, Sequence

from sqlalchemy import Boolean, DateTime, Table, insert
from sqlalchemy.engine import Connection, Dialect, Engine

CACHE_KIB = 2_000_000  # 2 GB of page cache for the load's connection only (a million conversations)
SORTER_THREADS = 2
_PROBE = datetime(2026, 3, 4, 5, 6, 7, 890123, tzinfo=timezone.utc)
_FLAGS: dict[bool | None, int | None] = {True: 1, False: 0, None: None}


@contextmanager
def bulk_load(engine: Engine, *tables: Table) -> Iterator[Connection]:
    """One transaction for a load into ``tables`` (see the module's docstring); commits at the end."""
    with engine.connect() as connection:
        if connection.dialect.name != "sqlite":
            with connection.begin():
                yield connection
            return
        driver = connection.connection.driver_connection
        before = _set_up_sqlite(driver)
        try:
            with connection.begin():
                # Begun now, not at the first insert as the driver would: the indexes come back
                # if the load fails. IMMEDIATE: wait for the write lock now, not late in the load.
                connection.exec_driver_sql("BEGIN IMMEDIATE")
                rebuilt = [_drop_indexes(connection, table) for table in tables if _is_empty(connection, table)]
                yield connection
                for statements in rebuilt:
                    for statement in statements:
                        connection.exec_driver_sql(statement)
        finally:
            _restore_sqlite(driver, before)


def _set_up_sqlite(driver: Any) -> dict[str, Any]:
    """Pragmas for the load (outside any transaction: SQLite will not change them inside one)."""
    before = {name: driver.execute(f"PRAGMA {name}").fetchone()[0] for name in ("synchronous", "cache_size", "threads")}
    before["journal_mode"] = driver.execute("PRAGMA journal_mode").fetchone()[0]
    driver.execute("PRAGMA synchronous=OFF")
    driver.execute(f"PRAGMA cache_size=-{CACHE_KIB}")
    driver.execute(f"PRAGMA threads={SORTER_THREADS}")  # helper threads to sort while indexes are built
    try:  # leaving WAL needs the file to ourselves: if another connection has it open, WAL stays
        driver.execute("PRAGMA journal_mode=TRUNCATE")
    except sqlite3.OperationalError as error:
        if "locked" not in str(error):
            raise
    return before


def _restore_sqlite(driver: Any, before: dict[str, Any]) -> None:
    if driver.in_transaction:  # the load failed mid-way and was rolled back by SQLAlchemy's pool
        driver.rollback()
    driver.execute(f"PRAGMA journal_mode={before['journal_mode']}")
    driver.execute(f"PRAGMA synchronous={int(before['synchronous'])}")
    driver.execute(f"PRAGMA cache_size={int(before['cache_size'])}")
    driver.execute(f"PRAGMA threads={int(before['threads'])}")


def _is_empty(connection: Connection, table: Table) -> bool:
    return connection.execute(table.select().limit(1)).first() is None


def _drop_indexes(connection: Connection, table: Table) -> list[str]:
    """Drop ``table``'s secondary indexes; their CREATE statements, to run once the rows are in."""
    indexes = connection.exec_driver_sql(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL",
        (table.name,),
    ).all()
    for name, _ in indexes:
        connection.exec_driver_sql(f'DROP INDEX "{name}"')
    return [sql for _, sql in indexes]


def insert_rows(connection: Connection, table: Table, columns: Sequence[str], rows: Sequence[tuple[Any, ...]]) -> None:
    """Insert ``rows`` (tuples of Python values, in the order of ``columns``) into ``table``."""
    insert_driver_rows(connection, table, columns, driver_rows(connection.dialect, table, columns, rows))


def driver_rows(
    dialect: Dialect, table: Table, columns: Sequence[str], rows: Sequence[tuple[Any, ...]]
) -> list[tuple[Any, ...]]:
    """``rows`` as ``insert_driver_rows`` takes them: on SQLite, each value as SQLAlchemy would
    store it (a time as text, a flag as 0 or 1); elsewhere as they are. (Apart from the insert, so
    another process can do it.)"""
    if dialect.name != "sqlite" or not rows:
        return list(rows)
    converters = [_sqlite_converter(dialect, table, name) for name in columns]
    if not any(converters):
        return list(rows)
    by_column = zip(converters, zip(*rows, strict=True), strict=True)
    stored = (map(convert, values) if convert else values for convert, values in by_column)
    return list(zip(*stored, strict=True))


def insert_driver_rows(
    connection: Connection, table: Table, columns: Sequence[str], rows: Sequence[tuple[Any, ...]]
) -> None:
    """Insert rows made by ``driver_rows``: on SQLite straight through the driver, elsewhere
    through SQLAlchemy's batched insert."""
    if not rows:
        return
    if connection.dialect.name != "sqlite":
        connection.execute(insert(table), [dict(zip(columns, row, strict=True)) for row in rows])
        return
    placeholders = ", ".join("?" * len(columns))
    names = ", ".join(f'"{name}"' for name in columns)
    cursor = connection.connection.driver_connection.cursor()
    try:
        cursor.executemany(f'INSERT INTO "{table.name}" ({names}) VALUES ({placeholders})', rows)
    finally:
        cursor.close()


def _sqlite_converter(dialect: Dialect, table: Table, name: str) -> Callable[[Any], Any] | None:
    """How SQLAlchemy stores a value of this column in SQLite (None: as it is)."""
    column_type = table.c[name].type
    process = column_type.dialect_impl(dialect).bind_processor(dialect)
    # The same values several times faster (millions of event times and flags), checked against
    # SQLAlchemy's own conversion so that a change there cannot make them differ.
    if process is not None and isinstance(column_type, DateTime) and _timestamp(_PROBE) == process(_PROBE):
        return _timestamp
    if process is not None and isinstance(column_type, Boolean) and all(process(k) == v for k, v in _FLAGS.items()):
        return _FLAGS.__getitem__  # anything but True, False or None is refused, as SQLAlchemy refuses it
    return process


def _timestamp(moment: datetime | None) -> str | None:
    """A time as SQLAlchemy's SQLite dialect writes it: its wall-clock digits, microseconds always."""
    return None if moment is None else moment.isoformat(" ", "microseconds")[:26]  # no "+00:00"
