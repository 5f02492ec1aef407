"""The composition root: builds the service from its settings. Nothing is built at import time."""

from __future__ import annotations

import logging
import socket
import os
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from .clock import Clock, SystemClock
from .config import Settings
from .letters.render import Templates
from .mailbox.ports import Calendar, Mailbox
from .store.db import Database

log = logging.getLogger("review_clerk")


@dataclass
class App:
    settings: Settings
    db: Database
    mailbox: Mailbox
    calendar: Calendar
    templates: Templates
    clock: Clock
    worker: str = field(default_factory=lambda: f"{socket.gethostname()}:{os.getpid()}")

    def today(self) -> date:
        return self.clock.now().astimezone(self.settings.tz).date()

    @property
    def quarantine_folder_name(self) -> str:
        if self.settings.mail.backend == "graph":
            return "Review Clerk/Quarantine"
        return str(self.settings.data_dir / "mail" / "quarantine")


def build_backend(settings: Settings, clock: Clock | None = None) -> tuple[Mailbox, Calendar]:
    if settings.mail.backend == "graph":
        from .m365 import build_graph_backend  # the only route to O365/msal

        return build_graph_backend(settings.graph, settings.graph_mailbox, time_zone=settings.board.time_zone)
    from .mailbox.local import LocalCalendar, LocalMailbox

    return LocalMailbox(settings.data_dir, clock), LocalCalendar(settings.data_dir, settings.tz)


def build_app(settings: Settings, clock: Clock | None = None, *, migrate: bool = True,
              templates_folder: Path | None = None, mailbox: Mailbox | None = None,
              calendar: Calendar | None = None, check_templates: bool = True) -> App:
    """Wire the real adapters (tests pass fakes for the mailbox and calendar)."""
    from .letters.samples import sample_contexts
    from .store.keys import open_keys

    settings.data_dir.mkdir(parents=True, exist_ok=True)
    db = Database(settings.database_url, echo=settings.database.echo)
    if migrate:
        db.migrate()
    open_keys(settings, db)  # raises KeyProblem on a wrong or lost key, before anything is read
    clock = clock or SystemClock()
    if mailbox is None or calendar is None:
        built_mailbox, built_calendar = build_backend(settings, clock)
        mailbox = mailbox or built_mailbox
        calendar = calendar or built_calendar
    app = App(settings=settings, db=db, mailbox=mailbox, calendar=calendar,
              templates=Templates(templates_folder or settings.letters.templates_dir), clock=clock)
    if check_templates:  # False only for tests whose session checked the same templates and settings
        # Rendered against samples once per change of the templates, their code or the settings (not at
        # every command): a stamp in the data folder remembers the last check that passed.
        app.templates.check_once(lambda: sample_contexts(app), settings.data_dir / "templates-checked",
                                 settings.model_dump_json())
    return app
