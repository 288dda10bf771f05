"""SmtpMailer against a server that misbehaves (tests/smtp_faults.py): for each fault, the error
the mailer raises (reply code, enhanced status, what the rules table makes of it), what the
server kept, and whether the connection was reused, dropped or reconnected."""

from __future__ import annotations

import email.message
from collections.abc import Callable, Iterator

import pytest

from drip import delivery, errors, mailer
from smtp_faults import CLOSING, Fault, FaultySmtp, Stage
from smtp_sink import SelfSignedTls

Make = Callable[..., email.message.EmailMessage]
Out = delivery.Outcome
SLOW = 30.0  # a delay no test waits for: the client's timeout (TIMEOUT) cuts it short
TIMEOUT = 0.5


@pytest.fixture
def server() -> Iterator[FaultySmtp]:
    with FaultySmtp() as running:
        yield running


def outgoing(server: FaultySmtp, **query: str) -> mailer.Mailer:
    options = "&".join(f"{k}={v}" for k, v in {"timeout": "5", **query}.items())
    return mailer.from_url(f"{server.url}?{options}")


def refused(send: Callable[[], None]) -> errors.SendError:
    with pytest.raises(errors.SendError) as caught:
        send()
    return caught.value


@pytest.mark.parametrize(
    ("fault", "code", "enhanced", "outcome"),
    [
        (Fault.reply(451, "4.3.0 Try later", at=Stage.MAIL), 451, "4.3.0", Out.RETRY),
        (Fault.reply(451, "4.7.1 Greylisted", at=Stage.RCPT), 451, "4.7.1", Out.RETRY),
        (Fault.reply(452, "4.2.2 Mailbox full", at=Stage.RCPT), 452, "4.2.2", Out.RETRY),
        (Fault.reply(451, "4.3.0 Queue busy", at=Stage.DATA), 451, "4.3.0", Out.RETRY),
        (Fault.reply(452, "4.3.1 No storage", at=Stage.MESSAGE), 452, "4.3.1", Out.RETRY),
        (Fault.reply(550, "5.1.1 No such user", at=Stage.RCPT), 550, "5.1.1", Out.SUPPRESS),
        (Fault.reply(554, "5.7.1 Rejected by policy", at=Stage.MESSAGE), 554, "5.7.1", Out.PAUSE),
    ],
    ids=str,
)
def test_a_refusal_is_its_reply_and_the_connection_carries_the_next_message(
    server: FaultySmtp, make_message: Make, fault: Fault, code: int, enhanced: str, outcome: Out
) -> None:
    server.script(fault)
    with outgoing(server) as smtp:
        error = refused(lambda: smtp.send(make_message(1)))
        smtp.send(make_message(2))
    assert (error.code, error.enhanced, delivery.classify(error)) == (code, enhanced, outcome)
    assert f"{code} {fault.text}" in str(error)
    assert [r.message_id for r in server.messages] == ["<tip-2@clinic.example>"]
    assert server.connections == 1  # RSET ended the failed transaction; no reconnect


@pytest.mark.parametrize("stage", [Stage.RCPT, Stage.MESSAGE], ids=str)
def test_421_is_retried_and_the_next_message_goes_over_a_new_connection(
    server: FaultySmtp, make_message: Make, stage: Stage
) -> None:
    server.script(Fault.reply(421, CLOSING, at=stage))
    with outgoing(server) as smtp:
        error = refused(lambda: smtp.send(make_message(1)))
        server.wait_all_closed()  # the server said it closes, and it did
        smtp.send(make_message(2))
    assert (error.code, delivery.classify(error)) == (421, Out.RETRY)
    assert [r.message_id for r in server.messages] == ["<tip-2@clinic.example>"]
    assert server.connections == 2


def test_421_at_mail_on_a_new_connection_keeps_the_servers_words(
    server: FaultySmtp, make_message: Make
) -> None:
    """A server closing at once counts as one that does not answer (the batch stops after a
    few), but the reason kept for the delivery is what it said, not a guess."""
    server.script(Fault.reply(421, CLOSING, at=Stage.MAIL))
    with outgoing(server) as smtp:
        error = refused(lambda: smtp.send(make_message(1)))
    assert (error.code, delivery.classify(error)) == (None, Out.RETRY)
    assert "421 4.3.2 Service shutting down" in str(error)
    assert server.messages == []


@pytest.mark.parametrize(
    "fault",
    [
        Fault.drop(at=Stage.MAIL),
        Fault.drop(at=Stage.RCPT),
        Fault.reply(421, CLOSING, at=Stage.MAIL),
    ],
    ids=str,
)
def test_a_reused_connection_dropped_before_data_is_reconnected_and_the_send_goes_on(
    server: FaultySmtp, make_message: Make, fault: Fault
) -> None:
    server.script(None, fault)
    with outgoing(server) as smtp:
        smtp.send(make_message(1))
        smtp.send(make_message(2))  # hits the fault, reconnects, sends: no error at all
    assert [r.message_id for r in server.messages] == [
        "<tip-1@clinic.example>",
        "<tip-2@clinic.example>",
    ]
    assert (server.connections, server.transactions) == (2, 3)


