"""Hostile input into the forms behind a patient's links (hypothesis), over real HTTP: the
preference forms (cause, time zone, pause and resume, erase), the new-link request of an
expired confirmation, and forged or mangled tokens in /c/, /u/ and /p/. Never a 500, never
script in a page, nothing stored that should not be."""

from __future__ import annotations

import re
import urllib.parse
from datetime import timedelta

import httpx
import sqlalchemy as sa
from fuzz_inputs import FUZZ, HOSTILE, SQLITE_ONLY, TEXT
from hypothesis import event, example, given
from hypothesis import strategies as st
from site_harness import Site, form_token, path

import db_rows
from drip import clock, store, tokens
from drip.service import patients
from drip.store import models

S = store.SubscriberState
CAUSES = ("muscle-injury", "not-sure", "bone-encroachment")
ZONES = frozenset(patients.zones())
ACTION = st.sampled_from(["cause", "timezone", "pause", "resume", "erase", "data", "nope"])
FIELD = st.one_of(st.sampled_from([*CAUSES, "Europe/Lisbon", "UTC", "yes", ""]), TEXT)
FIELDS = st.dictionaries(st.sampled_from(["cause", "timezone", "sure", "extra"]), FIELD)
# A token as a link carries it, or anything else: truncated, tampered, hostile, very long
TOKEN = st.one_of(
    st.sampled_from(["", "x", "a.b", "A" * 5000, "%2e%2e", "%00", "\u202e", "<svg>"]),
    HOSTILE,
    st.text(min_size=1, max_size=80),
).filter(lambda t: t not in (".", ".."))  # a dot segment is resolved by the client: no token
PAGE_STATUS = {200, 400, 403, 404, 405, 410, 413, 429}


def fresh(site: Site, *, confirmed: bool = True) -> tuple[str, str, str, store.Subscriber]:
    """An empty list but for one patient: their /u/, /p/ and an expired /c/ path."""
    with site.db.engine.begin() as conn:
        for table in reversed(models.Base.metadata.sorted_tables):
            conn.execute(sa.delete(table))
    now = clock.utcnow()
    who = site.db.add_subscriber(
        email="ana@example.com",
        first_name="Ana",
        cause="muscle-injury",
        timezone="Europe/Lisbon",
        consent=store.Consent(source="web:sign-up page", text="Yes", ip="127.0.0.1"),
        now=now,
        confirmed=confirmed,
    )
    keys = site.cfg.signing_keys()
    unsubscribe, preferences, _ = tokens.links(keys, site.url, who.uid, now=now)
    old = now - timedelta(days=site.cfg.confirm_link_days + 1)
    confirm = "/c/" + tokens.make(keys, tokens.Purpose.CONFIRM, who.uid, now=old)
    return path(unsubscribe), path(preferences), confirm, who


# Text that would make markup if a page held it raw: a tag or a quote closing an attribute.
# (A lone "<" or '"' is in every page already: finding it there says nothing.)
MARKUP = re.compile(r"<[A-Za-z!/?]|\"\s*(?:>|[\w-]+\s*=)")


def no_script(answer: httpx.Response, values: object) -> None:
    for value in values if isinstance(values, list | tuple) else [values]:
        text = str(value)
        if MARKUP.search(text):
            assert text not in answer.text, "user text reached the page unescaped"


def is_known(who: store.Subscriber) -> bool:
    return who.cause in CAUSES and who.timezone in ZONES and who.first_name == "Ana"


