"""The command line: `review-clerk` (also `python -m service`).

Configuration comes from --config FILE, else $REVIEW_CLERK_CONFIG, else
./review-clerk.toml. Errors are one clear line on stderr and a non-zero exit:
2 for configuration, 1 for everything else.
"""

from __future__ import annotations

import json
import shutil
import sys
from datetime import date, datetime
from pathlib import Path
from typing import Any, Optional

import typer
from rich.console import Console
from rich.markup import escape
from rich.text import Text
from rich.table import Table

from .config import ConfigError, load_settings
from .meetings.cli import meeting_app
from .letters.cli import letters_app

app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  help="Review Clerk: runs serious case reviews for a Local Safeguarding Children Board.")
case_app = typer.Typer(no_args_is_help=True, help="One case: show it, record what happened, manage its deadlines.")
cases_app = typer.Typer(no_args_is_help=True, help="Cases across the board.")
deadline_app = typer.Typer(no_args_is_help=True, help="Mark deadlines done.")
inbox_app = typer.Typer(no_args_is_help=True, help="Messages received: what happened to each.")
audit_app = typer.Typer(no_args_is_help=True, help="The audit trail.")
keys_app = typer.Typer(no_args_is_help=True, help="The key that encrypts personal data at rest.")
app.add_typer(case_app, name="case")
app.add_typer(cases_app, name="cases")
app.add_typer(deadline_app, name="deadline")
app.add_typer(inbox_app, name="inbox")
app.add_typer(audit_app, name="audit")
app.add_typer(keys_app, name="keys")
app.add_typer(meeting_app, name="meeting")
app.add_typer(letters_app, name="letters")
retention_app = typer.Typer(no_args_is_help=True, help="How long personal data is kept; legal holds.")
app.add_typer(retention_app, name="retention")

out = Console()
err = Console(stderr=True)
EXAMPLE_CONFIG = Path(__file__).resolve().parents[1] / "config" / "review-clerk.example.toml"

ConfigOpt = typer.Option(None, "--config", "-c", help="Configuration file (default: $REVIEW_CLERK_CONFIG, "
                                                      "else ./review-clerk.toml).")
JsonOpt = typer.Option(False, "--json", help="Print JSON instead of a table.")
ActorOpt = typer.Option(None, "--by", help="Who is doing this (default: your user name).")


class Failure(Exception):
    """One line for the user; exits 1."""


def _fail(message: str, code: int = 1) -> None:
    err.print(f"[bold red]error:[/] {escape(message)}", highlight=False)
    raise typer.Exit(code)


def _settings(config: Optional[Path]):
    try:
        return load_settings(config)
    except ConfigError as exc:
        err.print(f"[bold red]{escape(str(exc))}[/]", highlight=False)
        raise typer.Exit(2) from None


def _app(config: Optional[Path], now: Optional[datetime] = None, migrate: bool = True):
    from .bootstrap import build_app
    from .clock import FixedClock
    from .letters.render import TemplateProblem
    from .logs import setup
    from .store.crypto import KeyProblem
    from .store.db import StoreError

    settings = _settings(config)
    setup(settings.logging.level, settings.logging.json_lines)
    try:
        return build_app(settings, FixedClock(now) if now else None, migrate=migrate)
    except TemplateProblem as exc:
        err.print(f"[bold red]template error:[/] {escape(str(exc))}", highlight=False)
        raise typer.Exit(2) from None
    except StoreError as exc:
        _fail(str(exc))
    except KeyProblem as exc:
        err.print(f"[bold red]encryption key error:[/] {escape(str(exc))}", highlight=False)
        raise typer.Exit(2) from None


def _date(value: str, name: str = "date") -> date:
    from .domain.calendar import parse_date

    parsed = parse_date(value)
    if parsed is None:
        _fail(f"{name} {value!r} is not a date; use YYYY-MM-DD or a UK date such as 24/12/2015")
    return parsed


def _actor(by: Optional[str]) -> str:
    if by:
        return by
    import getpass

    try:
        return getpass.getuser()
    except Exception:  # noqa: BLE001
        return "command line"


def _run_domain(fn, *args, **kwargs):
    from .domain.model import DomainError
    from .store.repository import NotFound

    try:
        return fn(*args, **kwargs)
    except (DomainError, NotFound) as exc:
        _fail(str(exc).strip("'\""))


def _print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, indent=2, default=str, ensure_ascii=False) + "\n")