@pytest.mark.parametrize("stage", [Stage.MAIL, Stage.RCPT], ids=str)
def test_a_new_connection_dropped_before_data_is_not_retried_at_once(
    server: FaultySmtp, make_message: Make, stage: Stage
) -> None:
    server.script(Fault.drop(at=stage))
    with outgoing(server) as smtp:
        error = refused(lambda: smtp.send(make_message(1)))
    assert (error.code, delivery.classify(error)) == (None, Out.RETRY)
    assert f"closed the connection at {'MAIL FROM' if stage is Stage.MAIL else 'RCPT TO'}" in str(
        error
    )
    assert (server.messages, server.connections) == ([], 1)


def test_a_drop_at_the_data_command_sent_nothing_and_is_retried_later(
    server: FaultySmtp, make_message: Make
) -> None:
    server.script(None, Fault.drop(at=Stage.DATA))
    with outgoing(server) as smtp:
        smtp.send(make_message(1))
        error = refused(lambda: smtp.send(make_message(2)))
    assert (error.code, delivery.classify(error)) == (None, Out.RETRY)
    assert [r.message_id for r in server.messages] == ["<tip-1@clinic.example>"]


def test_a_drop_after_the_message_arrived_is_the_ambiguous_window(
    server: FaultySmtp, make_message: Make
) -> None:
    """The server has the message, the client never saw the reply: the mailer must not send it
    again on its own (the delivery is retried later, with the same Message-ID)."""
    server.script(Fault.drop(at=Stage.MESSAGE))
    with outgoing(server) as smtp:
        error = refused(lambda: smtp.send(make_message(1)))
    assert (error.code, delivery.classify(error)) == (None, Out.RETRY)
    assert [r.message_id for r in server.messages] == ["<tip-1@clinic.example>"]
    [injected] = server.ambiguous
    assert injected.message_id == "<tip-1@clinic.example>"
    assert (server.connections, server.transactions) == (1, 1)


@pytest.mark.parametrize("stage", [Stage.MAIL, Stage.RCPT, Stage.MESSAGE], ids=str)
def test_a_slow_reply_within_the_timeout_is_waited_for(
    server: FaultySmtp, make_message: Make, stage: Stage
) -> None:
    server.script(Fault.delay(0.2, at=stage))
    with outgoing(server, timeout="10") as smtp:
        smtp.send(make_message(1))
    assert [r.message_id for r in server.messages] == ["<tip-1@clinic.example>"]
    assert server.ambiguous == []


@pytest.mark.parametrize("stage", [Stage.MAIL, Stage.RCPT], ids=str)
def test_a_reply_later_than_the_timeout_before_data_is_a_timeout_not_a_reconnect(
    server: FaultySmtp, make_message: Make, stage: Stage
) -> None:
    """A slow server is not a closed connection: reconnecting would only wait once more."""
    server.script(None, Fault.delay(SLOW, at=stage))
    with outgoing(server, timeout=str(TIMEOUT)) as smtp:
        smtp.send(make_message(1))
        error = refused(lambda: smtp.send(make_message(2)))
    assert (error.code, delivery.classify(error)) == (None, Out.RETRY)
    assert "no reply" in str(error) and "within 0.5 s" in str(error)
    assert (server.connections, server.transactions) == (1, 2)
    assert [r.message_id for r in server.messages] == ["<tip-1@clinic.example>"]


def test_a_reply_later_than_the_timeout_after_the_message_is_the_ambiguous_window(
    server: FaultySmtp, make_message: Make
) -> None:
    server.script(Fault.delay(SLOW, at=Stage.MESSAGE))
    with outgoing(server, timeout=str(TIMEOUT)) as smtp:
        error = refused(lambda: smtp.send(make_message(1)))
    assert (error.code, delivery.classify(error)) == (None, Out.RETRY)
    assert "no reply to DATA within 0.5 s" in str(error)
    server.wait_all_closed()
    [injected] = server.ambiguous
    assert injected.message_id == "<tip-1@clinic.example>"
    assert [r.message_id for r in server.messages] == ["<tip-1@clinic.example>"]


def test_a_broken_tls_handshake_is_retried_and_nothing_goes_out_in_clear(
    make_message: Make,
) -> None:
    tls = SelfSignedTls.create()
    with FaultySmtp(tls=tls) as server:
        server.break_tls()
        smtp = mailer.from_url(
            f"{server.url}?starttls=true&timeout=5", ssl_context=tls.client_context
        )
        with smtp:
            error = refused(lambda: smtp.send(make_message(1)))
            assert server.transactions == 0  # not a word of the envelope in clear
            smtp.send(make_message(2))  # the next handshake works
    assert (error.code, delivery.classify(error)) == (None, Out.RETRY)
    assert "[SSL" in str(error)  # the handshake's failure, as OpenSSL names it
    assert [r.message_id for r in server.messages] == ["<tip-2@clinic.example>"]
    assert [str(i.fault) for i in server.injected] == ["break the TLS handshake at starttls"]
