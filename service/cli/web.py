"""The web workspace: `review-clerk web` serves it; `web login-link --as EMAIL` signs a person in once."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from .common import ActorOpt, ConfigOpt, actor_of, app_for, escape, fail, out

web_app = typer.Typer(invoke_without_command=True, no_args_is_help=False,
                      help="The web workspace: serve it, or print a single-use sign-in link.")


@web_app.callback()
def web(ctx: typer.Context, config: Optional[Path] = ConfigOpt,
        host: Optional[str] = typer.Option(None, "--host", help="Address to listen on (default: [web] host, "
                                           "127.0.0.1)."),
        port: Optional[int] = typer.Option(None, "--port", help="Port (default: [web] port, 8080).")) -> None:
    """Serve the web workspace (Ctrl-C or SIGTERM to stop). The jobs run in `review-clerk run` beside it,
    or in the same process with `review-clerk run --web`."""
    if ctx.invoked_subcommand is not None:
        return
    from .common import err
    from service.web.serve import serve_until_stopped, server

    application = app_for(config)
    s = server(application, host, port)
    where = f"{'https' if application.settings.web.tls_certificate else 'http'}://{s.config.host}:{s.config.port}"
    public = application.settings.web.public_url
    err.print(escape(f"Review Clerk workspace on {where} (people use {public})"), highlight=False)
    if public.startswith("http://") and not public.startswith(("http://127.0.0.1", "http://localhost")):
        err.print(escape(f"warning: [web] public_url {public} is not https://: browsers keep the workspace's Secure "
                         f"cookies only over TLS (or on localhost), so nobody could stay signed in"),
                  style="yellow", highlight=False)
    serve_until_stopped(s)  # SIGTERM or SIGINT: a clean stop, exit status 0
    if not s.started:
        fail(f"web: cannot listen on {s.config.host}:{s.config.port}; change --host/--port or [web] host/port")


@web_app.command("login-link")
def login_link(email: str = typer.Option(..., "--as", help="The configured person the link is for."),
               config: Optional[Path] = ConfigOpt, by: Optional[str] = ActorOpt) -> None:
    """Print a single-use sign-in URL for a configured person, valid for [web] link_minutes (10); audited.

    For the local backend, and for emergencies when Entra ID sign-in is not available."""
    from service.web.signin import issue_link

    application = app_for(config)
    try:
        url = issue_link(application, email, actor_of(by))
    except LookupError as exc:
        fail(str(exc))
    out.print(url, markup=False, highlight=False, soft_wrap=True)
    minutes = application.settings.web.link_minutes
    from .common import err

    err.print(f"single use, valid {minutes} minutes; give it to {email.lower()} only", highlight=False)
