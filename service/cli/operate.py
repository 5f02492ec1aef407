"""Setting up and running the service: init, migrate, run, parse, doctor, demo."""

from __future__ import annotations

import shutil
from datetime import datetime
from pathlib import Path
from typing import Optional

import typer
from rich.table import Table

from .common import (EXAMPLE_CONFIG, ConfigOpt, app, app_for, err, fail, out, print_json, settings_of)


# Set-up ---------------------------------------------------------------------------
@app.command()
def init(directory: Path = typer.Argument(..., help="Folder for the configuration and data."),
         force: bool = typer.Option(False, help="Overwrite an existing configuration.")) -> None:
    """Write DIR/review-clerk.toml (local mail backend, data inside DIR) and make its folders."""
    target = directory / "review-clerk.toml"
    if target.exists() and not force:
        fail(f"{target} exists already (use --force to overwrite)")
    directory.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(EXAMPLE_CONFIG, target)
    application = app_for(target, create=True)
    out.print(f"Wrote [bold]{target}[/]")
    out.print(f"Data folder: {application.settings.data_dir}")
    out.print(f"Drop referral emails (.eml) into {application.settings.data_dir / 'mail' / 'inbox'}")
    out.print(f"Then run: review-clerk --help, or review-clerk run --config {target}")


@app.command()
def migrate(config: Optional[Path] = ConfigOpt) -> None:
    """Bring the database schema up to date (run does this too); make an empty one for an existing key.

    The data folder must exist already: only `init` makes a new service."""
    from service.store.db import Database, StoreMissing

    settings = settings_of(config)
    if not settings.data_dir.is_dir():
        raise StoreMissing(f"the data folder {settings.data_dir} does not exist: create the service with "
                           f"`review-clerk init DIR`, or check data_dir and that its volume is mounted")
    db = Database(settings.database_url)
    db.create()
    db.migrate()
    db.dispose()
    application = app_for(config)  # checks the key against it
    out.print(f"Database ready: {application.db.describe()}")


@app.command()
def run(config: Optional[Path] = ConfigOpt,
        once: bool = typer.Option(False, "--once", help="Run each job once, then exit."),
        now: Optional[str] = typer.Option(None, "--now", help="With --once: act as of this ISO date-time.")) -> None:
    """Run the service: read the inbox, send what is due, chase deadlines."""
    from service.jobs import Runner, failed, run_once

    when = None
    if now:
        if not once:
            fail("--now goes with --once")
        try:
            when = datetime.fromisoformat(now)
        except ValueError:
            fail(f"--now {now!r} is not an ISO date-time such as 2014-05-12T09:30")
        if when.tzinfo is None:
            when = when.replace(tzinfo=settings_of(config).tz)
    application = app_for(config, when)
    if once:
        results = run_once(application)
        for job, counts in results.items():
            shown = ", ".join(f"{k} {v}" for k, v in counts.items() if v) or "nothing to do"
            out.print(f"{job}: {shown}")
        broken = [job for job, counts in results.items() if failed(counts)]
        if broken:
            err.print(f"error: {len(broken)} job(s) failed: {', '.join(broken)}; the log says why",
                      style="bold red", highlight=False, soft_wrap=True)
            raise typer.Exit(1)
        return
    Runner(application).serve()


@app.command()
def parse(file: Path = typer.Argument(..., exists=True, dir_okay=False, readable=True,
                                      help="One email as an .eml file.")) -> None:
    """Print the referral read from one email, as JSON (referral.schema.json)."""
    from service.intake.parsing import parse_message

    print_json(parse_message(file.read_bytes()))


@app.command()
def doctor(config: Optional[Path] = ConfigOpt) -> None:
    """Check the configuration, the database and the mailbox connection; print what to fix."""
    settings = settings_of(config)
    from service.store.db import Database, StoreError

    # (check, state: ok | warning | failed, detail, fix)
    rows: list[tuple[str, str, str, str]] = [("configuration", "ok", f"read ({settings.mail.backend} backend)", "")]
    try:
        db = Database(settings.database_url)
        db.migrate()
        rows.append(("database", "ok", db.describe(), ""))
        db.dispose()
    except StoreError as exc:
        rows.append(("database", "failed", str(exc), "check [database] url and that the server is running"))
    if settings.mail.backend == "graph":
        from service.m365 import run_doctor

        for c in run_doctor(settings.graph, settings.graph_mailbox):
            rows.append((c.name, "failed" if not c.ok else ("warning" if c.warning else "ok"), c.detail, c.fix or ""))
    else:
        inbox = settings.data_dir / "mail" / "inbox"
        rows.append(("local mailbox", "ok" if inbox.is_dir() else "failed", str(inbox),
                     "" if inbox.is_dir() else "run review-clerk init, or create the folder"))
    t = Table(title="review-clerk doctor", header_style="bold")
    for c in ("check", "result", "detail", "fix"):
        t.add_column(c)
    style = {"ok": "[green]ok[/]", "warning": "[yellow]warning[/]", "failed": "[red]FAILED[/]"}
    for name, state, detail, fix in rows:
        t.add_row(name, style[state], detail, fix)
    out.print(t)
    if any(state == "failed" for _, state, _, _ in rows):
        raise typer.Exit(1)



@app.command()
def demo(keep: Optional[Path] = typer.Option(None, help="Use this folder instead of a temporary one.")) -> None:
    """Run the service through simulated time on sample referrals, in a fresh folder."""
    from service.demo import run_demo

    run_demo(out, keep)

