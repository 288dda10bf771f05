"""A first name is tidied once, by the same rule at sign-up and at send time."""

from __future__ import annotations

import pytest

from drip import errors, rendering
from drip.service import subscriptions


@pytest.mark.parametrize(
    ("raw", "tidy"),
    [
        ("  Ana  ", "Ana"),
        ("Ana\r\nBcc: evil@example.com", "Ana Bcc: evil@example.com"),
        ("Ana\u202emalicious", "Ana malicious"),  # a bidi override
        ("Jo\u200bsé", "Jo sé"),  # zero-width space
    ],
)
def test_sign_up_keeps_what_every_email_would_show(raw: str, tidy: str) -> None:
    assert subscriptions.clean_name(raw) == tidy == rendering.clean_name(raw)


def test_a_name_too_long_to_show_whole_is_refused_not_cut() -> None:
    with pytest.raises(errors.InvalidInput, match="at most 80"):
        subscriptions.clean_name("A" * 81)
    assert rendering.clean_name("A" * 81) == "A" * 80
