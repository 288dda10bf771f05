"""The patients' pages: each handler reads the request, makes one service call, draws a page.

    GET  /                      the sign-up form            POST /subscribe
    GET  /thanks                "check your inbox"
    GET  /c/{token}             a page with one Confirm button (a GET never changes anything)
    POST /c/{token}             confirm                     POST /c/{token}/resend
    GET  /u/{token}             a page with one Unsubscribe button
    POST /u/{token}             RFC 8058 one-click unsubscribe: no cookie, no form token
    GET  /p/{token}             preferences                 POST /p/{token}/{action}
    GET  /healthz               the database answers

Service calls are synchronous (SQLAlchemy): they run in Starlette's thread pool.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route
from starlette.templating import Jinja2Templates

from drip import clock, errors
from drip.service import operations, patients
from drip.service.app import App
from drip.service.patients import Purpose

ACTIONS = ("cause", "timezone", "pause", "resume", "erase", "data")


def app_of(request: Request) -> App:
    found: App = request.app.state.drip
    return found


def templates_of(request: Request) -> Jinja2Templates:
    found: Jinja2Templates = request.app.state.templates
    return found


def page(request: Request, name: str, context: dict[str, Any], *, status: int = 200) -> Response:
    app = app_of(request)
    base = {
        "problems": None,
        "clinic": app.plan.clinic.name,
        "postal_address": app.plan.clinic.postal_address,
        "topic": app.renderer.topic,
    }
    return templates_of(request).TemplateResponse(
        request, name, {**base, **context}, status_code=status
    )


def message(
    request: Request,
    title: str,
    *paragraphs: str,
    status: int = 200,
    action: dict[str, str] | None = None,
    link: dict[str, str] | None = None,
) -> Response:
    context = {"title": title, "paragraphs": paragraphs, "action": action, "link": link}
    return page(request, "message.html", context, status=status)


async def call(function: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    return await run_in_threadpool(function, *args, **kwargs)


def same_site(request: Request) -> None:
    """Forbidden for a form posted from another site: a browser says where a post comes from
    (Origin); drip's own pages are at its base URL (or the address the request came to)."""
    origin = request.headers.get("origin")
    if origin in (None, "null"):
        # Not a browser; or a browser on a page with `Referrer-Policy: no-referrer` (ours
        # are), which says "null": the form token decides alone, as it always does too.
        return
    app = app_of(request)
    own = {_origin_of(app.base_url), _origin_of(str(request.base_url))}
    if origin.rstrip("/") not in own:
        raise patients.Forbidden()


def _origin_of(url: str) -> str:
    scheme, _, rest = url.partition("://")
    return f"{scheme}://{rest.split('/', 1)[0]}"


def client(request: Request) -> str:
    """The client's address (from a trusted proxy's X-Forwarded-For when behind one)."""
    return request.client.host if request.client else "unknown"


# --- sign-up -------------------------------------------------------------------------------
async def sign_up_form(request: Request) -> Response:
    app = app_of(request)
    shown = await call(patients.sign_up_page, app, now=clock.utcnow())
    return page(request, "signup.html", {"page": shown, "form": patients.SignUpForm()})


async def subscribe(request: Request) -> Response:
    app = app_of(request)
    fields = await request.form(max_files=0, max_fields=20, max_part_size=4096)
    form = patients.SignUpForm(
        email=_text(fields.get("email")),
        first_name=_text(fields.get("first_name")),
        cause=_text(fields.get("cause")),
        timezone=_text(fields.get("timezone")),
        consent=_text(fields.get("consent")) != "",
        honeypot=_text(fields.get("website")),
        form_token=_text(fields.get("form_token")),
    )
    if request.headers.get("origin") not in app.config.allowed_origins:
        same_site(request)  # a post from another site, unless it is a clinic's own page
    try:
        await call(patients.sign_up, app, form, ip=client(request), now=clock.utcnow())
    except patients.FormProblems as exc:
        shown = await call(patients.sign_up_page, app, now=clock.utcnow())
        context = {"page": shown, "form": form, "problems": exc.problems}
        return page(request, "signup.html", context, status=400)
    return RedirectResponse("/thanks", status_code=303)


async def thanks(request: Request) -> Response:
    return message(
        request,
        "Check your inbox",
        "We have sent you an email with a link to confirm. Open it and press Confirm: your "
        "tips start after that.",
        "Nothing there after a few minutes? Look in your spam or promotions folder.",
    )


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""


