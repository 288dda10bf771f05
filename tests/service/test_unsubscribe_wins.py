"""Promise 6, on the real databases: an unsubscribe or a suppression that lands after a batch
was claimed, before its send, stops that send. The check is made at send time, over real SMTP.

The server holds the second message of a batch in DATA, unanswered: the batch is claimed, the
first message sent, the second in flight, the rest claimed but unsent. Meanwhile one patient
unsubscribes (the one-click link of their emails, the web app's own call) and another's
address is put on the suppression list. Released, the batch goes on: neither of them gets
the email; their rows say why. (The same decision, unit-sized on the in-memory outbox:
tests/service/test_dispatch_decisions.py; without SMTP: tests/service/test_dispatch.py.)"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

import db_rows
from drip import store, tokens
from drip.service import app as app_module
from drip.service import dispatch, patients
from smtp_world import T0, World

pytestmark = pytest.mark.slow
DS, SS, V = store.DeliveryState, store.SubscriberState, dispatch.Verdict


def test_an_unsubscribe_or_a_suppression_between_claim_and_send_stops_that_send(
    database_url: str, tmp_path: Path
) -> None:
    with World.open(database_url, tmp_path) as world, ThreadPoolExecutor(1) as pool:
        first, in_flight, leaving, suppressed, last = world.patients(5)
        world.server.hold_after(1)  # the second DATA waits for release()
        passing = pool.submit(world.tick)
        world.server.wait_held()
        claimed = world.welcomes()
        assert [r.state for r in claimed] == [DS.SENT] + [DS.SENDING] * 4  # one batch, claimed

        # The web app, a process of its own on the same database, while the batch is held:
        with app_module.open_app(world.config) as web:
            patient = web.store.subscriber_by_email(leaving)
            assert patient is not None
            url = patients.unsubscribe_url(web, patient.uid, now=T0)  # in every email's footer
            link = patients.read_link(
                web, tokens.Purpose.UNSUBSCRIBE, url.rsplit("/", 1)[1], now=T0
            )
            patients.unsubscribe(web, link, now=T0)
            db_rows.suppress(web.store, suppressed, now=T0)  # e.g. a complaint about it
        world.server.release()
        result = passing.result(timeout=30)

        assert (result.sent, result.count(V.SUPPRESSED)) == (3, 2)
        assert sorted(m.rcpt_tos[0] for m in world.server.messages) == sorted(
            [first, in_flight, last]
        )
        rows = {row.email: row for row in world.welcomes()}
        # leaving suppresses the address too; the re-check names why: they left
        assert (rows[leaving].state, rows[leaving].last_error) == (
            DS.SUPPRESSED,
            "subscriber is unsubscribed",
        )
        assert (rows[suppressed].state, rows[suppressed].last_error) == (
            DS.SUPPRESSED,
            "subscriber is suppressed",
        )
        states = {
            email: getattr(world.db.subscriber_by_email(email), "state", None)
            for email in (leaving, suppressed)
        }
        assert states == {leaving: SS.UNSUBSCRIBED, suppressed: SS.ACTIVE}
        assert all(rows[email].state is DS.SENT for email in (first, in_flight, last))
        assert {m.message_id for m in world.server.messages} == {
            rows[email].message_id for email in (first, in_flight, last)
        }
