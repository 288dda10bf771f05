"""Opens and clicks, only when the clinic turns them on (DRIP_TRACKING=on; off by default).

Off by default because the emails are about a patient's health: an open tells whoever holds
the data that this patient read about their condition, and when. On, each step's email (never
the opt-in email: nobody has agreed to anything yet) carries

- an open pixel, `{base_url}/o/{token}`, whose token names the delivery (its opaque uid);
- its links rewritten to `{base_url}/r/{token}`, whose token names the delivery and the link's
  id (a hash of the URL), never the URL itself. The web app redirects to the URL kept under
  that id when the email was sent (`Store.keep_links`): only where drip's own email pointed,
  never to a URL taken from the request.

Tokens are signed like every link (`drip.tokens`). A link of a tracked email keeps working
when tracking is turned off; nothing more is counted. Mail scanners fetch pixels and follow
links too, so the counts are upper bounds.
"""

from __future__ import annotations

import dataclasses
import html
import re
from collections.abc import Iterable
from datetime import datetime
from typing import Protocol
from urllib.parse import urlsplit

from drip import errors, rendering, store, tokens
from drip.service.app import App

# An absolute link of the email; one holding a personal placeholder is left as it is (its URL
# differs per patient, and a link id names one URL for everyone).
_HREF = re.compile(r'href="(https?://(?:(?!%%drip:)[^"])+)"')
_PIXEL = (
    '<img src="{url}" width="1" height="1" alt="" '
    'style="display:block;width:1px;height:1px;border:0;overflow:hidden">'
)


class LinkBook(Protocol):
    """Keeps the links of tracked emails by id (the store)."""

    def keep_links(self, urls: Iterable[str], *, now: datetime) -> dict[str, str]: ...


class Tracker:
    """Rewrites a rendered step for one delivery: its links through the redirect, a pixel."""

    def __init__(self, *, links: LinkBook, keys: tokens.Keys, base_url: str) -> None:
        self.links = links
        self.keys = keys
        self.base_url = base_url.rstrip("/")
        self._ids: dict[str, str] = {}  # url → link id, kept once per process

    def track(
        self, rendered: rendering.RenderedStep, *, delivery_uid: str, now: datetime
    ) -> rendering.RenderedStep:
        urls = [html.unescape(url) for url in _HREF.findall(rendered.html)]
        new = [url for url in dict.fromkeys(urls) if url not in self._ids]
        if new:
            self._ids.update(self.links.keep_links(new, now=now))

        def through(match: re.Match[str]) -> str:
            link = self._ids[html.unescape(match.group(1))]
            token = tokens.make(self.keys, tokens.Purpose.CLICK, f"{delivery_uid}.{link}", now=now)
            return f'href="{self.base_url}/{tokens.Purpose.CLICK.value}/{token}"'

        opened = tokens.make(self.keys, tokens.Purpose.OPEN, delivery_uid, now=now)
        pixel = _PIXEL.format(url=f"{self.base_url}/{tokens.Purpose.OPEN.value}/{opened}")
        page = _HREF.sub(through, rendered.html)
        end = page.rfind("</body>")
        page = page + pixel if end < 0 else page[:end] + pixel + page[end:]
        return dataclasses.replace(rendered, html=page)


def opened(app: App, token: str, *, now: datetime) -> None:
    """The open pixel was fetched: counted when tracking is on and the token is ours."""
    try:
        delivery_uid = tokens.read(app.keys, tokens.Purpose.OPEN, token, now=now)
    except errors.InvalidInput:
        return
    if app.config.tracking:
        app.store.record_hit(delivery_uid, store.TrackingKind.OPENED, now=now)


def clicked(app: App, token: str, *, now: datetime) -> str | None:
    """Where a tracked link leads (None: not a link of ours), counted when tracking is on."""
    try:
        payload = tokens.read(app.keys, tokens.Purpose.CLICK, token, now=now)
    except errors.InvalidInput:
        return None
    delivery_uid, _, link = payload.partition(".")
    url = app.store.link_url(link)
    if url is None or urlsplit(url).scheme not in ("https", "http"):
        return None
    if app.config.tracking:
        app.store.record_hit(delivery_uid, store.TrackingKind.CLICKED, now=now, link=link)
    return url
