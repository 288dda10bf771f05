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

Minting is on the hot path of sending (three links per email), so the signers of a set of
keys are made once per process (`_minter`), each with its key derived and its HMAC keyed once,
and the payload is encoded once for the three links: the same tokens, byte for byte, as
itsdangerous's own `URLSafeTimedSerializer.dumps`, which `read` still uses to check them.
"""

from __future__ import annotations

import functools
import hmac
from collections.abc import Sequence
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any, cast

import itsdangerous
from itsdangerous.encoding import int_to_bytes

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
    (token,) = _mint(keys, (purpose,), subscriber_uid, now=now)
    return token


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
        checker = _serializer(keys, purpose, itsdangerous.TimestampSigner)
        uid, issued = checker.loads(token, return_timestamp=True)
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
    purposes = (Purpose.UNSUBSCRIBE, Purpose.PREFERENCES, Purpose.CONFIRM)
    made = _mint(keys, purposes, subscriber_uid, now=now)
    base = base_url.rstrip("/")
    unsubscribe, preferences, confirm = (
        f"{base}/{purpose.value}/{token}" for purpose, token in zip(purposes, made, strict=True)
    )
    return unsubscribe, preferences, confirm


def _mint(
    keys: Keys, purposes: Sequence[Purpose], subscriber_uid: str, *, now: datetime
) -> list[str]:
    if not subscriber_uid:
        raise errors.InvalidInput("a token needs a subscriber uid; got an empty one")
    return _minter(tuple(keys)).tokens(purposes, subscriber_uid, issued=int(now.timestamp()))


class _Signer(itsdangerous.TimestampSigner):
    """itsdangerous's timestamp signer with its signing key derived and its HMAC keyed once,
    when it is made: the stock `get_signature` derives the key anew at every call. The
    signatures are the same, byte for byte; checking one (`verify_signature`) is unchanged."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._keyed = hmac.new(self.derive_key(), digestmod=self.digest_method)

    def get_signature(self, value: str | bytes) -> bytes:
        mac = self._keyed.copy()
        mac.update(itsdangerous.want_bytes(value))
        return itsdangerous.base64_encode(mac.digest())

    def sign_at(self, value: bytes, issued: int) -> bytes:
        """What `sign` returns when the clock reads `issued` (a Unix time)."""
        value = value + self.sep + itsdangerous.base64_encode(int_to_bytes(issued))
        return value + self.sep + self.get_signature(value)


class _Minter:
    """The signers of every purpose for one set of keys, and the payload encoding they share
    (the salt is the signer's, so the payload of a uid is the same for every purpose)."""

    def __init__(self, keys: Keys) -> None:
        serializers = {purpose: _serializer(keys, purpose, _Signer) for purpose in Purpose}
        self._payload = serializers[Purpose.UNSUBSCRIBE].dump_payload
        self._signers = {p: cast(_Signer, s.make_signer()) for p, s in serializers.items()}

    def tokens(self, purposes: Sequence[Purpose], uid: str, *, issued: int) -> list[str]:
        """What `URLSafeTimedSerializer.dumps(uid)` returns for each purpose at `issued`."""
        payload = self._payload(uid)
        return [self._signers[p].sign_at(payload, issued).decode("utf-8") for p in purposes]


@functools.lru_cache(maxsize=8)
def _minter(keys: tuple[str, ...]) -> _Minter:
    """Once per set of keys and process: a rotation brings a new set, hence new signers."""
    return _Minter(keys)


def _serializer(
    keys: Keys, purpose: Purpose, signer: type[itsdangerous.TimestampSigner]
) -> itsdangerous.URLSafeTimedSerializer:
    if not keys or not all(keys):
        raise errors.ConfigError(
            "the signing secret is empty; set DRIP_SECRET_KEY to a long random value"
        )
    return itsdangerous.URLSafeTimedSerializer(
        list(reversed(keys)),  # itsdangerous signs with the last key, accepts every one
        salt=f"drip.{purpose.name.lower()}",
        signer=signer,
    )


def _days(value: timedelta) -> str:
    if value % timedelta(days=1):
        return f"{int(value.total_seconds() // 3600)} hours"
    return "1 day" if value.days == 1 else f"{value.days} days"
