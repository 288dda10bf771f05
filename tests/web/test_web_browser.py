"""Patients in Chromium, at 375 px and 1280 px, against the real `drip serve` (a subprocess on
loopback), with the real `drip tick` (a subprocess per pass) sending to the SMTP sink:

- Ana signs up (after a first try with mistakes), confirms from her email, gets the welcome,
  changes her time zone, clicks the unsubscribe link in the footer of the HTML email, confirms,
  and receives nothing more;
- Ben changes his answer and gets the other sequence's steps, nothing twice;
- Cy pauses (nothing comes while paused, across ticks) and resumes (the next step comes);
- Dee erases her data (the database holds nothing of her but the keyed hash) and signs up
  again; Eve unsubscribes by an RFC 8058 POST to her List-Unsubscribe header, with no cookie;
- Fay's confirmation link has expired: she asks for a new one;
- a GET in the browser of every link of every email changes no row;
- the eleventh post from one client in ten minutes is refused (429).

Every page is screenshotted (test-artifacts/web/NAME-WIDTH.png) and checked with axe-core: no
serious or critical violation, no sideways scrolling."""

from __future__ import annotations

import html
import re
from datetime import timedelta
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from axe_playwright_python.sync_playwright import Axe
from drip_process import ServedSite
from site_harness import link, raw_header

import db_rows
from browsers import ARTIFACTS
from drip import clock, store, tokens
from drip.service import app as app_module
from drip.store import models
from smtp_sink import Received

pytestmark = [
    pytest.mark.browser,
    pytest.mark.parametrize("database_url", ["sqlite"], indirect=True),
]
SHOTS = ARTIFACTS / "web"
WIDTHS = {375: 812, 1280: 900}
S = store.SubscriberState
CAUSES = {
    "muscle-injury": "Muscle injury",
    "bone-encroachment": "Bone encroachment",
    "not-sure": "I'm not sure",
}


class Patient:
    """One browser tab, checking and photographing the pages it is asked to."""

    def __init__(self, browser: Any, site: ServedSite, width: int, email: str) -> None:
        self.context = browser.new_context(
            viewport={"width": width, "height": WIDTHS[width]}, timezone_id="Asia/Tokyo"
        )
        self.page = self.context.new_page()
        self.site, self.width, self.email = site, width, email
        self.violations: dict[str, list[str]] = {}

    def look(self, name: str | None) -> None:
        """Screenshot and axe-check the page (None: a page already looked at elsewhere)."""
        if name is None:
            return
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

    def open(self, url: str, name: str | None = None) -> int:
        answer = self.page.goto(url)
        assert answer is not None
        self.look(name)
        status: int = answer.status
        return status

    def press(self, label: str, name: str | None = None) -> None:
        self.page.get_by_role("button", name=label).click()
        self.page.wait_for_load_state()
        self.look(name)

    def sign_up(self, cause: str, name: str | None = None) -> None:
        self.open(self.site.url + "/", name and "sign-up")
        self.page.fill("#email", self.email)
        self.page.fill("#first_name", self.email.split("@")[0].title())
        self.page.get_by_label(CAUSES[cause]).check()
        self.page.locator("#consent").check()
        self.press("Send me the tips", name)
        assert "Check your inbox" in self.page.title()

    def confirm(self, name: str | None = None) -> None:
        opt_in = [m for m in self.mails() if "/c/" in text_of(m)][-1]
        self.open(link(opt_in, "c"), name and "confirm")
        self.press("Confirm", name)
        assert "You are subscribed" in self.page.title()

    def preferences(self, name: str | None = None) -> None:
        self.open(link(self.mails()[-1], "p"), name)
        assert "Your email preferences" in self.page.content()

    def mails(self) -> list[Received]:
        return self.site.mails_to(self.email)


def text_of(message: Received) -> str:
    body = message.message.get_body(preferencelist=("plain",))
    assert body is not None
    return str(body.get_content())


def without_links(text: str) -> str:
    return re.sub(r"https?://\S+", "", text)


def html_links(message: Received) -> list[str]:
    """Every href of the HTML part, as a mail client would follow it."""
    body = message.message.get_body(preferencelist=("html",))
    assert body is not None
    return [html.unescape(h) for h in re.findall(r'href="([^"]+)"', str(body.get_content()))]


def sent_as(site: ServedSite, message: Received) -> tuple[str, str]:
    """The (sequence, step id) of the delivery whose Message-ID the email carries."""
    d = models.DeliveryRow
    with site.db.engine.connect() as conn:
        row = conn.execute(
            sa.select(d.sequence, d.step_id).where(d.message_id == message.message_id)
        ).one()
    return row.sequence, row.step_id


