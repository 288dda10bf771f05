"""The SMTP reply rules table and retry backoff."""

from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from drip import delivery, errors

Outcome = delivery.Outcome


def _error(code: int | None, enhanced: str | None = None) -> errors.SendError:
    return errors.SendError("the server said no", code=code, enhanced=enhanced)


@pytest.mark.parametrize(
    ("code", "enhanced", "outcome"),
    [
        (None, None, Outcome.RETRY),  # refused, dropped, timed out
        (421, "4.4.2", Outcome.RETRY),
        (450, None, Outcome.RETRY),
        (451, "4.3.0", Outcome.RETRY),
        (452, "4.2.2", Outcome.RETRY),  # mailbox full, for now
        (450, "4.7.1", Outcome.RETRY),  # greylisting: temporary wins over the 7 subject
        (550, "5.1.1", Outcome.SUPPRESS),
        (553, "5.1.3", Outcome.SUPPRESS),
        (550, "5.1.10", Outcome.SUPPRESS),  # null MX: the domain takes no mail
        (553, "5.1.7", Outcome.PAUSE),  # our sender address is bad, not theirs
        (550, "5.1.8", Outcome.PAUSE),
        (550, "5.7.1", Outcome.PAUSE),
        (554, "5.7.1", Outcome.PAUSE),
        (535, "5.7.8", Outcome.PAUSE),
        (535, None, Outcome.PAUSE),
        (530, None, Outcome.PAUSE),
        (552, "5.2.2", Outcome.FAIL),
        (552, "5.3.4", Outcome.FAIL),
        (554, None, Outcome.FAIL),
        (550, None, Outcome.FAIL),
        (250, None, Outcome.FAIL),  # nonsense from a broken server
    ],
)
def test_rules_table(code: int | None, enhanced: str | None, outcome: Outcome) -> None:
    assert delivery.classify(_error(code, enhanced)) is outcome


def test_the_matching_row_explains_why() -> None:
    rule = delivery.rule_for(_error(550, "5.1.1"))
    assert (rule.pattern, rule.outcome) == ("5.1.x", Outcome.SUPPRESS)
    assert "does not exist" in rule.why


def test_table_text_has_one_line_per_rule_in_order() -> None:
    lines = delivery.table_text().splitlines()
    assert [line.split()[0] for line in lines] == [
        "no",
        "4xx",
        "5.1.7",
        "5.1.8",
        "5.1.x",
        "5.7.x",
        "530",
        "535",
        "5xx",
        "any",
    ]
    assert lines[4].split()[1] == "suppress"


def test_retry_becomes_fail_after_max_attempts() -> None:
    temporary = _error(451, "4.3.0")
    assert delivery.decide(temporary, attempts=delivery.MAX_ATTEMPTS - 1) is Outcome.RETRY
    assert delivery.decide(temporary, attempts=delivery.MAX_ATTEMPTS) is Outcome.FAIL
    assert delivery.decide(_error(550, "5.1.1"), attempts=99) is Outcome.SUPPRESS
    assert delivery.MAX_ATTEMPTS == 20


def test_backoff_doubles_from_a_minute_up_to_six_hours() -> None:
    assert [delivery.backoff(n) for n in range(1, 11)] == [
        timedelta(minutes=m) for m in (1, 2, 4, 8, 16, 32, 64, 128, 256, 360)
    ]
    assert delivery.backoff(10_000) == timedelta(hours=6)


def test_backoff_with_custom_base_and_cap() -> None:
    got = [
        delivery.backoff(n, base=timedelta(seconds=10), cap=timedelta(seconds=45))
        for n in (1, 2, 3, 4)
    ]
    assert got == [timedelta(seconds=s) for s in (10, 20, 40, 45)]


def test_backoff_refuses_zero_attempts() -> None:
    with pytest.raises(ValueError, match="attempts must be 1 or more"):
        delivery.backoff(0)


def test_jitter_is_deterministic_per_key_and_spreads_keys() -> None:
    assert delivery.backoff(3, key="delivery-17") == delivery.backoff(3, key="delivery-17")
    spread = {delivery.backoff(3, key=f"delivery-{n}") for n in range(20)}
    assert len(spread) > 10


@given(attempts=st.integers(1, 200), key=st.text(max_size=20))
def test_jittered_backoff_stays_between_three_quarters_and_the_full_wait(
    attempts: int, key: str
) -> None:
    full = delivery.backoff(attempts)
    jittered = delivery.backoff(attempts, key=key)
    assert full * 3 / 4 <= jittered <= full <= timedelta(hours=6)


@given(attempts=st.integers(1, 100))
def test_backoff_never_shrinks(attempts: int) -> None:
    assert delivery.backoff(attempts) <= delivery.backoff(attempts + 1)
