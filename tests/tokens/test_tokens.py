"""Signed link tokens: round trip, tampering, purpose, expiry."""

from __future__ import annotations

import base64
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from drip import errors, tokens

KEYS = ("a-long-random-test-secret-0123456789abcdef",)
OLD = "the-key-used-before-the-rotation-0123456789"
UID = "5f0c4b0e-8d0a-4a7e-9a51-2b0f3f3f8c11"
SIGNED_AT = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


@given(uid=st.uuids().map(str), purpose=st.sampled_from(tokens.Purpose))
def test_round_trip(uid: str, purpose: tokens.Purpose) -> None:
    token = tokens.make(KEYS, purpose, uid, now=SIGNED_AT)
    assert tokens.read(KEYS, purpose, token, now=SIGNED_AT) == uid


def test_token_is_url_safe() -> None:
    token = tokens.make(KEYS, tokens.Purpose.UNSUBSCRIBE, UID, now=SIGNED_AT)
    assert set(token) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.")


@pytest.mark.parametrize("part", ["payload", "timestamp", "signature"])
def test_tampered_token_is_refused(part: str) -> None:
    token = tokens.make(KEYS, tokens.Purpose.PREFERENCES, UID, now=SIGNED_AT)
    pieces = token.split(".")
    index = ["payload", "timestamp", "signature"].index(part)
    piece = pieces[index]
    middle = len(piece) // 2  # a middle character: every one of its bits is significant
    pieces[index] = piece[:middle] + ("A" if piece[middle] != "A" else "B") + piece[middle + 1 :]
    with pytest.raises(errors.InvalidInput, match="not valid"):
        tokens.read(KEYS, tokens.Purpose.PREFERENCES, ".".join(pieces), now=SIGNED_AT)


def test_a_payload_swapped_for_another_uid_is_refused() -> None:
    token = tokens.make(KEYS, tokens.Purpose.UNSUBSCRIBE, UID, now=SIGNED_AT)
    other = base64.urlsafe_b64encode(b'"00000000-0000-0000-0000-000000000000"').rstrip(b"=")
    forged = other.decode() + token[token.index(".") :]
    with pytest.raises(errors.InvalidInput):
        tokens.read(KEYS, tokens.Purpose.UNSUBSCRIBE, forged, now=SIGNED_AT)


def test_truncated_and_garbage_tokens_are_refused() -> None:
    token = tokens.make(KEYS, tokens.Purpose.CONFIRM, UID, now=SIGNED_AT)
    for bad in (token[:-5], "", "not-a-token", "a.b.c"):
        with pytest.raises(errors.InvalidInput):
            tokens.read(KEYS, tokens.Purpose.CONFIRM, bad, now=SIGNED_AT)


def test_another_secret_is_refused() -> None:
    token = tokens.make(KEYS, tokens.Purpose.UNSUBSCRIBE, UID, now=SIGNED_AT)
    with pytest.raises(errors.InvalidInput):
        tokens.read(
            ("another-secret-of-the-right-length-0123456789",),
            tokens.Purpose.UNSUBSCRIBE,
            token,
            now=SIGNED_AT,
        )


@pytest.mark.parametrize("made_for", list(tokens.Purpose))
def test_a_token_works_only_for_its_purpose(made_for: tokens.Purpose) -> None:
    token = tokens.make(KEYS, made_for, UID, now=SIGNED_AT)
    for purpose in tokens.Purpose:
        if purpose is made_for:
            assert tokens.read(KEYS, purpose, token, now=SIGNED_AT) == UID
        else:
            with pytest.raises(errors.InvalidInput, match="not valid"):
                tokens.read(KEYS, purpose, token, now=SIGNED_AT)


def test_expiry_with_an_explicit_clock() -> None:
    token = tokens.make(KEYS, tokens.Purpose.CONFIRM, UID, now=SIGNED_AT)
    week = timedelta(days=7)
    just_in_time = SIGNED_AT + week
    assert tokens.read(KEYS, tokens.Purpose.CONFIRM, token, max_age=week, now=just_in_time) == UID
    with pytest.raises(errors.InvalidInput, match=r"expired \(links like it last 7 days\)"):
        tokens.read(
            KEYS,
            tokens.Purpose.CONFIRM,
            token,
            max_age=week,
            now=just_in_time + timedelta(seconds=1),
        )


