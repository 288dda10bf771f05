"""`contacts.normalise`'s shortcut for plain addresses (a local part of letters, digits and
`._+-`, its domain checked once per process) answers as the full check of the whole address
does: the same address, or the same refusal."""

from __future__ import annotations

import re

import pytest

from drip import contacts

ADDRESSES = [
    "ana@example.com", "Ana.Maria+tips@Example.COM", "j_doe-1@mail.example.co.uk",
    "x@sub.domain.example.org", "a.b.c@EXAMPLE.org", "b@bücher.example", "1@example.com",
    "a@localhost", "a@example", "a@-bad.example.com", "a@exa mple.com", "a..b@example.com",
    ".a@example.com", "a.@example.com", "a@example..com", "a@", "@example.com", "a@@example.com",
    "a" * 64 + "@example.com", "a" * 65 + "@example.com", "a@" + "b" * 250 + ".com",
    "a@" + ".".join(["b" * 60] * 3) + ".com", "ünï@example.com", "a b@example.com",
]  # fmt: skip


def _answer(address: str) -> str:
    try:
        return contacts.normalise(address)
    except contacts.BadAddress as refused:
        return f"refused: {refused}"


@pytest.mark.parametrize("address", ADDRESSES)
def test_the_shortcut_answers_as_the_full_check(address: str, monkeypatch) -> None:
    shortcut = _answer(address)
    monkeypatch.setattr(contacts, "_PLAIN_LOCAL", re.compile(r"(?!)"))  # never plain
    assert shortcut == _answer(address)
