"""Each SMTP fault, through drip's real mailer, dispatcher and store, ends as the rules table
(`drip.delivery.RULES`) says: retried with its reason after the backoff, bounced and
suppressed, paused for every worker, or reconnected and sent. What is checked is what left the
process: the deliveries' rows and the messages the server kept (tests/smtp_faults.py)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

import db_rows
from drip import delivery, store
from drip.service import dispatch, operations
from smtp_faults import CLOSING, Fault, FaultySmtp, Stage
from smtp_sink import SelfSignedTls
from smtp_world import T0, World

DS, SS, V = store.DeliveryState, store.SubscriberState, dispatch.Verdict
SLOW = 30.0  # a delay no test waits for: the client's timeout cuts it short
sqlite_only = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


@pytest.fixture
def world(database_url: str, tmp_path: Path) -> Iterator[World]:
    with World.open(database_url, tmp_path) as opened:
        yield opened


def received_by(server: FaultySmtp) -> list[tuple[str, str]]:
    """(recipient, Message-ID) of every message the server kept, in order."""
    return [(m.rcpt_tos[0], m.message_id) for m in server.messages]


# A temporary fault: (fault, a client timeout, what the reason says, whether the server kept the
# message although the client never saw its reply: the ambiguous window).
TEMPORARY = [
    (Fault.reply(451, "4.3.0 Try later", at=Stage.MAIL), 5.0, "451 4.3.0 Try later", False),
    (Fault.reply(452, "4.2.2 Mailbox full", at=Stage.RCPT), 5.0, "452 4.2.2 Mailbox full", False),
    (Fault.reply(451, "4.3.0 Queue busy", at=Stage.DATA), 5.0, "refused DATA: 451 4.3.0", False),
    (Fault.reply(452, "4.3.1 No storage", at=Stage.MESSAGE), 5.0, "DATA: 452 4.3.1", False),
    (Fault.reply(421, CLOSING, at=Stage.MAIL), 5.0, "at MAIL FROM: 421 4.3.2", False),
    (Fault.reply(421, CLOSING, at=Stage.RCPT), 5.0, "refused RCPT TO: 421 4.3.2", False),
    (Fault.reply(421, CLOSING, at=Stage.MESSAGE), 5.0, "refused DATA: 421 4.3.2", False),
    (Fault.drop(at=Stage.RCPT), 5.0, "closed the connection at RCPT TO", False),
    (Fault.drop(at=Stage.DATA), 5.0, "DATA failed", False),
    (Fault.drop(at=Stage.MESSAGE), 5.0, "DATA failed", True),
    (Fault.delay(SLOW, at=Stage.MAIL), 1.0, "no reply to MAIL FROM within 1 s", False),
    (Fault.delay(SLOW, at=Stage.MESSAGE), 1.0, "no reply to DATA within 1 s", True),
]


@sqlite_only
@pytest.mark.parametrize(("fault", "timeout", "reason", "kept"), TEMPORARY, ids=str)
def test_a_temporary_fault_is_retried_after_the_backoff_with_its_reason_then_sent_once(
    database_url: str, tmp_path: Path, fault: Fault, timeout: float, reason: str, kept: bool
) -> None:
    with World.open(database_url, tmp_path, timeout=timeout) as world:
        [email] = world.patients(1)
        world.server.script(fault)
        assert world.tick().count(V.RETRIED) == 1

        [row] = world.welcomes()
        assert (row.state, row.attempts, row.lease_owner) == (DS.PENDING, 1, None)
        assert row.last_error is not None and reason in row.last_error
        assert row.due_at == T0 + delivery.backoff(1, key=row.uid)
        first = received_by(world.server)
        assert len(first) == kept  # the ambiguous window: the server has it already

        assert world.to_next_retry() == row.due_at
        assert world.tick().sent == 1
        [sent] = world.welcomes()
        assert (sent.state, sent.attempts) == (DS.SENT, 1)
        # once, or, in the ambiguous window, twice with the same Message-ID: never a new one
        assert received_by(world.server) == [(email, sent.message_id)] * (1 + kept)
        assert len(world.server.ambiguous) == kept


def test_no_such_mailbox_bounces_the_patient_suppresses_the_address_and_the_batch_goes_on(
    world: World,
) -> None:
    gone, kept = world.patients(2)
    world.server.script(Fault.reply(550, "5.1.1 <nobody@example.org>: no such user", at=Stage.RCPT))
    result = world.tick()
    assert (result.count(V.BOUNCED), result.sent) == (1, 1)

    bounced, sent = world.welcomes()
    assert (bounced.state, bounced.attempts) == (DS.FAILED, 1)
    assert bounced.last_error is not None and "550 5.1.1" in bounced.last_error
    assert "nobody@example.org" not in bounced.last_error  # relays quote addresses: redacted
    assert db_rows.is_suppressed(world.db, gone)
    assert world.db.subscriber_by_email(gone).state is SS.BOUNCED  # type: ignore[union-attr]
    assert not db_rows.is_suppressed(world.db, kept)
    assert sent.state is DS.SENT
    assert received_by(world.server) == [(kept, sent.message_id)]


def test_a_policy_refusal_pauses_sending_for_every_worker_in_the_database(world: World) -> None:
    """`drip tick` (`operations.tick`, what every shell calls) on a 554 5.7.1: the pause is
    written to the database, the claim waits out the pause, the rest of the batch is handed
    back, and nobody is suppressed."""
    emails = world.patients(3)
    world.server.script(Fault.reply(554, "5.7.1 Message rejected by policy", at=Stage.MESSAGE))
    result = operations.tick(world.config, at=T0)
    assert result.paused and "5.7.1" in result.pause_reason

    pause = world.db.sending_paused(now=T0)
    assert pause is not None and "554 5.7.1 Message rejected by policy" in pause.reason
    refused, *rest = world.welcomes()
    assert (refused.state, refused.attempts, refused.due_at) == (
        DS.PENDING,
        0,  # our fault, not the delivery's: no attempt counted
        T0 + dispatch.PAUSE_FOR,
    )
    assert refused.last_error is not None and "5.7.1" in refused.last_error
    assert [(r.state, r.attempts, r.lease_owner, r.due_at) for r in rest] == [
        (DS.PENDING, 0, None, T0)
    ] * 2
    assert world.server.messages == []
    assert not any(db_rows.is_suppressed(world.db, email) for email in emails)

    again = operations.tick(world.config, at=T0)  # another worker, or a restart: still paused
    assert again.halt is dispatch.Halt.PAUSED and again.claimed == 0
    assert world.server.transactions == 1


@sqlite_only
@pytest.mark.parametrize(
    "fault", [Fault.drop(at=Stage.MAIL), Fault.reply(421, CLOSING, at=Stage.MAIL)], ids=str
)
def test_a_connection_that_died_between_messages_is_reconnected_and_the_batch_goes_on(
    world: World, fault: Fault
) -> None:
    emails = world.patients(3)
    world.server.script(None, fault)  # the second message finds the connection closed
    result = world.tick()
    assert (result.sent, result.count(V.RETRIED)) == (3, 0)
    rows = world.welcomes()
    assert [r.state for r in rows] == [DS.SENT] * 3
    assert received_by(world.server) == [(r.email, r.message_id) for r in rows]
    assert [r.email for r in rows] == emails
    assert world.server.connections == 2


@sqlite_only
def test_sends_that_get_no_reply_in_a_row_stop_the_batch_and_the_rest_waits_unharmed(
    world: World,
) -> None:
    world.patients(5)
    world.server.script(*[Fault.drop(at=Stage.RCPT)] * dispatch.UNANSWERED_IN_A_ROW)
    result = world.tick()
    assert result.halt is dispatch.Halt.SERVER_DOWN
    rows = world.welcomes()
    assert [(r.state, r.attempts) for r in rows] == [(DS.PENDING, 1)] * 3 + [(DS.PENDING, 0)] * 2
    assert all(r.lease_owner is None for r in rows)
    assert world.server.messages == []


@sqlite_only
def test_a_broken_tls_handshake_is_retried_and_nothing_is_sent_in_clear(
    database_url: str, tmp_path: Path
) -> None:
    tls = SelfSignedTls.create()
    with World.open(database_url, tmp_path, tls=tls) as world:
        [email] = world.patients(1)
        world.server.break_tls()
        assert world.tick().count(V.RETRIED) == 1
        [row] = world.welcomes()
        assert (row.state, row.attempts) == (DS.PENDING, 1)
        assert row.last_error is not None and "connect failed: [SSL" in row.last_error
        assert world.server.transactions == 0  # no MAIL FROM went out, in clear or not

        world.to_next_retry()
        assert world.tick().sent == 1
        [sent] = world.welcomes()
        assert received_by(world.server) == [(email, sent.message_id)]
