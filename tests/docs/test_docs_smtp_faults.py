"""docs/smtp-faults.md stays true: the names it gives exist, and its numbers are drip's."""

from __future__ import annotations

from datetime import timedelta

import pytest
from docs_text import DRIP_NAME, REPO, resolve_name

from drip import config, delivery
from drip.service import dispatch

PAGE = REPO / "docs" / "smtp-faults.md"
TEXT = " ".join(PAGE.read_text(encoding="utf-8").split())  # one line: wrapping aside


@pytest.mark.parametrize("dotted", sorted(set(DRIP_NAME.findall(TEXT))))
def test_every_name_on_the_page_exists(dotted: str) -> None:
    resolve_name(dotted)


def test_the_numbers_on_the_page_are_drips() -> None:
    assert f"`drip.delivery.MAX_ATTEMPTS` ({delivery.MAX_ATTEMPTS})" in TEXT
    assert f"`drip.service.dispatch.UNANSWERED_IN_A_ROW` ({dispatch.UNANSWERED_IN_A_ROW})" in TEXT
    assert f"for {dispatch.PAUSE_FOR // timedelta(minutes=1)} minutes" in TEXT
    schedule = [delivery.backoff(n) // timedelta(minutes=1) for n in range(1, 7)]
    assert f"{', '.join(map(str, schedule))} minutes" in TEXT
    assert f"at most {delivery.backoff(99) // timedelta(hours=1)} hours" in TEXT
    assert f"outlast {config.SENDS_PER_LEASE} SMTP timeouts" in TEXT


def test_the_operating_page_links_here() -> None:
    assert "(smtp-faults.md)" in (REPO / "docs" / "operating.md").read_text(encoding="utf-8")
