"""Serving the workspace with uvicorn: on its own (`review-clerk web`) or beside the jobs (`run --web`)."""

from __future__ import annotations

import signal
import threading
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import uvicorn

    from service.bootstrap import App


def server(application: "App", host: str | None = None, port: int | None = None) -> "uvicorn.Server":
    """A uvicorn server for the workspace of ``application``, configured from ``[web]``.

    No access log of uvicorn's own: it would write sign-in link tokens and search terms to the log.
    Behind a reverse proxy, X-Forwarded-For and -Proto are believed only from ``forwarded_allow_ips``.
    """
    import uvicorn

    from .asgi import create_app

    web = application.settings.web
    config = uvicorn.Config(
        create_app(application), host=host or web.host, port=port or web.port, access_log=False, log_config=None,
        server_header=False, date_header=True, proxy_headers=bool(web.forwarded_allow_ips),
        forwarded_allow_ips=list(web.forwarded_allow_ips) or None,
        ssl_certfile=str(web.tls_certificate) if web.tls_certificate else None,
        ssl_keyfile=str(web.tls_private_key) if web.tls_private_key else None)
    return uvicorn.Server(config)


def start_in_thread(application: "App") -> "uvicorn.Server":
    """Serve the workspace from a daemon thread (the jobs keep the main thread and its signals);
    ``server.should_exit = True`` stops it."""
    s = server(application)
    threading.Thread(target=s.run, name="web", daemon=True).start()
    return s


def serve_until_stopped(s: "uvicorn.Server") -> None:
    """Serve in the main thread until SIGTERM or SIGINT, then return (exit status 0: a container stop is not
    a crash). uvicorn handles the signal and shuts down gracefully, then raises it again for the handler
    that was there before it started; that handler is this one, which only asks the server to stop (it has),
    so the process goes on to return rather than die of the signal."""
    def stop(_signum, _frame) -> None:
        s.should_exit = True

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        s.run()
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
