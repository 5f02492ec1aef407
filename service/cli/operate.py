"""Setting up and running the service: init, migrate, run, parse, doctor, demo."""

from __future__ import annotations

import json
import sys
from datetime import datetime, timezone
from pathlib import Path
from typing import Optional

import typer

from service.display import this_command

from .common import (EXAMPLE_CONFIG, ConfigOpt, JsonOpt, app, app_for, err, escape, fail, out, print_json,
                     settings_of)


# Set-up ---------------------------------------------------------------------------
def default_key_file(directory: Path) -> Path:
    """Beside DIR, not in it: DIR (configuration and data) is what gets backed up, and a backup holding
    the key beside the data it opens protects nothing. ``~/review-clerk`` -> ``~/review-clerk-keys/``."""
    directory = directory.absolute()
    return directory.with_name(directory.name + "-keys") / "review-clerk.key"


def interactive() -> bool:
    """Whether a person is at the keyboard to answer a question (else defaults are taken)."""
    return sys.stdin.isatty()


def _with_key_file(config_text: str, key_file: Path) -> str:
    line = f"key_file = {json.dumps(str(key_file))}  # written by review-clerk init: back it up separately\n"
    lines = config_text.splitlines(keepends=True)
    for i, text in enumerate(lines):
        if text.strip() == "[security]":
            return "".join(lines[:i + 1] + [line] + lines[i + 1:])
    return config_text.rstrip("\n") + "\n\n[security]\n" + line


@app.command()
def init(directory: Path = typer.Argument(..., help="Folder for the configuration and data."),
         key_file: Optional[Path] = typer.Option(
             None, "--key-file", help="Where to keep the encryption key: outside DIR, so that backups of DIR do "
                                      "not hold it (default: DIR-keys/review-clerk.key; asked when interactive)."),
         force: bool = typer.Option(False, help="Overwrite an existing configuration."),
         simulation: bool = typer.Option(False, "--simulation", help="A simulation for trying the service or "
                                         "testing it: runs may act on simulated dates (run --once --now), and "
                                         "mail in the local inbox is trusted as from its sender.")) -> None:
    """Make a new service: DIR/review-clerk.toml (local mail backend, data in DIR/data), its folders, its
    database and its encryption key (kept outside DIR). The only command that creates them."""
    from service import simulation as sim
    from service.files import private_dir, write_private

    target = directory / "review-clerk.toml"
    if target.exists() and not force:
        fail(f"{target} exists already (use --force to overwrite)")
    if key_file is None:
        key_file = default_key_file(directory)
        if interactive():
            key_file = Path(typer.prompt("Where should the encryption key be kept (outside the folder you back "
                                         "up with the data)?", default=str(key_file)))
    key_file = key_file.expanduser().absolute()
    private_dir(directory)
    text = _with_key_file(EXAMPLE_CONFIG.read_text(encoding="utf-8"), key_file)
    if simulation:
        text = sim.trusting_local_mail(text)
    write_private(target, text.encode("utf-8"))
    application = app_for(target, create=True)
    if simulation:
        sim.mark(application.db, application.clock.now())
    command = this_command()
    out.print(f"Wrote [bold]{target}[/]" + (" (a simulation)" if simulation else ""))
    out.print(f"Data folder: {application.settings.data_dir}")
    out.print(f"Encryption key: [bold]{application.settings.security.key_file}[/] - back it up now, separately "
              f"from the backups of {directory}: without it the personal data cannot be read", soft_wrap=True)
    out.print(f"Drop referral emails (.eml) into {application.settings.data_dir / 'mail' / 'inbox'}")
    out.print(f"Then run: {command} --help, or {command} run --config {target}", soft_wrap=True)
    application.db.dispose()


@app.command()
def migrate(config: Optional[Path] = ConfigOpt) -> None:
    """Bring the database schema up to date (run does this too); make an empty one for an existing key.

    The data folder must exist already: only `init` makes a new service."""
    from service.store.db import Database, StoreMissing
    from service.store.keys import key_configured

    settings = settings_of(config)
    if not settings.data_dir.is_dir():
        raise StoreMissing(f"the data folder {settings.data_dir} does not exist: create the service with "
                           f"`review-clerk init DIR`, or check data_dir and that its volume is mounted")
    if not key_configured(settings):
        raise StoreMissing(f"there is no encryption key at {settings.security.key_file}: migrate makes a database "
                           f"only for an existing key; create a new service with `review-clerk init DIR`")
    db = Database(settings.database_url)
    db.create()
    db.migrate()
    db.dispose()
    application = app_for(config)  # checks the key against it
    out.print(f"Database ready: {application.db.describe()}")


