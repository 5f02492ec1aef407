"""One case and cases across the board: show, decide, record, deadlines, legal holds."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer
from rich.markup import escape

from .common import (ActorOpt, ConfigOpt, JsonOpt, actor_of, app, app_for, fail, out, parse_day,
                     print_json, run_domain, table)

case_app = typer.Typer(no_args_is_help=True, help="One case: show it, record what happened, manage its deadlines.")
cases_app = typer.Typer(no_args_is_help=True, help="Cases across the board.")
deadline_app = typer.Typer(no_args_is_help=True, help="Mark deadlines done.")

# Cases -----------------------------------------------------------------------------
@cases_app.command("list")
def cases_list(config: Optional[Path] = ConfigOpt,
               stage: Optional[str] = typer.Option(None, help="Only cases at this stage."),
               overdue: bool = typer.Option(False, "--overdue", help="Only cases with a missed deadline."),
               as_json: bool = JsonOpt) -> None:
    """Cases with their stage and next deadline."""
    from service.cases import list_cases
    from service.domain.model_types import Stage

    st = None
    if stage:
        try:
            st = Stage(stage)
        except ValueError:
            fail(f"no stage {stage!r}; stages are: {', '.join(s.value for s in Stage)}")
    rows = list_cases(app_for(config), st, overdue)
    if as_json:
        print_json(rows)
    else:
        table("Cases", rows, ["reference", "stage", "outcome", "opened", "next_deadline", "next_due", "overdue"])


@case_app.command("show")
def case_show(reference: str, config: Optional[Path] = ConfigOpt, as_json: bool = JsonOpt) -> None:
    """Details, deadlines (due dates, rules, states), messages and the audit history of one case."""
    from service.cases import show

    data = run_domain(show, app_for(config), reference)
    if as_json:
        print_json(data)
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
    table("Deadlines", data["deadlines"], ["key", "what", "due", "state", "rule", "reason"])
    table("Messages", data["messages"], ["template", "to", "status", "sent_at", "last_error"])
    hist = [{**h, "detail": ", ".join(f"{k}={v}" for k, v in h["detail"].items())} for h in data["history"]]
    table("History", hist, ["at", "actor", "action", "detail", "reason"])


@case_app.command("decide")
def case_decide(reference: str,
                outcome: str = typer.Option(..., help="scr | management-review | alternative-review | none"),
                on: str = typer.Option(..., "--date", help="Date of the decision."),
                reason: str = typer.Option(..., help="The Chair's reasons."),
                config: Optional[Path] = ConfigOpt, by: Optional[str] = ActorOpt) -> None:
    """Record the Chair's decision (stage 4)."""
    from service.cases import decide
    from service.domain.model_types import Outcome

    try:
        oc = Outcome(outcome)
    except ValueError:
        fail(f"outcome {outcome!r} is not one of: {', '.join(o.value for o in Outcome)}")
    application = app_for(config)
    case = run_domain(decide, application, reference, oc, parse_day(on), reason, actor_of(by))
    out.print(f"{case.reference}: decision '{oc.value}' recorded; stage is now {case.stage.label}")


@case_app.command("undo-decision")
def case_undo_decision(reference: str, reason: str = typer.Option(..., help="Why the decision is withdrawn."),
                       config: Optional[Path] = ConfigOpt, by: Optional[str] = ActorOpt) -> None:
    """Withdraw a decision taken by email while its letters are held: they are never sent, and the case goes back
    to the stage it had before it."""
    from service.intake.decision_hold import undo_by_command

    case = run_domain(undo_by_command, app_for(config), reference, actor_of(by), reason)
    out.print(f"{case.reference}: the decision taken by email is withdrawn and its letters with it; "
              f"stage is {case.stage.label}")


@case_app.command("record")
def case_record(reference: str, event: str = typer.Argument(..., help="What happened, e.g. ofsted_notified"),
                on: str = typer.Option(..., "--date"), reason: Optional[str] = typer.Option(None),
                config: Optional[Path] = ConfigOpt, by: Optional[str] = ActorOpt) -> None:
    """Record that something happened (e.g. ofsted_notified, lead_reviewer_appointed, published)."""
    from service.cases import record
    from service.domain.model_types import EventKind

    try:
        kind = EventKind(event)
    except ValueError:
        fail(f"no event {event!r}; events are: {', '.join(k.value for k in EventKind)}")
    case = run_domain(record, app_for(config), reference, kind, parse_day(on), actor_of(by), reason)
    out.print(f"{case.reference}: {kind.value} recorded; stage is {case.stage.label}")


@case_app.command("correct-date")
def case_correct_date(reference: str, event: str, on: str = typer.Option(..., "--date"),
                      reason: str = typer.Option(...), config: Optional[Path] = ConfigOpt,
                      by: Optional[str] = ActorOpt) -> None:
    """Correct the date of an event; the deadlines it starts are recomputed."""
    from service.cases import correct_date
    from service.domain.model_types import EventKind

    try:
        kind = EventKind(event)
    except ValueError:
        fail(f"no event {event!r}")
    case = run_domain(correct_date, app_for(config), reference, kind, parse_day(on), actor_of(by), reason)
    out.print(f"{case.reference}: {kind.value} is now {case.events[kind].isoformat()}")