def _table(title: str, rows: list[dict[str, Any]], columns: list[str]) -> None:
    t = Table(title=title, show_lines=False, header_style="bold")
    for c in columns:
        t.add_column(c.replace("_", " "))
    for r in rows:
        # Text, not markup: data such as "[procedure 4.2]" must print as written.
        t.add_row(*[Text("" if r.get(c) is None else str(r.get(c))) for c in columns])
    out.print(t)


# Set-up ---------------------------------------------------------------------------
@app.command()
def init(directory: Path = typer.Argument(..., help="Folder for the configuration and data."),
         force: bool = typer.Option(False, help="Overwrite an existing configuration.")) -> None:
    """Write DIR/review-clerk.toml (local mail backend, data inside DIR) and make its folders."""
    target = directory / "review-clerk.toml"
    if target.exists() and not force:
        _fail(f"{target} exists already (use --force to overwrite)")
    directory.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(EXAMPLE_CONFIG, target)
    application = _app(target)
    out.print(f"Wrote [bold]{target}[/]")
    out.print(f"Data folder: {application.settings.data_dir}")
    out.print(f"Drop referral emails (.eml) into {application.settings.data_dir / 'mail' / 'inbox'}")
    out.print(f"Then run: review-clerk --help, or review-clerk run --config {target}")


@app.command()
def migrate(config: Optional[Path] = ConfigOpt) -> None:
    """Bring the database schema up to date (run, init and demo do this too)."""
    application = _app(config)
    out.print(f"Database ready: {application.db.describe()}")


@app.command()
def run(config: Optional[Path] = ConfigOpt,
        once: bool = typer.Option(False, "--once", help="Run each job once, then exit."),
        now: Optional[str] = typer.Option(None, "--now", help="With --once: act as of this ISO date-time.")) -> None:
    """Run the service: read the inbox, send what is due, chase deadlines."""
    from .jobs import Runner, run_once

    when = None
    if now:
        if not once:
            _fail("--now goes with --once")
        try:
            when = datetime.fromisoformat(now)
        except ValueError:
            _fail(f"--now {now!r} is not an ISO date-time such as 2014-05-12T09:30")
        if when.tzinfo is None:
            when = when.replace(tzinfo=_settings(config).tz)
    application = _app(config, when)
    if once:
        results = run_once(application)
        for job, counts in results.items():
            shown = ", ".join(f"{k} {v}" for k, v in counts.items() if v) or "nothing to do"
            out.print(f"{job}: {shown}")
        if any(c.get("error") for c in results.values()):
            raise typer.Exit(1)
        return
    Runner(application).serve()


@app.command()
def parse(file: Path = typer.Argument(..., exists=True, dir_okay=False, readable=True,
                                      help="One email as an .eml file.")) -> None:
    """Print the referral read from one email, as JSON (referral.schema.json)."""
    from .intake.parsing import parse_message

    _print_json(parse_message(file.read_bytes()))


@app.command()
def doctor(config: Optional[Path] = ConfigOpt) -> None:
    """Check the configuration, the database and the mailbox connection; print what to fix."""
    settings = _settings(config)
    from .store.db import Database, StoreError

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
        from .m365 import run_doctor

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


# Cases -----------------------------------------------------------------------------
@cases_app.command("list")
def cases_list(config: Optional[Path] = ConfigOpt,
               stage: Optional[str] = typer.Option(None, help="Only cases at this stage."),
               overdue: bool = typer.Option(False, "--overdue", help="Only cases with a missed deadline."),
               as_json: bool = JsonOpt) -> None:
    """Cases with their stage and next deadline."""
    from .cases import list_cases
    from .domain.model_types import Stage

    st = None
    if stage:
        try:
            st = Stage(stage)
        except ValueError:
            _fail(f"no stage {stage!r}; stages are: {', '.join(s.value for s in Stage)}")
    rows = list_cases(_app(config), st, overdue)
    if as_json:
        _print_json(rows)
    else:
        _table("Cases", rows, ["reference", "stage", "outcome", "opened", "next_deadline", "next_due", "overdue"])


