"""`drip doctor`: the deployment's health, checked and explained, nothing changed."""

from __future__ import annotations

import json

import click


@click.command("doctor")
@click.option("--json", "as_json", is_flag=True, help="machine-readable")
@click.option(
    "--nameserver",
    metavar="HOST[:PORT]",
    help="ask this DNS server for the SPF, DKIM and DMARC records (default: the system's)",
)
def doctor_command(as_json: bool, nameserver: str | None) -> None:
    """Check this deployment and explain what to fix, changing nothing: the settings, the
    secret and suppression keys, sequences.yaml, the database (reachable, migrated), the SMTP
    server (connect, STARTTLS, log in, QUIT: no message is sent), the DKIM key, and the DNS
    records of the sending domain (SPF, DKIM, DMARC: explained, never enforced).

    One line per check: ok, warn or fail. Exit status 1 when a check fails (warnings do not
    count).

    \b
    Example:
      drip doctor
      drip doctor --json | jq '.checks[] | select(.status != "ok")'
      drip doctor --nameserver 1.1.1.1    # what the world sees of the domain's DNS
    """
    from drip.service import doctor

    report = doctor.run(nameserver=nameserver)
    click.echo(json.dumps(report.to_json(), indent=2) if as_json else report.describe())
    if report.failed:
        raise SystemExit(1)


COMMANDS = (doctor_command,)