@app.command()
def run(config: Optional[Path] = ConfigOpt,
        once: bool = typer.Option(False, "--once", help="Run each job once, then exit."),
        now: Optional[str] = typer.Option(None, "--now", help="With --once: act as of this ISO date-time "
                                          "(a later time than now only in a simulation, or with --simulate)."),
        simulate: bool = typer.Option(False, "--simulate", help="With --now: allow simulated time on this "
                                      "database (local mail backend only: nothing reaches a real mailbox)."),
        web: bool = typer.Option(False, "--web", help="Serve the web workspace in the same process ([web] host "
                                 "and port).")) -> None:
    """Run the service: read the inbox, send what is due, chase deadlines.

    To see what it would do on a later date without doing it: review-clerk forecast --until DATE.
    """
    from service.jobs import Runner, failed, run_once
    from service.simulation import SimulationRefused, check_run_at

    if web and once:
        fail("--web goes with a run that keeps running, not --once")
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
        broken = [job for job, counts in results.items() if failed(counts)]
        if broken:
            err.print(f"error: {len(broken)} job(s) failed: {', '.join(broken)}; the log says why",
                      style="bold red", highlight=False, soft_wrap=True)
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
    servers = []

    def start_web() -> None:
        from service.web.serve import start_in_thread

        servers.append(start_in_thread(application))
        out.print(f"Web workspace: {application.settings.web.public_url}")

    Runner(application).serve(start_web if web else None)
    for workspace in servers:
        workspace.should_exit = True


@app.command()
def parse(file: Path = typer.Argument(..., exists=True, dir_okay=False, readable=True,
                                      help="One email as an .eml file."),
          config: Optional[Path] = ConfigOpt) -> None:
    """Print the referral read from one email, as JSON (referral.schema.json). Needs no configuration
    (--config is accepted, as by every command)."""
    del config
    from service.intake.parsing import parse_message

    print_json(parse_message(file.read_bytes()))


@app.command()
def doctor(config: Optional[Path] = ConfigOpt,
           quick: bool = typer.Option(False, "--quick", help="No network and no token: configuration, database, "
                                                             "key, folders, disk and heartbeat (a health check)."),
           as_json: bool = JsonOpt) -> None:
    """Check that the service is healthy and say what to fix. Exit status: 0 ok (warnings allowed),
    1 a check failed, 2 the configuration is at fault. Changes nothing."""
    from service.health import FAILED, WARNING, exit_status, run_checks

    settings = settings_of(config)  # exits 2 on a configuration it cannot use
    rows = run_checks(settings, quick=quick)
    status = exit_status(rows)
    if as_json:
        print_json([{"check": r.check, "result": r.state, "detail": r.detail, "fix": r.fix} for r in rows])
        if status:
            raise typer.Exit(status)
        return
    from rich.table import Table

    t = Table(title="review-clerk doctor" + (" --quick" if quick else ""), header_style="bold")
    for c in ("check", "result", "detail", "fix"):
        t.add_column(c)
    style = {"ok": "[green]ok[/]", WARNING: "[yellow]warning[/]", FAILED: "[red]FAILED[/]"}
    for r in rows:
        t.add_row(r.check, style[r.state], escape(r.detail), escape(r.fix))
    out.print(t)
    if status:
        raise typer.Exit(status)


@app.command()
def demo(keep: bool = typer.Option(False, "--keep", help="Keep the demo's folder afterwards, to look at the "
                                   "mail it sent and the invitations it made."),
         folder: Optional[Path] = typer.Option(None, help="Use this folder instead of a temporary one "
                                               "(kept afterwards)."),
         procedure: Optional[str] = typer.Option(None, "--procedure",
                                                 help="Walk one case of this shipped pack from referral to its "
                                                      "end (cspr-wt2023, sar-care-act-2014, dhr-2016...); "
                                                      "default: the serious case review story.")) -> None:
    """Run the service through simulated time on sample referrals, in a fresh folder."""
    if procedure is not None and procedure != "enfield-scr-2013":
        from service.demo_pack import run_pack_demo
        from service.procedure.pack import SHIPPED

        known = sorted(d.name for d in SHIPPED.iterdir() if (d / "procedure.toml").is_file())
        if procedure not in known:
            fail(f"no shipped pack '{procedure}' (shipped: {', '.join(known)})")
        run_pack_demo(out, procedure, folder, keep=keep or folder is not None)
        return
    from service.demo import run_demo

    run_demo(out, folder, keep=keep or folder is not None)
