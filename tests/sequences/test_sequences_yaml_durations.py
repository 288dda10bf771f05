"""Step delays: the accepted forms, the refused ones, and the round trip with format_duration."""

from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from drip import sequences_yaml


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("90m", timedelta(minutes=90)),
        ("36h", timedelta(hours=36)),
        ("3d", timedelta(days=3)),
        ("2w", timedelta(weeks=2)),
        ("1d12h", timedelta(days=1, hours=12)),
        ("1w2d3h4m", timedelta(days=9, hours=3, minutes=4)),
        ("0m", timedelta(0)),
        ("0", timedelta(0)),
        (" 2d ", timedelta(days=2)),
    ],
)
def test_parse_duration_reads_the_documented_forms(text: str, expected: timedelta) -> None:
    assert sequences_yaml.parse_duration(text) == expected


@pytest.mark.parametrize(
    "text", ["", "3 dayz", "-2d", "tomorrow", "2", "12h1d", "1d1d", "1.5d", "3D", "2s", "d"]
)
def test_parse_duration_refuses_everything_else(text: str) -> None:
    with pytest.raises(ValueError, match=r"is not a duration \(use e\.g\. 3d, 36h, 90m\)"):
        sequences_yaml.parse_duration(text)


@pytest.mark.parametrize(
    ("delay", "text"),
    [
        (timedelta(0), "0m"),
        (timedelta(minutes=90), "1h30m"),
        (timedelta(days=1, hours=12), "1d12h"),
        (timedelta(days=14), "2w"),
    ],
)
def test_format_duration_writes_the_shortest_form(delay: timedelta, text: str) -> None:
    assert sequences_yaml.format_duration(delay) == text


@given(st.integers(min_value=0, max_value=60 * 24 * 365 * 5))
def test_format_then_parse_is_the_identity(minutes: int) -> None:
    delay = timedelta(minutes=minutes)
    assert sequences_yaml.parse_duration(sequences_yaml.format_duration(delay)) == delay


@pytest.mark.parametrize("delay", [timedelta(minutes=-1), timedelta(seconds=30)])
def test_format_duration_refuses_what_cannot_be_written(delay: timedelta) -> None:
    with pytest.raises(ValueError, match="whole, non-negative number of minutes"):
        sequences_yaml.format_duration(delay)
