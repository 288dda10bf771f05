"""Debian's Chromium driven by Playwright, for every browser test: launched the way this
machine needs (no sandbox as root, no background networking on a closed network)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"


def unavailable() -> str | None:
    if not CHROMIUM.exists():
        return f"{CHROMIUM} is missing (install chromium, or unset DRIP_REQUIRE_BROWSER)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright package is not installed (pip install -e '.[test]')"
    return None


@contextmanager
def chromium() -> Iterator[Any]:
    """A headless Chromium, or a skip (a failure under DRIP_REQUIRE_BROWSER=1) saying why not."""
    reason = unavailable()
    if reason is not None:
        if os.environ.get("DRIP_REQUIRE_BROWSER") == "1":
            pytest.fail(f"DRIP_REQUIRE_BROWSER=1 but {reason}")
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            yield browser
        finally:
            browser.close()