@pytest.mark.parametrize("width", WIDTHS)
def test_patients_in_chromium_against_drip_serve_and_drip_tick(
    browser: Any, served: ServedSite, width: int
) -> None:
    site = served
    ana, ben, cy, dee, eve, fay = (
        Patient(browser, site, width, f"{name}@example.com")
        for name in ("ana", "ben", "cy", "dee", "eve", "fay")
    )
    ana.open(site.url + "/", "sign-up")
    assert ana.page.locator("#timezone").input_value() == "Asia/Tokyo"  # filled by the browser
    ana.page.fill("#first_name", "Bo\x07b")
    ana.press("Send me the tips", "sign-up-mistakes")
    for field in ("email", "first_name", "cause", "consent"):
        assert ana.page.locator(f"#{field}-error").is_visible(), field
    ana.page.fill("#email", "ana@example.com")
    ana.page.fill("#first_name", "Ana")
    ana.page.get_by_label("Muscle injury").check()
    ana.page.locator("#consent").check()
    ana.press("Send me the tips", "check-your-inbox")
    who = site.subscriber()
    assert who is not None and (who.state, who.timezone) == (S.PENDING, "Asia/Tokyo")
    for patient, cause in ((ben, "muscle-injury"), (cy, "muscle-injury"), (dee, "not-sure")):
        patient.sign_up(cause)
    eve.sign_up("muscle-injury")
    fay.sign_up("muscle-injury")

    site.tick()
    for patient in (ana, ben, cy, dee, eve, fay):
        assert len(patient.mails()) == 1, patient.email
    every_get_changes_nothing(ana, site)  # a mail scanner following the opt-in links

    ana.confirm("confirmed")
    for patient in (ben, cy, dee, eve):
        patient.confirm()
    expired_link(fay, site)
    site.tick()
    for patient, cause in ((ana, "muscle-injury"), (ben, "muscle-injury"), (dee, "not-sure")):
        [_, welcome] = patient.mails()
        assert sent_as(site, welcome) == (cause, "welcome"), patient.email
        assert welcome.message["Subject"] != patient.mails()[0].message["Subject"]

    # Ana: her time zone, a mistake beside its field, then the footer's unsubscribe link
    ana.preferences("preferences")
    ana.page.fill("#timezone", "Mars/Olympus")
    ana.press("Save my time zone", "preferences-mistake")
    assert "Choose a time zone from the list" in ana.page.content()
    ana.page.fill("#timezone", "America/Chicago")
    ana.press("Save my time zone", "time-zone-saved")
    assert ana.page.get_by_role("status").is_visible()
    who = site.subscriber()
    assert who is not None and who.timezone == "America/Chicago"
    [footer] = [u for u in html_links(ana.mails()[-1]) if "/u/" in u]
    ana.open(footer, "unsubscribe")
    ana.press("Unsubscribe", "unsubscribed")
    who = site.subscriber()
    assert who is not None and who.state is S.UNSUBSCRIBED

    # Ben changes his answer; Cy pauses
    ben.preferences()
    ben.page.get_by_label("Bone encroachment").check()
    ben.press("Save my answer", "preferences-saved")
    who = site.subscriber("ben@example.com")
    assert who is not None and who.cause == "bone-encroachment"
    changed_at = len(ben.mails())
    cy.preferences()
    cy.press("Pause my emails", "preferences-paused")
    assert cy.page.get_by_role("button", name="Resume my emails").is_visible()
    cy_had = len(cy.mails())

    # Eve: a mail provider's one-click POST to the raw header's URL, no cookie, no token
    url = raw_header(eve.mails()[-1], "List-Unsubscribe").strip("<>")
    with httpx.Client(timeout=10) as provider:
        answer = provider.post(
            url,
            content=b"List-Unsubscribe=One-Click",
            headers={"content-type": "application/x-www-form-urlencoded"},
        )
    assert answer.status_code == 200 and "set-cookie" not in answer.headers
    who = site.subscriber("eve@example.com")
    assert who is not None and who.state is S.UNSUBSCRIBED

    erased_and_back(dee, site)

    # Days go by: Ben gets the other sequence, Cy nothing while paused, Ana and Eve nothing
    quiet = {p.email: len(p.mails()) for p in (ana, eve)}
    now = clock.utcnow()
    for days in (3, 6):
        site.tick(now + timedelta(days=days))
    assert len(cy.mails()) == cy_had, "mail while paused"
    cy.preferences()
    cy.press("Resume my emails", "preferences-resumed")
    site.tick(now + timedelta(days=9))
    [back] = cy.mails()[cy_had:]
    assert sent_as(site, back) == ("muscle-injury", "heat-and-ice")  # the next, and only it
    assert {p.email: len(p.mails()) for p in (ana, eve)} == quiet, "mail after unsubscribing"
    no_repeats(ben, site, changed_at)

    every_get_changes_nothing(ana, site)
    for name, path in (("invalid-link", "/u/forged.token"), ("not-found", "/nope")):
        ana.open(site.url + path, name)
    forbidden(ben)
    too_many(ana, site)

    patients = (ana, ben, cy, dee, eve, fay)
    for patient in patients:
        patient.context.close()
    assert {name: v for p in patients for name, v in p.violations.items()} == {}


