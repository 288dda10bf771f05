"""`drip send-test`: proofs reach a real SMTP server on loopback as a sample patient gets
them, `[TEST]` in front of each subject, and the database is the same afterwards, row for row,
even when the proof goes to a patient's own address."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from service_paths import SAMPLES

from drip import errors, mail_url
from drip.service import proofs, subscriptions
from drip.service.app import App
from smtp_sink import SmtpSink

NOW = datetime(2026, 12, 7, 15, 0, tzinfo=UTC)


def _rows(app: App) -> dict[str, list[tuple[object, ...]]]:
    """Every row of every table: what the database holds."""
    with app.store.engine.connect() as conn:
        return {
            table: [tuple(row) for row in conn.execute(sa.text(f"SELECT * FROM {table}"))]
            for table in sorted(sa.inspect(conn).get_table_names())
        }


@pytest.fixture
def patient(app: App) -> str:
    subscriptions.subscribe(
        app,
        email="ana@example.com",
        first_name="Ana",
        cause="muscle-injury",
        timezone="Europe/Lisbon",
        consent=subscriptions.Consent(source="test", text="Yes."),
        confirmed=True,
        now=NOW,
    )
    return "ana@example.com"


def test_a_whole_sequence_reaches_the_server_and_the_database_does_not_change(
    app: App, sink: SmtpSink, patient: str
) -> None:
    cfg = dataclasses.replace(app.config, smtp_url=mail_url.parse(sink.url), samples=SAMPLES)
    before = _rows(app)
    sent = proofs.send_test(
        cfg, cause="muscle-injury", step=None, to=patient, patient="no-name", now=NOW
    )
    received = sink.wait_for(7)
    assert _rows(app) == before
    steps = [s.id for s in app.plan.sequences["muscle-injury"].steps]
    assert [p.step for p in sent.proofs] == steps
    subjects = [m.message["Subject"] for m in received]
    assert subjects == [p.subject for p in sent.proofs]
    assert all(s.startswith("[TEST] Back spasms: ") for s in subjects)
    raw = received[0].data
    assert b"\r\nTo: ana@example.com\r\n" in raw  # the sample's name: none
    assert b"Hello," in raw.replace(b"=\r\n", b"")
    assert b"/u/SAMPLE-TOKEN" in raw  # a sample link: it names nobody
    assert all(m.rcpt_tos == (patient,) for m in received)


def test_one_step_with_a_sample_s_name_beyond_ascii(app: App, sink: SmtpSink) -> None:
    cfg = dataclasses.replace(app.config, smtp_url=mail_url.parse(sink.url), samples=SAMPLES)
    sent = proofs.send_test(
        cfg, cause="not-sure", step="closing", to="me@clinic.example", patient="non-ascii", now=NOW
    )
    [received] = sink.wait_for(1)
    assert [p.step for p in sent.proofs] == ["closing"]
    assert str(received.message["To"]) == "Zoë-Łucja <me@clinic.example>"
    assert received.message["Subject"] == "[TEST] Back spasms: your next step"
    assert sent.via == sink.url


def test_the_opt_in_email_is_a_step_of_its_own(app: App, sink: SmtpSink) -> None:
    cfg = dataclasses.replace(app.config, smtp_url=mail_url.parse(sink.url), samples=SAMPLES)
    proofs.send_test(
        cfg, cause="not-sure", step="confirm", to="me@clinic.example", patient=None, now=NOW
    )
    [received] = sink.wait_for(1)
    assert str(received.message["Subject"]).startswith("[TEST] Please confirm: tips on back")
    assert b"/c/SAMPLE-TOKEN" in received.data


def test_a_step_that_does_not_exist_sends_nothing(app: App, sink: SmtpSink) -> None:
    cfg = dataclasses.replace(app.config, smtp_url=mail_url.parse(sink.url), samples=SAMPLES)
    with pytest.raises(errors.UsageError, match="no step 'massage' in the 'not-sure' sequence"):
        proofs.send_test(
            cfg, cause="not-sure", step="massage", to="me@clinic.example", patient=None, now=NOW
        )
    with pytest.raises(errors.UsageError, match="no sample patient 'bob'"):
        proofs.send_test(
            cfg, cause="not-sure", step=None, to="me@clinic.example", patient="bob", now=NOW
        )
    assert sink.messages == [] and sink.connections == 0
