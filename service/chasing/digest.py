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
from service.domain.deadlines import kind_label
from service.domain.model_types import Stage
from service.letters.queueing import base_context, queue

if TYPE_CHECKING:
    from service.bootstrap import App
    from service.store.db import UnitOfWork

DAYS = ("mon", "tue", "wed", "thu", "fri")


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
    by_stage = uow.reports.open_cases_by_stage()
    stages = [{"stage": st.label, "count": by_stage[st.value]} for st in Stage if by_stage.get(st.value)]
    rows = uow.reports.open_deadlines_due_before(next_week_end)

    def view(r: dict[str, Any]) -> dict[str, Any]:
        return {"reference": r["reference"], "key": r["key"], "what": kind_label(r["kind"]),
                "agency": r["agency"], "due": r["due"], "owner": r["owner"].replace("_", " "),
                "days_overdue": max(0, (today - r["due"]).days)}

    overdue = [view(r) for r in rows if r["due"] < today]
    this_week = [view(r) for r in rows if today <= r["due"] <= this_week_end]
    next_week = [view(r) for r in rows if this_week_end < r["due"] <= next_week_end]
    reports = [{"reference": r["reference"], "agency": r["agency"], "what": kind_label(r["kind"]), "due": r["due"],
                "state": "paused" if r["status"] == "paused" else ("overdue" if r["due"] < today else "due")}
               for r in uow.reports.open_agency_reports()]
    tz = app.settings.tz
    meetings = [{"reference": m["reference"], "kind": m["kind"].replace("_", " "),
                 "start": (m["start"] if m["start"].tzinfo else m["start"].replace(tzinfo=tz)).astimezone(tz)
                 .strftime("%a %d %b %Y %H:%M"), "waiting": m["waiting"]}
                for m in uow.reports.meetings_awaiting_replies(app.clock.now())]
    quarantined = [{"id": q["id"], "status": q["status"], "outcome": q["outcome"], "sender": q["sender"]}
                   for q in uow.reports.quarantined()]
    return {"week_of": monday, "stages": stages, "open_cases": sum(by_stage.values()), "overdue": overdue,
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
