"""The ASGI application: routes, the request pipeline, and error pages.

Every route goes through :func:`page`, which, before the handler runs: reads the signed browser and
session cookies, restarts the session's idle clock (or ends it), checks the CSRF token of a POST,
sends a visitor who is not signed in to the sign-in page, and afterwards turns a refusal into the
"not authorised" page (audited) and a person's mistake (a date that is not a date, a deadline already
met) into a page saying so. Anything else is a bug: the person sees a reference, the log has the
traceback under the same reference.

Nothing personal goes into a URL, a page title or a log line: URLs carry case references, deadline
keys and message numbers only; subjects' names appear in page bodies only, and to viewers as initials.
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, Awaitable, Callable

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from service.display import board_time

from .access import Permission, Person, person_of
from .security import RateLimit, Signer
from .sessions import Sessions

if TYPE_CHECKING:
    from service.bootstrap import App

log = logging.getLogger("review_clerk.web")

HERE = Path(__file__).resolve().parent
SESSION_COOKIE = "rc_session"
BROWSER_COOKIE = "rc_browser"

DONE = {  # ?done=<code> after an action: fixed sentences, nothing from the request
    "recorded": "The event is recorded.",
    "decided": "The decision is recorded.",
    "agency": "The agency is added.",
    "due": "The due date is set.",
    "paused": "The deadline is paused.",
    "resumed": "The deadline is resumed.",
    "extended": "The deadline is extended.",
    "met": "The deadline is marked met.",
    "approved": "The letter is approved and sent.",
    "edited": "The letter is changed. Check it, then approve it to send it.",
    "released": "The held message is released.",
    "opened": "The case is opened from the message.",
}


class Refused(Exception):
    """The signed-in person may not do this. ``what`` says what was asked (no personal data)."""

    def __init__(self, what: str):
        super().__init__(what)
        self.what = what


class Problem(Exception):
    """A person's request that cannot be carried out as given; ``str()`` is shown to them."""

    def __init__(self, message: str, status: int = 400, back: str | None = None):
        super().__init__(message)
        self.status = status
        self.back = back


@dataclass
class Web:
    """What the routes share: the service, the sessions, the cookie signer, the templates."""

    app: "App"
    sessions: Sessions
    signer: Signer
    env: Environment
    limiter: RateLimit
    oidc: Any = None  # service.m365.sign_in.EntraSignIn when [web] entra_sign_in is on

    @property
    def settings(self):
        return self.app.settings


