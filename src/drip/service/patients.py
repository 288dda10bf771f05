"""The patients' side, as the web app drives it: sign-up, double opt-in, one-click unsubscribe,
preferences, erasure and a copy of their data.

Every call takes what a request carries (a link's token, the form's values, the client's
address, the form's anti-forgery token) and `now`; nothing here knows HTTP. What a visitor may
learn is limited on purpose: a sign-up answers the same whether the address was known or not,
links carry only an opaque id, and a patient's cause appears only on their own preferences
page, reached by a signed link.

Limits (kept in the database, so every web process and the daemon count together):
- one client address: at most `CLIENT_LIMIT` sign-ups and new-link requests per
  `CLIENT_WINDOW` (then `RateLimited`, a 429 with Retry-After);
- one email address: at most one opt-in email per `ADDRESS_WINDOW` (further sign-ups are
  recorded, and answered the same, but send nothing).
"""

from __future__ import annotations

import zoneinfo
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from drip import contacts, errors, sequences, store, tokens
from drip.service import subscriptions
from drip.service.app import App

Purpose = tokens.Purpose  # which kind of link: the shells name it, the core defines it
CLIENT_LIMIT = 10
CLIENT_WINDOW = timedelta(minutes=10)
ADDRESS_WINDOW = timedelta(hours=1)
FORM_LIFETIME = timedelta(hours=2)  # a page's anti-forgery token
SIGN_UP_SCOPE, EMBED_SCOPE = "sign-up", "embed"
FIELDS = ("email", "first_name", "cause", "timezone", "consent")  # the form's public names
MAX_FIELD = 320  # characters of any form field
CONTROL = {  # a line break, a tab, a bidi override, a zero-width or other invisible character
    "email": "Enter an email address, like ana@example.com, without line breaks, tabs or "
    "invisible characters.",
    "first_name": "Use letters, spaces and punctuation only: no line breaks, tabs or "
    "invisible characters.",
}


class FormProblems(errors.InvalidInput):
    """Some fields of the form are not right."""

    def __init__(self, problems: dict[str, str]) -> None:
        super().__init__("; ".join(f"{name}: {why}" for name, why in problems.items()))
        self.problems = problems  # by field name, each a sentence to show beside the field


class Forbidden(errors.InvalidInput):
    """This form was not sent from a page of ours: reload the page and send it again."""


class RateLimited(errors.DripError):
    """Too many requests from here: try again in a few minutes."""

    def __init__(self, retry_after: timedelta) -> None:
        minutes = max(1, round(retry_after.total_seconds() / 60))
        super().__init__(f"Too many requests from here: try again in {minutes} minute(s).")
        self.retry_after = retry_after


@dataclass(frozen=True, kw_only=True)
class SignUpPage:
    """What the sign-up form shows: the causes in the file's order, the clinic's time zone
    (the default), the consent wording and its version, and the form's token."""

    clinic: str
    topic: str
    causes: tuple[sequences.Cause, ...]
    timezone: str
    consent_text: str
    consent_version: str
    form_token: str
    zones: tuple[str, ...]


@dataclass(frozen=True, kw_only=True)
class SignUpForm:
    """The fields as posted (public names: email, first_name, cause, timezone, consent)."""

    email: str = ""
    first_name: str = ""
    cause: str = ""
    timezone: str = ""
    consent: bool = False
    honeypot: str = ""  # a field no person sees: a bot fills it in
    form_token: str = ""


@dataclass(frozen=True, kw_only=True)
class Link:
    """A link's token, read: whose, in which state, and whether it is too old to act on."""

    token: str
    subscriber: store.Subscriber | None
    expired: bool = False

    @property
    def gone(self) -> bool:
        return self.subscriber is None


@dataclass(frozen=True, kw_only=True)
class Preferences:
    subscriber: store.Subscriber
    causes: tuple[sequences.Cause, ...]
    zones: tuple[str, ...]
    form_token: str
    paused: bool = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "paused", self.subscriber.state is store.SubscriberState.PAUSED)


# --- sign-up -----------------------------------------------------------------------------
def sign_up_page(app: App, *, now: datetime) -> SignUpPage:
    return SignUpPage(
        clinic=app.plan.clinic.name,
        topic=app.renderer.topic,
        causes=app.plan.causes,
        timezone=app.plan.clinic.timezone,
        consent_text=consent_text(app),
        consent_version=app.config.consent_version,
        form_token=form_token(app, SIGN_UP_SCOPE, now=now),
        zones=zones(),
    )


def consent_text(app: App) -> str:
    """The consent wording as the form shows it, clinic and topic filled in."""
    return app.config.consent_text.replace("{clinic}", app.plan.clinic.name).replace(
        "{topic}", app.renderer.topic
    )


