"""Writing many rows of a table at once, for `drip import`: plain tuples, not SQLAlchemy's
executemany, which spends ~20 µs a row in Python (a bind processor per value; on PostgreSQL,
psycopg's pipeline sends one statement per row): most of an import's time.

Rows are given as the driver takes them: every value already as SQLAlchemy would bind it
(`binder`: its own bind processor of the column's type on this dialect, e.g. a datetime as
SQLite's naive-UTC text, an enum as its value). SQLite gets multi-row INSERTs, PostgreSQL
one binary COPY per table, both in the caller's transaction; a driver error is raised as
SQLAlchemy's (IntegrityError for a unique key), as `conn.execute` would raise it.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import sqlite3
from collections.abc import Callable, Collection, Iterator, Sequence
from typing import Any

import sqlalchemy as sa

from drip.store import base

SQLITE_MAX_ROWS = 500  # rows a statement: past a few hundred, longer ones gain nothing


def binder(conn: sa.Connection) -> Callable[[sa.Column[Any], Any], Any]:
    """bind(column, value): `value` as SQLAlchemy sends it to the driver for `column`."""
    dialect = conn.dialect

    def bind(column: sa.Column[Any], value: Any) -> Any:
        process = column.type.dialect_impl(dialect).bind_processor(dialect)
        return value if process is None or value is None else process(value)

    return bind


def among(
    conn: sa.Connection, column: sa.Column[str], keys: Collection[str]
) -> sa.ColumnElement[bool]:
    """`column IN keys` with the keys as one parameter, a JSON array, still searched by the
    column's index. `in_` makes a parameter a key, and SQLAlchemy and psycopg spend µs on each
    (half an import's time on PostgreSQL); a PostgreSQL array parameter is dumped in Python,
    and planned as a scan of the table."""
    listed: sa.BindParameter[str] = sa.bindparam(None, json.dumps(list(keys)))
    if conn.dialect.name == "sqlite":
        return column.in_(sa.select(sa.column("value")).select_from(sa.func.json_each(listed)))
    return column.in_(sa.select(sa.func.json_array_elements_text(sa.cast(listed, sa.JSON))))


def new_ids(conn: sa.Connection, table: sa.Table, count: int) -> list[int]:
    """`count` ids for new rows of `table`, the ones its own default would have given.

    SQLite (no AUTOINCREMENT): the next rowids past the largest, safe as every write
    transaction holds the database's write lock (BEGIN IMMEDIATE). PostgreSQL: from the
    column's sequence, as a concurrent sign-up's INSERT takes its own."""
    if count == 0:
        return []
    if conn.dialect.name == "sqlite":
        top = conn.execute(sa.select(sa.func.coalesce(sa.func.max(table.c.id), 0))).scalar_one()
        return list(range(top + 1, top + 1 + count))
    drawn = conn.exec_driver_sql(
        "SELECT nextval(pg_get_serial_sequence(%(table)s, 'id')) FROM generate_series(1, %(n)s)",
        {"table": table.name, "n": count},
    )
    return sorted(drawn.scalars())


def insert(
    conn: sa.Connection, table: sa.Table, columns: Sequence[str], rows: Sequence[tuple[Any, ...]]
) -> None:
    """INSERT `rows` (tuples of bound values, in the order of `columns`) into `table`."""
    if not rows:
        return
    quote = conn.dialect.identifier_preparer.quote
    name = conn.dialect.identifier_preparer.format_table(table)
    names = ", ".join(quote(c) for c in columns)
    if conn.dialect.name == "sqlite":
        _sqlite_insert(conn, f"INSERT INTO {name} ({names}) VALUES ", len(columns), rows)
        return
    statement = f"COPY {name} ({names}) FROM STDIN (FORMAT BINARY)"
    with _as_sqlalchemy_errors(conn, statement):
        cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
        try:
            # Binary COPY needs each column's type: the server says which, for a query of none.
            cursor.execute(f"SELECT {names} FROM {name} LIMIT 0")
            types = [column.type_code for column in cursor.description]
            with cursor.copy(statement) as copy:
                copy.set_types(types)
                for row in rows:
                    copy.write_row(row)
        finally:
            cursor.close()


def _sqlite_insert(
    conn: sa.Connection, head: str, width: int, rows: Sequence[tuple[Any, ...]]
) -> None:
    """Multi-row VALUES, as many rows a statement as SQLite takes parameters (SQLITE_MAX_ROWS
    at most): the CHECK of an enum column (`IN (…)`) builds its list once per execution of a
    statement, so one execution a row (executemany) spent more on it than on the row."""
    driver = conn.connection.driver_connection
    most = driver.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)  # type: ignore[union-attr]
    per = max(1, min(SQLITE_MAX_ROWS, most // width))
    group = "(" + ", ".join("?" * width) + ")"
    for start in range(0, len(rows), per):
        chunk = rows[start : start + per]
        statement = head + ", ".join([group] * len(chunk))
        with _as_sqlalchemy_errors(conn, statement):
            driver.execute(statement, list(itertools.chain.from_iterable(chunk)))  # type: ignore[union-attr]


@contextlib.contextmanager
def _as_sqlalchemy_errors(conn: sa.Connection, statement: str) -> Iterator[None]:
    """The driver's error as SQLAlchemy wraps it (sa.exc.IntegrityError, OperationalError…),
    so that callers catch one kind whichever way a row was written."""
    try:
        yield
    except conn.dialect.loaded_dbapi.Error as exc:
        raise base.as_sqlalchemy_error(exc, conn.dialect, statement) from exc
