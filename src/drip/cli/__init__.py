"""The `drip` command: a thin shell over the use cases. Errors are translated here, once.

Exit codes: 0 done; 1 the content or the input has problems (each named with file and line
where there is one); 2 usage or configuration errors.
"""

from __future__ import annotations

import sys
from types import TracebackType
from typing import Any

import click
import sqlalchemy.exc

from drip import config, errors, redact
from drip.cli import authoring, operations

SETTINGS_HELP = (
    "\b\nSettings (environment, or the same keys in drip.toml / $DRIP_CONFIG):\n"
    + "\n".join(
        f"  DRIP_{s.name.upper():<16} {s.help} (default: {s.default or 'unset'})"
        for s in config.SETTINGS
    )
)


class DripGroup(click.Group):
    """Turns drip's own errors into one clear line on stderr and an exit code, never a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except errors.ConfigError as exc:
            _fail(f"configuration: {exc}", 2)
        except errors.ContentError as exc:
            _fail(str(exc), 1)
        except errors.DripError as exc:
            _fail(str(exc), 1)
        except (sqlalchemy.exc.DBAPIError, sqlalchemy.exc.ArgumentError) as exc:
            _fail(_database_problem(exc), 2)
        except ModuleNotFoundError as exc:
            if not _raised_by_sqlalchemy(exc.__traceback__):
                raise  # a broken install, not a user's mistake: the traceback is the report
            missing = f"its driver {exc.name!r} is not installed: install it, or {_URL_ADVICE}"
            _fail(f"{_shown(_database_url())}: {missing}", 2)
        except KeyboardInterrupt:
            _fail("interrupted", 130)


_URL_ADVICE = "set DRIP_DATABASE_URL to sqlite:///drip.db or postgresql://user@host/db"
_UNDEFINED_TABLE = "42P01"  # PostgreSQL's SQLSTATE for "relation does not exist"


def _database_problem(exc: sqlalchemy.exc.SQLAlchemyError) -> str:
    """One line for a database error: the URL without its password, never SQL or parameters."""
    url = _database_url()
    return redact.secret(f"{_shown(url)}: {_what_went_wrong(exc, url or '')}", url or "")


def _what_went_wrong(exc: sqlalchemy.exc.SQLAlchemyError, url: str) -> str:
    if isinstance(exc, sqlalchemy.exc.NoSuchModuleError):
        return f"drip knows no database of that kind; {_URL_ADVICE}"
    if isinstance(exc, sqlalchemy.exc.ArgumentError):
        return f"{_first_line(str(exc))}; {_URL_ADVICE}"
    orig = exc.orig if isinstance(exc, sqlalchemy.exc.DBAPIError) else None
    reason = _first_line(str(orig))
    if "no such table" in reason or getattr(orig, "sqlstate", None) == _UNDEFINED_TABLE:
        return "the database has no drip tables: run `drip db upgrade`"
    if not isinstance(exc, sqlalchemy.exc.OperationalError):
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


def _fail(message: str, code: int) -> None:
    click.echo(f"drip: {message}", err=True)
    sys.exit(code)


@click.group(
    cls=DripGroup, epilog=SETTINGS_HELP, context_settings={"help_option_names": ["-h", "--help"]}
)
@click.version_option(package_name="drip")
def main() -> None:
    """drip: email nurture sequences for health clinics, from a clinic's own article.

    \b
    Marketers:  drip ingest ARTICLE · drip generate ARTICLE -o sequences.yaml
                drip check · drip render CAUSE STEP --out DIR
    Ops:        drip db upgrade · drip secret new · drip run · drip tick · drip status
    Staff:      drip subscribe EMAIL … · drip confirm LINK · drip import FILE.csv
                drip unsubscribe EMAIL · drip change-cause EMAIL --cause SLUG
    Try it:     drip demo --out demo-out/
    """


for command in (*authoring.COMMANDS, *operations.COMMANDS):
    main.add_command(command)