@case_app.command("show")
def case_show(reference: str, config: Optional[Path] = ConfigOpt, as_json: bool = JsonOpt) -> None:
    """Details, deadlines (due dates, rules, states), messages and the audit history of one case."""
    from .cases import show

    data = _run_domain(show, _app(config), reference)
    if as_json:
        _print_json(data)
        return
    out.print(f"[bold]{data['reference']}[/]  stage: {data['stage_label']}"
              + (f"  decision: {data['outcome']}" if data["outcome"] else ""))
    referrer = data["referrer"]
    out.print(escape(f"referrer: {referrer['name'] or '?'} ({referrer['agency'] or 'agency not stated'})"
                     f"  agencies involved: {', '.join(data['agencies']) or 'none yet'}"))
    if data["missing"]:
        out.print(f"[yellow]missing from the referral:[/] {', '.join(data['missing'])}")
    if data["legal_hold"]:
        out.print(escape(f"[legal hold] {data['legal_hold_reason'] or ''}  (retention leaves it alone; "
                         f"release with: review-clerk case release-hold {data['reference']} --reason TEXT)"))
    if data["anonymised_at"]:
        out.print(f"anonymised under the retention policy on {data['anonymised_at'][:10]}: names, contact details, "
                  f"emails and letter bodies removed")
    out.print(f"subjects: {len(data['subjects'])} (names: `case show --json`)")
    _table("Deadlines", data["deadlines"], ["key", "what", "due", "state", "rule", "reason"])
    _table("Messages", data["messages"], ["template", "to", "status", "sent_at", "last_error"])
    hist = [{**h, "detail": ", ".join(f"{k}={v}" for k, v in h["detail"].items())} for h in data["history"]]
    _table("History", hist, ["at", "actor", "action", "detail", "reason"])


@case_app.command("decide")
def case_decide(reference: str,
                outcome: str = typer.Option(..., help="scr | management-review | alternative-review | none"),
                on: str = typer.Option(..., "--date", help="Date of the decision."),
                reason: str = typer.Option(..., help="The Chair's reasons."),
                config: Optional[Path] = ConfigOpt, by: Optional[str] = ActorOpt) -> None:
    """Record the Chair's decision (stage 4)."""
    from .cases import decide
    from .domain.model_types import Outcome

    try:
        oc = Outcome(outcome)
    except ValueError:
        _fail(f"outcome {outcome!r} is not one of: {', '.join(o.value for o in Outcome)}")
    application = _app(config)
    case = _run_domain(decide, application, reference, oc, _date(on), reason, _actor(by))
    out.print(f"{case.reference}: decision '{oc.value}' recorded; stage is now {case.stage.label}")


@case_app.command("record")
def case_record(reference: str, event: str = typer.Argument(..., help="What happened, e.g. ofsted_notified"),
                on: str = typer.Option(..., "--date"), reason: Optional[str] = typer.Option(None),
                config: Optional[Path] = ConfigOpt, by: Optional[str] = ActorOpt) -> None:
    """Record that something happened (e.g. ofsted_notified, lead_reviewer_appointed, published)."""
    from .cases import record
    from .domain.model_types import EventKind

    try:
        kind = EventKind(event)
    except ValueError:
        _fail(f"no event {event!r}; events are: {', '.join(k.value for k in EventKind)}")
    case = _run_domain(record, _app(config), reference, kind, _date(on), _actor(by), reason)
    out.print(f"{case.reference}: {kind.value} recorded; stage is {case.stage.label}")


@case_app.command("correct-date")
def case_correct_date(reference: str, event: str, on: str = typer.Option(..., "--date"),
                      reason: str = typer.Option(...), config: Optional[Path] = ConfigOpt,
                      by: Optional[str] = ActorOpt) -> None:
    """Correct the date of an event; the deadlines it starts are recomputed."""
    from .cases import correct_date
    from .domain.model_types import EventKind

    try:
        kind = EventKind(event)
    except ValueError:
        _fail(f"no event {event!r}")
    case = _run_domain(correct_date, _app(config), reference, kind, _date(on), _actor(by), reason)
    out.print(f"{case.reference}: {kind.value} is now {case.events[kind].isoformat()}")


@case_app.command("add-agency")
def case_add_agency(reference: str, agency: str, config: Optional[Path] = ConfigOpt,
                    by: Optional[str] = ActorOpt) -> None:
    """Add an agency involved with the child (from the directory)."""
    from .cases import add_agency

    case = _run_domain(add_agency, _app(config), reference, agency, _actor(by))
    out.print(f"{case.reference}: agencies involved: {', '.join(case.agencies)}")


