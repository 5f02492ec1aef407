"""Signing in and out: single-use links (``review-clerk web login-link``) and Entra ID (:mod:`.oidc`).

A link's page asks for a click before it signs anyone in: mail scanners that open links (Safe Links)
must not use up the link. Using it starts a session for the configured person it was made for;
the session id goes into a signed cookie. Every sign-in, refusal and sign-out is audited.
"""

from __future__ import annotations

from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from .access import person_of
from .app import SESSION_COOKIE, Ctx, page


def issue_link(app, email: str, actor: str, now=None) -> str:
    """A single-use sign-in URL for ``email``, a configured person; raises LookupError for anyone else."""
    from .sessions import Sessions, utc_now

    person = person_of(app.settings, email)
    if person is None:
        raise LookupError(f"{email} is not a configured person (the Business Manager, the Chair, a panel "
                          f"member, or one of [web] viewers)")
    sessions = Sessions(app.db, now or utc_now)
    token = sessions.issue_link(person.email, app.settings.web.link_minutes, actor)
    return f"{app.settings.web.public_url}/sign-in/link/{token}"


def signed_in(ctx: Ctx, sid: str) -> Response:
    response = RedirectResponse("/", status_code=303)
    ctx.cookies.append((SESSION_COOKIE, ctx.web.signer.sign("session", sid), None))
    return response


@page(anonymous=True)
async def sign_in(ctx: Ctx) -> Response:
    if ctx.person is not None:
        return RedirectResponse("/", status_code=303)
    return ctx.render("sign_in.html", title="Sign in")


@page(anonymous=True, limited=True)
async def link_page(ctx: Ctx) -> Response:
    token = ctx.request.path_params["token"]
    email = await ctx.call(ctx.web.sessions.link_email, token)
    if email is None:
        return ctx.render("problem.html", status=400, title="This sign-in link cannot be used",
                          message="The link has been used already, has expired (links last "
                                  f"{ctx.web.settings.web.link_minutes} minutes) or is not one of ours. "
                                  "Ask for a new one.", back=None)
    return ctx.render("link.html", title="Sign in", token=token)


@page(anonymous=True, limited=True)
async def use_link(ctx: Ctx) -> Response:
    token = ctx.request.path_params["token"]
    email = await ctx.call(ctx.web.sessions.use_link, token)
    if email is None:
        return ctx.render("problem.html", status=400, title="This sign-in link cannot be used",
                          message="The link has been used already, has expired or is not one of ours. "
                                  "Ask for a new one.", back=None)
    person = person_of(ctx.web.settings, email)
    if person is None:  # configured when the link was made, not any more
        await ctx.call(ctx.web.sessions.audit, email, "web sign-in refused", {"via": "link"})
        return ctx.render("refused.html", status=403, title="Not authorised", what="sign in")
    if ctx.session_id:
        await ctx.call(ctx.web.sessions.end, ctx.session_id)
    sid = await ctx.call(ctx.web.sessions.start, person.email, "link", (), {"role": person.role.value})
    return signed_in(ctx, sid)


@page(anonymous=True)
async def sign_out(ctx: Ctx) -> Response:
    if ctx.session_id:
        await ctx.call(ctx.web.sessions.end, ctx.session_id)
    ctx.cookies.append((SESSION_COOKIE, "", None))
    ctx.person = None
    return ctx.render("signed_out.html", title="Signed out")


ROUTES = [
    Route("/sign-in", sign_in),
    Route("/sign-in/link/{token}", link_page),
    Route("/sign-in/link/{token}", use_link, methods=["POST"]),
    Route("/sign-out", sign_out, methods=["POST"]),
]
