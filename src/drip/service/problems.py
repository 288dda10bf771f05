"""A database's failure in words a user can act on, for every shell to show the same way.

    problem = problems.explain(exc)     # errors.ConfigError, or None: not a database problem

One line: the URL without its password, the driver's own first line (never SQL or parameters),
and what to do. SQLAlchemy is looked up in `sys.modules`, not imported: a command that never
touched the database pays nothing for this.
"""

from __future__ import annotations

import sys
from types import TracebackType

from drip import config, errors, redact

_URL_ADVICE = "set DRIP_DATABASE_URL to sqlite:///drip.db or postgresql://user@host/db"
_UNDEFINED_TABLE = "42P01"  # PostgreSQL's SQLSTATE for "relation does not exist"


def explain(exc: BaseException) -> errors.ConfigError | None:
    """The database problem `exc` stands for, or None when it is something else."""
    if isinstance(exc, ModuleNotFoundError) and _raised_by_sqlalchemy(exc.__traceback__):
        install = "pip install 'drip[postgres]'" if exc.name == "psycopg" else "install it"
        missing = f"its driver {exc.name!r} is not installed: {install}, or {_URL_ADVICE}"
        return errors.ConfigError(f"{_shown(_database_url())}: {missing}")
    sa_exc = sys.modules.get("sqlalchemy.exc")
    if sa_exc is None or not isinstance(exc, sa_exc.DBAPIError | sa_exc.ArgumentError):
        return None
    url = _database_url()
    message = f"{_shown(url)}: {_what_went_wrong(exc, url or '', sa_exc)}"
    return errors.ConfigError(redact.secret(message, url or ""))


def _what_went_wrong(exc: BaseException, url: str, sa_exc: object) -> str:
    if isinstance(exc, sa_exc.NoSuchModuleError):  # type: ignore[attr-defined]
        return f"drip knows no database of that kind; {_URL_ADVICE}"
    if isinstance(exc, sa_exc.ArgumentError):  # type: ignore[attr-defined]
        return f"{_first_line(str(exc))}; {_URL_ADVICE}"
    orig = getattr(exc, "orig", None)
    reason = _first_line(str(orig))
    if "no such table" in reason or getattr(orig, "sqlstate", None) == _UNDEFINED_TABLE:
        return "the database has no drip tables: run `drip db upgrade`"
    if not isinstance(exc, sa_exc.OperationalError):  # type: ignore[attr-defined]
        return f"the database refused ({reason})"
    if url.startswith("sqlite"):
        return f"cannot open the database ({reason}): check that its folder exists and is writable"
    return (
        f"cannot use the database ({reason}): check that the server is running and reachable, "
        "and the user name and password"
    )


def _database_url() -> str | None:
    """The configured database URL, as far as the configuration can be read."""
    try:
        return config.load().database_url
    except errors.DripError:
        return None


def _shown(url: str | None) -> str:
    return f"DRIP_DATABASE_URL ({redact.url(url)})" if url else "DRIP_DATABASE_URL"


def _first_line(text: str) -> str:
    """The driver's own words, without SQLAlchemy's [SQL: …] / [parameters: …] / background."""
    return text.strip().splitlines()[0] if text.strip() else "no reason given"


def _raised_by_sqlalchemy(traceback: TracebackType | None) -> bool:
    """Whether SQLAlchemy was importing the module: a database driver named by the URL."""
    while traceback is not None:
        if traceback.tb_frame.f_globals.get("__name__", "").startswith("sqlalchemy."):
            return True
        traceback = traceback.tb_next
    return False