@case_app.command("set-due")
def case_set_due(reference: str, kind: str = typer.Argument(..., help="imr | chronology | agency_report"),
                 agency: str = typer.Argument(...), due: str = typer.Argument(...),
                 config: Optional[Path] = ConfigOpt, by: Optional[str] = ActorOpt) -> None:
    """Enter a due date the panel set for an agency's report."""
    from .cases import set_due

    case = _run_domain(set_due, _app(config), reference, kind, agency, _date(due, "due date"), _actor(by))
    out.print(f"{case.reference}: {kind} from {agency} due {_date(due).isoformat()}")


@case_app.command("pause-deadline")
def case_pause(reference: str, key: str, reason: str = typer.Option(...), config: Optional[Path] = ConfigOpt,
               by: Optional[str] = ActorOpt) -> None:
    """Pause a deadline (e.g. court proceedings); nothing is chased until it resumes."""
    from .cases import pause

    _run_domain(pause, _app(config), reference, key, reason, _actor(by))
    out.print(f"{reference}: {key} paused")


@case_app.command("resume-deadline")
def case_resume(reference: str, key: str, reason: str = typer.Option(...),
                to: Optional[str] = typer.Option(None, "--to", help="A new due date."),
                config: Optional[Path] = ConfigOpt, by: Optional[str] = ActorOpt) -> None:
    """Resume a paused deadline, optionally with a new due date."""
    from .cases import resume

    _run_domain(resume, _app(config), reference, key, reason, _actor(by), _date(to) if to else None)
    out.print(f"{reference}: {key} resumed")


@case_app.command("extend-deadline")
def case_extend(reference: str, key: str, to: str = typer.Option(..., "--to"), reason: str = typer.Option(...),
                config: Optional[Path] = ConfigOpt, by: Optional[str] = ActorOpt) -> None:
    """Extend a deadline to a later date, with the reason (e.g. Ofsted agreed another timescale)."""
    from .cases import extend

    _run_domain(extend, _app(config), reference, key, _date(to), reason, _actor(by))
    out.print(f"{reference}: {key} now due {_date(to).isoformat()}")


@deadline_app.command("done")
def deadline_done(reference: str, key: str, on: Optional[str] = typer.Option(None, "--date"),
                  config: Optional[Path] = ConfigOpt, by: Optional[str] = ActorOpt) -> None:
    """Mark a deadline met."""
    from .cases import mark_done

    application = _app(config)
    _run_domain(mark_done, application, reference, key, _date(on) if on else application.today(), _actor(by))
    out.print(f"{reference}: {key} marked done")


@app.command()
def deadlines(config: Optional[Path] = ConfigOpt, as_of: Optional[str] = typer.Option(None, "--as-of"),
              as_json: bool = JsonOpt) -> None:
    """Every deadline not yet met, across cases, soonest first."""
    from .cases import deadlines_across

    application = _app(config)
    rows = deadlines_across(application, _date(as_of) if as_of else application.today())
    if as_json:
        _print_json(rows)
    else:
        _table("Deadlines", rows, ["reference", "key", "what", "due", "state", "owner", "rule"])


# Inbox and audit ---------------------------------------------------------------------
@inbox_app.command("list")
def inbox_list(config: Optional[Path] = ConfigOpt,
               status: Optional[str] = typer.Option(None, help="e.g. quarantined, held, not_referral"),
               as_json: bool = JsonOpt) -> None:
    """Messages received and the outcome of each."""
    application = _app(config)
    statuses = [status] if status else ["new", "processed", "duplicate", "reply", "not_referral", "quarantined",
                                        "held", "failed", "refused"]
    with application.db.unit_of_work() as uow:
        rows = uow.inbox.by_status(statuses)
    view = [{"id": r["id"], "received": r["stored_at"], "from": r["sender"], "status": r["status"],
             "kind": r["kind"], "outcome": r["outcome"]} for r in rows]
    if as_json:
        _print_json(view)
    else:
        _table("Inbox", view, ["id", "received", "from", "status", "kind", "outcome"])


@inbox_app.command("release")
def inbox_release(inbound_id: int, config: Optional[Path] = ConfigOpt, by: Optional[str] = ActorOpt) -> None:
    """Open the case for a referral held because its sender was not a partner agency."""
    from .intake.handler import file_handled, release_held

    application = _app(config)
    try:
        outcome = release_held(application, inbound_id, _actor(by))
    except (ValueError, LookupError) as exc:
        _fail(str(exc))
    file_handled(application)
    out.print(escape(f"message {inbound_id}: {outcome.status}: {outcome.reason}"))


