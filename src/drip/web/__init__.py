"""`drip serve`: the patients' web app (Starlette, served by uvicorn), a shell over the service.

    app = web.create(config.load())      # an ASGI app; the service world opened at start-up
    web.serve(config.load(), host="127.0.0.1", port=8080)

Pages are Jinja2 templates in DRIP_WEB_TEMPLATES (`templates/web/`), autoescaped; static files
in its `static/`. It runs as a process of its own against the same database as `drip run`.
"""

from __future__ import annotations

import contextlib
import logging
import signal
from collections.abc import AsyncIterator
from types import FrameType

import jinja2
import uvicorn
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates

from drip import config, errors, logs
from drip.service import app as app_module
from drip.service import operations
from drip.web import guard, pages, tracking

log = logging.getLogger("drip.web")


def create(cfg: config.Config, *, opened: app_module.App | None = None) -> Starlette:
    """The web app over `cfg` (or over an already opened service world)."""
    cfg.signing_keys()  # refuse to start without a key: every page reads or mints a link
    world = opened or app_module.open_app(cfg)
    folder = cfg.web_templates
    if not (folder / "base.html").is_file():
        raise errors.ConfigError(
            f"DRIP_WEB_TEMPLATES: {folder} holds no base.html: run drip serve from the drip "
            "checkout, or point DRIP_WEB_TEMPLATES at its templates/web"
        )

    @contextlib.asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        yield
        if opened is None:
            world.close()

    served = [*pages.ROUTES, *tracking.ROUTES]
    routes = [*served, Mount("/static", StaticFiles(directory=folder / "static"), name="static")]
    app = Starlette(
        routes=routes,
        middleware=[Middleware(guard.Guard, routes={r.endpoint: r.path for r in served})],
        exception_handlers={errors.DripError: _drip_error, Exception: _crash, 404: _not_found},
        lifespan=lifespan,
    )
    # No route of drip's ends in a slash: a path that does (a token with a "/" in it) is not
    # found, never redirected (the one-click unsubscribe must not redirect, RFC 8058).
    app.router.redirect_slashes = False
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(folder), autoescape=True, undefined=jinja2.StrictUndefined
    )
    app.state.templates = Jinja2Templates(env=env)
    app.state.drip = world
    return app


async def _drip_error(request: Request, exc: Exception) -> Response:
    return pages.problem_page(request, exc)


async def _crash(request: Request, exc: Exception) -> Response:
    log.error("unexpected %s on %s", type(exc).__name__, request.method)  # never the path
    return pages.problem_page(request, exc)


async def _not_found(request: Request, exc: Exception) -> Response:
    return pages.message(request, "Page not found", "There is no such page.", status=404)


def server_config(app: Starlette, cfg: config.Config, *, host: str, port: int) -> uvicorn.Config:
    """How uvicorn serves the app: behind the proxies of DRIP_FORWARDED_ALLOW_IPS, no access
    log (the guard logs each request without its token), drip's logging, no Server header."""
    return uvicorn.Config(
        app,
        host=host,
        port=port,
        proxy_headers=True,
        forwarded_allow_ips=cfg.forwarded_allow_ips,
        access_log=False,
        log_config=None,
        server_header=False,
    )


def serve(cfg: config.Config, *, host: str, port: int, dispatch_every: float | None = None) -> None:
    """Serve until SIGTERM or SIGINT (uvicorn stops gracefully). `dispatch_every`: also send
    what is due, every so many seconds, in a thread (`drip demo --serve`; in production the
    daemon `drip run` does that, in a process of its own)."""
    logs.configure(cfg.log_format)
    app = create(cfg)
    log.info("drip serve: http://%s:%d, base URL %s", host, port, app.state.drip.base_url)
    # uvicorn stops gracefully on SIGTERM and SIGINT, then raises the signal again to the
    # handler it found: a stop asked for is a clean exit (0), for systemd and for Ctrl-C.
    signal.signal(signal.SIGTERM, _stopped)
    with (
        operations.background_dispatch(cfg, every=dispatch_every),
        contextlib.suppress(KeyboardInterrupt),
    ):
        uvicorn.Server(server_config(app, cfg, host=host, port=port)).run()
    log.info("drip serve: stopped")


def _stopped(_signum: int, _frame: FrameType | None) -> None:
    raise SystemExit(0)