@dataclass
class Ctx:
    """One request as a handler sees it."""

    request: Request
    web: Web
    person: Person | None
    session_id: str | None
    browser: str
    form: FormData | None = None
    cookies: list[tuple[str, str, int | None]] = field(default_factory=list)  # to set: name, value, max_age

    @property
    def csrf(self) -> str:
        return self.web.signer.csrf_token(self.browser, self.session_id)

    def require(self, permission: Permission) -> Person:
        if self.person is None or not self.person.may(permission):
            raise Refused(permission.value)
        return self.person

    def field(self, name: str, required: bool = True) -> str:
        value = (self.form.get(name) if self.form is not None else None) or ""
        value = value.strip() if isinstance(value, str) else ""
        if required and not value:
            raise Problem(f"Please fill in {name.replace('_', ' ')}.")
        return value

    def render(self, template: str, status: int = 200, **values: Any) -> HTMLResponse:
        values.setdefault("done", DONE.get(self.request.query_params.get("done", "")))
        body = self.web.env.get_template(template).render(
            person=self.person, csrf=self.csrf, board=self.web.settings.board, entra=self.web.oidc is not None,
            **values)
        return HTMLResponse(body, status_code=status)

    async def call(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """A use case, off the event loop (they use the database and the mailbox)."""
        return await run_in_threadpool(fn, *args, **kwargs)


def _client(request: Request) -> str:
    return request.client.host if request.client else "?"


def page(*, anonymous: bool = False, limited: bool = False
         ) -> Callable[[Callable[[Ctx], Awaitable[Response]]], Callable[[Request], Awaitable[Response]]]:
    """Wrap a handler in the request pipeline described in the module's docstring."""

    def wrap(handler: Callable[[Ctx], Awaitable[Response]]) -> Callable[[Request], Awaitable[Response]]:
        async def endpoint(request: Request) -> Response:
            web: Web = request.app.state.web
            if limited and not web.limiter.allow(_client(request)):
                await run_in_threadpool(web.sessions.audit, f"address {_client(request)}", "web sign-in rate limited",
                                        {"page": handler.__name__})
                return _plain(web, "Too many sign-in attempts", "Too many attempts from your address: wait a "
                              "minute and try again.", 429)
            browser = web.signer.unsign("browser", request.cookies.get(BROWSER_COOKIE))
            new_browser = browser is None
            if browser is None:
                browser = secrets.token_urlsafe(24)
            sid = web.signer.unsign("session", request.cookies.get(SESSION_COOKIE))
            idle = timedelta(minutes=web.settings.web.idle_minutes)
            session = await run_in_threadpool(web.sessions.current, sid, idle) if sid else None
            person = person_of(web.settings, session.email, session.token_roles) if session else None
            if session is not None and person is None:  # no longer configured: the session ends now
                await run_in_threadpool(web.sessions.end, session.id)
                session = None
            ctx = Ctx(request, web, person, session.id if session else None, browser)
            if request.method == "POST":
                ctx.form = await request.form()
                if not web.signer.csrf_ok(ctx.form.get("csrf"), browser, ctx.session_id):
                    response = ctx.render("problem.html", status=403, title="The form has expired",
                                          message="This form has expired or did not come from this workspace. "
                                                  "Go back, reload the page and try again.", back=None)
                    return _finish(ctx, response, new_browser)
            if person is None and not anonymous:
                response = RedirectResponse("/sign-in", status_code=303)
                if sid:
                    response.delete_cookie(SESSION_COOKIE, path="/")
                return _finish(ctx, response, new_browser)
            try:
                response = await handler(ctx)
            except Refused as exc:
                await run_in_threadpool(
                    web.sessions.audit, person.email if person else "anonymous", "web request refused",
                    {"asked": exc.what, "method": request.method, "page": handler.__name__,
                     "role": person.role.value if person else None})
                response = ctx.render("refused.html", status=403, title="Not authorised", what=exc.what)
            except Problem as exc:
                response = ctx.render("problem.html", status=exc.status, title="That could not be done",
                                      message=str(exc), back=exc.back)
            return _finish(ctx, response, new_browser)

        endpoint.__name__ = handler.__name__
        return endpoint

    return wrap


def _finish(ctx: Ctx, response: Response, new_browser: bool) -> Response:
    signer = ctx.web.signer
    if new_browser:
        response.set_cookie(BROWSER_COOKIE, signer.sign("browser", ctx.browser), httponly=True, secure=True,
                            samesite="lax", path="/")
    for name, value, max_age in ctx.cookies:
        if value:
            response.set_cookie(name, value, max_age=max_age, httponly=True, secure=True, samesite="lax", path="/")
        else:
            response.delete_cookie(name, path="/", httponly=True, secure=True, samesite="lax")
    return response


def _plain(web: Web, title: str, message: str, status: int) -> HTMLResponse:
    body = web.env.get_template("problem.html").render(person=None, csrf="", board=web.settings.board,
                                                       entra=False, title=title, message=message, back=None)
    return HTMLResponse(body, status_code=status)


def user_errors() -> tuple[type[BaseException], ...]:
    """The exceptions the use cases raise for a person's mistake, each one line to show them."""
    from service.domain.model import DomainError
    from service.intake.details import DetailsProblem
    from service.letters.commands import LettersError
    from service.store.repositories.common import NotFound

    return (DomainError, NotFound, LettersError, DetailsProblem)


async def run_case_action(ctx: Ctx, reference: str, done: str, fn: Callable[..., Any], *args: Any) -> Response:
    """Run a use case on a case and go back to the case page; a person's mistake is shown, not raised."""
    try:
        await ctx.call(fn, ctx.web.app, reference, *args)
    except user_errors() as exc:
        raise Problem(str(exc).strip("'\""), back=f"/cases/{reference}") from None
    return RedirectResponse(f"/cases/{reference}?done={done}", status_code=303)


def parse_day(value: str, name: str) -> date:
    from service.domain.calendar import parse_date

    found = parse_date(value)
    if found is None:
        raise Problem(f"The {name} is not a date: use 2014-05-12 or 12/05/2014.")
    return found


def _environment(settings) -> Environment:
    env = Environment(loader=FileSystemLoader(str(HERE / "templates")), autoescape=select_autoescape(default=True),
                      trim_blocks=True, lstrip_blocks=True)
    tz = settings.tz
    env.filters["when"] = lambda v: board_time(v, tz)
    env.filters["label"] = lambda v: (v or "").replace("_", " ")
    env.globals["P"] = Permission
    return env


