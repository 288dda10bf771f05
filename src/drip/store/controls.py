"""The sending pause every worker obeys, kept in the database.

A relay's policy refusal (5.7.x, 530, 535) means every send would fail too: the worker that got
it pauses sending for all (`pause_sending`), each worker reads the pause before each pass
(`sending_paused`), and `drip resume` lifts it once the operator fixed the cause. A restart does
not lift it: the refusal's cause is still there.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from drip.store import base, models, rows, values

P = models.PauseRow
SENDING = "sending"
_COLUMNS = (P.until, P.reason, P.paused_by, P.paused_at)


class ControlOps(base.StoreBase):
    def pause_sending(
        self, *, until: datetime, reason: str, by: str, now: datetime
    ) -> values.Pause:
        """Pause sending for every worker until `until` (a later pause already set is kept)."""
        with self._write() as conn:
            stmt = rows.insert(conn, P).values(
                name=SENDING, until=until, reason=reason, paused_by=by, paused_at=now
            )
            later = P.until < sa.bindparam("new_until", until, type_=models.UTCDateTime())
            conn.execute(
                stmt.on_conflict_do_update(
                    index_elements=["name"],
                    set_={
                        "until": stmt.excluded.until,
                        "reason": stmt.excluded.reason,
                        "paused_by": stmt.excluded.paused_by,
                        "paused_at": stmt.excluded.paused_at,
                    },
                    where=later,
                )
            )
            row = conn.execute(sa.select(*_COLUMNS).where(P.name == SENDING)).one()
        return _pause(row)

    def sending_paused(self, *, now: datetime) -> values.Pause | None:
        """The pause in force at `now`, if any."""
        with self._read() as conn:
            row = conn.execute(
                sa.select(*_COLUMNS).where(P.name == SENDING, P.until > now)
            ).one_or_none()
        return None if row is None else _pause(row)

    def resume_sending(self) -> values.Pause | None:
        """Lift the pause; the one lifted, or None when sending was not paused."""
        with self._write() as conn:
            row = conn.execute(
                sa.delete(P).where(P.name == SENDING).returning(*_COLUMNS)
            ).one_or_none()
        return None if row is None else _pause(row)


def _pause(row: sa.Row[datetime, str, str, datetime]) -> values.Pause:
    return values.Pause(
        until=row.until, reason=row.reason, paused_by=row.paused_by, paused_at=row.paused_at
    )
