"""The tracker's rewriting of one rendered step: what it changes, and what it leaves alone."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from drip import rendering, tokens
from drip.service import tracking
from drip.store import tracking as store_tracking

KEYS = ("tracker-test-key-0123456789abcdefghijkl",)
NOW = datetime(2026, 12, 7, 15, 0, tzinfo=UTC)


class Book:
    def __init__(self) -> None:
        self.kept: list[list[str]] = []

    def keep_links(self, urls: Iterable[str], *, now: datetime) -> dict[str, str]:
        self.kept.append(list(urls))
        return {url: store_tracking.link_id(url) for url in self.kept[-1]}


HTML = (
    '<html><body><a href="https://clinic.example/book?a=1&amp;b=2">Book</a>'
    '<a href="%%drip:unsubscribe%%">Unsubscribe</a><a href="tel:+12175550142">Call</a>'
    '<a href="https://clinic.example/hi?n=%%drip:first_name%%">Hi</a></body></html>'
)


def test_links_go_through_the_redirect_by_id_and_a_pixel_is_added() -> None:
    book = Book()
    tracker = tracking.Tracker(links=book, keys=KEYS, base_url="https://tips.example/")
    step = rendering.RenderedStep(subject="s", preheader="p", html=HTML, text="t")
    tracked = tracker.track(step, delivery_uid="d" * 32, now=NOW).html
    assert book.kept == [["https://clinic.example/book?a=1&b=2"]]  # unescaped, once
    token = tracked.split('href="https://tips.example/r/', 1)[1].split('"', 1)[0]
    link = store_tracking.link_id("https://clinic.example/book?a=1&b=2")
    assert tokens.read(KEYS, tokens.Purpose.CLICK, token, now=NOW) == f"{'d' * 32}.{link}"
    assert '<a href="%%drip:unsubscribe%%">' in tracked
    assert '<a href="tel:+12175550142">' in tracked
    assert 'href="https://clinic.example/hi?n=%%drip:first_name%%"' in tracked
    pixel = tracked.split('<img src="https://tips.example/o/', 1)[1].split('"', 1)[0]
    assert tokens.read(KEYS, tokens.Purpose.OPEN, pixel, now=NOW) == "d" * 32
    assert tracked.endswith(
        'alt="" style="display:block;width:1px;height:1px;border:0;overflow:hidden"></body></html>'
    )
    tracker.track(step, delivery_uid="e" * 32, now=NOW)
    assert len(book.kept) == 1  # the links of a step are kept once per process
