"""Messages received: what happened to each; opening a case by hand."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from .common import (ActorOpt, ConfigOpt, JsonOpt, actor_of, app_for, err, escape, fail, out, print_json,
                     read_json_file, table)

inbox_app = typer.Typer(no_args_is_help=True, help="Messages received: what happened to each.")

# Inbox and audit ---------------------------------------------------------------------
@inbox_app.command("list")
def inbox_list(config: Optional[Path] = ConfigOpt,
               status: Optional[str] = typer.Option(None, help="e.g. quarantined, held, not_referral"),
               as_json: bool = JsonOpt) -> None:
    """Messages received and the outcome of each."""
    application = app_for(config)
    statuses = [status] if status else ["new", "processed", "duplicate", "reply", "not_referral", "quarantined",
                                        "held", "failed", "refused"]
    with application.db.unit_of_work() as uow:
        rows = uow.inbox.by_status(statuses)
    view = [{"id": r["id"], "received": r["stored_at"], "from": r["sender"], "status": r["status"],
             "kind": r["kind"], "outcome": r["outcome"]} for r in rows]
    if as_json:
        print_json(view)
    else:
        table("Inbox", view, ["id", "received", "status", "kind", "from", "outcome"], ids=["id", "status"],
              times=["received"], tz=application.settings.tz)


@inbox_app.command("release")
def inbox_release(inbound_id: int, config: Optional[Path] = ConfigOpt, by: Optional[str] = ActorOpt,
                  case: Optional[str] = typer.Option(None, "--case", help="The case a held agency return is for, "
                                                     "when the message names none the service knows.")) -> None:
    """Open the case for a referral held because its sender was not a partner agency; or file a held agency
    return: once its agency has been added to the case (case add-agency), or with --case when it named none."""
    from service.intake.by_hand import release_held
    from service.intake.processing import file_handled

    application = app_for(config)
    try:
        outcome = release_held(application, inbound_id, actor_of(by), case_reference=case)
    except (ValueError, LookupError) as exc:
        fail(str(exc))
    file_handled(application)
    out.print(escape(f"message {inbound_id}: {outcome.status}: {outcome.reason}"))


@inbox_app.command("show")
def inbox_show(inbound_id: int, config: Optional[Path] = ConfigOpt, as_json: bool = JsonOpt) -> None:
    """What the service reads from one stored message, and its outcome (names: this command only).

    To open a case from a message the service could not take as a referral by itself: save the
    referral part of `--json`, correct or complete it, then `review-clerk inbox open ID --details FILE`.
    """
    from service.intake.by_hand import read_stored

    try:
        data = read_stored(app_for(config), inbound_id)
    except LookupError as exc:
        fail(str(exc))
    if as_json:
        print_json(data["referral"])
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
               procedure: Optional[str] = typer.Option(
                   None, "--procedure", help="The procedure to open it under (a pack in use, e.g. cspr-wt2023; "
                                             "default: as the referral's wording says, else the board's default)."),
               config: Optional[Path] = ConfigOpt, by: Optional[str] = ActorOpt) -> None:
    """Open the case for a message the service did not take as a referral (quarantined, not a referral,
    failed or held), once a person has read it."""
    from service.intake.details import DetailsProblem
    from service.intake.by_hand import open_by_hand
    from service.intake.processing import file_handled

    given = None
    if details is not None:
        given = read_json_file(details)
    application = app_for(config)
    try:
        outcome = open_by_hand(application, inbound_id, actor_of(by), given, acknowledge=acknowledge,
                               procedure=procedure)
    except DetailsProblem as exc:
        fail(f"{details}: {exc}")
    except (ValueError, LookupError) as exc:
        fail(str(exc))
    file_handled(application)
    out.print(escape(f"message {inbound_id}: {outcome.reason}; see it with: review-clerk case show {outcome.reference}"))
    if details is not None:
        err.print(escape(f"{details} holds personal details: delete it when you no longer need it"))