@inbox_app.command("show")
def inbox_show(inbound_id: int, config: Optional[Path] = ConfigOpt, as_json: bool = JsonOpt) -> None:
    """What the service reads from one stored message, and its outcome (names: this command only).

    To open a case from a message the service could not take as a referral by itself: save the
    referral part of `--json`, correct or complete it, then `review-clerk inbox open ID --details FILE`.
    """
    from .intake.handler import read_stored

    try:
        data = read_stored(_app(config), inbound_id)
    except LookupError as exc:
        _fail(str(exc))
    if as_json:
        _print_json(data["referral"])
        return
    out.print(escape(f"message {data['id']} from {data['sender'] or '?'}: {data['status']} - {data['outcome'] or ''}"))
    r = data["referral"]
    out.print(escape(f"read as: {r.get('kind') or '?'}" + (f"; needs a person: {r['needs_person']}"
                                                             if r.get("needs_person") else "")))
    out.print(f"subjects: {len(r.get('subjects') or [])}; missing: {', '.join(r.get('missing') or []) or 'nothing'}")
    out.print(f"details (names, dates of birth): review-clerk inbox show {inbound_id} --json")


@inbox_app.command("open")
def inbox_open(inbound_id: int,
               details: Optional[Path] = typer.Option(None, help="A JSON file with the referral's fields "
                                                                 "(as `inbox show ID --json` prints them), "
                                                                 "corrected or completed."),
               acknowledge: bool = typer.Option(True, "--acknowledge/--no-acknowledgement",
                                                help="Acknowledge the referrer (as for any referral)."),
               config: Optional[Path] = ConfigOpt, by: Optional[str] = ActorOpt) -> None:
    """Open the case for a message the service did not take as a referral (quarantined, not a referral,
    failed or held), once a person has read it."""
    from .intake.details import DetailsProblem
    from .intake.handler import file_handled, open_by_hand

    given = None
    if details is not None:
        try:
            given = json.loads(details.read_text(encoding="utf-8"))
        except (OSError, UnicodeError) as exc:
            _fail(f"cannot read {details}: {exc.__class__.__name__}")
        except json.JSONDecodeError as exc:
            _fail(f"{details} is not JSON: line {exc.lineno}, column {exc.colno}: {exc.msg}")
    application = _app(config)
    try:
        outcome = open_by_hand(application, inbound_id, _actor(by), given, acknowledge=acknowledge)
    except DetailsProblem as exc:
        _fail(f"{details}: {exc}")
    except (ValueError, LookupError) as exc:
        _fail(str(exc))
    file_handled(application)
    out.print(escape(f"message {inbound_id}: {outcome.reason}; see it with: review-clerk case show {outcome.reference}"))
    if details is not None:
        err.print(escape(f"{details} holds personal details: delete it when you no longer need it"))


@audit_app.command("verify")
def audit_verify(config: Optional[Path] = ConfigOpt) -> None:
    """Check that the audit trail is complete and unaltered (hash chain)."""
    application = _app(config)
    with application.db.unit_of_work() as uow:
        n, problems = uow.audit.verify()
    if problems:
        for p in problems:
            err.print(f"[red]{p}[/]")
        _fail(f"audit trail: {len(problems)} problem(s) in {n} events")
    out.print(f"audit trail intact: {n} events")


@keys_app.command("new")
def keys_new() -> None:
    """Print a new encryption key (base64), for security.encryption_key or a key file."""
    from .store.crypto import encode_key, new_key

    sys.stdout.write(encode_key(new_key()) + "\n")


@keys_app.command("rotate")
def keys_rotate(config: Optional[Path] = ConfigOpt,
                new_key_file: Optional[Path] = typer.Option(
                    None, help="Where to write the new key (needed when the key comes from "
                               "security.encryption_key rather than a key file).")) -> None:
    """Re-encrypt every sealed value with a new key, in one transaction; then retire the old key."""
    from .store.crypto import KeyProblem
    from .store.keys import rotate

    application = _app(config)
    try:
        counts = rotate(application.settings, application.db, new_key_file)
    except KeyProblem as exc:
        _fail(str(exc))
    target = new_key_file or application.settings.security.key_file
    out.print(f"re-encrypted: {', '.join(f'{n} {table}' for table, n in counts.items())}")
    out.print(f"the new key is in {target}; back it up now (the old key no longer opens anything)")


