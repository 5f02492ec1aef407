"""One case and cases across the board: show, decide, record, deadlines, legal holds."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from .common import (ActorOpt, AllOpt, ConfigOpt, JsonOpt, LimitOpt, actor_of, app, app_for, err, escape, fail, out,
                     page_size, paging_note, parse_day, print_json, read_json_file, run_domain, stream_json, table,
                     when)

case_app = typer.Typer(no_args_is_help=True, help="One case: show it, record what happened, manage its deadlines.")
cases_app = typer.Typer(no_args_is_help=True, help="Cases across the board.")
deadline_app = typer.Typer(no_args_is_help=True, help="Mark deadlines done.")

# Cases -----------------------------------------------------------------------------
@cases_app.command("list")
def cases_list(config: Optional[Path] = ConfigOpt,
               stage: Optional[str] = typer.Option(None, help="Only cases at this stage: its label as listed "
                                                   "(\"Case panel\") or its name (case_panel)."),
               overdue: bool = typer.Option(False, "--overdue", help="Only cases with a missed deadline."),
               limit: int = LimitOpt, every: bool = AllOpt("case"), as_json: bool = JsonOpt) -> None:
    """Cases with their stage and next deadline, newest first (the first 50; --limit N, or --all)."""
    from service.cases import case_rows

    application = app_for(config)
    st = None
    if stage:
        wanted = stage.strip().casefold()
        stages = application.procedure.stages
        st = next((s.id for s in stages if wanted in (s.id, s.label.casefold())), None)
        if st is None:
            fail(f"no stage {stage!r}; stages are: {'; '.join(f'{s.label} ({s.id})' for s in stages)}")
    total, rows = case_rows(application, st, overdue, page_size(limit, every))
    if as_json:
        stream_json(rows)
    else:
        table("Cases", [{**r, "stage": r["stage_label"]} for r in rows],
              ["reference", "opened", "stage", "outcome", "next_due", "next_deadline", "overdue"],
              ids=["reference", "opened", "next_due"])
    paging_note(len(rows), total, "case", as_json)


@case_app.command("show")
def case_show(reference: str, config: Optional[Path] = ConfigOpt, as_json: bool = JsonOpt,
              redact: bool = typer.Option(False, "--redact", help="The subjects by their initials, without "
                                          "dates of birth or addresses (e.g. to show the screen to others).")
              ) -> None:
    """The case record: details, the subjects, deadlines (due dates, rules, states), messages and the
    audit history of one case."""
    from service.cases import show

    application = app_for(config)
    tz = application.settings.tz
    data = run_domain(show, application, reference)
    if as_json:
        if redact:
            data["subjects"] = [redacted(s) for s in data["subjects"]]
        print_json(data)
        return
    out.print(f"[bold]{data['reference']}[/]  stage: {escape(data['stage_label'])}"
              + (f"  decision: {data['outcome']}" if data["outcome"] else ""), highlight=False)
    out.print(f"opened: {when(data['opened_at'], tz)}", highlight=False)
    referrer = data["referrer"]
    out.print(escape(f"referrer: {referrer['name'] or '?'} ({referrer['agency'] or 'agency not stated'})"
                     f"  agencies involved: {', '.join(data['agencies']) or 'none yet'}"), highlight=False)
    if data["missing"]:
        out.print(f"[yellow]missing from the referral:[/] {escape(', '.join(data['missing']))}", highlight=False)
    if data["to_confirm"]:
        out.print(f"[yellow]to confirm (how the referral was read):[/] {escape('; '.join(data['to_confirm']))}  "
                  f"(review-clerk case confirm {data['reference']})", highlight=False)
    if data["legal_hold"]:
        out.print(escape(f"[legal hold] {data['legal_hold_reason'] or ''}  (retention leaves it alone; "
                         f"release with: review-clerk case release-hold {data['reference']} --reason TEXT)"))
    if data["anonymised_at"]:
        out.print(f"anonymised under the retention policy on {data['anonymised_at'][:10]}: names, contact details, "
                  f"emails and letter bodies removed")
    subjects = [redacted(s) if redact else s for s in data["subjects"]]
    table("Subjects (redacted: initials only)" if redact else "Subjects", subjects,
          ["name", "relationship", "role"] + ([] if redact else ["date_of_birth", "address"]), ids=["date_of_birth"])
    table("Deadlines", data["deadlines"], ["key", "due", "state", "what", "rule", "reason"], ids=["key", "due"])
    messages = [{**m, "to": ", ".join(m["to"]) if isinstance(m["to"], list) else m["to"]} for m in data["messages"]]
    table("Messages", messages, ["template", "sent_at", "status", "to", "last_error"], ids=["template"],
          times=["sent_at"], tz=tz)
    hist = [{**h, "detail": ", ".join(f"{k}={v}" for k, v in h["detail"].items())} for h in data["history"]]
    table("History", hist, ["at", "action", "actor", "reason", "detail"], times=["at"], tz=tz)


def redacted(subject: dict) -> dict:
    """A subject with initials for the name and no date of birth or address."""
    from service.domain.model import Subject

    initials = Subject(name=subject.get("name") or "").initials or "?"
    return {**subject, "name": initials, "date_of_birth": None, "address": None}


@case_app.command("decide")
def case_decide(reference: str,
                outcome: str = typer.Option(..., help="scr | management-review | alternative-review | none"),
                on: str = typer.Option(..., "--date", help="Date of the decision."),
                reason: str = typer.Option(..., help="The Chair's reasons."),
                criterion: Optional[str] = typer.Option(None, help="The criterion the decision found met, as the "
                                                        "case's procedure names it (procedure show)."),
                config: Optional[Path] = ConfigOpt, by: Optional[str] = ActorOpt) -> None:
    """Record the Chair's decision (stage 4)."""
    from service.cases import decide

    application = app_for(config)
    case = run_domain(decide, application, reference, outcome.strip(), parse_day(on), reason, actor_of(by),
                      criterion)
    met = f" (criterion {case.criterion})" if case.criterion else ""
    out.print(f"{case.reference}: decision '{case.outcome}'{met} recorded; stage is now {case.stage_label}")


