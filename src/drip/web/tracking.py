"""The open pixel and the click redirect of tracked emails (DRIP_TRACKING=on).

    GET /o/{token}    a 1×1 transparent GIF; the open is counted when the token is ours
    GET /r/{token}    303 to the URL drip kept under the token's link id; 404 for any other

The redirect goes only to a URL drip itself put in an email, looked up by the signed link id:
never to a URL taken from the request. Both answer the same to a stranger's token as to an
erased patient's, and neither logs the token (the guard logs the route's template).
"""

from __future__ import annotations

import base64

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from drip import clock
from drip.service import tracking
from drip.web import pages

PIXEL = base64.b64decode("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7")


async def pixel(request: Request) -> Response:
    token = request.path_params["token"]
    await pages.call(tracking.opened, pages.app_of(request), token, now=clock.utcnow())
    return Response(PIXEL, media_type="image/gif")


async def follow(request: Request) -> Response:
    token = request.path_params["token"]
    url = await pages.call(tracking.clicked, pages.app_of(request), token, now=clock.utcnow())
    if url is None:
        return pages.message(
            request,
            "Link not found",
            "This link is not one of ours, or it was cut short. Open it again from the email.",
            status=404,
        )
    return RedirectResponse(url, status_code=303)


ROUTES = [
    Route("/o/{token}", pixel, methods=["GET"]),
    Route("/r/{token}", follow, methods=["GET"]),
]
