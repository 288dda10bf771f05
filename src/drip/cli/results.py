"""Results and staff look-ups: `drip stats` (counts per step) and `drip lookup EMAIL`.

Service modules are imported inside each command so that `drip --help` stays fast.
"""

from __future__ import annotations

from pathlib import Path

import click

from drip import config, errors


@click.command("stats")
@click.option("--csv", "as_csv", is_flag=True, help="one row per step, as CSV")
@click.option(
    "--html",
    "html_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="write a page with a chart to this folder (index.html)",
)
def stats_command(as_csv: bool, html_dir: Path | None) -> None:
    """How each step of each sequence did: sent, failed, bounced, suppressed, and patients who
    unsubscribed after it; opened and clicked too when DRIP_TRACKING=on. Counts only: no
    patient is named.

    \b
    Example:
      drip stats
      drip stats --csv > stats.csv
      drip stats --html stats-out/ && open stats-out/index.html
    """
    from drip.service import results, results_report

    found = results.stats(config.load())
    if html_dir is not None:
        try:
            html_dir.mkdir(parents=True, exist_ok=True)
            (html_dir / "index.html").write_text(results_report.html(found), encoding="utf-8")
        except OSError as exc:
            raise errors.InvalidInput(
                f"--html {html_dir}: cannot write there ({exc.strerror or exc})"
            ) from None
        click.echo(f"wrote {html_dir / 'index.html'}")
        return
    click.echo(
        results_report.as_csv(found) if as_csv else results_report.text(found), nl=not as_csv
    )


@click.command("lookup")
@click.argument("email")
@click.option("--json", "as_json", is_flag=True, help="machine-readable")
def lookup_command(email: str, as_json: bool) -> None:
    """What is held about one patient (staff only: it shows their cause): state, cause,
    consent, suppression, every delivery with its time and outcome, and the next step due.
    The answer to "why did I get this?". Exit status 1 when there is no such subscriber.

    \b
    Example:
      drip lookup ana@example.com
      drip lookup ana@example.com --json | jq .deliveries
    """
    from drip.service import lookup

    found = lookup.lookup(config.load(), email)
    click.echo(lookup.as_json(found) if as_json else lookup.text(found))
    if found.history is None:
        raise SystemExit(1)


COMMANDS = (stats_command, lookup_command)
