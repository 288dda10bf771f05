"""Signed tokens for the links in every email: unsubscribe, preferences, confirm.

A token carries only the subscriber's uid (an opaque random uuid), the time it was signed and
an HMAC signature (itsdangerous, `URLSafeTimedSerializer`). Never an email address, a name or
a pain cause: links end up in server logs, browser histories and mail scanners.

Keys: `keys` is the current secret key first, then older ones (DRIP_OLD_SECRET_KEYS). Tokens
are signed with the current key and accepted when signed with any of them, so a key can be
rotated without breaking the links already emailed: add the new key, keep the old one among
the old keys for as long as its links should work (unsubscribe links: for good).

The payload is base64-encoded JSON, readable by anyone who decodes it: that is acceptable
because the uid means nothing outside drip's database; what the signature guarantees is that
nobody can forge or alter a token. Each purpose signs with its own salt, so an unsubscribe
token cannot be replayed as a confirmation token. Dropping a key invalidates every link
signed with it, including unsubscribe links.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

import itsdangerous

from drip import errors


class Purpose(StrEnum):
    """What a token may be used for; for links, also its URL path segment (`/u/…`, `/p/…`)."""

    UNSUBSCRIBE = "u"
    PREFERENCES = "p"
    CONFIRM = "c"
    FORM = "f"  # a web form's anti-forgery token: its payload names the form, not a person
    OPEN = "o"  # an email's open pixel (DRIP_TRACKING=on): its payload is a delivery's uid
    CLICK = "r"  # a tracked link: a delivery's uid and a link's id, never the URL itself


class Expired(errors.InvalidInput):
    """This link has expired."""

    def __init__(self, message: str, *, uid: str) -> None:
        super().__init__(message)
        self.uid = uid  # genuine, only old: whose link it was, to offer them a new one


Keys = Sequence[str]  # the current key first, then older ones still accepted


def make(keys: Keys, purpose: Purpose, subscriber_uid: str, *, now: datetime) -> str:
    """A URL-safe token for `purpose` naming `subscriber_uid`, signed at `now`."""
    if not subscriber_uid:
        raise errors.InvalidInput("a token needs a subscriber uid; got an empty one")
    return str(_serializer(keys, purpose, int(now.timestamp())).dumps(subscriber_uid))


def read(
    keys: Keys,
    purpose: Purpose,
    token: str,
    *,
    now: datetime,
    max_age: timedelta | None = None,
) -> str:
    """The subscriber uid in `token`, if it is genuine, for `purpose`, and not older than `max_age`.

    Raises `errors.InvalidInput` (a message fit to show the patient) for a token that was
    altered, cut short or made for another purpose, and its subclass `Expired` (which knows the
    uid) for a genuine token older than `max_age`.
    """
    try:
        uid, issued = _serializer(keys, purpose, None).loads(token, return_timestamp=True)
    except itsdangerous.BadData:
        raise errors.InvalidInput(
            "This link is not valid: it may have been cut short or changed. "
            "Open it again from the email, or ask for a new one."
        ) from None
    if not isinstance(uid, str) or not uid:
        raise errors.InvalidInput("This link is not valid: it names no subscriber.")
    if max_age is not None:
        age = now - issued
        if age > max_age or age < timedelta(0):
            raise Expired(
                f"This link has expired (links like it last {_days(max_age)}). Ask for a new one.",
                uid=uid,
            )
    return uid


def links(keys: Keys, base_url: str, subscriber_uid: str, *, now: datetime) -> tuple[str, str, str]:
    """Absolute (unsubscribe, preferences, confirm) URLs: `{base}/u/{t}`, `/p/{t}`, `/c/{t}`."""

    def link(purpose: Purpose) -> str:
        token = make(keys, purpose, subscriber_uid, now=now)
        return f"{base_url.rstrip('/')}/{purpose.value}/{token}"

    return link(Purpose.UNSUBSCRIBE), link(Purpose.PREFERENCES), link(Purpose.CONFIRM)


class _Signer(itsdangerous.TimestampSigner):
    """A signer whose clock can be fixed, so that tests and simulations control signing time."""

    def __init__(self, *args: Any, issued: int | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._issued = issued

    def get_timestamp(self) -> int:
        return self._issued if self._issued is not None else super().get_timestamp()


def _serializer(
    keys: Keys, purpose: Purpose, issued: int | None
) -> itsdangerous.URLSafeTimedSerializer:
    if not keys or not all(keys):
        raise errors.ConfigError(
            "the signing secret is empty; set DRIP_SECRET_KEY to a long random value"
        )
    return itsdangerous.URLSafeTimedSerializer(
        list(reversed(keys)),  # itsdangerous signs with the last key, accepts every one
        salt=f"drip.{purpose.name.lower()}",
        signer=_Signer,
        signer_kwargs={"issued": issued},
    )


def _days(value: timedelta) -> str:
    if value % timedelta(days=1):
        return f"{int(value.total_seconds() // 3600)} hours"
    return "1 day" if value.days == 1 else f"{value.days} days"
