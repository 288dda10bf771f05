"""What every response of the web app carries, and what every request may not exceed.

- Security headers on every response: a strict Content-Security-Policy (scripts, styles and
  forms of this site only; no framing), `Referrer-Policy: no-referrer` (links carry tokens,
  which must not leak through Referer), `X-Content-Type-Options: nosniff`, and `no-store` on
  pages (a token page is never cached).
- A request body over MAX_BODY bytes gets 413 before it is read whole.
- One log line per request: method, the route's template (`/u/{token}`, never the token),
  status and milliseconds. No address, no token, no cause.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

log = logging.getLogger("drip.web")

MAX_BODY = 32 * 1024  # bytes: a sign-up is a few hundred
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"referrer-policy", b"no-referrer"),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=(), interest-cohort=()"),
]

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


class TooLarge(Exception):
    """The request body passed MAX_BODY."""


class Guard:
    """ASGI middleware: security headers, the body limit, the request log line."""

    def __init__(self, app: ASGIApp, *, routes: dict[object, str]) -> None:
        self.app = app
        self.routes = routes  # endpoint → its path template, for the log line

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started, status = time.perf_counter(), [0]
        declared = dict(scope.get("headers", [])).get(b"content-length", b"0")
        if not declared.isdigit() or int(declared) > MAX_BODY:
            await _plain(send, 413, "Request too large.")
            return self._log(scope, 413, started)

        async def receive_limited() -> Message:
            message = await receive()
            seen[0] += len(message.get("body", b""))
            if seen[0] > MAX_BODY:
                raise TooLarge
            return message

        async def send_guarded(message: Message) -> None:
            if message["type"] == "http.response.start":
                status[0] = message["status"]
                static = scope["path"].startswith("/static/")
                cache = b"public, max-age=3600" if static else b"no-store"
                message["headers"] = [
                    *message.get("headers", []),
                    *HEADERS,
                    (b"cache-control", cache),
                ]
            await send(message)

        seen = [0]
        try:
            await self.app(scope, receive_limited, send_guarded)
        except TooLarge:
            await _plain(send, 413, "Request too large.")
            status[0] = 413
        self._log(scope, status[0], started)

    def _log(self, scope: Scope, status: int, started: float) -> None:
        if scope["path"].startswith("/static/"):
            route = "/static/…"
        else:
            route = self.routes.get(scope.get("endpoint"), "(no route)")
        ms = round((time.perf_counter() - started) * 1000, 1)
        fields = {"method": scope["method"], "route": route, "status": status, "ms": ms}
        log.info("%s %s %d %.0fms", scope["method"], route, status, ms, extra={"fields": fields})


async def _plain(send: Send, status: int, text: str) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", b"text/plain; charset=utf-8"), *HEADERS],
        }
    )
    await send({"type": "http.response.body", "body": text.encode()})
