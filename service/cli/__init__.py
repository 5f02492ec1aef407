"""The command line: `review-clerk` (also `python -m service`).

One module per area, each adding its commands to the root app of :mod:`.common`;
configuration comes from --config FILE, else $REVIEW_CLERK_CONFIG, else ./review-clerk.toml.
"""

from __future__ import annotations

import sys

from . import forecast, operate, yearly  # noqa: F401  (root commands; report yearly)
from .cases import case_app, cases_app, deadline_app
from .chronology import chronology_app, report_app
from .common import app, err
from .inbox import inbox_app
from .letters import letters_app
from .meetings import meeting_app
from .procedure import procedure_app
from .records import audit_app, keys_app, retention_app
from .web import web_app

app.add_typer(case_app, name="case")
app.add_typer(cases_app, name="cases")
app.add_typer(deadline_app, name="deadline")
app.add_typer(inbox_app, name="inbox")
app.add_typer(audit_app, name="audit")
app.add_typer(keys_app, name="keys")
app.add_typer(meeting_app, name="meeting")
app.add_typer(letters_app, name="letters")
app.add_typer(retention_app, name="retention")
app.add_typer(procedure_app, name="procedure")
app.add_typer(chronology_app, name="chronology")
app.add_typer(report_app, name="report")
app.add_typer(web_app, name="web")

__all__ = ["app", "main"]


def main() -> None:
    try:
        app()
    except Exception as exc:  # pragma: no cover - settings_of handles the usual path
        from service.config import ConfigError  # only now: `--help` need not load the settings' models

        if not isinstance(exc, ConfigError):
            raise
        err.print(str(exc))
        sys.exit(2)
