"""The workspace as an ASGI application: the pages of each area mounted on the framework pieces of
:mod:`service.web.app`. Kept apart so that the pages import the framework, and only this module imports
the pages."""

from __future__ import annotations

import logging
import secrets
from typing import TYPE_CHECKING, Any, Callable

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles

from . import deadlines_calendar, graph_notify, oidc as entra, routes, signin
from .app import HERE, Web, _environment, _plain
from .security import RateLimit, SecurityHeaders, Signer, session_key
from .sessions import Sessions, utc_now

if TYPE_CHECKING:
    from service.bootstrap import App

log = logging.getLogger("review_clerk.web")


def create_app(application: "App", *, now: Callable = utc_now, oidc: Any = None) -> Starlette:
    """The workspace for ``application``; ``now`` is the wall clock of sessions and links (tests move it)."""
    settings = application.settings
    web = Web(app=application, sessions=Sessions(application.db, now),
              signer=Signer(session_key(settings.web.session_key_file)), env=_environment(settings),
              limiter=RateLimit(settings.web.sign_in_attempts_per_minute), oidc=oidc)
    if oidc is None and settings.web.entra_sign_in:
        from .oidc import build

        web.oidc = build(settings)

    async def server_error(request: Request, exc: Exception) -> Response:
        reference = secrets.token_hex(4).upper()
        route = request.scope.get("route")
        log.error("web request failed", exc_info=exc,
                  extra={"error_reference": reference, "route": getattr(route, "path", "?"),
                         "error": exc.__class__.__name__})
        body = web.env.get_template("error.html").render(person=None, csrf="", board=settings.board, entra=False,
                                                         title="Something went wrong", reference=reference)
        return HTMLResponse(body, status_code=500)

    async def not_found(request: Request, exc: Exception) -> Response:
        return _plain(web, "Page not found", "There is no such page here.", 404)

    starlette = Starlette(
        routes=[*signin.ROUTES, *entra.ROUTES, *routes.ROUTES, *deadlines_calendar.ROUTES, *graph_notify.ROUTES, Mount("/static", app=StaticFiles(directory=str(HERE / "static")), name="static")],
        exception_handlers={500: server_error, 404: not_found},
    )
    starlette.state.web = web
    starlette.add_middleware(SecurityHeaders, hsts=settings.web.secure)
    return starlette