# --- double opt-in -------------------------------------------------------------------------
async def confirm_page(request: Request) -> Response:
    app, token = app_of(request), request.path_params["token"]
    link = await call(patients.read_link, app, Purpose.CONFIRM, token, now=clock.utcnow())
    token_for_forms = await call(patients.link_form_token, app, link, now=clock.utcnow())
    who = link.subscriber
    if who is None:
        return message(
            request,
            "This subscription no longer exists",
            "Its data was erased. You can sign up again.",
            link={"url": "/", "label": "Sign up"},
            status=410,
        )
    if who.state.value in ("active", "paused"):
        return message(request, "You are subscribed", "Your subscription is confirmed already.")
    if who.state.value != "pending":
        return message(
            request,
            "This link is no longer valid",
            "You left this list. To receive the tips again, sign up again.",
            link={"url": "/", "label": "Sign up"},
        )
    if link.expired:
        return message(
            request,
            "This link has expired",
            f"Confirmation links work for {app.config.confirm_link_days} days. "
            "Ask for a new one and we will email it to you.",
            action={
                "url": f"/c/{token}/resend",
                "label": "Email me a new link",
                "token": token_for_forms,
            },
        )
    return message(
        request,
        "Confirm your subscription",
        f"Press the button to start receiving tips from {app.plan.clinic.name}.",
        action={"url": f"/c/{token}", "label": "Confirm", "token": token_for_forms},
    )


async def confirm(request: Request) -> Response:
    app, token = app_of(request), request.path_params["token"]
    same_site(request)
    fields = await request.form(max_files=0, max_fields=5, max_part_size=4096)
    now = clock.utcnow()
    link = await call(patients.read_link, app, Purpose.CONFIRM, token, now=now)
    await call(
        patients.confirm,
        app,
        link,
        form_token=_text(fields.get("form_token")),
        ip=client(request),
        now=now,
    )
    return message(
        request,
        "You are subscribed",
        "Thank you. Your first tip is on its way.",
        "Every email has a link to change your preferences or to unsubscribe.",
    )


async def resend(request: Request) -> Response:
    app, token = app_of(request), request.path_params["token"]
    same_site(request)
    fields = await request.form(max_files=0, max_fields=5, max_part_size=4096)
    now = clock.utcnow()
    link = await call(patients.read_link, app, Purpose.CONFIRM, token, now=now)
    await call(
        patients.resend,
        app,
        link,
        form_token=_text(fields.get("form_token")),
        ip=client(request),
        now=now,
    )
    return message(
        request,
        "Check your inbox",
        "If your subscription is still waiting to be confirmed, a new link is on its "
        "way. It may take a few minutes.",
    )


# --- unsubscribe ---------------------------------------------------------------------------
async def unsubscribe_page(request: Request) -> Response:
    app, token = app_of(request), request.path_params["token"]
    link = await call(patients.read_link, app, Purpose.UNSUBSCRIBE, token, now=clock.utcnow())
    who = link.subscriber
    if who is None or who.state.value in ("unsubscribed", "bounced"):
        return message(request, "You are unsubscribed", "We will not email you again.")
    preferences = await call(patients.preferences_url, app, who.uid, now=clock.utcnow())
    return message(
        request,
        "Unsubscribe",
        f"Press the button and {app.plan.clinic.name} will not email you again.",
        action={"url": f"/u/{token}", "label": "Unsubscribe"},
        link={"url": preferences, "label": "Or change what we send you"},
    )


async def unsubscribe(request: Request) -> Response:
    """RFC 8058: a POST from the mail client or the page's button, any body, no cookie, no
    form token. Committed before the 200, never a redirect, the same answer every time."""
    app, token = app_of(request), request.path_params["token"]
    await request.body()  # "List-Unsubscribe=One-Click", or anything: read, and not needed
    now = clock.utcnow()
    link = await call(patients.read_link, app, Purpose.UNSUBSCRIBE, token, now=now)
    await call(patients.unsubscribe, app, link, now=now)
    return message(request, "You are unsubscribed", "We will not email you again.")


# --- preferences ---------------------------------------------------------------------------
async def preferences_page(request: Request) -> Response:
    return await _preferences(request)


