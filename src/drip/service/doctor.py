"""`drip doctor`: check a deployment and explain what to fix, changing nothing.

    report = doctor.run()                       # the process's DRIP_* settings
    report = doctor.run(lookup=fake_dns)       # DNS answered by a test's resolver
    print(report.describe()); sys.exit(1 if report.failed else 0)

The checks, in order: the configuration loads; the secret and suppression keys; sequences.yaml
(whose `from` names the sending domain); the database (reachable, at the migration head); the
SMTP server (connect, EHLO, STARTTLS and AUTH as configured, QUIT: never a message); the DKIM
key; then the sending domain's DNS records, SPF, DKIM and DMARC, which are explained and never
fail the run (`warn` at worst). A check that fails is something `drip run` would trip over.
Nothing is written: no database or outbox folder is created, no message is sent.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from drip import config, errors
from drip.mailer import records
from drip.service import doctor_checks, doctor_database, doctor_dns
from drip.service.doctor_report import Check, Report, Status

if TYPE_CHECKING:
    import ssl

__all__ = ["Check", "Report", "Status", "run"]


def run(
    *,
    nameserver: str | None = None,
    lookup: records.Lookup | None = None,
    ssl_context: ssl.SSLContext | None = None,
) -> Report:
    """Every check, against the process's DRIP_* settings. DNS goes to `lookup`, else to
    `nameserver` (`HOST[:PORT]`), else to the system's resolver."""
    try:
        cfg = config.load()
    except errors.ConfigError as exc:
        return Report(checks=(doctor_checks.unloadable(exc),))
    ask = lookup or records.resolver(nameserver)
    plan_check, clinic = doctor_checks.plan(cfg)
    dkim_check, signer = doctor_checks.dkim(cfg, clinic)
    checks = (
        doctor_checks.loaded(),
        *doctor_checks.keys(cfg),
        plan_check,
        doctor_database.check(cfg),
        doctor_checks.smtp(cfg, ssl_context=ssl_context),
        dkim_check,
        *doctor_dns.checks(cfg, clinic, signer, lookup=ask),
    )
    return Report(checks=checks)
