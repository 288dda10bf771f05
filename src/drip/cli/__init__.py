"""The `drip` command: a thin shell over the use cases. Errors are translated here, once.

Exit codes: 0 done; 1 the content or the input has problems (each named with file and line
where there is one); 2 usage or configuration errors.
"""

from __future__ import annotations

import sys
from typing import Any

import click

from drip import config, errors, signals
from drip.cli import authoring, doctor, operations, results, workbench
from drip.service import problems

_WIDTH = max(len(s.variable) for s in config.SETTINGS)
SETTINGS_HELP = (
    "\b\nSettings (environment, or the same keys in drip.toml / $DRIP_CONFIG):\n"
    + "\n".join(
        f"  {s.variable:<{_WIDTH}} {s.help} (default: {s.default or 'unset'})"
        for s in config.SETTINGS
    )
)


class DripGroup(click.Group):
    """Turns drip's own errors into one clear line on stderr and an exit code, never a traceback."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        for number, arg in enumerate(args, 1):
            if not _is_text(arg):
                shown = repr(arg.encode("utf-8", "surrogateescape"))[2:-1]
                raise click.UsageError(
                    f"argument {number} ({shown}) is not UTF-8 text: retype it, or set the "
                    "terminal to UTF-8 (e.g. LANG=C.UTF-8)",
                    ctx,
                )
        return super().parse_args(ctx, args)

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        name, command, rest = super().resolve_command(ctx, args)
        if name != "run":  # `drip run` stops gracefully: drip.daemon takes a SIGTERM heard early
            signals.default_now()
        return name, command, rest

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (errors.ConfigError, errors.UsageError) as exc:
            _fail(f"configuration: {exc}" if isinstance(exc, errors.ConfigError) else str(exc), 2)
        except errors.DripError as exc:
            _fail(str(exc), 1)
        except KeyboardInterrupt:
            _fail("interrupted", 130)
        except Exception as exc:
            problem = problems.explain(exc)
            if problem is None:
                raise  # a bug or a broken install, not a user's mistake: the traceback tells
            _fail(str(problem), 2)


def _is_text(arg: str) -> bool:
    """False for an argument holding bytes that are not UTF-8 (Python keeps them as lone
    surrogates, which no database, file or email can carry)."""
    try:
        arg.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


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
                drip preview · drip simulate --days 60 · drip send-test CAUSE --to ADDRESS
                drip plan (what an edit does to the patients mid-sequence)
    Ops:        drip db upgrade · drip secret new · drip run · drip tick · drip status
                drip doctor
                drip stats [--csv | --html DIR]
    Staff:      drip subscribe EMAIL … · drip confirm LINK · drip import FILE.csv
                drip unsubscribe EMAIL · drip change-cause EMAIL --cause SLUG
                drip lookup EMAIL
    Try it:     drip demo --out demo-out/
    """


for command in (
    *authoring.COMMANDS,
    *workbench.COMMANDS,
    *operations.COMMANDS,
    *doctor.COMMANDS,
    *results.COMMANDS,
):
    main.add_command(command)
