"""SmtpMailer against a real SMTP server on loopback (aiosmtpd, see tests/smtp_sink.py)."""

from __future__ import annotations

import email.policy
import logging
import socket
from collections.abc import Callable

import pytest

from drip import delivery, errors, mailer
from smtp_sink import SelfSignedTls, SmtpSink

Make = Callable[..., email.message.EmailMessage]


def test_messages_arrive_byte_identical_with_the_envelope_from_the_headers(
    sink: SmtpSink, make_message: Make
) -> None:
    sent = [make_message(1), make_message(2, body="Dehnübungen für den Rücken.\n")]
    with mailer.from_url(sink.url) as outgoing:
        for message in sent:
            outgoing.send(message)
    received = sink.messages
    assert [r.data for r in received] == [m.as_bytes(policy=email.policy.SMTP) for m in sent]
    assert [r.mail_from for r in received] == ["tips@clinic.example"] * 2
    assert [r.rcpt_tos for r in received] == [("patient@example.org",)] * 2
    assert received[0].message.get_content() == "Tip number 1.\n\n.leading dot\n"
    assert "BODY=8BITMIME" in received[1].mail_options


def test_one_connection_carries_many_messages(sink: SmtpSink, make_message: Make) -> None:
    with mailer.from_url(sink.url) as outgoing:
        for n in range(5):
            outgoing.send(make_message(n))
    assert len(sink.messages) == 5
    assert sink.connections == 1


def test_reconnects_once_after_the_server_hung_up(sink: SmtpSink, make_message: Make) -> None:
    with mailer.from_url(sink.url) as outgoing:
        outgoing.send(make_message(1))
        sink.drop_connections()
        outgoing.send(make_message(2))
    assert [r.message["Subject"] for r in sink.messages] == ["Tip 1", "Tip 2"]
    assert sink.connections == 2


def test_421_at_mail_on_a_reused_connection_reconnects(sink: SmtpSink, make_message: Make) -> None:
    with mailer.from_url(sink.url) as outgoing:
        outgoing.send(make_message(1))
        sink.fail_with(421, "4.4.2 Idle timeout, closing", at="mail")
        outgoing.send(make_message(2))
    assert len(sink.messages) == 2
    assert sink.connections == 2


def test_unknown_mailbox_is_550_5_1_1_and_the_connection_stays_usable(
    sink: SmtpSink, make_message: Make
) -> None:
    sink.fail_with(550, "5.1.1 No such user")
    with mailer.from_url(sink.url) as outgoing:
        with pytest.raises(errors.SendError) as caught:
            outgoing.send(make_message(1))
        outgoing.send(make_message(2))
    assert (caught.value.code, caught.value.enhanced) == (550, "5.1.1")
    assert "550 5.1.1 No such user" in str(caught.value)
    assert delivery.classify(caught.value) is delivery.Outcome.SUPPRESS
    assert [r.message["Subject"] for r in sink.messages] == ["Tip 2"]
    assert sink.connections == 1


def test_try_later_at_data_is_451(sink: SmtpSink, make_message: Make) -> None:
    sink.fail_with(451, "4.3.0 Try later", at="data")
    with mailer.from_url(sink.url) as outgoing, pytest.raises(errors.SendError) as caught:
        outgoing.send(make_message(1))
    assert (caught.value.code, caught.value.enhanced) == (451, "4.3.0")
    assert delivery.classify(caught.value) is delivery.Outcome.RETRY
    assert sink.messages == []


def test_a_reply_without_enhanced_code_has_none(sink: SmtpSink, make_message: Make) -> None:
    sink.fail_with(554, "Transaction failed", at="data")
    with mailer.from_url(sink.url) as outgoing, pytest.raises(errors.SendError) as caught:
        outgoing.send(make_message(1))
    assert (caught.value.code, caught.value.enhanced) == (554, None)


def test_nobody_listening_is_a_send_error_without_code(make_message: Make) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    outgoing = mailer.from_url(f"smtp://127.0.0.1:{port}?timeout=5")
    with pytest.raises(errors.SendError) as caught:
        outgoing.send(make_message(1))
    assert caught.value.code is None
    assert f"127.0.0.1:{port}" in str(caught.value)
    assert delivery.classify(caught.value) is delivery.Outcome.RETRY


def test_mail_from_override_sets_the_envelope_sender(sink: SmtpSink, make_message: Make) -> None:
    with mailer.from_url(f"{sink.url}?mail_from=bounces%40clinic.example") as outgoing:
        outgoing.send(make_message(1))
    assert sink.messages[0].mail_from == "bounces@clinic.example"
    assert sink.messages[0].message["From"] == "Winternheimer Chiropractic <tips@clinic.example>"


