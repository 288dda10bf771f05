"""Every committed email, in a real Chromium at 375 px (a phone) and 1024 px, read as a
patient would: nothing empty, the call to action in the first screen of a phone, text large
enough, links and buttons large enough to tap, and every text readable against what is
behind it (contrast computed from the colours Chromium rendered). Screenshots are kept in
test-artifacts/emails/."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

import committed

pytestmark = pytest.mark.browser

SHOTS = committed.REPO / "test-artifacts" / "emails"
WIDTHS = (375, 1024)
FIRST_SCREEN = 800  # px: what a phone shows before any scrolling
MIN_TEXT = 16  # px, body text
MIN_TARGET = 44  # px, the height of anything to tap (WCAG 2.5.5)
MIN_CONTRAST = 4.5  # WCAG AA, body text

# Measures the page; returns plain data. Links inside the article's own prose (.drip-prose)
# are inline targets, which WCAG exempts from the target size.
MEASURE = """() => {
  const shown = e => e.getClientRects().length > 0 && getComputedStyle(e).visibility !== 'hidden';
  const rgba = c => {
    const m = c.match(/[\\d.]+/g).map(Number);
    return m.length === 3 ? [...m, 1] : m;
  };
  const lum = ([r, g, b]) => {
    const f = v => { v /= 255; return v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  const behind = e => {
    for (let n = e; n; n = n.parentElement) {
      const c = rgba(getComputedStyle(n).backgroundColor);
      if (c[3] > 0) return c;
    }
    return [255, 255, 255, 1];
  };
  const contrast = e => {
    const a = lum(rgba(getComputedStyle(e).color)), b = lum(behind(e));
    return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
  };
  const texts = [...document.querySelectorAll('body *')].filter(e => shown(e) &&
    [...e.childNodes].some(n => n.nodeType === 3 && n.textContent.trim()));
  const cta = document.querySelector('.drip-cta a');
  return {
    empty: [...document.querySelectorAll('h1, h2, h3, h4, h5, h6, p, li')]
      .filter(e => !e.textContent.trim()).map(e => e.outerHTML),
    ctaTop: cta ? cta.getBoundingClientRect().top + window.scrollY : null,
    small: [...document.querySelectorAll('.drip-body p, .drip-body li')]
      .filter(e => parseFloat(getComputedStyle(e).fontSize) < MIN_TEXT)
      .map(e => e.textContent.trim().slice(0, 40)),
    targets: [...document.querySelectorAll('a')]
      .filter(e => shown(e) && !e.closest('.drip-prose'))
      .map(e => [e.textContent.trim().slice(0, 40), e.getBoundingClientRect().height]),
    contrast: texts.map(e => [e.textContent.trim().slice(0, 40), contrast(e)]),
    overflow: document.documentElement.scrollWidth - window.innerWidth,
  };
}""".replace("MIN_TEXT", str(MIN_TEXT))

EMAILS = committed.emails()


@pytest.fixture(scope="module", params=WIDTHS, ids=lambda w: f"{w}px")
def page(browser: Any, request: pytest.FixtureRequest) -> Iterator[Any]:
    width: int = request.param
    tab = browser.new_page(viewport={"width": width, "height": FIRST_SCREEN})
    yield tab
    tab.close()


@pytest.mark.parametrize("email", EMAILS, ids=[e.name for e in EMAILS])
def test_the_email_reads_well(page: Any, email: committed.Email) -> None:
    page.set_content(email.html)
    width = page.viewport_size["width"]
    found = page.evaluate(MEASURE)
    SHOTS.mkdir(parents=True, exist_ok=True)
    shot = SHOTS / f"{email.name.replace('/', '--')}-{width}.png"
    page.screenshot(path=str(shot), full_page=True)

    assert found["empty"] == [], "empty headings or paragraphs"
    assert found["overflow"] <= 0, f"scrolls sideways by {found['overflow']}px"
    assert found["ctaTop"] is not None, "no call to action (.drip-cta)"
    if width == 375:
        assert found["ctaTop"] <= FIRST_SCREEN, "the call to action is below the first screen"
    assert found["small"] == [], f"body text under {MIN_TEXT}px"
    assert [t for t in found["targets"] if t[1] < MIN_TARGET] == [], "targets too small to tap"
    assert found["targets"], "no link at all"
    low = [(text, round(ratio, 2)) for text, ratio in found["contrast"] if ratio < MIN_CONTRAST]
    assert low == [], "text with too little contrast"
    assert len(found["contrast"]) > 10
