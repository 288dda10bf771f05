"""Alembic environment for drip's packaged migrations.

`drip.store.Store.upgrade()` passes its own connection in `config.attributes["connection"]`;
otherwise (running `alembic` by hand with `-x url=…`) an engine is made from that URL.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import context

from drip.store import models


def _run(connection: sa.Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=models.Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


def main() -> None:
    connection = context.config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    url = context.get_x_argument(as_dictionary=True).get("url") or context.config.get_main_option(
        "sqlalchemy.url"
    )
    if not url:
        raise SystemExit("give the database URL: alembic -x url=sqlite:///drip.db …")
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        _run(conn)
    engine.dispose()


main()
