"""The fault run: many deliveries through a server that fails at random, until nothing is left.

`run(...)` subscribes `deliveries` patients whose welcome is due at T0, makes the server fail
a share of SMTP transactions at random (seeded: `temporary` get a 421/451/452 at some stage,
`dropped` a hang-up at some stage, after the message's data included), and runs drip's real
dispatcher pass after pass on a simulated clock, jumping to the next retry, until no welcome is
pending. Then it counts, from the database rows and the messages the server kept:

- delivered: rows sent whose Message-ID the server has;
- duplicates: copies beyond the first of one Message-ID; each must be explained by a drop (or a
  reply later than the timeout) after the server had the message: the ambiguous window;
- lost: rows neither sent nor failed, or sent without their message on the server;
- failed: rows failed, each with its reason (MAX_ATTEMPTS temporary failures in a row).

Used by tests/service/test_fault_run.py (300 deliveries) and `python -m benchmarks.faults`.
"""

from __future__ import annotations

import collections
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from drip import store
from smtp_faults import Fault, Kind, Stage
from smtp_world import World

DS = store.DeliveryState
MAX_PASSES = 10_000  # far more than any run needs: a loop that never ends fails instead


@dataclass(frozen=True, kw_only=True)
class Figures:
    database: str
    deliveries: int
    seed: int
    temporary: float
    dropped: float
    delivered: int
    failed: int
    failed_without_reason: int
    lost: int
    received: int  # messages the server kept, duplicates included
    duplicates: int
    duplicates_explained: int
    duplicates_unexplained: int
    not_exactly_once: int  # sent rows whose copies are not 1 + their ambiguous faults
    unexpected: int  # messages kept whose Message-ID no welcome row holds
    ambiguous_injected: int  # drops or timeouts after the server had the message
    faults_injected: int
    faults_by_kind: dict[str, int]
    attempts: int  # sends drip tried: the rows' failed attempts, plus one per row sent
    retries: int  # the rows' failed attempts, summed
    transactions: int  # MAIL FROM commands the server received (a reconnect's too)
    connections: int
    passes: int
    wall_seconds: float

    def as_dict(self) -> dict[str, object]:
        return {**asdict(self), "kept_promises": self.kept_promises}

    @property
    def kept_promises(self) -> bool:
        return (
            self.lost == 0
            and self.duplicates_unexplained == 0
            and self.failed_without_reason == 0
            and self.not_exactly_once == 0
            and self.unexpected == 0
            and self.delivered + self.failed == self.deliveries
        )


def run(
    database_url: str,
    directory: Path,
    *,
    deliveries: int,
    seed: int,
    temporary: float = 0.30,
    dropped: float = 0.05,
    database: str = "",
) -> Figures:
    """The fault run on a new, empty database at `database_url`; see the module docstring."""
    with World.open(database_url, directory) as world:
        world.patients(deliveries)
        started = time.perf_counter()
        # the ambiguous window is certain to be crossed at least once, whatever the draws
        world.server.script(Fault.drop(at=Stage.MESSAGE))
        world.server.randomly(seed=seed, temporary=temporary, dropped=dropped)
        passes = 0
        while passes < MAX_PASSES:
            world.tick()
            passes += 1
            if world.to_next_retry() is None:
                break
        wall = time.perf_counter() - started
        return _count(
            world,
            database=database or database_url.split(":")[0],
            passes=passes,
            wall=wall,
            seed=seed,
            temporary=temporary,
            dropped=dropped,
        )


def _count(
    world: World,
    *,
    database: str,
    passes: int,
    wall: float,
    seed: int,
    temporary: float,
    dropped: float,
) -> Figures:
    rows = world.welcomes()
    server = world.server
    copies = collections.Counter(m.message_id for m in server.messages)
    ambiguous = collections.Counter(i.message_id for i in server.ambiguous)
    sent = [r for r in rows if r.state is DS.SENT]
    failed = [r for r in rows if r.state is DS.FAILED]
    delivered = [r for r in sent if copies[r.message_id or ""] > 0]
    known = {r.message_id for r in sent}
    extra = {mid: n - 1 for mid, n in copies.items() if n > 1}
    explained = sum(min(n, ambiguous[mid]) for mid, n in extra.items())
    kinds = collections.Counter(
        "ambiguous"
        if i.ambiguous
        else f"{i.fault.kind.value}"
        + (f" {i.fault.code}" if i.fault.kind is Kind.REPLY else "")
        + f" at {i.fault.at.value}"
        for i in server.injected
    )
    return Figures(
        database=database,
        deliveries=len(rows),
        seed=seed,
        temporary=temporary,
        dropped=dropped,
        delivered=len(delivered),
        failed=len(failed),
        failed_without_reason=sum(1 for r in failed if not r.last_error),
        lost=len(rows) - len(sent) - len(failed) + len(sent) - len(delivered),
        received=len(server.messages),
        duplicates=sum(extra.values()),
        duplicates_explained=explained,
        duplicates_unexplained=sum(extra.values()) - explained,
        not_exactly_once=sum(
            1 for r in sent if copies[r.message_id or ""] - ambiguous[r.message_id] != 1
        ),
        unexpected=sum(n for mid, n in copies.items() if mid not in known),
        ambiguous_injected=len(server.ambiguous),
        faults_injected=len(server.injected),
        faults_by_kind=dict(sorted(kinds.items())),
        transactions=server.transactions,
        connections=server.connections,
        attempts=sum(r.attempts for r in rows) + len(sent),
        retries=sum(r.attempts for r in rows),
        passes=passes,
        wall_seconds=round(wall, 2),
    )
