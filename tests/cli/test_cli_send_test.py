"""`drip send-test` as a marketer runs it: to a real SMTP server on loopback, nothing recorded."""

from __future__ import annotations

from pathlib import Path

from cli_support import ROOT, Drip, assert_clean_failure

from smtp_sink import SmtpSink

SAMPLES = str(ROOT / "samples.yaml")


def test_send_test_says_what_it_sent_and_creates_no_database(
    drip: Drip, sink: SmtpSink, tmp_path: Path
) -> None:
    result = drip(
        "send-test", "muscle-injury", "rest", "--to", "me@clinic.example",
        DRIP_SMTP_URL=sink.url, DRIP_SAMPLES=SAMPLES,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert result.output == (
        "  rest: [TEST] Back spasms: rest\n"
        f"sent 1 test email(s) to me@clinic.example via {sink.url}, as sam (Sam); "
        "nothing recorded\n"
    )
    [received] = sink.wait_for(1)
    assert received.rcpt_tos == ("me@clinic.example",)
    assert not (tmp_path / "d.db").exists()


def test_send_test_refuses_an_address_it_cannot_mail(drip: Drip, sink: SmtpSink) -> None:
    result = drip("send-test", "muscle-injury", "--to", "me@", DRIP_SMTP_URL=sink.url)
    assert_clean_failure(result, 1, "me@")
    assert sink.messages == []
