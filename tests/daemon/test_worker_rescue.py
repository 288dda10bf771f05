"""A worker's housekeeping rescues expired leases, but never its own while it runs a batch:
that batch may be writing the record of a send the relay took while the database was away."""

from __future__ import annotations

from datetime import timedelta

import pytest
from daemon_harness import environment, subscribe_due

from drip import clock, config
from drip import store as drip_store
from drip.service import operations

DS = drip_store.DeliveryState


@pytest.mark.parametrize("database_url", ["sqlite", "postgresql"], indirect=True)
def test_a_worker_spares_its_own_expired_claims_while_its_batch_runs(db, database_url) -> None:
    cfg = config.load(environment(database_url, "memory://"))
    subscribe_due(cfg, 3)
    worker = operations.Worker(cfg)
    try:
        owner = worker.dispatcher.owner
        lease = timedelta(seconds=cfg.lease_seconds)
        past = clock.utcnow() - 2 * lease  # claimed long ago: the leases are over now
        db.claim_due(now=past, limit=2, owner=owner, lease_seconds=cfg.lease_seconds)
        db.claim_due(now=past, limit=1, owner="a-dead-worker", lease_seconds=cfg.lease_seconds)
        with worker.busy:  # a batch of its own is running
            worker.housekeeping()
        assert db.status(now=clock.utcnow()).deliveries[DS.SENDING] == 2
        worker.housekeeping()  # between batches: its name on a claim is a dead predecessor's
        assert db.status(now=clock.utcnow()).deliveries[DS.SENDING] == 0
    finally:
        worker.close()