@case_app.command("add-agency")
def case_add_agency(reference: str, agency: str, config: Optional[Path] = ConfigOpt,
                    by: Optional[str] = ActorOpt) -> None:
    """Add an agency involved with the child (from the directory)."""
    from service.cases import add_agency

    case = run_domain(add_agency, app_for(config), reference, agency, actor_of(by))
    out.print(f"{case.reference}: agencies involved: {', '.join(case.agencies)}")


@case_app.command("set-due")
def case_set_due(reference: str, kind: str = typer.Argument(..., help="imr | chronology | agency_report"),
                 agency: str = typer.Argument(...), due: str = typer.Argument(...),
                 config: Optional[Path] = ConfigOpt, by: Optional[str] = ActorOpt) -> None:
    """Enter a due date the panel set for an agency's report."""
    from service.cases import set_due

    case = run_domain(set_due, app_for(config), reference, kind, agency, parse_day(due, "due date"), actor_of(by))
    out.print(f"{case.reference}: {kind} from {agency} due {parse_day(due).isoformat()}")


@case_app.command("pause-deadline")
def case_pause(reference: str, key: str, reason: str = typer.Option(...), config: Optional[Path] = ConfigOpt,
               by: Optional[str] = ActorOpt) -> None:
    """Pause a deadline (e.g. court proceedings); nothing is chased until it resumes."""
    from service.cases import pause

    run_domain(pause, app_for(config), reference, key, reason, actor_of(by))
    out.print(f"{reference}: {key} paused")


@case_app.command("resume-deadline")
def case_resume(reference: str, key: str, reason: str = typer.Option(...),
                to: Optional[str] = typer.Option(None, "--to", help="A new due date."),
                config: Optional[Path] = ConfigOpt, by: Optional[str] = ActorOpt) -> None:
    """Resume a paused deadline, optionally with a new due date."""
    from service.cases import resume

    run_domain(resume, app_for(config), reference, key, reason, actor_of(by), parse_day(to) if to else None)
    out.print(f"{reference}: {key} resumed")


@case_app.command("extend-deadline")
def case_extend(reference: str, key: str, to: str = typer.Option(..., "--to"), reason: str = typer.Option(...),
                config: Optional[Path] = ConfigOpt, by: Optional[str] = ActorOpt) -> None:
    """Extend a deadline to a later date, with the reason (e.g. Ofsted agreed another timescale)."""
    from service.cases import extend

    run_domain(extend, app_for(config), reference, key, parse_day(to), reason, actor_of(by))
    out.print(f"{reference}: {key} now due {parse_day(to).isoformat()}")


@deadline_app.command("done")
def deadline_done(reference: str, key: str, on: Optional[str] = typer.Option(None, "--date"),
                  config: Optional[Path] = ConfigOpt, by: Optional[str] = ActorOpt) -> None:
    """Mark a deadline met."""
    from service.cases import mark_done

    application = app_for(config)
    run_domain(mark_done, application, reference, key, parse_day(on) if on else application.today(), actor_of(by))
    out.print(f"{reference}: {key} marked done")


@app.command()
def deadlines(config: Optional[Path] = ConfigOpt, as_of: Optional[str] = typer.Option(None, "--as-of"),
              as_json: bool = JsonOpt) -> None:
    """Every deadline not yet met, across cases, soonest first."""
    from service.cases import deadlines_across

    application = app_for(config)
    rows = deadlines_across(application, parse_day(as_of) if as_of else application.today())
    if as_json:
        print_json(rows)
    else:
        table("Deadlines", rows, ["reference", "key", "what", "due", "state", "owner", "rule"])



# Retention and legal hold ---------------------------------------------------------------
@case_app.command("hold")
def case_hold(reference: str, reason: str = typer.Option(..., help="Why: the claim, inquiry or request it is for."),
              config: Optional[Path] = ConfigOpt, by: Optional[str] = ActorOpt) -> None:
    """Put a case under legal hold: nothing of it is deleted or anonymised until the hold is released."""
    from service.retention import place_hold

    held = run_domain(place_hold, app_for(config), reference, reason, actor_of(by))
    out.print(escape(f"{held['reference']}: under legal hold; nothing of it will be deleted or anonymised "
                     f"until the hold is released"))
    if held["anonymised_at"]:
        out.print(f"[yellow]note:[/] its personal data was already removed on {held['anonymised_at'][:10]}")


@case_app.command("release-hold")
def case_release_hold(reference: str, reason: str = typer.Option(..., help="Why the hold is no longer needed."),
                      config: Optional[Path] = ConfigOpt, by: Optional[str] = ActorOpt) -> None:
    """Release a case's legal hold: its retention period applies again."""
    from service.retention import release_hold

    released = run_domain(release_hold, app_for(config), reference, reason, actor_of(by))
    out.print(escape(f"{released['reference']}: legal hold released; its retention period applies again"))