def sign_up(app: App, form: SignUpForm, *, ip: str, now: datetime) -> None:
    """Record a sign-up and queue the opt-in email; the same silence whatever the address.

    The form's token is our sign-up page's (two hours), or the embedded form's (`drip
    form-snippet`; it does not expire: it is public, in the clinic's page, and tells only which
    form was used; the web app checks where such a post comes from). Raises Forbidden (no
    token of ours), RateLimited (this client, too often), FormProblems (what to fix, by field)."""
    embedded = _embedded(app, form.form_token, now=now)
    limit_client(app, ip, now=now)
    email, first_name, cause, timezone = _checked(app, form)
    if form.honeypot:
        return  # a bot: answered as a person is, recorded nowhere
    address_key = app.store.address_key(email)
    resend = app.store.hit(address_key, now=now, window=ADDRESS_WINDOW, limit=1) is None
    app.store.sign_up(
        email=email,
        first_name=first_name,
        cause=cause,
        timezone=timezone,
        consent=store.Consent(
            source="web:embedded form" if embedded else "web:sign-up page",
            text=consent_text(app),
            ip=ip,
            version=app.config.consent_version,
        ),
        now=now,
        resend=resend,
    )


def _embedded(app: App, token: str, *, now: datetime) -> bool:
    try:
        check_form(app, SIGN_UP_SCOPE, token, now=now)
    except Forbidden:
        check_form(app, EMBED_SCOPE, token, now=now, lifetime=None)
        return True
    return False


def _checked(app: App, form: SignUpForm) -> tuple[str, str, str, str]:
    problems: dict[str, str] = {}
    values = {name: getattr(form, name) for name in ("email", "first_name", "cause", "timezone")}
    for name, value in values.items():
        if len(value) > MAX_FIELD:
            problems[name] = f"This is too long (at most {MAX_FIELD} characters)."
    for name in ("email", "first_name"):
        if any(contacts.is_control(ch) for ch in values[name]):  # refused, not tidied away
            problems.setdefault(name, CONTROL[name])
    email = first_name = ""
    try:
        email = contacts.normalise(form.email)
    except contacts.BadAddress as exc:
        problems.setdefault(
            "email", f"Enter an email address, like ana@example.com ({exc.reason})."
        )
    try:
        first_name = contacts.first_name(form.first_name)
    except errors.InvalidInput:
        problems.setdefault("first_name", f"Use at most {contacts.MAX_NAME} characters.")
    if app.plan.cause(form.cause) is None:
        problems.setdefault("cause", "Choose one of the answers.")
    timezone = form.timezone.strip() or app.plan.clinic.timezone
    if timezone not in zones():
        problems.setdefault("timezone", "Choose a time zone from the list, like Europe/Lisbon.")
    if not form.consent:
        problems["consent"] = "Tick the box to agree: we email only those who say yes."
    if problems:
        raise FormProblems({name: problems[name] for name in FIELDS if name in problems})
    return email, first_name, form.cause, timezone


def limit_client(app: App, ip: str, *, now: datetime) -> None:
    """RateLimited when this client sent too many requests lately."""
    key = app.store.client_key(ip)
    wait = app.store.hit(key, now=now, window=CLIENT_WINDOW, limit=CLIENT_LIMIT)
    if wait is not None:
        raise RateLimited(wait)


def zones() -> tuple[str, ...]:
    return _ZONES


_ZONES = tuple(sorted(z for z in zoneinfo.available_timezones() if "/" in z or z == "UTC"))


# --- links ---------------------------------------------------------------------------------
def read_link(app: App, purpose: tokens.Purpose, token: str, *, now: datetime) -> Link:
    """The subscriber a link names (None: erased since); InvalidInput for a forged or mangled
    token. A confirmation link older than DRIP_CONFIRM_LINK_DAYS is `expired`."""
    max_age = (
        timedelta(days=app.config.confirm_link_days) if purpose is tokens.Purpose.CONFIRM else None
    )
    expired = False
    try:
        uid = tokens.read(app.keys, purpose, token, now=now, max_age=max_age)
    except tokens.Expired as old:
        uid, expired = old.uid, True
    return Link(token=token, subscriber=app.store.subscriber_by_uid(uid), expired=expired)


def link_form_token(app: App, link: Link, *, now: datetime) -> str:
    """The anti-forgery token the forms of a link's page carry."""
    return form_token(app, _scope(link), now=now)


def preferences_url(app: App, uid: str, *, now: datetime) -> str:
    return tokens.links(app.keys, app.base_url, uid, now=now)[1]


