"""Opens and clicks, only with DRIP_TRACKING=on: the links of tracked emails, and each hit.

A link is kept by its id (`link_id`: a hash of its URL), written when a step's email is first
tracked; a click redirect looks the URL up by that id, so it goes only where drip's own email
pointed. A hit names the delivery (by its opaque uid, as the signed link carries it), never
the patient or their cause.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import datetime

import sqlalchemy as sa

from drip.store import base, models, rows, values

D, Link, Hit = models.DeliveryRow, models.TrackedLinkRow, models.TrackingHitRow


def link_id(url: str) -> str:
    """The id of a link: 16 hex digits of its SHA-256, the same in every process."""
    return hashlib.sha256(url.encode("utf-8")).hexdigest()[:16]


class TrackingOps(base.StoreBase):
    def keep_links(self, urls: Iterable[str], *, now: datetime) -> dict[str, str]:
        """Record the links of a tracked email (once each); returns {url: link id}."""
        ids = {url: link_id(url) for url in urls}
        if not ids:
            return ids
        with self._write() as conn:
            stmt = rows.insert(conn, Link).values(
                [{"id": i, "url": url, "created_at": now} for url, i in ids.items()]
            )
            conn.execute(stmt.on_conflict_do_nothing(index_elements=["id"]))
        return ids

    def link_url(self, found: str) -> str | None:
        """The URL of the link with id `found`, if drip ever put it in an email."""
        with self._read() as conn:
            url: str | None = conn.execute(
                sa.select(Link.url).where(Link.id == found)
            ).scalar_one_or_none()
            return url

    def record_hit(
        self,
        delivery_uid: str,
        kind: values.TrackingKind,
        *,
        now: datetime,
        link: str | None = None,
    ) -> bool:
        """Count an open or a click of a delivery; False when the delivery is gone (erased).

        Only the first of each (kind, link) is kept: results count deliveries opened or
        clicked at least once, and a pixel fetched a thousand times (a mail scanner, a
        replayed link) must not grow the table a thousand rows."""
        with self._write() as conn:
            delivery = conn.execute(
                sa.select(D.id).where(D.uid == delivery_uid)
            ).scalar_one_or_none()
            if delivery is None:
                return False
            seen = conn.execute(
                sa.select(Hit.id).where(
                    Hit.delivery_id == delivery,
                    Hit.kind == kind,
                    Hit.link_id.is_(None) if link is None else Hit.link_id == link,
                )
            ).first()
            if seen is None:
                conn.execute(
                    sa.insert(Hit).values(delivery_id=delivery, kind=kind, link_id=link, at=now)
                )
            return True
