"""A patient's whole journey over real HTTP, with the real dispatcher and a real SMTP server:
sign up, confirm by double opt-in, receive, unsubscribe in one click; on both databases."""

from __future__ import annotations

import logging
from datetime import timedelta

import httpx
import pytest
import sqlalchemy as sa
from site_harness import Site, form_token, link, path, raw_header

from drip import clock, store, tokens
from drip.store import models

S = store.SubscriberState


def snapshot(site: Site) -> list[tuple[object, ...]]:
    """Every row of every table: what a GET must never change."""
    rows: list[tuple[object, ...]] = []
    with site.db.engine.connect() as conn:
        for table in models.Base.metadata.sorted_tables:
            rows += [(table.name, *row) for row in conn.execute(sa.select(table))]
    return sorted(rows, key=repr)


def test_sign_up_confirm_receive_and_unsubscribe(
    site: Site, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    with site.browser_like() as browser:
        answer = site.sign_up(browser)
        assert (answer.status_code, answer.headers["location"]) == (303, "/thanks")
        assert "Check your inbox" in browser.get("/thanks").text
        who = site.subscriber()
        assert who is not None and who.state is S.PENDING
        assert who.consent.ip == "127.0.0.1" and who.consent.version == "1"
        assert who.consent.text.startswith("Yes, please email me tips about back spasms from ")

        site.tick()
        [opt_in] = site.mails_to("ana@example.com")
        confirm = path(link(opt_in, "c"))
        before = snapshot(site)
        page = browser.get(confirm)
        assert page.status_code == 200 and "Confirm your subscription" in page.text
        assert snapshot(site) == before, "a GET changed something"

        done = browser.post(confirm, data={"form_token": form_token(page.text)})
        assert done.status_code == 200 and "You are subscribed" in done.text
        who = site.subscriber()
        assert who is not None and who.state is S.ACTIVE and who.confirmed_ip == "127.0.0.1"

        site.tick()
        welcome = site.mails_to("ana@example.com")[-1]
        assert welcome is not opt_in
        unsubscribe = path(link(welcome, "u"))
        page = browser.get(unsubscribe)
        assert "Unsubscribe" in page.text
        gone = browser.post(unsubscribe)
        assert gone.status_code == 200 and "You are unsubscribed" in gone.text
    who = site.subscriber()
    assert who is not None and who.state is S.UNSUBSCRIBED
    site.tick(clock.utcnow() + timedelta(days=60))
    assert site.mails_to("ana@example.com")[-1] is welcome, "mail after unsubscribing"
    ours = [r for r in caplog.records if r.name.startswith(("drip", "uvicorn"))]  # not the sink's
    lines = [record.getMessage() for record in ours]
    assert "GET /c/{token} 200" in " ".join(lines)  # the request log names the route
    secrets = ("ana@example.com", "muscle", "injury", confirm.rsplit("/", 1)[1], unsubscribe[3:])
    leaked = [line for line in lines for secret in secrets if secret in line.lower()]
    assert leaked == [], "a log line holds an address, a cause or a token"


def test_rfc_8058_one_click_from_the_raw_header_with_no_cookie(site: Site) -> None:
    with site.browser_like() as browser:
        site.sign_up(browser)
    site.tick()
    [opt_in] = site.sink.messages
    header = raw_header(opt_in, "List-Unsubscribe")
    assert header.startswith("<http://127.0.0.1:") and header.endswith(">")  # literal
    assert raw_header(opt_in, "List-Unsubscribe-Post") == "List-Unsubscribe=One-Click"
    url = header.strip("<>")
    with httpx.Client(timeout=10) as provider:  # a mail provider: no cookie, origin or token
        for _ in range(2):  # idempotent
            answer = provider.post(
                url,
                content=b"List-Unsubscribe=One-Click",
                headers={"content-type": "application/x-www-form-urlencoded"},
            )
            assert answer.status_code == 200 and not answer.is_redirect
            assert "set-cookie" not in answer.headers
        other = provider.post(url, content=b"", headers={"content-type": "text/plain"})
        assert other.status_code == 200
    who = site.subscriber()
    assert who is not None and who.state is S.UNSUBSCRIBED


def test_a_get_of_every_link_changes_nothing(site: Site) -> None:
    with site.browser_like() as browser:
        site.sign_up(browser)
        site.tick()
        [opt_in] = site.sink.messages
        confirm = path(link(opt_in, "c"))
        before = snapshot(site)
        for _ in range(3):  # a mail scanner follows every link, maybe more than once
            assert browser.get(confirm).status_code == 200
        assert snapshot(site) == before
        page = browser.get(confirm)
        browser.post(confirm, data={"form_token": form_token(page.text)})
        site.tick()
        welcome = site.mails_to("ana@example.com")[-1]
        before = snapshot(site)
        for url in (confirm, path(link(welcome, "u")), path(link(welcome, "p"))):
            for _ in range(3):
                assert browser.get(url).status_code == 200
        assert snapshot(site) == before


def test_a_sign_up_answers_the_same_whether_the_address_is_known(site: Site) -> None:
    with site.browser_like() as browser:
        first = site.sign_up(browser)
        site.tick()
        [opt_in] = site.sink.messages
        page = browser.get(path(link(opt_in, "c")))
        browser.post(path(link(opt_in, "c")), data={"form_token": form_token(page.text)})
        again = site.sign_up(browser, cause="bone-encroachment", first_name="Mallory")
        assert (again.status_code, again.headers["location"]) == (
            first.status_code,
            first.headers["location"],
        )
    who = site.subscriber()
    assert who is not None and (who.first_name, who.cause) == ("Ana", "muscle-injury")
    site.tick()
    assert len(site.mails_to("ana@example.com")) == 2  # the opt-in and the welcome, nothing new


def test_at_most_one_opt_in_email_per_address_per_hour(site: Site) -> None:
    with site.browser_like() as browser:
        for _ in range(3):
            assert site.sign_up(browser).status_code == 303
            site.tick()
    assert len(site.mails_to("ana@example.com")) == 1


def test_an_expired_confirmation_link_offers_a_new_one(site: Site) -> None:
    with site.browser_like() as browser:
        site.sign_up(browser)
    site.tick()
    who = site.subscriber()
    assert who is not None
    signed = clock.utcnow() - timedelta(days=site.cfg.confirm_link_days, minutes=1)
    old = "/c/" + tokens.make(site.cfg.signing_keys(), tokens.Purpose.CONFIRM, who.uid, now=signed)
    with site.browser_like() as browser:
        page = browser.get(old)
        assert "This link has expired" in page.text and f"{old}/resend" in page.text
        refused = browser.post(old, data={"form_token": form_token(page.text)})
        assert refused.status_code == 400
        sent = browser.post(old + "/resend", data={"form_token": form_token(page.text)})
        assert sent.status_code == 200 and "Check your inbox" in sent.text
    site.tick()
    assert len(site.mails_to("ana@example.com")) == 1, "a second opt-in within the hour"
    with site.db.engine.begin() as conn:  # an hour later: the address's window has closed
        conn.execute(sa.delete(models.RateLimitRow))
    with site.browser_like() as browser:
        page = browser.get(old)
        browser.post(old + "/resend", data={"form_token": form_token(page.text)})
        site.tick()
        [_, new] = site.mails_to("ana@example.com")
        page = browser.get(path(link(new, "c")))
        done = browser.post(path(link(new, "c")), data={"form_token": form_token(page.text)})
        assert "You are subscribed" in done.text