async def _preferences(
    request: Request, *, notice: str = "", problems: dict[str, str] | None = None, status: int = 200
) -> Response:
    app, token = app_of(request), request.path_params["token"]
    now = clock.utcnow()
    link = await call(patients.read_link, app, Purpose.PREFERENCES, token, now=now)
    prefs = await call(patients.preferences, app, link, now=now)
    context = {
        "prefs": prefs,
        "base": f"/p/{token}",
        "notice": notice,
        "problems": problems,
        "unsubscribe": await call(patients.unsubscribe_url, app, prefs.subscriber.uid, now=now),
    }
    return page(request, "preferences.html", context, status=status)


async def change(request: Request) -> Response:
    app, token = app_of(request), request.path_params["token"]
    action = request.path_params["action"]
    if action not in ACTIONS:
        return message(request, "Page not found", "There is no such page.", status=404)
    same_site(request)
    fields = await request.form(max_files=0, max_fields=10, max_part_size=4096)
    form_token = _text(fields.get("form_token"))
    now = clock.utcnow()
    link = await call(patients.read_link, app, Purpose.PREFERENCES, token, now=now)
    try:
        if action == "data":
            data = await call(patients.data, app, link, form_token=form_token, now=now)
            body = json.dumps(data, indent=2, ensure_ascii=False)
            disposition = 'attachment; filename="my-data.json"'
            return Response(
                body, media_type="application/json", headers={"content-disposition": disposition}
            )
        if action == "erase":
            if _text(fields.get("sure")) == "":
                problem = {"sure": "Tick the box to confirm that you want your data erased."}
                return await _preferences(request, problems=problem, status=400)
            await call(patients.erase, app, link, form_token=form_token, now=now)
            return message(
                request,
                "Your data is erased",
                "We deleted your address, name, answers, consent record, email history "
                "(every email, open and click) and the counters of your sign-ups.",
                "We kept one thing: a keyed hash of your address, from which the address "
                "cannot be read back, so that we never email you again. If you sign up again, "
                "it goes.",
            )
        notice = await _change(app, link, action, fields, form_token)
    except patients.FormProblems as exc:
        return await _preferences(request, problems=exc.problems, status=400)
    return await _preferences(request, notice=notice)


async def _change(app: App, link: patients.Link, action: str, fields: Any, form_token: str) -> str:
    now = clock.utcnow()
    if action == "cause":
        await call(
            patients.change_cause,
            app,
            link,
            _text(fields.get("cause")),
            form_token=form_token,
            now=now,
        )
        return "Saved: your tips follow your new answer."
    if action == "timezone":
        await call(
            patients.change_timezone,
            app,
            link,
            _text(fields.get("timezone")),
            form_token=form_token,
            now=now,
        )
        return "Saved: your time zone."
    paused = action == "pause"
    await call(patients.pause, app, link, paused=paused, form_token=form_token, now=now)
    return "Your emails are paused." if paused else "Your emails are back on."


# --- health --------------------------------------------------------------------------------
async def healthz(request: Request) -> Response:
    health = await call(operations.health, app_of(request), now=clock.utcnow())
    return JSONResponse(health, status_code=200 if health["ok"] else 503)


ROUTES = [
    Route("/", sign_up_form, methods=["GET"]),
    Route("/subscribe", subscribe, methods=["POST"]),
    Route("/thanks", thanks, methods=["GET"]),
    Route("/c/{token}", confirm_page, methods=["GET"]),
    Route("/c/{token}", confirm, methods=["POST"]),
    Route("/c/{token}/resend", resend, methods=["POST"]),
    Route("/u/{token}", unsubscribe_page, methods=["GET"]),
    Route("/u/{token}", unsubscribe, methods=["POST"]),
    Route("/p/{token}", preferences_page, methods=["GET"]),
    Route("/p/{token}/{action}", change, methods=["POST"]),
    Route("/healthz", healthz, methods=["GET"]),
]


def problem_page(request: Request, exc: Exception) -> Response:
    """Drip's own errors as pages: what went wrong for the visitor, never a traceback."""
    if isinstance(exc, patients.RateLimited):
        seconds = max(1, int(exc.retry_after.total_seconds()))
        response = message(request, "Too many requests", str(exc), status=429)
        response.headers["retry-after"] = str(seconds)
        return response
    if isinstance(exc, patients.Forbidden):
        return message(
            request,
            "Please try again",
            str(exc),
            status=403,
            link={"url": "/", "label": "Back to the form"},
        )
    if isinstance(exc, errors.NotFound):
        return message(request, "Nothing here", str(exc), status=410)
    if isinstance(exc, errors.InvalidInput):
        return message(request, "This link is not valid", str(exc), status=400)
    return message(request, "Something went wrong", "Please try again later.", status=500)
