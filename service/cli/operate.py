"""Setting up and running the service: init, migrate, run, parse, doctor, demo."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path
from typing import Optional

import typer

from .common import (EXAMPLE_CONFIG, ConfigOpt, app, app_for, fail, out, print_json, settings_of)


# Set-up ---------------------------------------------------------------------------
@app.command()
def init(directory: Path = typer.Argument(..., help="Folder for the configuration and data."),
         force: bool = typer.Option(False, help="Overwrite an existing configuration."),
         simulation: bool = typer.Option(False, "--simulation", help="A simulation for trying the service or "
                                         "testing it: runs may act on simulated dates (run --once --now), and "
                                         "mail in the local inbox is trusted as from its sender.")) -> None:
    """Write DIR/review-clerk.toml (local mail backend, data inside DIR) and make its folders."""
    from service import simulation as sim

    target = directory / "review-clerk.toml"
    if target.exists() and not force:
        fail(f"{target} exists already (use --force to overwrite)")
    directory.mkdir(parents=True, exist_ok=True)
    text = EXAMPLE_CONFIG.read_text(encoding="utf-8")
    if simulation:
        text = sim.trusting_local_mail(text)
    target.write_text(text, encoding="utf-8")
    application = app_for(target)
    if simulation:
        sim.mark(application.db, application.clock.now())
    out.print(f"Wrote [bold]{target}[/]" + (" (a simulation)" if simulation else ""))
    out.print(f"Data folder: {application.settings.data_dir}")
    out.print(f"Drop referral emails (.eml) into {application.settings.data_dir / 'mail' / 'inbox'}")
    out.print(f"Then run: review-clerk --help, or review-clerk run --config {target}")


@app.command()
def migrate(config: Optional[Path] = ConfigOpt) -> None:
    """Bring the database schema up to date (run, init and demo do this too)."""
    application = app_for(config)
    out.print(f"Database ready: {application.db.describe()}")


@app.command()
def run(config: Optional[Path] = ConfigOpt,
        once: bool = typer.Option(False, "--once", help="Run each job once, then exit."),
        now: Optional[str] = typer.Option(None, "--now", help="With --once: act as of this ISO date-time "
                                          "(a later time than now only in a simulation, or with --simulate)."),
        simulate: bool = typer.Option(False, "--simulate", help="With --now: allow simulated time on this "
                                      "database (local mail backend only: nothing reaches a real mailbox).")) -> None:
    """Run the service: read the inbox, send what is due, chase deadlines.

    To see what it would do on a later date without doing it: review-clerk forecast --until DATE.
    """
    from service.jobs import Runner, run_once
    from service.simulation import SimulationRefused, check_run_at

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
    elif simulate:
        fail("--simulate goes with --once --now")
    application = app_for(config, when)
    if when is not None:
        try:
            note = check_run_at(application.settings, application.db, when, datetime.now(timezone.utc), simulate)
        except SimulationRefused as exc:
            fail(str(exc))
        if note:
            out.print(note)
    if once:
        results = run_once(application)
        for job, counts in results.items():
            shown = ", ".join(f"{k} {v}" for k, v in counts.items() if v) or "nothing to do"
            out.print(f"{job}: {shown}")
        if any(c.get("error") for c in results.values()):
            raise typer.Exit(1)
        return
    if application.settings.metrics.listen:
        from service.metrics import start_exporter  # prometheus_client only when metrics are on

        try:
            exporter = start_exporter(application, *application.settings.metrics.address)
        except OSError as exc:
            fail(f"metrics: cannot listen on {application.settings.metrics.listen} ({exc.strerror or exc}); "
                 f"change [metrics] listen")
        out.print(f"Metrics: {exporter.url}")
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
    from rich.table import Table

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
def demo(keep: bool = typer.Option(False, "--keep", help="Keep the demo's folder afterwards, to look at the "
                                   "mail it sent and the invitations it made."),
         folder: Optional[Path] = typer.Option(None, help="Use this folder instead of a temporary one "
                                               "(kept afterwards).")) -> None:
    """Run the service through simulated time on sample referrals, in a fresh folder."""
    from service.demo import run_demo

    run_demo(out, folder, keep=keep or folder is not None)