def test_non_ascii_addresses_use_smtputf8(sink: SmtpSink, make_message: Make) -> None:
    with mailer.from_url(sink.url) as outgoing:
        outgoing.send(make_message(1, to="jürgen@example.org"))
    assert sink.messages[0].rcpt_tos == ("jürgen@example.org",)
    assert "SMTPUTF8" in sink.messages[0].mail_options


def test_closing_ends_the_connection_and_sending_again_reconnects(
    sink: SmtpSink, make_message: Make
) -> None:
    outgoing = mailer.from_url(sink.url)
    outgoing.send(make_message(1))
    outgoing.close()
    outgoing.close()  # closing twice is harmless
    outgoing.send(make_message(2))
    outgoing.close()
    assert (len(sink.messages), sink.connections) == (2, 2)


def test_nothing_about_the_message_is_logged(
    sink: SmtpSink, make_message: Make, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="drip")
    sink.fail_with(550, "5.1.1 No such user")
    with mailer.from_url(sink.url) as outgoing:
        with pytest.raises(errors.SendError):
            outgoing.send(make_message(1))
        sink.drop_connections()
        outgoing.send(make_message(2))
    drip_lines = [r.getMessage() for r in caplog.records if r.name.startswith("drip")]
    assert drip_lines == [
        f"connected to 127.0.0.1:{sink.port}",
        f"reconnecting to 127.0.0.1:{sink.port}",
        f"connected to 127.0.0.1:{sink.port}",
    ]


# --- TLS and AUTH -----------------------------------------------------------------------------


def test_auth_over_starttls(tls: SelfSignedTls, make_message: Make) -> None:
    with SmtpSink(tls=tls, users={"clinic": "p@ss word"}) as secure:
        url = f"smtp://clinic:p%40ss%20word@127.0.0.1:{secure.port}?starttls=true"
        with mailer.from_url(url, ssl_context=tls.client_context) as outgoing:
            outgoing.send(make_message(1))
            outgoing.send(make_message(2))
        assert len(secure.messages) == 2
        assert secure.connections == 1


def test_wrong_password_is_535_5_7_8_and_pauses(tls: SelfSignedTls, make_message: Make) -> None:
    with SmtpSink(tls=tls, users={"clinic": "right"}) as secure:
        url = f"smtp://clinic:wrong@127.0.0.1:{secure.port}?starttls=true"
        with (
            mailer.from_url(url, ssl_context=tls.client_context) as outgoing,
            pytest.raises(errors.SendError) as caught,
        ):
            outgoing.send(make_message(1))
        assert secure.messages == []
    assert (caught.value.code, caught.value.enhanced) == (535, "5.7.8")
    assert "wrong" not in str(caught.value)
    assert delivery.classify(caught.value) is delivery.Outcome.PAUSE


def test_implicit_tls_smtps(tls: SelfSignedTls, make_message: Make) -> None:
    with SmtpSink(tls=tls, implicit_tls=True) as secure:
        assert secure.url.startswith("smtps://")
        with mailer.from_url(secure.url, ssl_context=tls.client_context) as outgoing:
            outgoing.send(make_message(1))
        assert [r.message["Subject"] for r in secure.messages] == ["Tip 1"]


def test_untrusted_certificate_pauses_instead_of_retrying(
    tls: SelfSignedTls, make_message: Make
) -> None:
    with SmtpSink(tls=tls) as secure:
        outgoing = mailer.from_url(f"{secure.url}?starttls=true")  # system trust store only
        with pytest.raises(errors.SendError) as caught:
            outgoing.send(make_message(1))
    assert (caught.value.code, caught.value.enhanced) == (530, "5.7.0")
    assert "certificate" in str(caught.value)
    assert delivery.classify(caught.value) is delivery.Outcome.PAUSE


def test_starttls_asked_but_not_offered_refuses_to_send_in_clear(
    sink: SmtpSink, make_message: Make
) -> None:
    outgoing = mailer.from_url(f"{sink.url}?starttls=true")
    with pytest.raises(errors.SendError) as caught:
        outgoing.send(make_message(1))
    assert (caught.value.code, caught.value.enhanced) == (530, "5.7.0")
    assert "STARTTLS" in str(caught.value)
    assert sink.messages == []


def test_a_message_without_recipient_is_refused_before_connecting(sink: SmtpSink) -> None:
    message = email.message.EmailMessage()
    message["From"] = "tips@clinic.example"
    message.set_content("hello")
    with pytest.raises(errors.InvalidInput, match="no To address"):
        mailer.from_url(sink.url).send(message)
    assert sink.connections == 0
