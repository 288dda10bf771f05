"""`drip doctor` end to end: a healthy deployment, then one thing broken at a time, on a real
SMTP server, real databases and a real DNS server (all on loopback). The doctor changes
nothing: no message sent, no database or folder created."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from click.testing import CliRunner
from doctor_support import DMARC, DOMAIN, PASSWORD, SPF, USER, Doctor, checks

import dkim_keys
from dns_zone import DnsZone
from drip import store
from drip.cli import main
from drip.store import base as store_base
from smtp_sink import SmtpSink

ORDER = [
    "config", "secret key", "suppression key", "sequences", "database", "smtp", "dkim", "spf",
    "dkim dns", "dmarc",
]  # fmt: skip


def test_a_healthy_deployment_is_ok_line_by_line_and_exits_0(
    doctor: Doctor, smtp: SmtpSink, zone: DnsZone
) -> None:
    result = doctor()
    assert result.exit_code == 0, result.output
    found = checks(result)
    assert list(found) == ORDER
    assert all(line.startswith("ok ") for line in found.values()), result.output
    assert result.output.splitlines()[-1] == "doctor: 0 fail, 0 warn, 10 ok"
    assert "at the migration head" in found["database"]
    assert f"connected, logged in as {USER}, QUIT; no message sent" in found["smtp"]
    assert f"signs as d={DOMAIN} s={dkim_keys.SELECTOR} with a 2048-bit RSA key" in found["dkim"]
    assert f'"{SPF}"' in found["spf"] and "google-site-verification" not in found["spf"]
    assert "verifies drip's signatures" in found["dkim dns"]
    assert f'"{DMARC}"' in found["dmarc"] and "p=quarantine" in found["dmarc"]
    assert smtp.messages == [] and smtp.connections == 1
    smtp.wait_all_closed()
    assert zone.asked == [DOMAIN, f"{dkim_keys.SELECTOR}._domainkey.{DOMAIN}", f"_dmarc.{DOMAIN}"]
    assert PASSWORD not in result.output


def test_json_gives_every_check_with_its_status(doctor: Doctor) -> None:
    result = doctor("--json", DRIP_DMARC_UNUSED="")
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["ok"] is True
    assert [c["name"] for c in report["checks"]] == ORDER
    assert {tuple(c) for c in report["checks"]} == {("name", "status", "found", "advice")}


def test_wrong_smtp_credentials_fail_with_the_reply_and_what_to_check(
    doctor: Doctor, smtp: SmtpSink
) -> None:
    result = doctor(DRIP_SMTP_URL=f"smtp://{USER}:wrong-pass@127.0.0.1:{smtp.port}")
    assert result.exit_code == 1, result.output
    line = checks(result)["smtp"]
    assert line.startswith("fail ") and "535" in line, line
    assert "check the user name and password in DRIP_SMTP_URL" in line
    assert "wrong-pass" not in result.output and smtp.messages == []


def test_an_smtp_server_that_is_down_fails_with_what_to_check(doctor: Doctor) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # nobody listens there once the socket is closed
    result = doctor(DRIP_SMTP_URL=f"smtp://{USER}:{PASSWORD}@127.0.0.1:{port}?timeout=5")
    assert result.exit_code == 1
    line = checks(result)["smtp"]
    assert line.startswith(f"fail smtp://{USER}:***@127.0.0.1:{port}"), line
    assert "connect failed" in line and "check that the relay is running" in line


def test_a_file_outbox_is_a_warning_and_is_not_created(doctor: Doctor, tmp_path: Path) -> None:
    result = doctor(DRIP_SMTP_URL=f"file://{tmp_path / 'outbox'}")
    assert result.exit_code == 0, result.output
    assert checks(result)["smtp"].startswith("warn ")
    assert "nothing reaches patients" in checks(result)["smtp"]
    assert not (tmp_path / "outbox").exists()


def test_missing_keys_fail_and_say_how_to_make_them(doctor: Doctor) -> None:
    result = doctor(DRIP_SECRET_KEY_FILE="", DRIP_SUPPRESSION_KEY_FILE="")
    assert result.exit_code == 1
    found = checks(result)
    assert found["secret key"].startswith("fail not set")
    assert "drip secret new > /etc/drip/secret.key" in found["secret key"]
    assert "DRIP_SUPPRESSION_KEY_FILE" in found["suppression key"]


def test_a_key_file_others_may_read_is_a_warning(doctor: Doctor, healthy: dict[str, str]) -> None:
    Path(healthy["DRIP_SECRET_KEY_FILE"]).chmod(0o644)
    result = doctor()
    assert result.exit_code == 0
    assert checks(result)["secret key"].startswith("warn ")
    assert "may be read by other users (mode -rw-r--r--): chmod 600 it" in result.output


def test_a_configuration_error_is_shown_as_the_cli_shows_it_and_stops_there(
    doctor: Doctor,
) -> None:
    result = doctor(DRIP_BATCH_SIZE="lots")
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        "fail  config           configuration: DRIP_BATCH_SIZE: 'lots' is not a number; "
        "fix it; the other checks need the configuration",
        "doctor: 1 fail, 0 warn, 0 ok",
    ]
    plain = CliRunner().invoke(main, ["status"], env={"DRIP_BATCH_SIZE": "lots"})
    assert "configuration: DRIP_BATCH_SIZE: 'lots' is not a number" in plain.output


def test_a_bad_nameserver_is_a_usage_error() -> None:
    result = CliRunner().invoke(main, ["doctor", "--nameserver", "dns.example"])
    assert result.exit_code == 2
    assert "--nameserver 'dns.example': give a name server's IP address" in result.output


# --- the database, on SQLite and PostgreSQL ----------------------------------------------------


def test_an_empty_database_fails_and_says_run_drip_db_upgrade(
    doctor: Doctor, database_url: str
) -> None:
    result = doctor(DRIP_DATABASE_URL=database_url)
    assert result.exit_code == 1
    line = checks(result)["database"]
    assert line.startswith("fail "), line
    assert "run `drip db upgrade`" in line


def test_a_database_one_migration_behind_fails_until_drip_db_upgrade(
    doctor: Doctor, database_url: str
) -> None:
    _migrate_to(database_url, "0001")
    behind = doctor(DRIP_DATABASE_URL=database_url)
    assert behind.exit_code == 1
    line = checks(behind)["database"]
    assert "at revision 0001; this drip's migrations end at" in line
    assert "run `drip db upgrade`" in line
    upgraded = CliRunner().invoke(main, ["db", "upgrade"], env={"DRIP_DATABASE_URL": database_url})
    assert upgraded.exit_code == 0, upgraded.output
    after = doctor(DRIP_DATABASE_URL=database_url)
    assert after.exit_code == 0, after.output
    assert "reachable, at the migration head" in checks(after)["database"]


def test_a_database_migrated_by_a_newer_drip_fails(doctor: Doctor, database_url: str) -> None:
    db = store.Store(database_url)
    db.upgrade()
    with db.engine.begin() as conn:
        conn.execute(sa.text("UPDATE alembic_version SET version_num = '9999'"))
    db.dispose()
    line = checks(doctor(DRIP_DATABASE_URL=database_url))["database"]
    assert "at revision 9999, which this drip does not know" in line
    assert "a newer drip migrated it" in line


def test_a_missing_sqlite_file_is_reported_not_created(doctor: Doctor, tmp_path: Path) -> None:
    result = doctor(DRIP_DATABASE_URL=f"sqlite:///{tmp_path / 'none.db'}")
    assert result.exit_code == 1
    assert "no database file at" in checks(result)["database"]
    assert not (tmp_path / "none.db").exists()


@pytest.mark.postgres
def test_a_postgresql_server_that_is_down_fails_with_the_driver_s_reason(doctor: Doctor) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    result = doctor(DRIP_DATABASE_URL=f"postgresql://drip:pw-secret@127.0.0.1:{port}/drip")
    line = checks(result)["database"]
    assert line.startswith("fail DRIP_DATABASE_URL (postgresql+psycopg://drip:***@"), line
    assert "check that the server is running" in line
    assert "pw-secret" not in result.output


def _migrate_to(url: str, revision: str) -> None:
    db = store.Store(url)
    with db.engine.begin() as conn:
        alembic = store_base.alembic_config()
        alembic.attributes["connection"] = conn
        command.upgrade(alembic, revision)
    db.dispose()


# --- DKIM and DNS --------------------------------------------------------------------------


def test_dkim_off_is_ok_and_its_dns_record_is_not_looked_up(doctor: Doctor, zone: DnsZone) -> None:
    result = doctor(DRIP_DKIM_SELECTOR="", DRIP_DKIM_DOMAIN="", DRIP_DKIM_PRIVATE_KEY_FILE="")
    assert result.exit_code == 0, result.output
    assert checks(result)["dkim"].startswith("ok off: drip sends unsigned")
    assert "dkim dns" not in checks(result)
    assert zone.asked == [DOMAIN, f"_dmarc.{DOMAIN}"]


def test_an_unpublished_dkim_key_warns_with_the_record_to_add(
    doctor: Doctor, zone: DnsZone
) -> None:
    zone.publish(f"{dkim_keys.SELECTOR}._domainkey.{DOMAIN}")
    result = doctor()
    assert result.exit_code == 0
    line = checks(result)["dkim dns"]
    assert line.startswith("warn ") and "no record" in line
    record = dkim_keys.rsa_pair().record
    assert f'add a TXT record at {dkim_keys.SELECTOR}._domainkey.{DOMAIN}: "{record}"' in line


def test_a_published_key_that_is_not_ours_warns_that_every_signature_fails(
    doctor: Doctor, zone: DnsZone
) -> None:
    zone.publish(f"{dkim_keys.SELECTOR}._domainkey.{DOMAIN}", dkim_keys.rsa_pair(seed=1).record)
    line = checks(doctor())["dkim dns"]
    assert line.startswith("warn ") and "does not verify drip's signatures" in line


def test_a_dkim_key_that_cannot_sign_fails(doctor: Doctor, tmp_path: Path) -> None:
    (tmp_path / "ec.pem").write_bytes(dkim_keys.ec_pem())
    result = doctor(DRIP_DKIM_PRIVATE_KEY_FILE=str(tmp_path / "ec.pem"))
    assert result.exit_code == 1
    assert "is not an RSA private key drip can sign with" in checks(result)["dkim"]


def test_signing_for_another_domain_than_the_from_address_warns(doctor: Doctor) -> None:
    line = checks(doctor(DRIP_DKIM_DOMAIN="relay.example"))["dkim"]
    assert line.startswith("warn ")
    assert f"the From address's domain is {DOMAIN}: for DMARC, sign as it" in line


def test_missing_spf_and_dmarc_warn_with_what_to_add_and_still_exit_0(
    doctor: Doctor, zone: DnsZone
) -> None:
    zone.publish(DOMAIN, "google-site-verification=abc")
    zone.publish(f"_dmarc.{DOMAIN}")
    result = doctor()
    assert result.exit_code == 0
    found = checks(result)
    assert found["spf"].startswith("warn ") and f"add a TXT record at {DOMAIN}: " in found["spf"]
    assert found["dmarc"].startswith("warn ")
    assert f'add a TXT record at _dmarc.{DOMAIN}: "v=DMARC1; p=none;' in found["dmarc"]


def test_dns_that_does_not_answer_is_said_once_and_asked_once(healthy: dict[str, str]) -> None:
    with DnsZone(silent=True) as silent:
        result = CliRunner().invoke(main, ["doctor", "--nameserver", silent.address], env=healthy)
        asked = list(silent.asked)
    assert result.exit_code == 0, result.output
    found = checks(result)
    for name in ("spf", "dkim dns", "dmarc"):
        assert found[name].startswith("warn "), found[name]
        assert "could not look up (no network?)" in found[name]
    assert len(asked) <= 2  # the first lookup, retried by the resolver at most once; no others
    assert set(asked) == {DOMAIN}
