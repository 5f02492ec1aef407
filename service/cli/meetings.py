"""`review-clerk meeting ...`: arrange, move, cancel and list panel meetings.

"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any, Optional

import typer

from service.meetings.kinds import default_kind_names

from . import common as main
from .common import out

meeting_app = typer.Typer(no_args_is_help=True,
                          help="Panel meetings: find a time, invite the panel, track replies, reschedule.")

_ConfigOpt = typer.Option(None, "--config", "-c", help="Configuration file (default: $REVIEW_CLERK_CONFIG, "
                                                       "else ./review-clerk.toml).")
_ByOpt = typer.Option(None, "--by", help="Who is doing this (default: your user name).")
_KINDS = "a meeting kind of the case's procedure (the shipped pack's: " + " | ".join(default_kind_names()) + ")"


def _run(fn, *args: Any, **kwargs: Any):
    from service.domain.model import DomainError
    from service.mailbox.ports import TransportError
    from service.store.repositories.common import NotFound

    from service.meetings.kinds import UnknownKind
    from service.meetings.meeting_row import MeetingError

    try:
        return fn(*args, **kwargs)
    except (MeetingError, UnknownKind, DomainError, NotFound) as exc:
        main.fail(str(exc).strip("'\""))
    except TransportError as exc:
        main.fail(f"the calendar could not be reached ({exc}); the service will try again by itself")


def _show(view: dict[str, Any]) -> None:

    out.print(f"[bold]{view['reference']}[/] {view['title']} ({view['kind']}, meeting {view['number']}): "
              f"[cyan]{view['state']}[/]")
    if view["when"]:
        out.print(f"  when: {view['when']}   where: {view['where']}   sequence: {view['sequence']}"
                  + ("" if view["in_calendar"] else "   [yellow](calendar not yet updated)[/]"))
    r = view["responses"]
    out.print(f"  replies: {r['accepted']} accepted, {r['tentative']} tentative, {r['declined']} declined, "
              f"{r['none']} not yet ({len(view['attendees'])} invited)")
    if view["cannot_come"]:
        out.print(f"  [yellow]busy at that time:[/] {', '.join(view['cannot_come'])}")
    if view["quorum_lost"]:
        out.print(f"  [red]quorum lost:[/] everyone for {', '.join(view['quorum_lost'])} declined")
    if view["proposed"]:
        out.print(f"  proposed new time: {view['proposed']} "
                  f"(accept: review-clerk meeting reschedule {view['reference']} {view['kind']})")
    for n in view["notes"]:
        out.print(f"  note: {n}")
    if view["last_error"]:
        out.print(f"  [red]calendar error:[/] {view['last_error']}")


def _at(value: Optional[str], tz) -> Optional[datetime]:

    if not value:
        return None
    try:
        when = datetime.fromisoformat(value)
    except ValueError:
        main.fail(f"--at {value!r} is not an ISO date-time such as 2014-05-20T10:00")
        raise AssertionError from None  # unreachable: _fail exits
    return when if when.tzinfo else when.replace(tzinfo=tz)


@meeting_app.command("schedule")
def meeting_schedule(reference: str,
                     kind: str = typer.Option(..., "--kind", help=_KINDS),
                     within: Optional[int] = typer.Option(None, "--within", min=1,
                                                          help="Working days to look in (default: the kind's)."),
                     config: Optional[Path] = _ConfigOpt, by: Optional[str] = _ByOpt) -> None:
    """Find the first time the required attendees are free, and send the invitations."""

    from service.meetings.service import schedule

    view = _run(schedule, main.app_for(config), reference, kind, within, main.actor_of(by))
    _show(view)


@meeting_app.command("reschedule")
def meeting_reschedule(reference: str, kind: str = typer.Argument(..., help=_KINDS),
                       at: Optional[str] = typer.Option(None, "--at", help="The new start, e.g. 2014-05-20T10:00 "
                                                        "(default: the proposed time, else the next good one)."),
                       config: Optional[Path] = _ConfigOpt, by: Optional[str] = _ByOpt) -> None:
    """Move the meeting: the same invitation is updated, and everybody is asked again."""

    from service.meetings.service import reschedule

    application = main.app_for(config)
    view = _run(reschedule, application, reference, kind, _at(at, application.settings.tz), main.actor_of(by))
    _show(view)


@meeting_app.command("cancel")
def meeting_cancel(reference: str, kind: str = typer.Argument(..., help=_KINDS),
                   reason: str = typer.Option(..., "--reason", help="Told to the attendees."),
                   config: Optional[Path] = _ConfigOpt, by: Optional[str] = _ByOpt) -> None:
    """Cancel the meeting and tell the attendees."""

    from service.meetings.service import cancel

    view = _run(cancel, main.app_for(config), reference, kind, reason, main.actor_of(by))
    _show(view)


@meeting_app.command("list")
def meeting_list(reference: Optional[str] = typer.Argument(None, help="Only this case's meetings."),
                 config: Optional[Path] = _ConfigOpt,
                 as_json: bool = typer.Option(False, "--json", help="Print JSON instead of a table.")) -> None:
    """Meetings with their time, state and replies."""

    from service.meetings.service import list_meetings

    views = _run(list_meetings, main.app_for(config), reference)
    if as_json:
        main.print_json(views)
        return
    rows = [{**v, "replies": f"{v['responses']['accepted']}/{len(v['attendees'])} accepted, "
                             f"{v['responses']['declined']} declined",
             "busy": len(v["cannot_come"]) or "", "quorum": "lost" if v["quorum_lost"] else ""} for v in views]
    main.table("Meetings", rows, ["reference", "kind", "state", "when", "replies", "busy", "quorum", "proposed"],
               ids=["reference", "kind"])