# Retention and legal hold ---------------------------------------------------------------
@case_app.command("hold")
def case_hold(reference: str, reason: str = typer.Option(..., help="Why: the claim, inquiry or request it is for."),
              config: Optional[Path] = ConfigOpt, by: Optional[str] = ActorOpt) -> None:
    """Put a case under legal hold: nothing of it is deleted or anonymised until the hold is released."""
    from .retention import place_hold

    held = _run_domain(place_hold, _app(config), reference, reason, _actor(by))
    out.print(escape(f"{held['reference']}: under legal hold; nothing of it will be deleted or anonymised "
                     f"until the hold is released"))
    if held["anonymised_at"]:
        out.print(f"[yellow]note:[/] its personal data was already removed on {held['anonymised_at'][:10]}")


@case_app.command("release-hold")
def case_release_hold(reference: str, reason: str = typer.Option(..., help="Why the hold is no longer needed."),
                      config: Optional[Path] = ConfigOpt, by: Optional[str] = ActorOpt) -> None:
    """Release a case's legal hold: its retention period applies again."""
    from .retention import release_hold

    released = _run_domain(release_hold, _app(config), reference, reason, _actor(by))
    out.print(escape(f"{released['reference']}: legal hold released; its retention period applies again"))


@retention_app.command("apply")
def retention_apply(config: Optional[Path] = ConfigOpt,
                    dry_run: bool = typer.Option(False, "--dry-run", help="Only say what would be removed."),
                    as_json: bool = JsonOpt, by: Optional[str] = ActorOpt) -> None:
    """Remove what is past its retention period (see the retention settings), except cases under legal hold."""
    from .retention import apply

    report = apply(_app(config), _actor(by), dry_run=dry_run)
    if as_json:
        _print_json(report)
        return

    def refs(cases: list[dict[str, Any]]) -> str:
        return ", ".join(c["reference"] for c in cases)

    will = dry_run
    rows = [
        {"record": "closed cases", "action": "to anonymise" if will else "anonymised",
         "count": len(report["cases_anonymised"]), "detail": refs(report["cases_anonymised"])},
        {"record": "closed cases", "action": "kept: legal hold", "count": len(report["cases_kept_on_legal_hold"]),
         "detail": refs(report["cases_kept_on_legal_hold"])},
        {"record": "closed cases", "action": "waiting: letters not yet sent",
         "count": len(report["cases_waiting_for_letters"]), "detail": refs(report["cases_waiting_for_letters"])},
        {"record": "emails linked to no case", "action": "to delete" if will else "deleted",
         "count": report["unlinked_mail_deleted"],
         "detail": ", ".join(f"{k} {v}" for k, v in sorted(report["unlinked_mail_deleted_by_status"].items()))},
        {"record": "emails of anonymised cases", "action": "to empty" if will else "emptied",
         "count": report["late_mail_cleared"], "detail": ""},
        {"record": "sent message bodies", "action": "to remove" if will else "removed",
         "count": report["sent_bodies_removed"], "detail": ""},
        {"record": "sent message bodies", "action": "kept: legal hold",
         "count": report["sent_bodies_kept_on_legal_hold"], "detail": ""},
    ]
    title = f"Retention as of {report['as_of']}" + (" (dry run: nothing changed)" if dry_run else "")
    _table(title, rows, ["record", "action", "count", "detail"])
    if dry_run:
        out.print("Run without --dry-run to remove it.")


@retention_app.command("holds")
def retention_holds(config: Optional[Path] = ConfigOpt, as_json: bool = JsonOpt) -> None:
    """Cases under legal hold, with the reason."""
    from .retention import holds

    rows = holds(_app(config))
    if as_json:
        _print_json(rows)
    else:
        _table("Cases under legal hold", rows, ["reference", "stage", "reason", "anonymised_at"])


@app.command()
def demo(keep: Optional[Path] = typer.Option(None, help="Use this folder instead of a temporary one.")) -> None:
    """Run the service through simulated time on sample referrals, in a fresh folder."""
    from .demo import run_demo

    run_demo(out, keep)


def main() -> None:
    try:
        app()
    except ConfigError as exc:  # pragma: no cover - _settings handles the usual path
        err.print(str(exc))
        sys.exit(2)


if __name__ == "__main__":  # pragma: no cover
    main()
