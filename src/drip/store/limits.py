"""Rate limits kept in the database, so that every web process and the daemon count together.

A fixed-window counter per key: the first hit opens a window of `window`; up to `limit` hits
pass in it; later ones are refused until it closes. One `INSERT … ON CONFLICT DO UPDATE …
RETURNING` per hit: the database serialises concurrent hits, no Python lock is involved. Keys
are keyed hashes (an address's or a client's: `address_key`, `client_key`), never the
address or the IP itself. Erasing a patient deletes the keys derived from their address and
from the client addresses of their consent (`forget`); housekeeping purges the windows closed
for longer than KEEP (`purge_rate_limits`), so that clients' hashes do not pile up.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from drip.store import base, models, rows, values

R = models.RateLimitRow
KEEP = timedelta(days=1)  # a window closed for this long is purged (the longest is an hour)


def address_key(hashes: values.AddressHash, email: str) -> str:
    """The counter of an email address (opt-in emails sent to it)."""
    return "addr:" + hashes.of("addr:" + email)


def client_key(hashes: values.AddressHash, ip: str) -> str:
    """The counter of a client address (sign-ups and new-link requests from it)."""
    return "client:" + hashes.of("client:" + ip)


def forget(conn: sa.Connection, keys: Iterable[str]) -> None:
    """Delete the counters of `keys` (in the caller's transaction)."""
    conn.execute(sa.delete(R).where(R.key.in_(sorted(set(keys)))))


class LimitOps(base.StoreBase):
    def address_key(self, email: str) -> str:
        return address_key(self._hashes, email)

    def client_key(self, ip: str) -> str:
        return client_key(self._hashes, ip)

    def hit(self, key: str, *, now: datetime, window: timedelta, limit: int) -> timedelta | None:
        """Count one hit on `key`; None when it may go ahead, else how long until it may."""
        expired = now - window
        stale = R.window_start <= sa.bindparam("expired", expired, type_=models.UTCDateTime())
        at_now = sa.bindparam("now", now, type_=models.UTCDateTime())
        with self._write() as conn:
            stmt = rows.insert(conn, R).values(key=key, window_start=now, hits=1)
            counted = conn.execute(
                stmt.on_conflict_do_update(
                    index_elements=["key"],
                    set_={
                        "hits": sa.case((stale, 1), else_=R.hits + 1),
                        "window_start": sa.case((stale, at_now), else_=R.window_start),
                    },
                ).returning(R.hits, R.window_start)
            ).one()
        if counted.hits <= limit:
            return None
        opened: datetime = counted.window_start
        return max(opened + window - now, timedelta(seconds=1))

    def take(self, key: str, wanted: int, *, now: datetime, window: timedelta, limit: int) -> int:
        """Take up to `wanted` of the `limit` allowed per `window` on `key`; how many were given.

        Windows are aligned on the epoch (every second, every hour), so that every worker counts
        in the same one whatever its start time. A refused part still counts: the window is
        spent either way, and a worker never gets more than what is left."""
        span = window.total_seconds()
        epoch = now.timestamp()
        start = datetime.fromtimestamp(epoch - epoch % span, tz=UTC)
        older = R.window_start < sa.bindparam("start", start, type_=models.UTCDateTime())
        at_start = sa.bindparam("at_start", start, type_=models.UTCDateTime())
        with self._write() as conn:
            stmt = rows.insert(conn, R).values(key=key, window_start=start, hits=wanted)
            hits = conn.execute(
                stmt.on_conflict_do_update(
                    index_elements=["key"],
                    set_={
                        "hits": sa.case((older, wanted), else_=R.hits + wanted),
                        "window_start": sa.case((older, at_start), else_=R.window_start),
                    },
                ).returning(R.hits)
            ).scalar_one()
        return max(0, min(wanted, limit - (hits - wanted)))

    def purge_rate_limits(self, *, now: datetime, older_than: timedelta = KEEP) -> int:
        """Forget the windows opened more than `older_than` ago (housekeeping)."""
        with self._write() as conn:
            gone = conn.execute(
                sa.delete(R).where(R.window_start < now - older_than).returning(R.key)
            )
            return len(gone.all())
