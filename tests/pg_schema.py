"""A PostgreSQL schema of its own, for one test or one benchmark run, dropped afterwards.

Every connection made with the URL it yields resolves tables in that schema (libpq's
`options=-csearch_path=…`), so runs never see each other's rows. Used by tests/conftest.py and
benchmarks/bench_tick.py. Raises sqlalchemy.exc.OperationalError when the server is unreachable.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import quote

import sqlalchemy as sa

from drip import config


@contextmanager
def fresh_schema(raw: str, *, prefix: str) -> Iterator[str]:
    url = config.normalise_database_url(raw)
    admin = sa.create_engine(url, connect_args={"connect_timeout": 5})
    schema = f"{prefix}_{uuid.uuid4().hex[:12]}"
    try:
        with admin.begin() as conn:
            conn.exec_driver_sql(f"CREATE SCHEMA {schema}")
    except sa.exc.OperationalError:
        admin.dispose()
        raise
    separator = "&" if "?" in url else "?"
    try:
        yield f"{url}{separator}options={quote(f'-csearch_path={schema}')}"
    finally:
        with admin.begin() as conn:
            conn.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")
        admin.dispose()
