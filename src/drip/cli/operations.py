"""The commands of ops and staff: the database, the key, subscribers, dispatch, the daemon.

Each is one call into the service; service modules are imported inside each command so that
`drip --help` stays fast.
"""

from __future__ import annotations

import json
import secrets
from datetime import datetime
from pathlib import Path

import click

from drip import clock, config, errors
from drip.cli import options

CONSENT_CLI = "Consent recorded by clinic staff with `drip subscribe`."


@click.group("db")
def db_group() -> None:
    """Database maintenance.

    \b
    Example:
      drip db upgrade
    """


@db_group.command("upgrade")
def db_upgrade() -> None:
    """Create the database, or migrate it to this version of drip (safe to run twice).

    \b
    Example:
      DRIP_DATABASE_URL=postgresql://drip@db/drip drip db upgrade
    """
    from drip.service import operations

    click.echo(f"database is up to date ({operations.upgrade_database(config.load())})")


@click.group("secret")
def secret_group() -> None:
    """The secret key that signs the links in every email.

    \b
    Example:
      drip secret new > /etc/drip/secret.key   # then chmod 600 it
    """


@secret_group.command("new")
def secret_new() -> None:
    """Print a new random secret key (43 characters) for DRIP_SECRET_KEY or its file.

    Keep it stable: links already emailed (unsubscribe links too) are signed with it. To
    rotate, make a new key and keep the old one in DRIP_OLD_SECRET_KEYS.

    \b
    Example:
      drip secret new > /etc/drip/secret.key
    """
    click.echo(secrets.token_urlsafe(32))


@click.command("subscribe")
@click.argument("email")
@click.option("--name", default="", help="first name, used in greetings")
@click.option("--cause", required=True, help="a cause slug from sequences.yaml (see `drip check`)")
@click.option("--tz", "timezone", help="IANA time zone (default: the clinic's)")
@click.option(
    "--confirmed",
    is_flag=True,
    help="consent was given elsewhere (e.g. at the front desk): skip the opt-in email",
)
@options.now
def subscribe_command(
    email: str, name: str, cause: str, timezone: str | None, confirmed: bool, at: datetime | None
) -> None:
    """Subscribe a patient. Pending until they confirm (the double opt-in email is queued).

    \b
    Example:
      drip subscribe ana@example.com --name Ana --cause lumbar-disc-disease --tz Europe/Lisbon
      drip subscribe ana@example.com --cause muscle-injury --confirmed   # consent at the desk
    """
    from drip.service import app as app_module
    from drip.service import subscriptions

    with app_module.open_app(config.load()) as app:
        subscriber = subscriptions.subscribe(
            app,
            email=email,
            first_name=name,
            cause=cause,
            timezone=timezone,
            consent=subscriptions.Consent(
                source="front-desk" if confirmed else "cli", text=CONSENT_CLI
            ),
            confirmed=confirmed,
            now=at or clock.utcnow(),
        )
        what = "active and enrolled" if confirmed else "pending: confirmation email queued"
        click.echo(f"{subscriber.email}: {what}")


@click.command("confirm")
@click.argument("link")
@options.now
def confirm_command(link: str, at: datetime | None) -> None:
    """Confirm a pending subscription with the link from the opt-in email (or its token),
    e.g. when a patient forwards it. The web app does the same when the link is clicked.

    \b
    Example:
      drip confirm https://tips.clinic.example/c/eyJzIjoi...
    """
    from drip.service import app as app_module
    from drip.service import subscriptions

    with app_module.open_app(config.load()) as app:
        subscriber = subscriptions.confirm_link(app, link, now=at or clock.utcnow())
        click.echo(f"{subscriber.email}: confirmed and enrolled")


@click.command("import")
@click.argument("csv_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--confirmed", is_flag=True, help="consent was recorded elsewhere: no opt-in email")
@options.now
def import_command(csv_file: Path, confirmed: bool, at: datetime | None) -> None:
    """Import patients from CSV (columns: email,name,cause,timezone). Bad rows are reported by
    line and skipped; the good rows are imported (pending, each gets the opt-in email, unless
    --confirmed).

    \b
    Example:
      drip import patients.csv
    """
    from drip.service import app as app_module
    from drip.service import importing

    with app_module.open_app(config.load()) as app:
        report = importing.import_csv(app, csv_file, confirmed=confirmed, now=at or clock.utcnow())
        for problem in report.problems:
            click.echo(f"{csv_file}:{problem.line}: {problem.message}", err=True)
        click.echo(f"imported {report.imported}, skipped {len(report.problems)}")
        if report.problems:
            raise SystemExit(1)