@case_app.command("undo-decision")
def case_undo_decision(reference: str, reason: str = typer.Option(..., help="Why the decision is withdrawn."),
                       config: Optional[Path] = ConfigOpt, by: Optional[str] = ActorOpt) -> None:
    """Withdraw a decision taken by email while its letters are held: they are never sent, and the case goes back
    to the stage it had before it."""
    from service.intake.decision_hold import undo_by_command

    case = run_domain(undo_by_command, app_for(config), reference, actor_of(by), reason)
    out.print(f"{case.reference}: the decision taken by email is withdrawn and its letters with it; "
              f"stage is {case.stage_label}")


@case_app.command("record")
def case_record(reference: str, event: str = typer.Argument(..., help="What happened, e.g. ofsted_notified"),
                on: str = typer.Option(..., "--date"), reason: Optional[str] = typer.Option(None),
                config: Optional[Path] = ConfigOpt, by: Optional[str] = ActorOpt) -> None:
    """Record that something happened (e.g. ofsted_notified, lead_reviewer_appointed, published)."""
    from service.cases import record

    kind = event.strip()
    case = run_domain(record, app_for(config), reference, kind, parse_day(on), actor_of(by), reason)
    out.print(f"{case.reference}: {kind} recorded; stage is {case.stage_label}")


@case_app.command("correct-date")
def case_correct_date(reference: str, event: str, on: str = typer.Option(..., "--date"),
                      reason: str = typer.Option(...), config: Optional[Path] = ConfigOpt,
                      by: Optional[str] = ActorOpt) -> None:
    """Correct the date of an event; the deadlines it starts are recomputed."""
    from service.cases import correct_date

    kind = event.strip()
    case = run_domain(correct_date, app_for(config), reference, kind, parse_day(on), actor_of(by), reason)
    out.print(f"{case.reference}: {kind} is now {case.events[kind].isoformat()}")


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
              limit: int = LimitOpt, every: bool = AllOpt("deadline"), as_json: bool = JsonOpt) -> None:
    """Every deadline not yet met, across cases, soonest first (the first 50; --limit N, or --all)."""
    from service.cases import deadline_rows

    application = app_for(config)
    total, rows = deadline_rows(application, parse_day(as_of) if as_of else application.today(),
                                page_size(limit, every), with_reason=as_json)
    if as_json:
        stream_json(rows)
    else:
        table("Deadlines", rows, ["reference", "key", "due", "state", "owner", "what", "rule"],
              ids=["reference", "key", "due"])
    paging_note(len(rows), total, "deadline", as_json)



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



@case_app.command("migrate-procedure")
def case_migrate_procedure(reference: str,
                           to: str = typer.Option(..., "--to", help="The version of the case's procedure to run it "
                                                  "under from now on (procedure versions lists them)."),
                           reason: str = typer.Option(..., help="Why (audited)."),
                           config: Optional[Path] = ConfigOpt, by: Optional[str] = ActorOpt) -> None:
    """Move a case, on purpose, to another version of its procedure: what happened stays; its deadlines are
    derived anew by the new version's rules, and each change is listed. A case otherwise keeps the version it
    was opened under."""
    from service.cases import migrate_procedure

    changes = run_domain(migrate_procedure, app_for(config), reference, to.strip(), reason, actor_of(by))
    out.print(f"{reference.strip().upper()}: now runs under version {to.strip()}"
              + ("" if changes else "; its deadlines are unchanged"), markup=False, highlight=False)
    for line in changes:
        out.print(f"  {line}", markup=False, highlight=False)


@case_app.command("open")
def case_open(details: Path = typer.Option(..., help="A JSON file with the referral's fields (as `inbox show ID "
                                                     "--json` prints them under \"referral\"): subjects, summary, "
                                                     "referrer..."),
              procedure: Optional[str] = typer.Option(None, "--procedure",
                                                      help="The procedure to run it under (a pack in use, e.g. "
                                                           "cspr-wt2023; default: the board's default pack)."),
              received: Optional[str] = typer.Option(None, "--received",
                                                     help="The day the referral came (default: today)."),
              config: Optional[Path] = ConfigOpt, by: Optional[str] = ActorOpt) -> None:
    """Open a case for a referral that came by no email (a telephone call, a letter): the deadlines run from
    the day it came. A referral that came by email is opened with `review-clerk inbox open ID`."""
    from service.intake.by_hand import open_without_message
    from service.intake.details import DetailsProblem

    given = read_json_file(details)
    given = given.get("referral", given) if isinstance(given, dict) else given
    if not isinstance(given, dict):
        fail(f"{details}: expected a JSON object with the referral's fields")
    application = app_for(config)
    try:
        outcome = open_without_message(application, given, actor_of(by), procedure,
                                       parse_day(received) if received else None)
    except DetailsProblem as exc:
        fail(f"{details}: {exc}")
    except (ValueError, LookupError) as exc:
        fail(str(exc))
    out.print(escape(f"case {outcome.reference} opened under {application.procedure_named(procedure).label}; "
                     f"see it with: review-clerk case show {outcome.reference}"))
    err.print(escape(f"{details} holds personal details: delete it when you no longer need it"))
