"""The sign-up form over real HTTP: what a visitor gets for each mistake, the limits, the bots,
the form embedded in a clinic's own site, and the headers of every page."""

from __future__ import annotations

import re

import httpx
import pytest
import sqlalchemy as sa
from click.testing import CliRunner
from site_harness import SIGN_UP, Site, form_token

from drip.cli import main
from drip.store import models

SQLITE_ONLY = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


def people(site: Site) -> int:
    with site.db.engine.connect() as conn:
        return int(
            conn.execute(sa.select(sa.func.count()).select_from(models.SubscriberRow)).scalar_one()
        )


@SQLITE_ONLY
def test_each_mistake_is_shown_beside_its_field_and_the_rest_is_kept(site: Site) -> None:
    with site.browser_like() as browser:
        answer = site.sign_up(
            browser,
            email="ana@",
            first_name="<script>alert(1)</script>",
            cause="flu",
            timezone="Mars/Base",
            consent="",
        )
    assert answer.status_code == 400
    page = answer.text
    for field, words in (
        ("email", "Enter an email address"),
        ("cause", "Choose one of the answers"),
        ("timezone", "Choose a time zone from the list"),
        ("consent", "Tick the box to agree"),
    ):
        assert re.search(rf'id="{field}-error">[^<]*{words}', page), field
    assert 'value="ana@"' in page  # what they typed is kept
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page
    assert people(site) == 0


@SQLITE_ONLY
@pytest.mark.parametrize("name", ["Bo\x07b", "Ana\r\nBcc: x@y.z", "Ana\tMaria", "\u202eAna"])
def test_a_control_character_in_the_name_is_refused_beside_it_and_the_rest_kept(
    site: Site, name: str
) -> None:
    with site.browser_like() as browser:
        answer = site.sign_up(browser, first_name=name, timezone="Asia/Tokyo")
    assert answer.status_code == 400
    page = answer.text
    assert re.search(r'id="first_name-error">[^<]*no line breaks, tabs or invisible', page)
    assert "email-error" not in page and "consent-error" not in page
    assert 'value="ana@example.com"' in page  # the other fields are kept
    assert 'value="muscle-injury" checked' in page and 'value="Asia/Tokyo"' in page
    assert people(site) == 0


@SQLITE_ONLY
@pytest.mark.parametrize("email", ["ana@example.com\x1f", "ana\x00@example.com"])
def test_a_control_character_in_the_address_is_refused_beside_it(site: Site, email: str) -> None:
    with site.browser_like() as browser:
        answer = site.sign_up(browser, email=email, first_name="Ana")
    assert answer.status_code == 400
    assert re.search(r'id="email-error">[^<]*without line breaks, tabs or invisible', answer.text)
    assert 'value="Ana"' in answer.text
    assert people(site) == 0


@SQLITE_ONLY
def test_a_bot_filling_the_hidden_field_is_answered_as_a_person_and_recorded_nowhere(
    site: Site,
) -> None:
    with site.browser_like() as browser:
        answer = site.sign_up(browser, website="https://spam.example")
    assert (answer.status_code, answer.headers["location"]) == (303, "/thanks")
    assert people(site) == 0


def test_a_burst_from_one_client_gets_429_with_retry_after(site: Site) -> None:
    with site.browser_like() as browser:
        codes = [site.sign_up(browser, email=f"p{n}@example.com").status_code for n in range(11)]
        assert codes[:10] == [303] * 10
        assert codes[10] == 429
        refused = site.sign_up(browser, email="late@example.com")
    assert refused.status_code == 429 and 0 < int(refused.headers["retry-after"]) <= 600
    assert people(site) == 10


@SQLITE_ONLY
def test_a_form_from_another_site_or_without_its_token_is_refused(site: Site) -> None:
    with site.browser_like() as browser:
        token = form_token(browser.get("/").text)
        assert browser.post("/subscribe", data=SIGN_UP).status_code == 403  # no token
        foreign = browser.post(
            "/subscribe",
            data={**SIGN_UP, "form_token": token},
            headers={"origin": "https://evil.example"},
        )
        assert foreign.status_code == 403
    assert people(site) == 0


@SQLITE_ONLY
def test_the_embedded_form_posts_from_an_allowed_site(site: Site, monkeypatch) -> None:
    for name, value in {**_env(site), "DRIP_ALLOWED_ORIGINS": "https://www.clinic.example"}.items():
        monkeypatch.setenv(name, value)
    printed = CliRunner().invoke(main, ["form-snippet"])
    assert printed.exit_code == 0, printed.output
    snippet = printed.output
    assert f'action="{site.url}/subscribe"' in snippet and "<script" not in snippet
    for name in ("email", "first_name", "cause", "timezone", "consent", "website"):
        assert f'name="{name}"' in snippet
    fields = {**SIGN_UP, "form_token": form_token(snippet)}
    with httpx.Client(base_url=site.url, timeout=10) as clinic_site:
        accepted = clinic_site.post(
            "/subscribe", data=fields, headers={"origin": "https://www.clinic.example"}
        )
        refused = clinic_site.post(
            "/subscribe",
            data={**fields, "email": "b@example.com"},
            headers={"origin": "https://other.example"},
        )
    assert accepted.status_code == 303 and refused.status_code == 403
    who = site.subscriber()
    assert who is not None and who.consent.source == "web:embedded form"


def _env(site: Site) -> dict[str, str]:
    cfg = site.cfg
    return {
        "DRIP_DATABASE_URL": cfg.database_url,
        "DRIP_SEQUENCES": str(cfg.sequences),
        "DRIP_TEMPLATES": str(cfg.templates),
        "DRIP_SECRET_KEY": cfg.secret_key,
        "DRIP_SUPPRESSION_KEY": cfg.suppression_key,
        "DRIP_BASE_URL": cfg.base_url,
    }


@SQLITE_ONLY
def test_every_page_carries_the_security_headers_and_no_cause_in_its_title(site: Site) -> None:
    with site.browser_like() as browser:
        pages = [
            browser.get("/"),
            browser.get("/thanks"),
            browser.get("/u/nonsense"),
            browser.get("/nowhere"),
            site.sign_up(browser, cause="bone-encroachment"),
        ]
    for page in pages:
        headers = page.headers
        csp = headers["content-security-policy"]
        assert "default-src 'none'" in csp and "frame-ancestors 'none'" in csp
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp
        assert headers["referrer-policy"] == "no-referrer"
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["x-frame-options"] == "DENY"
        assert headers["cache-control"] == "no-store"
        assert "server" not in headers
        title = re.search(r"<title>(.*)</title>", page.text)
        assert title is None or "encroachment" not in title.group(1).lower()


@SQLITE_ONLY
def test_healthz_says_whether_the_database_answers(site: Site) -> None:
    with site.browser_like() as browser:
        assert browser.get("/healthz").json()["ok"] is True
        with site.db.engine.begin() as conn:
            conn.exec_driver_sql("ALTER TABLE deliveries RENAME TO deliveries_gone")
        sick = browser.get("/healthz")
    assert sick.status_code == 503 and sick.json() == {"ok": False, "database": "OperationalError"}


@SQLITE_ONLY
def test_a_body_too_large_is_refused_before_it_is_read(site: Site) -> None:
    with site.browser_like() as browser:
        huge = browser.post(
            "/subscribe",
            content=b"email=" + b"a" * 100_000,
            headers={"content-type": "application/x-www-form-urlencoded"},
        )
    assert huge.status_code == 413
