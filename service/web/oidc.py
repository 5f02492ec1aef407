"""Sign-in with Entra ID, the web side: send the browser to Entra ID, take it back, start a session.

The protocol (msal, PKCE, id token validation) is :mod:`service.m365.sign_in`; this module keeps each
sign-in's flow on the server, bound to the browser that started it (:meth:`Sessions.save_flow`), and
decides who may come in from the validated identity (:mod:`.access`). Every outcome is audited: a
sign-in, a refusal (a valid identity the configuration does not know), a failure (a token that fails
validation, an answer that belongs to no sign-in of this browser).
"""

from __future__ import annotations

from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from .access import person_of
from .app import Ctx, page
from .signin import signed_in

CALLBACK = "/sign-in/entra/callback"
FLOW_MINUTES = 10


def redirect_uri(settings) -> str:
    """The redirect URI to register in Entra ID for this workspace."""
    return f"{settings.web.public_url}{CALLBACK}"


def build(settings):
    from service.m365.sign_in import EntraSignIn

    return EntraSignIn(settings.graph, redirect_uri(settings))


@page(anonymous=True, limited=True)
async def begin(ctx: Ctx) -> Response:
    from service.m365.sign_in import SignInError

    if ctx.web.oidc is None:
        return ctx.render("problem.html", status=404, title="Sign-in with Microsoft is off",
                          message="Ask the Business Manager for a sign-in link.", back=None)
    try:
        flow = await ctx.call(ctx.web.oidc.begin)
    except SignInError as exc:
        await ctx.call(ctx.web.sessions.audit, "anonymous", "web sign-in failed", {"via": "entra"}, str(exc))
        return ctx.render("problem.html", status=502, title="Microsoft sign-in is not available",
                          message="Microsoft sign-in cannot be reached just now. Try again in a few minutes, "
                                  "or ask the Business Manager for a sign-in link.", back=None)
    await ctx.call(ctx.web.sessions.save_flow, flow["state"], ctx.browser, flow)
    return RedirectResponse(flow["auth_uri"], status_code=303)


@page(anonymous=True, limited=True)
async def callback(ctx: Ctx) -> Response:
    from service.m365.sign_in import SignInError

    if ctx.web.oidc is None:
        return ctx.render("problem.html", status=404, title="Sign-in with Microsoft is off", message="", back=None)
    query = dict(ctx.request.query_params)
    flow = await ctx.call(ctx.web.sessions.take_flow, query.get("state") or "", ctx.browser, FLOW_MINUTES)
    failed = None
    if flow is None:
        failed = "the answer from Entra ID belongs to no sign-in started in this browser in the last 10 minutes"
    else:
        try:
            identity = await ctx.call(ctx.web.oidc.finish, flow, query)
        except SignInError as exc:
            failed = str(exc)
    if failed:
        await ctx.call(ctx.web.sessions.audit, "anonymous", "web sign-in failed", {"via": "entra"}, failed[:500])
        return ctx.render("problem.html", status=400, title="Sign-in did not work",
                          message="The sign-in could not be completed. Start again from the sign-in page.",
                          back="/sign-in")
    person = person_of(ctx.web.settings, identity.email, identity.roles)
    if person is None:
        await ctx.call(ctx.web.sessions.audit, identity.email, "web sign-in refused",
                       {"via": "entra", "roles": list(identity.roles)})
        return ctx.render("refused.html", status=403, title="Not authorised", what="use this workspace")
    if ctx.session_id:
        await ctx.call(ctx.web.sessions.end, ctx.session_id)
    sid = await ctx.call(ctx.web.sessions.start, person.email, "entra", identity.roles,
                         {"role": person.role.value, "object_id": identity.object_id})
    return signed_in(ctx, sid)


ROUTES = [
    Route("/sign-in/entra", begin),
    Route(CALLBACK, callback),
]
