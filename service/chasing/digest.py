"""The weekly digest for the Business Manager (Monday 08:00 by default).

Open cases by stage, deadlines due this week and next, everything overdue,
agency reports outstanding, meetings with missing responses, and anything
quarantined: one email, an HTML table with a plain-text alternative. Keyed
by ISO week, so it goes once a week however often the job runs. References
only: no names.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from service.domain import calendar as wd
from service.letters.queueing import base_context, queue

if TYPE_CHECKING:
    from service.bootstrap import App
    from service.store.db import UnitOfWork

DAYS = ("mon", "tue", "wed", "thu", "fri")


def overdue_working_days(due: date, today: date) -> int:
    """How many working days a deadline is overdue, counted as its escalations count them."""
    return wd.working_days_between(due, today) if today > due else 0


def digest_key(today: date) -> str:
    year, week, _ = today.isocalendar()
    return f"digest/{year}-W{week:02d}"


def is_due(app: "App", now: datetime) -> bool:
    """From the configured weekday and time; on a bank holiday, the next working day.

    Later in the week counts too, so a service that was down on the day still
    sends that week's digest. Never at a weekend or on a bank holiday.
    """
    local = now.astimezone(app.settings.tz)
    if not wd.is_working_day(local.date()):
        return False
    s = app.settings.scheduler
    day = DAYS.index(s.digest_day)
    if local.weekday() < day:
        return False
    return local.weekday() > day or local.time() >= s.digest_time


def build(uow: "UnitOfWork", app: "App", today: date) -> dict[str, Any]:
    """The digest's content as plain data (also used by tests and previews)."""
    monday = today - timedelta(days=today.weekday())
    this_week_end, next_week_end = monday + timedelta(days=6), monday + timedelta(days=13)
    procedure = uow.cases.procedure  # each version read once per unit of work

    counts: dict[tuple[int, str], int] = {}
    for pid, version, stage, n in uow.reports.cases_by_stage():
        p = procedure(pid, version)
        if not p.is_final(stage):
            key = (p.stage_number(stage), p.stage_label(stage))
            counts[key] = counts.get(key, 0) + n
    stages = [{"stage": label, "count": n} for (_, label), n in sorted(counts.items())]
    rows = uow.reports.open_deadlines_due_before(next_week_end)

    def what(r: dict[str, Any]) -> str:
        return procedure(r["procedure_id"], r["procedure_version"]).deadline_label(r["kind"])

    def view(r: dict[str, Any]) -> dict[str, Any]:
        p = procedure(r["procedure_id"], r["procedure_version"])
        return {"reference": r["reference"], "key": r["key"], "what": what(r),
                "agency": r["agency"], "due": r["due"],
                "owner": " and ".join(p.role_label(o) for o in r["owner"].split(",")),
                "days_overdue": overdue_working_days(r["due"], today)}

    overdue = [view(r) for r in rows if r["due"] < today]
    this_week = [view(r) for r in rows if today <= r["due"] <= this_week_end]
    next_week = [view(r) for r in rows if this_week_end < r["due"] <= next_week_end]
    reports = [{"reference": r["reference"], "agency": r["agency"], "what": what(r), "due": r["due"],
                "state": "paused" if r["status"] == "paused" else ("overdue" if r["due"] < today else "due")}
               for r in uow.reports.open_agency_reports()]
    tz = app.settings.tz
    meetings = [{"reference": m["reference"], "kind": m["kind"].replace("_", " "),
                 "start": (m["start"] if m["start"].tzinfo else m["start"].replace(tzinfo=tz)).astimezone(tz)
                 .strftime("%a %d %b %Y %H:%M"), "waiting": m["waiting"]}
                for m in uow.reports.meetings_awaiting_replies(app.clock.now())]
    quarantined = [{"id": q["id"], "status": q["status"], "outcome": q["outcome"], "sender": q["sender"]}
                   for q in uow.reports.quarantined()]
    return {"week_of": monday, "stages": stages, "open_cases": sum(counts.values()), "overdue": overdue,
            "this_week": this_week, "next_week": next_week, "agency_reports": reports, "meetings": meetings,
            "quarantined": quarantined}


def send_weekly_digest(app: "App") -> bool:
    """Queue this week's digest once, when it is due. Returns True when queued."""
    now = app.clock.now()
    if not is_due(app, now):
        return False
    today = app.today()
    key = digest_key(today)
    with app.db.unit_of_work() as uow:
        if uow.outbox.exists(key):
            return False
        bm = app.settings.people.business_manager
        ctx = base_context(app, bm.name, bm.email, digest=build(uow, app, today))
        queue(uow, app, key=key, template="digest", to=[bm.email], context=ctx)
        uow.commit()
    return True
