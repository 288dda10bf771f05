"""A patient in Chromium, at 375 px and 1280 px: sign up, confirm from the email, change their
answer, unsubscribe from the footer; another erases their data. Every page is screenshotted
(test-artifacts/web/) and checked with axe-core: no serious or critical violation."""

from __future__ import annotations

from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from site_harness import Site, link

from browsers import ARTIFACTS
from drip import store

pytestmark = [
    pytest.mark.browser,
    pytest.mark.parametrize("database_url", ["sqlite"], indirect=True),
]
SHOTS = ARTIFACTS / "web"
WIDTHS = {375: 812, 1280: 900}


class Patient:
    """One browser tab, checking and photographing every page it lands on."""

    def __init__(self, browser: Any, site: Site, width: int, *, timezone: str = "Asia/Tokyo"):
        self.context = browser.new_context(
            viewport={"width": width, "height": WIDTHS[width]}, timezone_id=timezone
        )
        self.page = self.context.new_page()
        self.site, self.width = site, width
        self.violations: dict[str, list[str]] = {}

    def look(self, name: str) -> None:
        SHOTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(SHOTS / f"{name}-{self.width}.png"), full_page=True)
        results = Axe().run(self.page)
        serious = [
            f"{v['id']}: {v['help']}"
            for v in results.response["violations"]
            if v.get("impact") in ("serious", "critical")
        ]
        if serious:
            self.violations[name] = serious
        overflow = self.page.evaluate("document.documentElement.scrollWidth > innerWidth")
        assert not overflow, f"{name} scrolls sideways at {self.width} px"

    def open(self, url: str, name: str) -> None:
        self.page.goto(url)
        self.look(name)

    def press(self, label: str, name: str) -> None:
        self.page.get_by_role("button", name=label).click()
        self.page.wait_for_load_state()
        self.look(name)


@pytest.mark.parametrize("width", WIDTHS)
def test_a_patients_journey_in_chromium(browser: Any, site: Site, width: int) -> None:
    ana = Patient(browser, site, width)
    ana.open(site.url + "/", "sign-up")
    assert ana.page.locator("#timezone").input_value() == "Asia/Tokyo"  # filled by the browser
    ana.press("Send me the tips", "sign-up-mistakes")
    assert ana.page.locator("#email-error").is_visible()
    assert ana.page.locator("#consent-error").is_visible()
    ana.page.fill("#email", "ana@example.com")
    ana.page.fill("#first_name", "Ana")
    ana.page.get_by_label("Muscle injury").check()
    ana.page.locator("#consent").check()
    ana.press("Send me the tips", "check-your-inbox")
    assert "Check your inbox" in ana.page.title()
    who = site.subscriber()
    assert who is not None and (who.state, who.timezone) == (
        store.SubscriberState.PENDING,
        "Asia/Tokyo",
    )

    site.tick()
    [opt_in] = site.mails_to("ana@example.com")
    ana.open(link(opt_in, "c"), "confirm")
    ana.press("Confirm", "confirmed")
    site.tick()
    welcome = site.mails_to("ana@example.com")[-1]

    ana.open(link(welcome, "p"), "preferences")
    ana.page.get_by_label("Bone encroachment").check()
    ana.press("Save my answer", "preferences-saved")
    assert ana.page.get_by_role("status").is_visible()
    who = site.subscriber()
    assert who is not None and who.cause == "bone-encroachment"

    ana.open(link(welcome, "u"), "unsubscribe")
    ana.press("Unsubscribe", "unsubscribed")
    who = site.subscriber()
    assert who is not None and who.state is store.SubscriberState.UNSUBSCRIBED
    count = len(site.sink.messages)
    site.tick()
    assert len(site.sink.messages) == count, "mail after unsubscribing"

    ben = Patient(browser, site, width)
    ben.open(site.url + "/", "sign-up-again")
    ben.page.fill("#email", "ben@example.com")
    ben.page.get_by_label("I'm not sure").check()
    ben.page.locator("#consent").check()
    ben.press("Send me the tips", "check-your-inbox-2")
    site.tick()
    [ben_opt_in] = site.mails_to("ben@example.com")
    ben.open(link(ben_opt_in, "c"), "confirm-2")
    ben.press("Confirm", "confirmed-2")
    site.tick()
    ben.open(link(site.mails_to("ben@example.com")[-1], "p"), "preferences-2")
    ben.page.locator("#sure").check()
    ben.press("Erase my data", "erased")
    assert site.subscriber("ben@example.com") is None

    for patient in (ana, ben):
        patient.context.close()
    assert {**ana.violations, **ben.violations} == {}
