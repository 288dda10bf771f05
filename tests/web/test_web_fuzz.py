"""Hostile input into the sign-up form (hypothesis), over real HTTP: never a 500, never script
in a page, never an injected header in the opt-in email, nothing stored but what was checked."""

from __future__ import annotations

import httpx
import sqlalchemy as sa
from fuzz_inputs import FUZZ, SQLITE_ONLY, TEXT
from hypothesis import event, given
from hypothesis import strategies as st
from site_harness import Site, form_token

from drip import contacts
from drip.service import patients
from drip.store import models

EMAIL = st.one_of(
    st.emails().map(str),
    st.builds(
        lambda local, evil: f"{local}{evil}@example.com",
        st.sampled_from(["ana", "b.c"]),
        st.sampled_from(["", "\r\nBcc: x@y.z", " <evil@x.org>", "%0d%0a"]),
    ),
    TEXT,
)
CAUSE = st.one_of(st.sampled_from(["muscle-injury", "not-sure", "bone-encroachment"]), TEXT)
ZONE = st.one_of(st.sampled_from(["Europe/Lisbon", "", "UTC"]), TEXT)
CANARY = "Zq9"
ZONES = frozenset(patients.zones()) | {""}
EXPECTED_HEADERS = {
    "From",
    "To",
    "Reply-To",
    "Subject",
    "Date",
    "Message-ID",
    "List-Unsubscribe",
    "List-Unsubscribe-Post",
    "MIME-Version",
    "Content-Type",
}


def fresh(site: Site) -> None:
    """Each example is a new visitor on an empty list."""
    with site.db.engine.begin() as conn:
        for table in (models.RateLimitRow, models.DeliveryRow, models.EventRow):
            conn.execute(sa.delete(table))
        conn.execute(sa.delete(models.SubscriberRow))


def post(site: Site, fields: dict[str, str]) -> httpx.Response:
    with site.browser_like() as browser:
        token = form_token(browser.get("/").text)
        return browser.post("/subscribe", data={**fields, "form_token": token})


def stored(site: Site) -> list[tuple[str, str]]:
    with site.db.engine.connect() as conn:
        columns = (models.SubscriberRow.email, models.SubscriberRow.first_name)
        return [(row[0], row[1]) for row in conn.execute(sa.select(*columns))]


@SQLITE_ONLY  # what is fuzzed is HTTP and the email, not storage
@FUZZ
@given(email=EMAIL, first_name=TEXT, cause=CAUSE, timezone=ZONE, consent=st.booleans())
def test_any_input_gets_a_page_never_a_500_and_never_its_script_back(
    site: Site, email: str, first_name: str, cause: str, timezone: str, consent: bool
) -> None:
    fresh(site)
    # A mark no page holds, before every value: where a value comes back, it comes back whole
    given = {"email": email, "first_name": first_name, "cause": cause, "timezone": timezone}
    marked = {name: CANARY + value for name, value in given.items()}
    fields = dict(marked)
    answer = post(site, {**fields, "consent": "yes"} if consent else fields)
    assert answer.status_code in (303, 400), answer.status_code
    for raw in marked.values():
        if "<" in raw or '"' in raw:
            assert raw not in answer.text, "user text reached the page unescaped"
    if answer.status_code == 400:
        assert stored(site) == []
    for name in ("email", "first_name"):  # refused beside the field, never tidied away
        if any(contacts.is_control(ch) for ch in given[name]):
            assert answer.status_code == 400 and f'id="{name}-error"' in answer.text, name
    for address, name in stored(site):
        assert not [ch for ch in address + name if contacts.is_control(ch)]


@SQLITE_ONLY
@FUZZ
@given(email=st.emails().map(str), first_name=TEXT, timezone=ZONE)
def test_a_hostile_name_or_zone_never_reaches_a_header_of_the_opt_in_email(
    site: Site, email: str, first_name: str, timezone: str
) -> None:
    fresh(site)
    fields = {
        "email": email,
        "first_name": first_name,
        "cause": "not-sure",
        "timezone": timezone,
        "consent": "yes",
    }
    answer = post(site, fields)
    event(f"status {answer.status_code}")
    if answer.status_code == 400:  # a name over 80 characters or with a control character,
        # a zone not in the list
        assert (
            len(contacts.tidy(first_name)) > contacts.MAX_NAME
            or any(contacts.is_control(ch) for ch in first_name)
            or timezone.strip() not in ZONES
        )
        return
    assert not any(contacts.is_control(ch) for ch in first_name)
    assert answer.status_code == 303
    [(address, name)] = stored(site)
    assert address == contacts.normalise(email) and name == contacts.first_name(first_name)
    before = len(site.sink.messages)
    site.tick()
    [opt_in] = site.sink.messages[before:]
    assert opt_in.rcpt_tos == (address,)
    head = opt_in.data.split(b"\r\n\r\n", 1)[0].decode("ascii")
    names = [line.partition(":")[0] for line in head.split("\r\n") if line[:1] not in (" ", "\t")]
    assert sorted(names) == sorted(EXPECTED_HEADERS)
