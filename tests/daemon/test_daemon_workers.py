"""Several `drip run` processes on one database: each due delivery is accepted by the SMTP
server exactly once, and a worker frozen past its lease (SIGSTOP) can neither record nor resend
what another worker took over: the lease fences it (docs/delivery-guarantees.md)."""

from __future__ import annotations

import collections
import signal
from pathlib import Path

import pytest
import workers_run
from crash_run import message_id
from daemon_harness import subscribe_due, welcomes

from drip import config
from drip import store as drip_store

pytestmark = pytest.mark.slow
DS = drip_store.DeliveryState
POSTGRES_ONLY = pytest.mark.parametrize(
    "database_url", [pytest.param("postgresql", marks=pytest.mark.postgres)], indirect=True
)
SQLITE_ONLY = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


def assert_exactly_once(figures: workers_run.Figures) -> None:
    said = str(figures.as_json())
    assert figures.sent == figures.deliveries and figures.lost == 0, said
    assert figures.accepted == figures.deliveries, said
    assert figures.duplicates == 0, said
    assert figures.unrecorded == 0, said
    assert figures.lease_lost == 0, said


@POSTGRES_ONLY
def test_three_workers_on_postgresql_send_each_delivery_exactly_once(
    db, database_url: str, tmp_path: Path
) -> None:
    figures = workers_run.run(database_url, workers=3, deliveries=600, workdir=tmp_path)
    assert_exactly_once(figures)
    assert len(figures.sent_by) == 3, f"not every worker sent: {figures.sent_by}"


@SQLITE_ONLY
def test_two_workers_on_one_sqlite_file_send_each_delivery_exactly_once(
    db, database_url: str, tmp_path: Path
) -> None:
    """The single-host rule's other half: two processes on one local file are safe (every
    write transaction takes the lock first), they just do not send faster than one."""
    figures = workers_run.run(database_url, workers=2, deliveries=200, workdir=tmp_path)
    assert_exactly_once(figures)


@POSTGRES_ONLY
def test_a_worker_frozen_past_its_lease_cannot_record_or_resend_what_another_took_over(
    db, sink, env_for, start_daemon
) -> None:
    count = 30  # one batch, claimed by the worker that gets frozen
    settings = {"lease_seconds": 5, "batch_size": 50}
    emails = subscribe_due(config.load(env_for(sink.url)), count)
    sink.hold_after(0)  # its first message waits in DATA, unanswered

    frozen = start_daemon(env_for(f"{sink.url}?timeout=1", worker_id="frozen", **settings))
    frozen.wait_alive_for(lambda: sink.held, timeout=30, what="a message in DATA")
    assert {row.state for row in welcomes(db)} == {DS.SENDING}, "it did not claim them all"
    frozen.signal(signal.SIGSTOP)
    try:
        # The server accepts the message in flight: the 250 waits in the frozen socket.
        sink.release()
        sink.wait_for(1)
        rescuer = start_daemon(env_for(f"{sink.url}?timeout=1", worker_id="rescuer", **settings))
        # Real time must pass the lease: the rescuer's housekeeping rescues, then it sends.
        rescuer.wait_alive_for(
            lambda: all(row.state is DS.SENT for row in welcomes(db)),
            timeout=40,
            what="the rescuer sending every welcome",
        )
    finally:
        frozen.signal(signal.SIGCONT)

    line = frozen.wait_for_record(
        lambda r: r["message"].startswith("batch:"), what="the frozen worker's batch line"
    )
    assert frozen.stop() == 0 and rescuer.stop() == 0

    # its outcome of the message in hand was dropped by the fence, and it sent nothing more
    assert line["lease_lost"] == 1 and line["sent"] == 0, line
    assert line["claimed"] == count and line["released"] == 0, line
    assert any("lease lost" in r["message"] for r in frozen.records()), frozen.tail()
    assert not [b for b in frozen.batches() if b["sent"]], "the frozen worker recorded a send"

    rows = welcomes(db)
    assert {row.lease_owner for row in rows} == {"rescuer"}, "a row records the frozen worker"
    ids = collections.Counter(message_id(m) for m in sink.messages)
    assert set(ids) == {row.message_id for row in rows}
    # one duplicate, the ambiguous one: accepted from the frozen worker, its reply unseen
    assert sum(ids.values()) == count + 1, ids
    assert [mid for mid, n in ids.items() if n > 1] == [message_id(sink.messages[0])], ids
    assert sorted({r for m in sink.messages for r in m.rcpt_tos}) == emails
