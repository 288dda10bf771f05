"""The preferences page over real HTTP: change cause, pause and resume, time zone, a copy of
one's data, erasure; every change a POST with the page's anti-forgery token."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import sqlalchemy as sa
from site_harness import Site, form_token, link, path

import db_rows
from drip import clock, store
from drip.service import app as app_module
from drip.service import pacing
from drip.store import models

S = store.SubscriberState


def confirmed(site: Site, email: str = "ana@example.com") -> str:
    """A confirmed patient who got their welcome email; returns their preferences path."""
    earlier = len(site.mails_to(email))
    with site.browser_like() as browser:
        site.sign_up(browser, email=email)
        site.tick()
        [opt_in] = site.mails_to(email)[earlier:]
        page = browser.get(path(link(opt_in, "c")))
        browser.post(path(link(opt_in, "c")), data={"form_token": form_token(page.text)})
    site.tick()
    return path(link(site.mails_to(email)[-1], "p"))


def post(site: Site, preferences: str, action: str, **fields: str) -> int:
    with site.browser_like() as browser:
        token = form_token(browser.get(preferences).text)
        answer = browser.post(f"{preferences}/{action}", data={"form_token": token, **fields})
        return answer.status_code


def subjects(site: Site, email: str = "ana@example.com") -> list[str]:
    return [str(m.message["Subject"]) for m in site.mails_to(email)]


def test_a_new_cause_brings_the_other_sequence_without_repeats(site: Site) -> None:
    preferences = confirmed(site)
    with site.browser_like() as browser:
        page = browser.get(preferences)
    assert "Your email preferences" in page.text and 'value="muscle-injury" checked' in page.text
    assert post(site, preferences, "cause", cause="bone-encroachment") == 200
    who = site.subscriber()
    assert who is not None and who.cause == "bone-encroachment"
    at = clock.utcnow()
    for _ in range(12):  # the whole new sequence, step by step
        at += timedelta(days=10)
        site.tick(at)
    steps = _sent_steps(site)
    plan, _ = app_module.load_plan(site.cfg)
    received: set[str] = set()
    for sequence, step_id in steps:  # in the order sent
        if sequence == "_confirm":
            continue
        found = plan.sequences[sequence].step(step_id)
        assert found is not None
        assert not set(found.content) <= received, f"{step_id}: nothing new in it"
        received |= set(found.content)
    assert ("muscle-injury", "welcome") in steps
    assert len([s for s in steps if s[0] == "bone-encroachment"]) >= 3  # the rest of it came


def _sent_steps(site: Site) -> list[tuple[str, str]]:
    d = models.DeliveryRow
    with site.db.engine.connect() as conn:
        query = (
            sa.select(d.sequence, d.step_id)
            .where(d.state == store.DeliveryState.SENT)
            .order_by(d.sent_at, d.id)
        )
        return [(row.sequence, row.step_id) for row in conn.execute(query)]


def test_pause_holds_everything_and_resume_goes_on_where_they_were(site: Site) -> None:
    preferences = confirmed(site)
    assert post(site, preferences, "pause") == 200
    who = site.subscriber()
    assert who is not None and who.state is S.PAUSED
    count = len(site.sink.messages)
    site.tick(clock.utcnow() + timedelta(days=30))
    assert len(site.sink.messages) == count, "sent while paused"
    with site.browser_like() as browser:
        assert "Resume my emails" in browser.get(preferences).text
    assert post(site, preferences, "resume") == 200
    site.tick(clock.utcnow() + timedelta(days=30))
    assert len(site.sink.messages) == count + 1  # the step that waited, and only it


def test_a_new_time_zone_is_kept_and_a_wrong_one_is_refused_beside_the_field(site: Site) -> None:
    preferences = confirmed(site)
    assert post(site, preferences, "timezone", timezone="America/Chicago") == 200
    who = site.subscriber()
    assert who is not None and who.timezone == "America/Chicago"
    with site.browser_like() as browser:
        token = form_token(browser.get(preferences).text)
        answer = browser.post(
            f"{preferences}/timezone", data={"form_token": token, "timezone": "Mars/Olympus"}
        )
    assert answer.status_code == 400 and "Choose a time zone from the list" in answer.text


def test_download_my_data_is_everything_held_as_json(site: Site) -> None:
    preferences = confirmed(site)
    with site.browser_like() as browser:
        token = form_token(browser.get(preferences).text)
        answer = browser.post(f"{preferences}/data", data={"form_token": token})
    assert answer.headers["content-type"].startswith("application/json")
    assert "attachment" in answer.headers["content-disposition"]
    data = json.loads(answer.text)
    assert data["subscriber"]["email"] == "ana@example.com"
    assert data["subscriber"]["consent_text"].startswith("Yes, please email me tips")
    assert [d["step_id"] for d in data["deliveries"]][:2] == ["confirm", "welcome"]


def test_erase_leaves_only_the_keyed_hash_and_signing_up_again_works(site: Site) -> None:
    preferences = confirmed(site)
    assert post(site, preferences, "erase") == 400  # without ticking "I understand"
    assert post(site, preferences, "erase", sure="yes") == 200
    assert site.subscriber() is None
    everything = _text_columns(site)
    assert not [value for value in everything if "ana" in value.lower()]
    # Every row of every table: the suppression entry alone is left of her. (The send rate's
    # counters, shared by every patient, name nobody.)
    left = db_rows.every_row(site.db)
    [kept] = left.pop("suppressions")
    assert kept["email_hash"] == store.AddressHash(db_rows.SUPPRESSION_KEY).of("ana@example.com")
    assert kept["reason"] is store.SuppressionReason.ERASED
    counters = [row["key"] for row in left.pop("rate_limits")]
    assert set(counters) <= {pacing.SECOND_KEY, pacing.HOUR_KEY}, counters
    assert {name: rows for name, rows in left.items() if rows} == {}
    with site.browser_like() as browser:
        assert browser.get(preferences).status_code == 410
    again = confirmed(site)  # a new sign-up, opt-in and confirmation work
    who = site.subscriber()
    assert who is not None and who.state is S.ACTIVE and again != preferences
    assert not db_rows.is_suppressed(site.db, "ana@example.com")


def test_the_erase_page_says_exactly_what_is_kept(site: Site) -> None:
    preferences = confirmed(site)
    with site.browser_like() as browser:
        token = form_token(browser.get(preferences).text)
        page = browser.post(f"{preferences}/erase", data={"form_token": token, "sure": "yes"})
    said = " ".join(re.sub(r"<[^>]+>", " ", page.text).split())
    assert "We deleted your address, name, answers, consent record, email history" in said
    assert "We kept one thing: a keyed hash of your address" in said
    assert len(db_rows.every_row(site.db)["suppressions"]) == 1  # the one thing


def _text_columns(site: Site) -> list[str]:
    found: list[str] = []
    with site.db.engine.connect() as conn:
        for table in models.Base.metadata.sorted_tables:
            columns = [c for c in table.columns if isinstance(c.type, sa.String)]
            for row in conn.execute(sa.select(*columns)):
                found += [str(v) for v in row if v is not None]
    return found


def test_every_change_needs_this_pages_token_and_a_post_from_this_site(site: Site) -> None:
    mine, theirs = confirmed(site), confirmed(site, "ben@example.com")
    with site.browser_like() as browser:
        their_token = form_token(browser.get(theirs).text)
        assert browser.post(f"{mine}/pause").status_code == 403  # no token
        assert browser.post(f"{mine}/pause", data={"form_token": their_token}).status_code == 403
        my_token = form_token(browser.get(mine).text)
        forged = browser.post(
            f"{mine}/pause",
            data={"form_token": my_token},
            headers={"origin": "https://evil.example"},
        )
        assert forged.status_code == 403
    who = site.subscriber()
    assert who is not None and who.state is S.ACTIVE
