"""`review-clerk doctor`: is the service healthy, and if not, what to fix.

Each check returns :class:`Finding` rows (ok, warning or failed, a detail, a fix). Nothing
here changes anything: the database is read, never migrated; the key is read, never made;
the data folder is written to only to prove it can be (a temporary file, removed).

``quick`` leaves out the mailbox's network checks (Microsoft Graph: token, mailbox,
drafts, calendar), so it suits a container's health check: configuration, database at
the latest migration, the key, the folders, free disk space and the heartbeat.

Exit status (``exit_status``): 0 when nothing failed (warnings allowed), 2 when the
configuration is at fault, 1 when another check failed.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Iterator

OK, WARNING, FAILED = "ok", "warning", "failed"
EXAMPLE_DOMAINS = ("example.org", "example.com", "example.net")  # RFC 2606: never a real mailbox
MIN_FREE_BYTES = 100 * 1024 * 1024  # below this a write may fail mid-message: failed
LOW_FREE_BYTES = 1024 * 1024 * 1024  # below this: warning
PERMISSION_SCAN_LIMIT = 5000  # files looked at for wide permissions (a large mail folder is sampled)


@dataclass(frozen=True)
class Finding:
    check: str
    state: str  # ok | warning | failed
    detail: str
    fix: str = ""

    @property
    def failed(self) -> bool:
        return self.state == FAILED


def exit_status(findings: list[Finding]) -> int:
    if any(f.failed and f.check == "configuration" for f in findings):
        return 2
    return 1 if any(f.failed for f in findings) else 0


# Configuration ------------------------------------------------------------------------
def _is_example(domain: str) -> bool:
    domain = domain.strip().lower().rstrip(".")
    return any(domain == d or domain.endswith("." + d) for d in EXAMPLE_DOMAINS)


def _walk(value: Any, key: str) -> Iterator[tuple[str, Any]]:
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _walk(v, f"{key}.{k}" if key else str(k))
    elif isinstance(value, (list, tuple)):
        for i, v in enumerate(value):
            yield from _walk(v, f"{key}[{i}]")
    else:
        yield key, value


def example_addresses(settings) -> dict[str, str]:
    """Every configured address (or mail domain) still under example.org, example.com or example.net,
    by its key (``people.chair.email``, ``agencies[2].domains[0]``...). Pure: reads the settings only."""
    found: dict[str, str] = {}
    for key, value in _walk(settings.model_dump(mode="python"), ""):
        if not isinstance(value, str):
            continue  # secrets are SecretStr, never inspected
        if "@" in value and _is_example(value.rsplit("@", 1)[1]):
            found[key] = value
        elif key.rsplit(".", 1)[-1].split("[")[0] in ("domains", "partner_domains") and _is_example(value):
            found[key] = value
    return found


def check_configuration(settings) -> list[Finding]:
    rows = [Finding("configuration", OK, f"read ({settings.mail.backend} backend)")]
    examples = example_addresses(settings)
    if examples and settings.mail.backend == "graph":
        shown = ", ".join(f"{k} = {v}" for k, v in examples.items())
        rows = [Finding("configuration", FAILED, f"example addresses with the graph backend: {shown}",
                        "replace them with the board's real addresses before sending real mail")]
    elif examples:
        rows.append(Finding("example addresses", WARNING, f"{len(examples)} configured address(es) are examples "
                            f"(e.g. {next(iter(examples))})", "replace them before using the graph backend"))
    from service.letters.render import DEFAULT_FOLDER

    folder = settings.letters.templates_dir or DEFAULT_FOLDER
    known = {p.name for p in folder.iterdir() if (p / "subject.txt").exists()} if folder.is_dir() else set()
    for key, names in (("[mail] send_outside_working_hours", settings.mail.send_outside_working_hours),
                       ("[letters] review", list(settings.letters.review))):
        unknown = sorted(set(names) - known) if known else []
        if unknown:
            rows.append(Finding("configuration", WARNING, f"{key} names no communication: {', '.join(unknown)}",
                                f"use the names `review-clerk letters list` gives (templates in {folder})"))
    return rows + check_packs_people(settings)


def check_packs_people(settings) -> list[Finding]:
    """Each pack in use has a person for every role it chases or writes to, an address for every body, and
    a panel with every quorum role (each pack's on its own where panel members sit for some packs only)."""
    from service.meetings.invitees import quorum_warnings
    from service.procedure.pack import load_configured
    from service.procedure.problems import PackError

    rows = []
    ids = []  # of the packs that load
    roles = settings.people.roles()
    for pack in settings.procedure.in_use():
        try:
            p = load_configured(pack)
        except PackError as exc:
            rows.append(Finding(f"procedure {pack}", FAILED, f"{len(exc.problems)} problem(s) in the pack",
                                f"review-clerk procedure check {pack}"))
            continue
        ids.append(p.id)
        people = sorted(r for r in p.roles_used() if r not in roles)
        bodies = sorted(b for b in p.bodies_used() if not getattr(settings.notifications, b, None))
        if people or bodies:
            missing = [f"[people.{r}]" for r in people] + [f"[notifications] {b}" for b in bodies]
            rows.append(Finding(f"procedure {p.id}", FAILED,
                                f"nobody to chase or write to for: {', '.join(missing)}",
                                "add them to the configuration (the example configuration has a block per pack)"))
        else:
            rows.append(Finding(f"procedure {p.id}", OK, f"{p.label}: every role and body has an address"))
    for warning in quorum_warnings(settings, ids):
        rows.append(Finding("meetings quorum", WARNING, warning,
                            "[[panel]] roles, [meetings] agency_roles and quorum_roles"))
    return rows


# Folders, permissions, disk ----------------------------------------------------------
def _folders(settings) -> list[Path]:
    folders = [settings.data_dir]
    if settings.mail.backend == "local":
        mail = settings.data_dir / "mail"
        folders += [mail / n for n in ("inbox", "sent", "drafts", "processed", "quarantine", "not-referral")]
        folders.append(settings.data_dir / "calendar")
    return folders


def _writable(folder: Path) -> str | None:
    try:
        fd, name = tempfile.mkstemp(prefix=".doctor-", dir=folder)
        os.close(fd)
        os.unlink(name)
    except OSError as exc:
        from service.store.db import explain

        return explain(exc, str(folder)) or f"cannot write to {folder} ({exc.strerror})"
    return None


def check_folders(settings) -> list[Finding]:
    if not settings.data_dir.is_dir():
        return [Finding("data folder", FAILED, f"{settings.data_dir} does not exist",
                        "create the service with `review-clerk init DIR`, or check data_dir and that its volume "
                        "is mounted")]
    problems = []
    for folder in _folders(settings):
        if not folder.is_dir():
            problems.append(f"{folder} is missing")
        else:
            problem = _writable(folder)
            if problem:
                problems.append(problem)
    if problems:
        return [Finding("data folders", FAILED, "; ".join(problems),
                        "give the service's user write access (chown/chmod), or run `review-clerk init` again")]
    return [Finding("data folders", OK, f"{settings.data_dir} and its folders are writable")]


def _wide(paths: list[Path]) -> Iterator[Path]:
    from service.files import wider_than_owner

    for p in paths:
        if p.exists() and wider_than_owner(p):
            yield p


def _files_under(folders: list[Path]) -> Iterator[Path]:
    n = 0
    for folder in folders:
        for root, dirs, files in os.walk(folder) if folder.is_dir() else ():
            for name in dirs + files:
                n += 1
                if n > PERMISSION_SCAN_LIMIT:
                    return
                yield Path(root) / name


def check_permissions(settings, database_file: Path | None) -> list[Finding]:
    """Warn about anything of the service's readable by others: the data folder, its mail and calendar
    files, the SQLite database and the key file must be owner-only (folders 700, files 600)."""
    if not settings.data_dir.is_dir():
        return []
    key = settings.security.key_file if settings.security.encryption_key is None else None
    named = [settings.data_dir, *_folders(settings)[1:]]
    if database_file is not None:
        named += [database_file, *database_file.parent.glob(database_file.name + "-*")]
    if key is not None:
        named += [key, key.parent]
    wide = list(dict.fromkeys([*_wide(named), *_wide(list(_files_under(_folders(settings)[1:])))]))
    rows = []
    if wide:
        rows.append(Finding("file permissions", WARNING,
                            f"{len(wide)} file(s) or folder(s) readable by others, e.g. {wide[0]}",
                            f"chmod -R go-rwx {settings.data_dir}" + (f" {key.parent}" if key else "")))
    else:
        rows.append(Finding("file permissions", OK, "owner-only"))
    if key is not None and _inside(key, settings.data_dir):
        rows.append(Finding("key location", WARNING, f"the key {key} is inside the data folder, so a backup of "
                            f"the folder holds the key beside the data it opens",
                            "move it out (security.key_file) and back it up separately"))
    return rows


def _inside(path: Path, folder: Path) -> bool:
    try:
        path.resolve().relative_to(folder.resolve())
        return True
    except ValueError:
        return False


def check_disk(settings) -> list[Finding]:
    if not settings.data_dir.is_dir():
        return []
    usage = shutil.disk_usage(settings.data_dir)
    detail = f"{usage.free / 1024 ** 3:.1f} GB free of {usage.total / 1024 ** 3:.1f} GB at {settings.data_dir}"
    if usage.free < MIN_FREE_BYTES:
        return [Finding("disk space", FAILED, detail, "free space on the disk before the service writes again")]
    if usage.free < LOW_FREE_BYTES:
        return [Finding("disk space", WARNING, detail, "free space on the disk soon")]
    return [Finding("disk space", OK, detail)]


# Database, key, heartbeat -------------------------------------------------------------
def check_database(settings):
    """The database row, and the Database when it is reachable and at the latest migration (else None)."""
    from service.store.db import Database, StoreError

    try:
        db = Database(settings.database_url)
    except Exception as exc:  # noqa: BLE001 - a URL SQLAlchemy cannot use
        return Finding("database", FAILED, f"cannot use [database] url ({exc.__class__.__name__})",
                       "check [database] url"), None
    if db.path is not None and not db.path.exists():
        db.dispose()
        return Finding("database", FAILED, f"no database at {db.path}",
                       "create the service with `review-clerk init DIR`, or restore the database"), None
    try:
        current, head = db.revision(), db.head()
    except StoreError as exc:
        db.dispose()
        return Finding("database", FAILED, str(exc), "check [database] url and that the server is running"), None
    if current is None:
        db.dispose()
        return Finding("database", FAILED, f"{db.where()} holds no Review Clerk schema",
                       "restore the database, or `review-clerk migrate` to create an empty one"), None
    if current != head:
        db.dispose()
        return Finding("database", FAILED, f"{db.where()} is at migration {current}; this version needs {head}",
                       "run `review-clerk migrate`"), None
    return Finding("database", OK, f"{db.describe()}, at the latest migration ({head})"), db


def check_key(settings, db) -> Finding:
    from service.store.crypto import KeyProblem
    from service.store.keys import check_key as key_opens

    try:
        return Finding("encryption key", OK, key_opens(settings, db))
    except KeyProblem as exc:
        return Finding("encryption key", FAILED, str(exc),
                       "restore the right key file (security.key_file), or set security.encryption_key")
    except Exception as exc:  # noqa: BLE001 - the database failed under the check
        from service.store.db import explain

        return Finding("encryption key", FAILED, explain(exc) or f"cannot check the key ({exc.__class__.__name__})")


def check_heartbeat(settings, db, now: datetime | None = None) -> list[Finding]:
    """Each job's last successful run (written by `run` and `run --once`). Before any run has been
    seen, a warning (a fresh install); after, a job with no success within three of its intervals
    has stalled: failed."""
    from service.jobs import JOBS, heartbeats, stale_after

    now = now or datetime.now(timezone.utc)
    with db.engine.connect() as conn:
        beats = heartbeats(conn)
    if not beats:
        return [Finding("heartbeat", WARNING, "no run of the service seen yet",
                        "start it: `review-clerk run` (or `run --once` from cron)")]
    rows = []
    for name in JOBS:
        limit = stale_after(settings, name)
        last = beats.get(name)
        if last is None:
            rows.append(Finding(f"heartbeat {name}", FAILED, "never succeeded",
                                "read the service's log for this job's errors"))
        elif now - last > limit:
            rows.append(Finding(f"heartbeat {name}", FAILED, f"last success {_ago(now - last)} ago "
                                f"({last.isoformat(timespec='seconds')}); limit {_ago(limit)}",
                                "is `review-clerk run` running? read its log for this job's errors"))
        else:
            rows.append(Finding(f"heartbeat {name}", OK, f"last success {_ago(now - last)} ago"))
    return rows


def _ago(delta: timedelta) -> str:
    s = int(delta.total_seconds())
    if s < 120:
        return f"{s} s"
    if s < 7200:
        return f"{s // 60} min"
    if s < 2 * 86400:
        return f"{s // 3600} h"
    return f"{s // 86400} days"


# The mailbox ------------------------------------------------------------------------
def check_mailbox(settings, quick: bool) -> list[Finding]:
    if settings.mail.backend != "graph":
        inbox = settings.data_dir / "mail" / "inbox"
        return [Finding("local mailbox", OK if inbox.is_dir() else FAILED, str(inbox),
                        "" if inbox.is_dir() else "run review-clerk init, or create the folder")]
    if quick:  # what needs no network: the credentials' expiry dates
        from service.m365.doctor import credential_checks

        return [Finding("mailbox", OK, "not checked (--quick: no network)")] + [
            Finding(c.name, FAILED if not c.ok else (WARNING if c.warning else OK), c.detail, c.fix or "")
            for c in credential_checks(settings.graph, datetime.now(timezone.utc).date())]
    from service.m365 import run_doctor

    return [Finding(c.name, FAILED if not c.ok else (WARNING if c.warning else OK), c.detail, c.fix or "")
            for c in run_doctor(settings.graph, settings.graph_mailbox)]


def run_checks(settings, *, quick: bool = False, now: datetime | None = None) -> list[Finding]:
    """Every check, in order; later ones that need the database are left out when it failed."""
    rows = check_configuration(settings)
    rows += check_folders(settings)
    rows += check_disk(settings)
    database, db = check_database(settings)
    rows.append(database)
    rows += check_permissions(settings, db.path if db is not None else None)
    if db is not None:
        try:
            rows.append(check_key(settings, db))
            rows += check_heartbeat(settings, db, now)
        finally:
            db.dispose()
    rows += check_mailbox(settings, quick)
    return rows
