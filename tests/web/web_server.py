"""`drip serve`'s app on a real uvicorn server in a thread, on a free loopback port.

    with WebServer(cfg) as server:
        httpx.get(server.url + "/")

The server runs the app exactly as `drip serve` builds it (`drip.web.create`), over real HTTP:
what the tests read is what a browser or a mail provider would get.
"""

from __future__ import annotations

import socket
import threading
import time

import uvicorn

from drip import config, web


class WebServer:
    def __init__(self, cfg: config.Config, *, port: int | None = None) -> None:
        self.app = web.create(cfg)
        self.port = port or free_port()
        self.server = uvicorn.Server(
            web.server_config(self.app, cfg, host="127.0.0.1", port=self.port)
        )
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> WebServer:
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            assert self.thread.is_alive(), "the web server died at start-up"
            assert time.monotonic() < deadline, "the web server did not start"
            time.sleep(0.01)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(10)
        self.app.state.drip.close()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port