@SQLITE_ONLY
@FUZZ
@given(action=ACTION, fields=FIELDS, real_token=st.booleans())
@example(action="erase", fields={"sure": "<b>yes</b>"}, real_token=True)
@example(action="erase", fields={"sure": ""}, real_token=True)
@example(action="timezone", fields={"timezone": " UTC "}, real_token=True)
@example(action="cause", fields={"cause": "muscle-injury\x00"}, real_token=True)
def test_any_preference_form_gets_a_page_and_stores_only_what_was_checked(
    site: Site, action: str, fields: dict[str, str], real_token: bool
) -> None:
    _, preferences, _, before = fresh(site)
    with site.browser_like() as browser:
        token = form_token(browser.get(preferences).text) if real_token else fields.get("extra", "")
        answer = browser.post(f"{preferences}/{action}", data={**fields, "form_token": token})
    event(f"{action} {answer.status_code}")
    assert answer.status_code in PAGE_STATUS, answer.status_code
    no_script(answer, list(fields.values()))
    who = site.subscriber()
    if answer.status_code != 200 or action in ("data", "nope"):
        assert who == before, "a refused or read-only post changed the patient"
        return
    if who is None:  # erased, as asked: with the page's token, the box ticked
        assert action == "erase" and real_token and fields.get("sure", "") != ""
        [kept] = db_rows.every_row(site.db)["suppressions"]
        assert kept["reason"] is store.SuppressionReason.ERASED
        return
    assert is_known(who), who
    if action == "cause":
        assert who.cause == fields.get("cause")
    if action == "timezone":
        assert who.timezone == fields.get("timezone", "").strip()
    expected = {"pause": S.PAUSED, "resume": S.ACTIVE}.get(action, before.state)
    assert who.state is expected


@SQLITE_ONLY
@FUZZ
@given(form=st.one_of(TEXT, st.just("real")), extra=FIELDS)
def test_a_new_link_request_with_any_form_sends_at_most_one_opt_in(
    site: Site, form: str, extra: dict[str, str]
) -> None:
    _, _, confirm, _ = fresh(site, confirmed=False)
    with site.browser_like() as browser:
        page = browser.get(confirm)
        assert "This link has expired" in page.text
        token = form_token(page.text) if form == "real" else form
        answer = browser.post(f"{confirm}/resend", data={**extra, "form_token": token})
    assert answer.status_code == (200 if form == "real" else 403), answer.status_code
    no_script(answer, [form, *extra.values()])
    rows = db_rows.every_row(site.db)
    queued = [(d["sequence"], d["state"]) for d in rows["deliveries"]]
    assert queued == ([("_confirm", store.DeliveryState.PENDING)] if form == "real" else [])
    [who] = rows["subscribers"]
    assert (who["email_normalised"], who["first_name"], who["state"]) == (
        "ana@example.com",
        "Ana",
        S.PENDING,
    )


@SQLITE_ONLY
@FUZZ
@given(
    token=TOKEN,
    route=st.sampled_from(
        [
            ("GET", "/c/{}"),
            ("POST", "/c/{}"),
            ("POST", "/c/{}/resend"),
            ("GET", "/u/{}"),
            ("POST", "/u/{}"),
            ("GET", "/p/{}"),
            ("POST", "/p/{}/pause"),
            ("POST", "/p/{}/erase"),
        ]
    ),
    tamper=st.booleans(),
)
def test_a_forged_or_mangled_token_changes_nothing(
    site: Site, token: str, route: tuple[str, str], tamper: bool
) -> None:
    unsubscribe, preferences, _, _ = fresh(site)
    if tamper and token:  # a real token with the hostile text in the middle of it
        real = (preferences if "/p/" in route[1] else unsubscribe).rsplit("/", 1)[1]
        token = real[:10] + token + real[10:]
    before = db_rows.every_row(site.db)
    method, template = route
    url = template.format(urllib.parse.quote(token, safe=""))
    with site.browser_like() as browser:
        answer = browser.request(method, url, data={"form_token": token, "sure": "yes"})
    event(f"{method} {template} {answer.status_code}")
    assert answer.status_code in PAGE_STATUS - {200}, answer.status_code
    no_script(answer, token)
    assert db_rows.every_row(site.db) == before


def test_a_token_with_a_slash_is_not_found_never_redirected(site: Site) -> None:
    """Found by the test above: `/c/0%2F` reached the router as `/c/0/`, and Starlette
    redirected it (307). No route of drip's ends in a slash; the one-click POST never redirects."""
    with site.browser_like() as browser:
        for method, path in (("GET", "/c/0%2F"), ("POST", "/u/0%2F"), ("GET", "/p/x/")):
            answer = browser.request(method, path)
            assert answer.status_code == 404, (method, path, answer.status_code)
