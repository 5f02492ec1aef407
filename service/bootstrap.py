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
    # Every pack in use ([procedure] packs), by id, the default among them.
    procedures: dict[str, "Procedure"] = field(default_factory=dict, repr=False)
    worker: str = field(default_factory=lambda: f"{socket.gethostname()}:{os.getpid()}")

    def __post_init__(self) -> None:
        self.procedures = {self.procedure.id: self.procedure, **self.procedures}

    def today(self) -> date:
        return self.clock.now().astimezone(self.settings.tz).date()

    def procedure_named(self, pack_id: str | None) -> "Procedure":
        """The pack in use with this id (None: the default). Raises LookupError naming those in use."""
        if pack_id is None:
            return self.procedure
        found = self.procedures.get(pack_id)
        if found is None:
            raise LookupError(f"'{pack_id}' is not a procedure this board runs (in use: "
                              f"{', '.join(self.procedures)}; [procedure] packs in the configuration)")
        return found

    def reference_format(self, procedure: "Procedure") -> str:
        """How a case of ``procedure`` is referenced: the configuration's for that pack, else the pack's,
        else the board's."""
        return (self.settings.procedure.references.get(procedure.id) or procedure.reference_format
                or self.settings.board.reference_format)

    def reference_formats(self) -> list[str]:
        """Every reference format cases of the packs in use are given (replies are matched by any)."""
        return list(dict.fromkeys([self.settings.board.reference_format,
                                   *(self.reference_format(p) for p in self.procedures.values())]))

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
    from . import bank_holidays
    from .files import private_dir
    from .letters.after_delivery import LetterDelivery
    from .letters.samples import letter_contexts, sample_contexts
    from .procedure.pack import load_configured, shipped_communications, template_problems, templates_of
    from .procedure.problems import PackError, Problem
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
    bank_holidays.load(settings.data_dir)  # kept from the holidays package: reading it costs a third of a second
    clock = clock or SystemClock()
    if mailbox is None or calendar is None:
        built_mailbox, built_calendar = build_backend(settings, clock)
        mailbox = mailbox or built_mailbox
        calendar = calendar or built_calendar
    # Every pack in use, each checked (raises PackError listing every problem), the default first.
    packs = {pack: load_configured(pack) for pack in settings.procedure.in_use()}
    procedure = packs[settings.procedure.pack]
    with db.unit_of_work(read_only=True) as uow:
        for p in packs.values():
            uow.cases.check_procedure(p)  # raises ProcedureChanged: an edited pack needs a new version
    ids = [p.id for p in packs.values()]
    if len(set(ids)) != len(ids):
        raise PackError([Problem("[procedure] packs", "-", f"two packs in use share the id '{i}'")
                         for i in sorted({i for i in ids if ids.count(i) > 1})])
    # A panel member for a pack not in use would sit on no panel at all: a typo, said at start, not a quorum lost.
    strays = sorted(settings.panel_packs() - set(ids))
    if strays:
        raise PackError([Problem("[[panel]] procedures", "-", f"'{pid}' is no pack in use (in use: {', '.join(ids)})")
                         for pid in strays])
    app = App(settings=settings, db=db, mailbox=mailbox, calendar=calendar,
              templates=Templates(templates_folder or settings.letters.templates_dir,
                                  packs={p.id: templates_of(pack, p) for pack, p in packs.items()}),
              clock=clock, procedure=procedure, on_delivery=LetterDelivery(),
              procedures={p.id: p for p in packs.values()})
    if check_templates:  # False only for tests whose session checked the same templates and settings
        # Rendered against samples once per change of the templates, their code or the settings (not at
        # every command): a stamp in the data folder remembers the last check that passed.
        def contexts():
            problems = [x for pack, p in packs.items() for x in template_problems(pack, p)]
            if problems:
                raise PackError(problems)
            for p in packs.values():  # the other packs' letters, each with its own templates
                if p is not procedure:
                    emails, letters = letter_contexts(app, p)
                    own = app.templates.for_pack(p.id)
                    for name, ctx in emails.items():
                        own.render(name, ctx)
                    for name, ctx in letters.items():
                        own.render_letter(name, ctx)
            return sample_contexts(app)

        app.templates.for_pack(procedure.id).check_once(
            contexts, settings.data_dir / "templates-checked",
            settings.model_dump_json() + "".join(p.digest for p in packs.values()),
            elsewhere=lambda: shipped_communications() | {c.template for p in packs.values() for c in p.communications})
    return app
