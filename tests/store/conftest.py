"""Helpers for the store tests: a fixed `now` and a one-line way to add a subscriber."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pytest

from drip import contacts
from drip import store as drip_store

NOW = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)

AddSubscriber = Callable[..., drip_store.Subscriber]


@pytest.fixture
def now() -> datetime:
    return NOW


@pytest.fixture
def add(store: drip_store.Store) -> AddSubscriber:
    """add("jane@example.org", confirmed=True, cause=…) → Subscriber, with sensible defaults;
    the address checked as the door checks it (the store trusts its callers to)."""

    def _add(email: str, *, confirmed: bool = True, **fields: object) -> drip_store.Subscriber:
        values: dict[str, object] = {
            "first_name": "Jane",
            "cause": "muscle-injury",
            "timezone": "America/Chicago",
            "consent": drip_store.Consent(
                source="web:/signup", text="Send me back-care tips", ip="203.0.113.7"
            ),
            "now": NOW,
        }
        values.update(fields)
        return store.add_subscriber(email=contacts.normalise(email), confirmed=confirmed, **values)  # type: ignore[arg-type]

    return _add
