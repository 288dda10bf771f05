"""The token format is fixed for good: unsubscribe links never expire, so every token drip
mints must be the one itsdangerous's stock `URLSafeTimedSerializer.dumps` makes for the same
keys, salt and time (drip derives each signing key once per process, which must change no
byte), and the tokens minted before that change must still read."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import itsdangerous
import pytest
from hypothesis import given
from hypothesis import strategies as st

from drip import tokens

KEYS = ("a-long-random-test-secret-0123456789abcdef",)
ROTATED = ("new-key-after-rotation-0123456789abcdef", "the-key-used-before-the-rotation-0123456789")
UID = "5f0c4b0e-8d0a-4a7e-9a51-2b0f3f3f8c11"
SIGNED_AT = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
PAYLOAD = "IjVmMGM0YjBlLThkMGEtNGE3ZS05YTUxLTJiMGYzZjNmOGMxMSI.aaQqQA."

# Minted by drip before signing keys were derived once (itsdangerous 2.2, drip's salts).
MINTED_BEFORE = {
    tokens.Purpose.UNSUBSCRIBE: PAYLOAD + "PTUbZ-8_1K0SZRuI6mE4XR5Moik",
    tokens.Purpose.PREFERENCES: PAYLOAD + "STaqRIutSJKvfLBbj3VBO2aE22U",
    tokens.Purpose.CONFIRM: PAYLOAD + "zNe8zLyHtquU6r8eOUHEpq1SG0I",
    tokens.Purpose.FORM: PAYLOAD + "xm8BLpAXe0dXbzp_rHnqbfV-1qw",
    tokens.Purpose.OPEN: PAYLOAD + "P546rGrF9NvC77UgeFoWJ_VdMPI",
    tokens.Purpose.CLICK: PAYLOAD + "VWI2LigGIiwia6dwdHVKh-6sUhg",
}


def stock(keys: tuple[str, ...], purpose: tokens.Purpose, uid: str, now: datetime) -> str:
    """itsdangerous's own token, its clock fixed at `now` by its documented extension point."""

    class At(itsdangerous.TimestampSigner):
        def get_timestamp(self) -> int:
            return int(now.timestamp())

    serializer = itsdangerous.URLSafeTimedSerializer(
        list(reversed(keys)), salt=f"drip.{purpose.name.lower()}", signer=At
    )
    return str(serializer.dumps(uid))


@pytest.mark.parametrize("purpose", list(tokens.Purpose))
def test_tokens_are_byte_identical_to_those_minted_before(purpose: tokens.Purpose) -> None:
    assert tokens.make(KEYS, purpose, UID, now=SIGNED_AT) == MINTED_BEFORE[purpose]
    assert stock(KEYS, purpose, UID, SIGNED_AT) == MINTED_BEFORE[purpose]


@pytest.mark.parametrize("purpose", list(tokens.Purpose))
def test_tokens_minted_before_still_read_for_good(purpose: tokens.Purpose) -> None:
    years_later = SIGNED_AT + timedelta(days=3650)
    assert tokens.read(KEYS, purpose, MINTED_BEFORE[purpose], now=years_later) == UID


def test_a_rotated_key_signs_as_itsdangerous_does() -> None:
    made = tokens.make(ROTATED, tokens.Purpose.UNSUBSCRIBE, UID, now=SIGNED_AT)
    assert made == PAYLOAD + "IxR6vlUF_G466TOe1wAaNj2Q6R4"
    assert made == stock(ROTATED, tokens.Purpose.UNSUBSCRIBE, UID, SIGNED_AT)


@given(
    uid=st.text(min_size=1, max_size=300),  # long ones are compressed: a leading "."
    purpose=st.sampled_from(tokens.Purpose),
    keys=st.lists(st.text(min_size=1, max_size=40), min_size=1, max_size=3).map(tuple),
    seconds=st.integers(min_value=0, max_value=4_000_000_000),
)
def test_every_token_is_the_stock_serializers_and_reads_back(
    uid: str, purpose: tokens.Purpose, keys: tuple[str, ...], seconds: int
) -> None:
    now = datetime.fromtimestamp(seconds, tz=UTC)
    made = tokens.make(keys, purpose, uid, now=now)
    assert made == stock(keys, purpose, uid, now)
    assert tokens.read(keys, purpose, made, now=now) == uid


def test_links_carry_the_stock_tokens_of_their_purposes() -> None:
    unsubscribe, preferences, confirm = tokens.links(
        KEYS, "https://tips.clinic.example/", UID, now=SIGNED_AT
    )
    assert (
        unsubscribe == f"https://tips.clinic.example/u/{MINTED_BEFORE[tokens.Purpose.UNSUBSCRIBE]}"
    )
    assert (
        preferences == f"https://tips.clinic.example/p/{MINTED_BEFORE[tokens.Purpose.PREFERENCES]}"
    )
    assert confirm == f"https://tips.clinic.example/c/{MINTED_BEFORE[tokens.Purpose.CONFIRM]}"