def expired_link(fay: Patient, site: ServedSite) -> None:
    """A confirmation link older than DRIP_CONFIRM_LINK_DAYS: a page that emails a new one."""
    who = site.subscriber(fay.email)
    assert who is not None
    signed = clock.utcnow() - timedelta(days=site.cfg.confirm_link_days, minutes=1)
    old = tokens.make(site.cfg.signing_keys(), tokens.Purpose.CONFIRM, who.uid, now=signed)
    fay.open(f"{site.url}/c/{old}", "confirm-expired")
    assert "This link has expired" in fay.page.title()
    fay.press("Email me a new link", "confirm-resent")
    assert "Check your inbox" in fay.page.title()


def erased_and_back(dee: Patient, site: ServedSite) -> None:
    """Dee erases her data: nothing of her is left but the keyed hash; she signs up again."""
    who = site.subscriber(dee.email)
    assert who is not None
    dee.preferences()
    dee.page.locator("#sure").check()
    dee.press("Erase my data", "erased")
    assert "We kept one thing: a keyed hash of your address" in dee.page.content()
    rows = db_rows.every_row(site.db)
    ids = {row["id"] for row in rows["subscribers"]}
    assert who.id not in ids
    for table in ("enrollments", "deliveries", "events"):
        assert {row["subscriber_id"] for row in rows[table]} <= ids, table
    assert site.db.address_key(dee.email) not in {row["key"] for row in rows["rate_limits"]}
    hashed = store.AddressHash(db_rows.SUPPRESSION_KEY).of(dee.email)
    assert [r["reason"] for r in rows["suppressions"] if r["email_hash"] == hashed] == [
        store.SuppressionReason.ERASED
    ]
    text = repr(rows).lower()
    assert "dee" not in text and who.uid not in text
    assert dee.open(link(dee.mails()[-1], "p"), "erased-link") == 410
    assert dee.open(link(dee.mails()[0], "c"), "confirm-erased") == 410
    dee.sign_up("not-sure")
    site.tick()
    dee.confirm()
    who = site.subscriber(dee.email)
    assert who is not None and who.state is S.ACTIVE


def no_repeats(ben: Patient, site: ServedSite, changed_at: int) -> None:
    """After his new answer, Ben's emails come from the other sequence, and none repeats."""
    mails = ben.mails()
    after = [sent_as(site, m) for m in mails[changed_at:]]
    assert len(after) >= 2 and {sequence for sequence, _ in after} == {"bone-encroachment"}
    assert len({m.message_id for m in mails}) == len(mails)
    steps = [sent_as(site, m) for m in mails]
    assert len(set(steps)) == len(steps)
    # Two welcomes may share a subject; never a subject and a text both received before
    seen = [(str(m.message["Subject"]), without_links(text_of(m))) for m in mails]
    assert len(set(seen)) == len(seen)
    plan, _ = app_module.load_plan(site.cfg)
    received: set[str] = set()
    for sequence, step_id in steps[1:]:  # after the opt-in, in the order received
        step = plan.sequences[sequence].step(step_id)
        assert step is not None
        assert not set(step.content) <= received, f"{step_id}: nothing new in it"
        received |= set(step.content)


def every_get_changes_nothing(patient: Patient, site: ServedSite) -> None:
    """A GET in the browser of every link of every email (the HTML part's, the text part's,
    the List-Unsubscribe header's) changes no row; each kind of page is looked at once."""
    urls: set[str] = set()
    for message in site.sink.messages:
        urls |= set(html_links(message)) | set(re.findall(r"https?://\S+", text_of(message)))
        urls.add(raw_header(message, "List-Unsubscribe").strip("<>"))
    ours = sorted(u for u in urls if u.startswith(site.url + "/"))
    assert ours
    before = db_rows.every_row(site.db)
    seen: set[str] = set()
    for url in ours:
        patient.open(url)
        title = patient.page.title()
        if title not in seen:
            seen.add(title)
            patient.look("link-" + re.sub(r"[^a-z]+", "-", title.lower()).strip("-"))
    assert db_rows.every_row(site.db) == before, "a GET changed something"


def forbidden(ben: Patient) -> None:
    """A form whose anti-forgery token is not ours: the 403 page."""
    ben.preferences()
    ben.page.evaluate(
        "document.querySelectorAll('input[name=form_token]').forEach(i => i.value = 'forged')"
    )
    ben.press("Pause my emails", "forbidden")
    assert "Please try again" in ben.page.title()
    who = ben.site.subscriber(ben.email)
    assert who is not None and who.state is S.ACTIVE


def too_many(patient: Patient, site: ServedSite) -> None:
    """Sign-ups from one client until the limit: the 429 page."""
    for n in range(10):
        patient.open(site.url + "/")
        patient.page.fill("#email", f"more{n}@example.com")
        patient.page.get_by_label("I'm not sure").check()
        patient.page.locator("#consent").check()
        with patient.page.expect_navigation() as navigation:
            patient.page.get_by_role("button", name="Send me the tips").click()
        if navigation.value.status == 429:
            patient.look("too-many-requests")
            assert "Too many requests" in patient.page.title()
            return
    raise AssertionError("no 429 after ten more sign-ups")
