"""Large deliveries tables, made in SQL rather than through `subscribe` (420/s would take
40 minutes for 1M rows).

`fill_queue`: R rows in the deliveries table of a migrated database, mostly sent (a clinic's
history), with a normal queue in front of it: 1,000 due at distinct instants before T0 and
R/20 due later. `fill_backlog`: R rows all pending and due at T0 exactly (what an import makes).
Subscribers: R/20 active ones, the deliveries spread over them. The generated rows go in with
INSERT … SELECT over a series (SQLite's recursive CTE, PostgreSQL's generate_series); the
normal queue's distinct instants through executemany. Then ANALYZE, as autovacuum would.

`clone`: multiplies a database populated through `subscribe` (subscribers, enrollments,
deliveries, each copy with new ids, uids and addresses), for the RSS runs that really send.
"""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from bench_tick import T0

from drip.store import models, values

SENT_AT = T0 - timedelta(days=30)
QUEUE_DUE = 1000


def _series(engine: sa.Engine) -> tuple[str, str]:
    """(prefix, source) of a numbered series 1..:count in this dialect."""
    if engine.dialect.name == "sqlite":
        return (
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < :count) ",
            "n",
        )
    return "", "generate_series(1, :count) AS n(i)"


def _when(name: str) -> sa.BindParameter[object]:
    return sa.bindparam(name, type_=models.UTCDateTime())


def _subscribers(conn: sa.Connection, engine: sa.Engine, count: int) -> None:
    prefix, source = _series(engine)
    conn.execute(
        sa.text(
            f"{prefix}INSERT INTO subscribers (id, uid, email, email_normalised, first_name, "
            "cause, timezone, state, consent_at, consent_source, consent_text, created_at, "
            "confirmed_at, updated_at) "
            "SELECT i, 's' || CAST(i AS TEXT), 'p' || CAST(i AS TEXT) || '@example.com', "
            "'p' || CAST(i AS TEXT) || '@example.com', 'Ana', 'muscle-injury', "
            "'Europe/London', 'active', :t, 'benchmark', 'synthetic', :t, :t, :t "
            f"FROM {source}"
        ).bindparams(_when("t")),
        {"count": count, "t": SENT_AT},
    )


def _generated(
    conn: sa.Connection,
    engine: sa.Engine,
    *,
    count: int,
    subscribers: int,
    state: str,
    due: object,
    tag: str,
) -> None:
    prefix, source = _series(engine)
    sent = state == "sent"
    conn.execute(
        sa.text(
            f"{prefix}INSERT INTO deliveries (uid, subscriber_id, sequence, step_id, due_at, "
            "state, attempts, created_at, sent_at) "
            f"SELECT '{tag}' || CAST(i AS TEXT), 1 + (i % :subs), 'muscle-injury', "
            f"'{tag}' || CAST(i AS TEXT), :due, '{state}', 0, :t, "
            f"{':t' if sent else 'NULL'} FROM {source}"
        ).bindparams(_when("due"), _when("t")),
        {"count": count, "subs": subscribers, "due": due, "t": SENT_AT},
    )


def _queue(conn: sa.Connection, subscribers: int, future: int) -> None:
    table = models.Base.metadata.tables["deliveries"]
    rows = [
        {
            "uid": f"q{i}",
            "subscriber_id": 1 + i % subscribers,
            "sequence": "muscle-injury",
            "step_id": f"q{i}",
            "due_at": T0 - timedelta(seconds=i + 1) if i < QUEUE_DUE else T0 + timedelta(minutes=i),
            "state": values.DeliveryState.PENDING,
            "attempts": 0,
            "created_at": SENT_AT,
        }
        for i in range(QUEUE_DUE + future)
    ]
    for start in range(0, len(rows), 10_000):
        conn.execute(sa.insert(table), rows[start : start + 10_000])


def _analyze(engine: sa.Engine) -> None:
    with engine.connect() as conn:
        conn.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("ANALYZE")


def fill_queue(url: str, rows: int) -> None:
    """`rows` deliveries: 1,000 due, rows/20 due later, the rest sent."""
    engine = sa.create_engine(url)
    subscribers = max(100, rows // 20)
    future = rows // 20
    try:
        with engine.begin() as conn:
            _subscribers(conn, engine, subscribers)
            sent = rows - QUEUE_DUE - future
            _generated(
                conn,
                engine,
                count=sent,
                subscribers=subscribers,
                state="sent",
                due=SENT_AT,
                tag="s",
            )
            _queue(conn, subscribers, future)
        _analyze(engine)
    finally:
        engine.dispose()


def fill_backlog(url: str, rows: int) -> None:
    """`rows` deliveries, all pending and due at T0."""
    engine = sa.create_engine(url)
    subscribers = max(100, rows // 20)
    try:
        with engine.begin() as conn:
            _subscribers(conn, engine, subscribers)
            _generated(
                conn,
                engine,
                count=rows,
                subscribers=subscribers,
                state="pending",
                due=T0,
                tag="b",
            )
        _analyze(engine)
    finally:
        engine.dispose()


def clone(url: str, copies: int) -> None:
    """Add `copies` copies of every subscriber, enrollment and delivery (SQLite: new rows
    take ids after the copies, as rowids do)."""
    engine = sa.create_engine(url)
    try:
        with engine.begin() as conn:
            top = {
                name: int(conn.exec_driver_sql(f"SELECT max(id) FROM {name}").scalar_one() or 0)
                for name in ("subscribers", "enrollments", "deliveries")
            }
            for k in range(1, copies + 1):
                tag = f"{k:08x}"
                for name in ("subscribers", "enrollments", "deliveries"):
                    table = models.Base.metadata.tables[name]
                    columns = [c.name for c in table.columns]
                    chosen = [_cloned(table.name, c, k, tag, top) for c in columns]
                    conn.exec_driver_sql(
                        f"INSERT INTO {table.name} ({', '.join(columns)}) "
                        f"SELECT {', '.join(chosen)} FROM {table.name} WHERE id <= "
                        f"{top[table.name]}"
                    )
        _analyze(engine)
    finally:
        engine.dispose()


def _cloned(table: str, column: str, k: int, tag: str, top: dict[str, int]) -> str:
    if column == "id":
        return f"id + {k * top[table]}"
    if column == "subscriber_id":
        return f"subscriber_id + {k * top['subscribers']}"
    if column == "uid":
        return f"'{tag}' || substr(uid, 9)"
    if column in ("email", "email_normalised"):
        return f"'c{tag}.' || {column}"
    return column
