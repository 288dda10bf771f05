"""The `drip` console script: hears SIGTERM first (`drip.signals`), then runs the CLI."""

from __future__ import annotations

from drip import signals


def main() -> None:
    signals.hear_early()
    from drip.cli import main as cli

    cli()
