"""What the web fuzz tests send: hostile text, and the settings they run under."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

HOSTILE = st.sampled_from(
    [
        "Ana\r\nBcc: evil@x.org",
        "=?utf-8?q?=0D=0ABcc:=20evil=40x.org?=",
        "<script>alert(1)</script>",
        '"><img src=x onerror=alert(1)>',
        "\x00\x07\x1b[31m",
        "\u202eevil",
        "A" * 500,
        "{{ 7*7 }}",
        "%%drip:unsubscribe%%",
        "'; DROP TABLE subscribers; --",
    ]
)
TEXT = st.one_of(HOSTILE, st.text(max_size=120))

SQLITE_ONLY = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
FUZZ = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
