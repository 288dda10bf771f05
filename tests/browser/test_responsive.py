"""Every email, in a real Chromium, at phone (375 px) and desktop (1024 px) widths."""

from __future__ import annotations

import importlib.util
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from drip import rendering

REPO = Path(__file__).resolve().parents[2]
SHOTS = REPO / "test-artifacts" / "screenshots"
WIDTHS = (375, 1024)

pytestmark = pytest.mark.browser


def _load_seed() -> Any:
    # The sample article and plan live with the rendering tests; load that module by path.
    path = REPO / "tests" / "rendering" / "rendering_seed.py"
    spec = importlib.util.spec_from_file_location("rendering_seed", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


fixtures = _load_seed()


def _emails() -> dict[str, str]:
    """One composed HTML part per template: {template stem: html}."""
    plan = fixtures.seed_plan()
    renderer = rendering.Renderer(
        plan=plan, article=fixtures.seed_article(), templates=fixtures.TEMPLATES
    )
    chosen = {
        "welcome": renderer.step("muscle-injury", "welcome"),
        "tip": renderer.step("muscle-injury", "heat-and-ice"),
        "closing": renderer.step("muscle-injury", "closing"),
        "confirm": renderer.confirmation(),
    }
    result = {}
    for stem, rendered in chosen.items():
        message = rendering.compose(
            rendered,
            clinic=plan.clinic,
            recipient=rendering.SAMPLE_RECIPIENT,
            links=rendering.sample_links(plan.clinic.base_url),
            message_id=rendering.message_id(stem, domain="winternheimer-chiro.example"),
            date=datetime(2025, 3, 4, 15, 0, tzinfo=UTC),
        )
        part = message.get_body(("html",))
        assert part is not None
        result[stem] = part.get_content()
    return result


EMAILS = _emails()


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("stem", sorted(EMAILS))
def test_email_is_readable(browser: Any, tmp_path: Path, stem: str, width: int) -> None:
    page_file = tmp_path / f"{stem}.html"
    page_file.write_text(EMAILS[stem], encoding="utf-8")
    page = browser.new_page(viewport={"width": width, "height": 800})
    try:
        page.goto(page_file.as_uri())
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        sizes = page.eval_on_selector_all(
            ".drip-body p, .drip-body li",
            "els => els.map(e => parseFloat(getComputedStyle(e).fontSize))",
        )
        cta = page.locator(".drip-cta a")
        box = cta.bounding_box()
        label = cta.inner_text().strip()
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"{stem}-{width}.png"), full_page=True)
    finally:
        page.close()

    assert overflow <= 0, f"{stem} scrolls sideways by {overflow}px at {width}px"
    assert sizes, "no body paragraphs found under .drip-body"
    assert min(sizes) >= 14
    assert box is not None
    assert box["height"] >= 44
    assert label == ("Confirm my subscription" if stem == "confirm" else "Book a visit")