def unsubscribe_url(app: App, uid: str, *, now: datetime) -> str:
    return tokens.links(app.keys, app.base_url, uid, now=now)[0]


def confirm(app: App, link: Link, *, form_token: str, ip: str, now: datetime) -> None:
    """The patient pressed Confirm: active, consent's confirmation recorded, first step queued."""
    check_form(app, _scope(link), form_token, now=now)
    if link.subscriber is None or link.expired:
        raise errors.InvalidInput("This link can no longer confirm: ask for a new one.")
    subscriptions.confirm(app, link.subscriber.uid, now=now, ip=ip)


def resend(app: App, link: Link, *, form_token: str, ip: str, now: datetime) -> None:
    """A new opt-in email for an expired link (at most one an hour per address)."""
    check_form(app, _scope(link), form_token, now=now)
    limit_client(app, ip, now=now)
    who = link.subscriber
    if who is None or who.state is not store.SubscriberState.PENDING:
        return
    key = app.store.address_key(who.email)
    if app.store.hit(key, now=now, window=ADDRESS_WINDOW, limit=1) is None:
        app.store.resend_confirmation(who.uid, now=now)


def unsubscribe(app: App, link: Link, *, now: datetime) -> None:
    """One click: nothing more is sent. Idempotent; an erased patient is already gone."""
    who = link.subscriber
    if who is None or who.state in (
        store.SubscriberState.UNSUBSCRIBED,
        store.SubscriberState.BOUNCED,
    ):
        return
    app.store.set_state(
        who.uid, store.SubscriberState.UNSUBSCRIBED, now=now, event=store.EventKind.UNSUBSCRIBED
    )


# --- preferences ---------------------------------------------------------------------------
def preferences(app: App, link: Link, *, now: datetime) -> Preferences:
    who = _present(link)
    return Preferences(
        subscriber=who,
        causes=app.plan.causes,
        zones=zones(),
        form_token=form_token(app, _scope(link), now=now),
    )


def change_cause(app: App, link: Link, cause: str, *, form_token: str, now: datetime) -> None:
    check_form(app, _scope(link), form_token, now=now)
    if app.plan.cause(cause) is None:
        raise FormProblems({"cause": "Choose one of the answers."})
    subscriptions.change_cause(app, _present(link).uid, cause, now=now)


def change_timezone(app: App, link: Link, timezone: str, *, form_token: str, now: datetime) -> None:
    check_form(app, _scope(link), form_token, now=now)
    if timezone.strip() not in zones():
        raise FormProblems({"timezone": "Choose a time zone from the list, like Europe/Lisbon."})
    app.store.set_timezone(_present(link).uid, timezone.strip(), now=now)


def pause(app: App, link: Link, *, paused: bool, form_token: str, now: datetime) -> None:
    """Pause (nothing is sent; what is queued waits) or resume."""
    check_form(app, _scope(link), form_token, now=now)
    who = _present(link)
    if who.state not in (store.SubscriberState.ACTIVE, store.SubscriberState.PAUSED):
        raise errors.InvalidInput("Only a confirmed subscription can be paused or resumed.")
    state = store.SubscriberState.PAUSED if paused else store.SubscriberState.ACTIVE
    app.store.set_state(who.uid, state, now=now)


def erase(app: App, link: Link, *, form_token: str, now: datetime) -> None:
    """Delete everything drip holds about them but a keyed hash of the address."""
    check_form(app, _scope(link), form_token, now=now)
    app.store.erase(_present(link).uid, now=now)


def data(app: App, link: Link, *, form_token: str, now: datetime) -> dict[str, object]:
    check_form(app, _scope(link), form_token, now=now)
    return app.store.data_of(_present(link).uid)


def _present(link: Link) -> store.Subscriber:
    if link.subscriber is None:
        raise errors.NotFound("There is nothing of yours here any more: your data was erased.")
    return link.subscriber


# --- anti-forgery tokens -------------------------------------------------------------------
def form_token(app: App, scope: str, *, now: datetime) -> str:
    """A token that a form of ours carries back: signed, naming the form (and its link)."""
    return tokens.make(app.keys, tokens.Purpose.FORM, scope, now=now)


def check_form(
    app: App, scope: str, token: str, *, now: datetime, lifetime: timedelta | None = FORM_LIFETIME
) -> None:
    try:
        said = tokens.read(app.keys, tokens.Purpose.FORM, token, now=now, max_age=lifetime)
    except errors.InvalidInput:
        raise Forbidden() from None
    if said != scope:
        raise Forbidden()


def _scope(link: Link) -> str:
    """A link's forms carry a token naming that link: one page's token posts no other page."""
    return "link:" + link.token[-16:]
