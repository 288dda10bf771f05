"""`drip preview`'s local server: the site on 127.0.0.1, rebuilt when its files change.

    with PreviewServer(cfg, start=start, port=0) as server:   # port 0: any free port
        server.url                                             # http://127.0.0.1:PORT/

A watcher thread compares the inputs' sizes and modification times (`preview.inputs`) every
`poll` seconds and rebuilds the site when they change; `GET /_version` answers the version
served, and each page's `live.js` reloads the page when it differs. The server listens on the
loopback interface only: the preview is the marketer's own, never a public site. A rebuild
never stops it: `drip check`'s problems are drawn into the pages instead.
"""

from __future__ import annotations

import logging
import threading
from datetime import datetime
from http import server as http_server
from typing import Any

from drip import config, errors
from drip.service import preview

log = logging.getLogger("drip.preview")

HOST = "127.0.0.1"
TYPES = {
    ".html": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
}


class PreviewServer:
    def __init__(
        self, cfg: config.Config, *, start: datetime, port: int = 0, poll: float = 0.3
    ) -> None:
        self.cfg = cfg
        self.start = start
        self.poll = poll
        self.site = preview.build(cfg, start=start, live=True)
        self.rebuilds = 0
        self._stop = threading.Event()
        try:
            self._httpd = http_server.ThreadingHTTPServer((HOST, port), _handler(self))
        except OSError as exc:
            raise errors.UsageError(
                f"--port {port}: cannot listen on it ({exc.strerror or exc}): choose another "
                "port, or 0 for any free one"
            ) from None
        self._threads: list[threading.Thread] = []

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self._httpd.server_address[1]}/"

    def refresh(self) -> bool:
        """Rebuild the site if its files changed since it was built; True when it did."""
        if preview.version_of(preview.inputs(self.cfg)) == self.site.version:
            return False
        self.site = preview.build(self.cfg, start=self.start, live=True)
        self.rebuilds += 1
        log.info("rebuilt the preview (%d problems)", self.site.problems)
        return True

    def serve_forever(self) -> None:
        """Serve and watch until `shutdown` (or KeyboardInterrupt)."""
        watcher = threading.Thread(target=self._watch, name="drip-preview-watch", daemon=True)
        watcher.start()
        try:
            self._httpd.serve_forever(poll_interval=0.2)
        finally:
            self._stop.set()
            watcher.join()
            self._httpd.server_close()

    def shutdown(self) -> None:
        self._stop.set()
        self._httpd.shutdown()

    def __enter__(self) -> PreviewServer:
        thread = threading.Thread(target=self.serve_forever, name="drip-preview", daemon=True)
        thread.start()
        self._threads.append(thread)
        return self

    def __exit__(self, *exc: object) -> None:
        self.shutdown()
        for thread in self._threads:
            thread.join()

    def _watch(self) -> None:
        while not self._stop.wait(self.poll):
            self.refresh()


def _handler(owner: PreviewServer) -> type[http_server.BaseHTTPRequestHandler]:
    class Handler(http_server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # the name http.server calls
            path = self.path.split("?", 1)[0].split("#", 1)[0].lstrip("/") or "index.html"
            site = owner.site
            if path == "_version":
                self._answer(200, site.version.encode(), "text/plain; charset=utf-8")
            elif path in site.files:
                suffix = path[path.rfind(".") :]
                self._answer(200, site.files[path], TYPES.get(suffix, "application/octet-stream"))
            else:
                self._answer(404, b"Not in the preview.", "text/plain; charset=utf-8")

        def _answer(self, status: int, body: bytes, kind: str) -> None:
            try:
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.send_header("Cache-Control", "no-store")
                self.end_headers()
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the browser left the page (a reload cuts its /_version poll short)

        def log_message(self, format: str, *args: Any) -> None:
            log.debug(format, *args)

    return Handler
