"""The marketer's workbench: see every email and when it goes out, before anything is sent.

`drip preview`, `drip simulate` and `drip send-test` need no database: the sample patients of
samples.yaml stand in for patients. `drip plan` reads the database (never writes it): what an
edit does to the real patients. Service modules are imported inside each command.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import click

from drip import clock, config
from drip.cli import options


def _next_hour() -> datetime:
    now = clock.utcnow()
    return now.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)


@click.command("preview")
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="write the preview as a static site in this folder, then exit",
)
@click.option("--port", default=8000, show_default=True, type=int, help="port on 127.0.0.1")
@options.start
def preview_command(out_dir: Path | None, port: int, start: datetime | None) -> None:
    """Every step of every sequence as each sample patient gets it: at 375 px and 640 px, with
    its subject, preheader, sender, send time and plain-text part, the problems `drip check`
    finds at the top, and what changed since git HEAD. No database or mail server is used.

    Served on 127.0.0.1, the page reloads by itself when sequences.yaml, a template, the
    article or samples.yaml changes. With --out, the same pages are written as a static site.

    \b
    Example:
      drip preview                      # then open http://127.0.0.1:8000/
      drip preview --out preview-out/   # a folder to share: open preview-out/index.html
    """
    from drip import logs
    from drip.service import preview, preview_server

    cfg = config.load()
    when = start or _next_hour()
    if out_dir is not None:
        site = preview.build(cfg, start=when, live=False)
        count = preview.write(site, out_dir)
        click.echo(f"wrote {count} files to {out_dir}/; open {out_dir / 'index.html'}")
        if site.problems:
            click.echo(f"drip check: {site.problems} problem(s), shown in the pages", err=True)
        return
    logs.configure(cfg.log_format)
    server = preview_server.PreviewServer(cfg, start=when, port=port)
    click.echo(f"drip preview: {server.url} (reloads when the files change; Ctrl-C stops it)")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        click.echo("stopped")


@click.command("simulate")
@click.option("--days", default=60, show_default=True, type=int, help="how many days to show")
@click.option("--cause", help="only this cause's sequence (a slug of sequences.yaml)")
@click.option("--tz", "timezone", help="every sample patient in this IANA time zone")
@options.start
@click.option("--json", "as_json", is_flag=True, help="every send as JSON")
@click.option("--csv", "as_csv", is_flag=True, help="every send as CSV, one row per email")
def simulate_command(
    days: int,
    cause: str | None,
    timezone: str | None,
    start: datetime | None,
    as_json: bool,
    as_csv: bool,
) -> None:
    """Who gets what, when: each sample patient's emails over the next days, in local time and
    UTC, with the send window and daylight saving applied, planned exactly as `drip run`
    plans them. No database is read or written.

    Each sample patient of samples.yaml (DRIP_SAMPLES) confirms at --start (default: the next
    full hour).

    \b
    Example:
      drip simulate --days 60
      drip simulate --cause muscle-injury --tz Europe/Lisbon --start 2026-03-27T09:00:00Z
      drip simulate --days 30 --csv > timeline.csv
    """
    from drip.service import simulation, simulation_report

    found = simulation.simulate(
        config.load(), days=days, start=start or _next_hour(), cause=cause, timezone=timezone
    )
    if as_json:
        click.echo(simulation_report.as_json(found))
    elif as_csv:
        click.echo(simulation_report.as_csv(found), nl=False)
    else:
        click.echo(simulation_report.text(found))


@click.command("send-test")
@click.argument("cause")
@click.argument("step", required=False)
@click.option("--to", "to", required=True, help="the address to send to (yours)")
@click.option(
    "--patient", help="the sample patient whose first name is used (an id of samples.yaml)"
)
@options.now
def send_test_command(
    cause: str, step: str | None, to: str, patient: str | None, at: datetime | None
) -> None:
    """Send one step of CAUSE's sequence (or, without STEP, every step in order, now) to an
    address of your own, as a sample patient gets it, through the configured mailer
    (DRIP_SMTP_URL). Subjects start with [TEST].

    Nothing is recorded: no patient's state or history changes, and the links are sample
    links that name nobody. STEP `confirm` sends the double opt-in email.

    \b
    Example:
      drip send-test muscle-injury heat-and-ice --to me@clinic.example
      drip send-test muscle-injury --to me@clinic.example --patient no-name
    """
    from drip.service import proofs

    sent = proofs.send_test(
        config.load(), cause=cause, step=step, to=to, patient=patient, now=at or clock.utcnow()
    )
    for proof in sent.proofs:
        click.echo(f"  {proof.step}: {proof.subject}")
    name = sent.patient.name or "no first name"
    click.echo(
        f"sent {len(sent.proofs)} test email(s) to {sent.to} via {sent.via}, "
        f"as {sent.patient.id} ({name}); nothing recorded"
    )


@click.command("plan")
@click.option("--json", "as_json", is_flag=True, help="machine-readable, for CI")
@click.option(
    "--compare/--no-compare",
    default=True,
    help="count the changes since git HEAD's sequences.yaml (default: when in a git checkout)",
)
def plan_command(as_json: bool, compare: bool) -> None:
    """What the edited sequences.yaml will do to the patients in the middle of it.

    Reads where every patient stands in the database (nothing is changed, nothing sent) and
    prints, per sequence, each change since git HEAD with how many patients it affects, and
    what they get next, counted by step. Run it before restarting `drip run` on a new file.

    \b
    Example:
      drip plan
      drip plan --json | jq .affected
    """
    from drip.service import app as app_module
    from drip.service import edit_plan

    with app_module.open_app(config.load()) as app:
        report = edit_plan.for_app(app, compare=compare)
    click.echo(edit_plan.format_json(report) if as_json else edit_plan.format_human(report))


COMMANDS = (preview_command, simulate_command, send_test_command, plan_command)
