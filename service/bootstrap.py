"""The composition root: builds the service from its settings. Nothing is built at import time."""

from __future__ import annotations

import logging
import socket
import os
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from .clock import Clock, SystemClock
from .config import Settings
from .letters.delivery import DeliveryHooks
from .letters.render import Templates
from .mailbox.ports import Calendar, Mailbox
from .store.db import Database, StoreMissing

if TYPE_CHECKING:
    from .domain.procedure import Procedure

log = logging.getLogger("review_clerk")


@dataclass
class App:
    settings: Settings
    db: Database
    mailbox: Mailbox
    calendar: Calendar
    templates: Templates
    clock: Clock
    procedure: "Procedure" = field(repr=False)  # the pack new cases open under ([procedure] pack); each case keeps its own
    on_delivery: DeliveryHooks  # what a sent or undeliverable message means to the rest of the service
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


def require_storage(settings: Settings, db: Database) -> None:
    """Refuse to start on a data folder, database or key that is not there. Raises StoreMissing.

    A data folder that does not exist is an unmounted volume or a typo far more often than a wish
    for a new, empty service (a new database, a new key, references from 001 again): only ``init``
    creates them. A database without its key, or a key without its database, is refused likewise."""
    from .store.keys import key_configured

    if not settings.data_dir.is_dir():
        raise StoreMissing(f"the data folder {settings.data_dir} does not exist: create the service with "
                           f"`review-clerk init DIR`, or check data_dir and that its volume is mounted")
    has_db, has_key = db.exists(), key_configured(settings)
    key = settings.security.key_file if settings.security.encryption_key is None else "security.encryption_key"
    if not has_db and not has_key:
        raise StoreMissing(f"there is no database at {db.where()} and no encryption key at {key}: create the "
                           f"service with `review-clerk init DIR`, or check [database] url and data_dir")
    if not has_db:
        raise StoreMissing(f"the encryption key {key} exists but there is no database at {db.where()}: restore "
                           f"the database from its backup, or check [database] url and data_dir "
                           f"(`review-clerk migrate` creates an empty one)")
    # A database without its key: open_keys refuses it, naming the key the sealed data needs.


def build_app(settings: Settings, clock: Clock | None = None, *, create: bool = False, migrate: bool = True,
              templates_folder: Path | None = None, mailbox: Mailbox | None = None,
              calendar: Calendar | None = None, check_templates: bool = True) -> App:
    """Wire the real adapters (tests pass fakes for the mailbox and calendar).

    ``create`` (``init``, the demo and test fixtures) makes a missing data folder, database and key;
    without it they must all be there (:func:`require_storage`). ``migrate`` brings the schema up to
    date (a test fixture that copied in a migrated database leaves it out). Raises StoreError
    (StoreMissing), KeyProblem or TemplateProblem."""
    from .files import private_dir
    from .letters.after_delivery import LetterDelivery
    from .letters.samples import sample_contexts
    from .procedure.pack import load_configured, template_problems
    from .procedure.problems import PackError
    from .store.keys import open_keys

    db = Database(settings.database_url, echo=settings.database.echo)
    if create:
        private_dir(settings.data_dir)
        db.create()
    else:
        require_storage(settings, db)
    if migrate:
        db.migrate()
    open_keys(settings, db, create=create)  # raises KeyProblem on a wrong or lost key, before anything is read
    clock = clock or SystemClock()
    if mailbox is None or calendar is None:
        built_mailbox, built_calendar = build_backend(settings, clock)
        mailbox = mailbox or built_mailbox
        calendar = calendar or built_calendar
    procedure = load_configured(settings.procedure.pack)  # raises PackError listing every problem
    with db.unit_of_work(read_only=True) as uow:
        uow.cases.check_procedure(procedure)  # raises ProcedureChanged: an edited pack needs a new version
    app = App(settings=settings, db=db, mailbox=mailbox, calendar=calendar,
              templates=Templates(templates_folder or settings.letters.templates_dir), clock=clock,
              procedure=procedure, on_delivery=LetterDelivery())
    if check_templates:  # False only for tests whose session checked the same templates and settings
        # Rendered against samples once per change of the templates, their code or the settings (not at
        # every command): a stamp in the data folder remembers the last check that passed.
        def contexts():
            problems = template_problems(settings.procedure.pack, procedure)
            if problems:
                raise PackError(problems)
            return sample_contexts(app)

        app.templates.check_once(contexts, settings.data_dir / "templates-checked",
                                 settings.model_dump_json() + procedure.digest)
    return app