@click.command("unsubscribe")
@click.argument("email")
@options.now
def unsubscribe_command(email: str, at: datetime | None) -> None:
    """Unsubscribe a patient (staff action: the patient phoned). Queued emails are cancelled
    and the dispatcher re-checks at send time, so it takes effect before the next send.

    \b
    Example:
      drip unsubscribe ana@example.com
    """
    from drip.service import app as app_module
    from drip.service import subscriptions

    with app_module.open_app(config.load()) as app:
        subscriptions.unsubscribe(app, email, now=at or clock.utcnow())
        click.echo(f"{email}: unsubscribed; nothing more will be sent")


@click.command("change-cause")
@click.argument("email")
@click.option("--cause", required=True, help="the new cause slug from sequences.yaml")
@options.now
def change_cause_command(email: str, cause: str, at: datetime | None) -> None:
    """Record a patient's new answer to "what causes your back spasms?" (staff action). What
    happens to their emails is sequences.yaml's `on_cause_change`: switch, restart or ignore.

    \b
    Example:
      drip change-cause ana@example.com --cause muscle-injury
    """
    from drip.service import app as app_module
    from drip.service import subscriptions

    with app_module.open_app(config.load()) as app:
        subscriptions.change_cause_by_email(app, email, cause, now=at or clock.utcnow())
        click.echo(f"{email}: cause changed ({app.plan.on_cause_change.value})")


@click.command("tick")
@options.now
def tick_command(at: datetime | None) -> None:
    """One dispatch pass: send everything due now, then exit.

    \b
    Example:
      drip tick
      drip tick --now 2026-12-03T09:30:00Z
    """
    from drip.service import operations

    total = operations.tick(config.load(), at=at)
    click.echo(total.summary())
    if total.paused:
        click.echo(f"drip: {total.pause_reason}", err=True)  # addresses already hidden
        raise SystemExit(1)


@click.command("pause")
@click.option(
    "--for",
    "span",
    default="1h",
    show_default=True,
    help="how long: 30m, 2h, 1d (every worker stops sending; drip resume lifts it sooner)",
)
@click.option("--reason", default="paused by an operator", show_default=True)
def pause_command(span: str, reason: str) -> None:
    """Stop sending for every worker, for a while (nothing is lost: due emails wait).

    \b
    Example:
      drip pause --for 2h --reason "relay maintenance"
    """
    from drip.service import operations

    pause = operations.pause(config.load(), reason, span=span)
    click.echo(f"sending paused for every worker until {pause.until.isoformat()}")


@click.command("resume")
def resume_command() -> None:
    """Lift the sending pause, set by a relay's policy refusal or an operator, once its cause is
    fixed.

    \b
    Example:
      drip resume
    """
    from drip.service import operations

    lifted = operations.resume(config.load())
    if lifted is None:
        click.echo("sending was not paused")
    else:
        click.echo(f"sending resumed (it was paused by {lifted.paused_by}: {lifted.reason})")


@click.command("run")
@click.option(
    "--metrics-port",
    type=click.IntRange(0, 65535),
    help="serve GET /healthz and GET /metrics (Prometheus) on this port (0: any free one)",
)
@click.option(
    "--metrics-host",
    default="127.0.0.1",
    show_default=True,
    help="address for --metrics-port (0.0.0.0 to let a scraper on another host in)",
)
def run_command(metrics_port: int | None, metrics_host: str) -> None:
    """The scheduler daemon: dispatch on an interval until SIGTERM or SIGINT.

    \b
    Example:
      DRIP_SMTP_URL=smtp://user:pass@relay:587?starttls=true drip run --metrics-port 9108
    """
    from drip import daemon

    daemon.run(config.load(), metrics_port=metrics_port, metrics_host=metrics_host)


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="address to listen on")
@click.option("--port", default=8080, show_default=True, type=int, help="port to listen on")
def serve_command(host: str, port: int) -> None:
    """The patients' web app: sign-up, confirmation, one-click unsubscribe, preferences.

    Run it beside `drip run`, against the same database; put a reverse proxy with TLS in front
    and set DRIP_BASE_URL to its public address.

    \b
    Example:
      drip serve --host 127.0.0.1 --port 8080
    """
    from drip import web

    web.serve(config.load(), host=host, port=port)