def test_a_token_signed_after_now_is_refused_when_age_matters() -> None:
    token = tokens.make(KEYS, tokens.Purpose.CONFIRM, UID, now=SIGNED_AT)
    with pytest.raises(errors.InvalidInput, match="expired"):
        tokens.read(
            KEYS,
            tokens.Purpose.CONFIRM,
            token,
            max_age=timedelta(hours=48),
            now=SIGNED_AT - timedelta(minutes=1),
        )


def test_without_max_age_a_token_never_expires() -> None:
    token = tokens.make(KEYS, tokens.Purpose.UNSUBSCRIBE, UID, now=SIGNED_AT)
    ten_years_later = SIGNED_AT + timedelta(days=3650)
    assert tokens.read(KEYS, tokens.Purpose.UNSUBSCRIBE, token, now=ten_years_later) == UID


def test_the_payload_is_only_the_opaque_uid() -> None:
    # readable base64 JSON by design (see the module docstring): it must hold nothing else
    token = tokens.make(KEYS, tokens.Purpose.PREFERENCES, UID, now=SIGNED_AT)
    payload = token.split(".")[0]
    decoded = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
    assert decoded == f'"{UID}"'.encode()


def test_links_are_absolute_and_each_readable_for_its_purpose() -> None:
    uid = str(uuid.uuid4())
    unsubscribe, preferences, confirm = tokens.links(
        KEYS, "https://tips.clinic.example/", uid, now=SIGNED_AT
    )
    for url, prefix, purpose in (
        (unsubscribe, "https://tips.clinic.example/u/", tokens.Purpose.UNSUBSCRIBE),
        (preferences, "https://tips.clinic.example/p/", tokens.Purpose.PREFERENCES),
        (confirm, "https://tips.clinic.example/c/", tokens.Purpose.CONFIRM),
    ):
        assert url.startswith(prefix)
        assert tokens.read(KEYS, purpose, url.removeprefix(prefix), now=SIGNED_AT) == uid


def test_empty_uid_and_empty_secret_are_refused() -> None:
    with pytest.raises(errors.InvalidInput, match="empty"):
        tokens.make(KEYS, tokens.Purpose.UNSUBSCRIBE, "", now=SIGNED_AT)
    with pytest.raises(errors.ConfigError, match="DRIP_SECRET_KEY"):
        tokens.make(("",), tokens.Purpose.UNSUBSCRIBE, UID, now=SIGNED_AT)


def test_a_rotated_key_still_reads_its_links_until_it_is_dropped() -> None:
    before = tokens.make((OLD,), tokens.Purpose.UNSUBSCRIBE, UID, now=SIGNED_AT)
    rotated = (KEYS[0], OLD)  # the new key signs, the old one is still accepted
    assert tokens.read(rotated, tokens.Purpose.UNSUBSCRIBE, before, now=SIGNED_AT) == UID
    after = tokens.make(rotated, tokens.Purpose.UNSUBSCRIBE, UID, now=SIGNED_AT)
    assert tokens.read(KEYS, tokens.Purpose.UNSUBSCRIBE, after, now=SIGNED_AT) == UID
    with pytest.raises(errors.InvalidInput, match="not valid"):
        tokens.read(KEYS, tokens.Purpose.UNSUBSCRIBE, before, now=SIGNED_AT)


def test_an_expired_token_still_says_whose_it_was_so_a_new_one_can_be_offered() -> None:
    token = tokens.make(KEYS, tokens.Purpose.CONFIRM, UID, now=SIGNED_AT)
    with pytest.raises(tokens.Expired) as caught:
        tokens.read(
            KEYS, tokens.Purpose.CONFIRM, token, max_age=timedelta(days=7),
            now=SIGNED_AT + timedelta(days=7, seconds=1),
        )  # fmt: skip
    assert caught.value.uid == UID
    assert isinstance(caught.value, errors.InvalidInput)
    forged = token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")
    with pytest.raises(errors.InvalidInput) as refused:
        tokens.read(KEYS, tokens.Purpose.CONFIRM, forged, max_age=timedelta(days=7), now=SIGNED_AT)
    assert not isinstance(refused.value, tokens.Expired)