@click.command("form-snippet")
def form_snippet_command() -> None:
    """Print the sign-up form as plain HTML, to paste into the clinic's own site.

    It posts to DRIP_BASE_URL/subscribe and carries a signed form token. The site's origin must
    be listed in DRIP_ALLOWED_ORIGINS (e.g. https://www.clinic.example), or the web app refuses
    the post.

    \b
    Example:
      drip form-snippet > signup-form.html
    """
    from drip.service import app as app_module
    from drip.service import snippet

    with app_module.open_app(config.load()) as app:
        click.echo(snippet.form_html(app, now=clock.utcnow()))


@click.command("status")
@click.option("--json", "as_json", is_flag=True, help="machine-readable")
def status_command(as_json: bool) -> None:
    """Subscribers by state, deliveries due / sent / failed, and the next due time.

    \b
    Example:
      drip status
      drip status --json | jq .due_now
    """
    from drip.service import operations

    status, pause = operations.status(config.load(), now=clock.utcnow())
    if as_json:
        found = {**status.to_json(), "paused": pause.to_json() if pause else None}
        click.echo(json.dumps(found, indent=2))
        return
    click.echo(status.describe())
    if pause is not None:
        click.echo(
            f"sending paused for every worker until {pause.until.isoformat()} "
            f"(by {pause.paused_by}): {pause.reason}; drip resume lifts it"
        )


@click.command("demo")
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("demo-out"),
    show_default=True,
    help="where to write the emails",
)
@click.option(
    "--serve",
    is_flag=True,
    help="then serve the web app on 127.0.0.1 (the demo's database kept): click the emails' links",
)
@click.option("--port", default=8080, show_default=True, type=int, help="port for --serve")
def demo_command(out_dir: Path, serve: bool, port: int) -> None:
    """Run the whole thing on a throwaway database with sample patients and a simulated clock.

    With --serve, the database stays in the output folder and the web app answers every link
    in the demo's emails (confirm, preferences, unsubscribe) until Ctrl-C; a sign-up on it gets
    its emails, written to the output folder's outbox/.

    \b
    Example:
      drip demo --out demo-out/ && open demo-out/index.html
      drip demo --out demo-out/ --serve     # then open http://127.0.0.1:8080/
    """
    from drip import demo

    cfg = config.load()
    missing = [p for p in (cfg.sequences, cfg.templates) if not p.exists()]
    if missing:
        raise errors.ConfigError(
            f"{missing[0]}: not found: run `drip demo` from the drip checkout (it uses "
            "./sequences.yaml and ./templates/emails), or set DRIP_SEQUENCES and DRIP_TEMPLATES"
        )
    _make_folder(out_dir)
    keep = demo.serving_config(cfg, out_dir=out_dir, port=port) if serve else None
    click.echo(demo.run(cfg, out_dir=out_dir, keep=keep))
    if keep is not None:
        from drip import web

        click.echo(f"serving the demo on http://127.0.0.1:{port}/ (Ctrl-C to stop)")
        web.serve(keep, host="127.0.0.1", port=port, dispatch_every=2.0)


def _make_folder(path: Path) -> None:
    """Create the output folder up front: a bad --out is the user's, and says so."""
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise errors.InvalidInput(
            f"--out {path}: cannot create the folder ({exc.strerror or exc})"
        ) from None


COMMANDS = (
    db_group,
    secret_group,
    subscribe_command,
    confirm_command,
    import_command,
    unsubscribe_command,
    change_cause_command,
    tick_command,
    run_command,
    pause_command,
    resume_command,
    serve_command,
    form_snippet_command,
    status_command,
    demo_command,
)
