"""What the service would do from now until a date if nobody did anything. Reads; never writes.

``review-clerk forecast`` answers "what will go out, to whom, and why?" without sending,
deciding or booking anything: every reminder and escalation of the chase schedule
(:mod:`service.domain.chasing`), the weekly digest, the daily intake report, the letters
already queued or waiting for a person to check, and the meeting actions (reminders to
people who have not replied, a meeting's time passing). Each entry carries the rule behind
it. It is computed from the stored state with the same pure functions the jobs use, and
only ever runs SELECTs: the database and the outbox are byte-for-byte the same afterwards.

It assumes nothing happens that a person would do (no decision, no reply, no deadline met),
and that the service runs throughout: a step that is already due goes at the next run.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from service.chasing.digest import DAYS
from service.chasing.schedule import POLICY
from service.chasing.sweep import chase_recipients
from service.domain import calendar as wd
from service.domain.chasing import next_step

if TYPE_CHECKING:
    from service.bootstrap import App
    from service.store.db import UnitOfWork

DEFAULT_DAYS = 14


@dataclass(frozen=True)
class Action:
    at: datetime  # aware, in the board's time zone
    kind: str  # reminder | escalation | digest | intake report | letter | draft | meeting reminder | meeting
    what: str
    reference: str | None = None
    to: list[str] = field(default_factory=list)
    rule: str = ""

    def as_json(self) -> dict[str, Any]:
        return {**asdict(self), "at": self.at.isoformat()}


def forecast(app: "App", until: date) -> list[Action]:
    """Everything the service would do from now to the end of ``until`` (board time), in time order."""
    now = app.clock.now().astimezone(app.settings.tz)
    end = datetime.combine(until + timedelta(days=1), time(0, 0), app.settings.tz)
    actions: list[Action] = []
    with app.db.unit_of_work(read_only=True) as uow:  # the database refuses any write made by mistake
        actions += _chasing(uow, app, now, end)
        actions += _digests(uow, app, now, end)
        actions += _intake_report(uow, app, now, end)
        actions += _outbox(uow, app, now, end)
        actions += _meetings(uow, app, now, end)
    return sorted(actions, key=lambda a: (a.at, a.reference or "", a.kind, a.what))


def _goes_at(app: "App", at: datetime, now: datetime, template: str | None = None) -> datetime:
    """When something due at ``at`` goes: at the next run if already due, and mail for people only in
    working hours unless its template is in ``[mail] send_outside_working_hours``."""
    at = max(at, now)
    if template is not None and template in app.settings.mail.send_outside_working_hours:
        return at
    wh = app.settings.working_hours
    return wd.next_working_time(at.astimezone(app.settings.tz), wh.start, wh.end)


def _chasing(uow: "UnitOfWork", app: "App", now: datetime, end: datetime) -> list[Action]:
    tz, starts = app.settings.tz, app.settings.working_hours.start
    out: list[Action] = []
    for case in uow.cases.list():
        done_steps = uow.cases.chase_steps(uow.cases.id_of(case.reference))
        for d in case.open_deadlines():
            done = done_steps.get(d.key)
            step = next_step(d, done, tz, starts, POLICY)
            # Stale steps are skipped, as the sweep does: of those already due only the latest is taken.
            while step is not None:
                after = next_step(d, step.name, tz, starts, POLICY)
                if after is None or after.at > now:
                    break
                step = after
            while step is not None and step.at < end:
                recipients = chase_recipients(app, case, d, step)
                if step.escalation:
                    what = f"escalation: '{d.key}' {step.days} working day{'s' if step.days != 1 else ''} overdue"
                    why = (f"{d.what}, due {d.due.isoformat()} ({d.rule}); escalated the working day after the "
                           f"due date, then every {POLICY.repeat_every} working days"
                           + (f"; the Chair is told from {POLICY.chair_after} working days overdue"
                              if step.tell_chair else ""))
                else:
                    plural = "s" if step.days != 1 else ""
                    left = "due today" if step.days == 0 else f"{step.days} working day{plural} left"
                    what = f"reminder: '{d.key}' {left}"
                    why = (f"{d.what}, due {d.due.isoformat()} ({d.rule}); reminders "
                           f"{' and '.join(str(n) for n in POLICY.remind_before)} working days before and on the day")
                out.append(Action(_goes_at(app, step.at, now, "escalation" if step.escalation else "reminder"),
                                  "escalation" if step.escalation else "reminder",
                                  what, case.reference, [a for _, a in recipients], why))
                step = next_step(d, step.name, tz, starts, POLICY)
    return out


def _digests(uow: "UnitOfWork", app: "App", now: datetime, end: datetime) -> list[Action]:
    from service.chasing.digest import digest_key

    s = app.settings.scheduler
    bm = app.settings.people.business_manager
    out: list[Action] = []
    monday = now.date() - timedelta(days=now.weekday())
    while datetime.combine(monday, time(0, 0), app.settings.tz) < end:
        day = monday + timedelta(days=DAYS.index(s.digest_day))
        while not wd.is_working_day(day) and day.weekday() < 5:
            day += timedelta(days=1)
        at = datetime.combine(day, s.digest_time, app.settings.tz)
        if day.weekday() < 5 and at < end and not uow.outbox.exists(digest_key(day)):
            holiday = wd.bank_holiday_name(monday + timedelta(days=DAYS.index(s.digest_day)))
            out.append(Action(_goes_at(app, at, now, "digest"), "digest", "weekly digest: open cases, deadlines, "
                              "agency reports, meetings awaiting replies", None, [bm.email],
                              f"every {s.digest_day} at {s.digest_time.strftime('%H:%M')} ([scheduler] digest_day, "
                              f"digest_time)" + (f"; {holiday} moves it to the next working day" if holiday else "")))
        monday += timedelta(days=7)
    return out


def _intake_report(uow: "UnitOfWork", app: "App", now: datetime, end: datetime) -> list[Action]:
    last = uow.state.get("intake_report_until")
    since = datetime.fromisoformat(last) if last else None
    items = uow.inbox.by_status(["quarantined", "held", "failed", "refused"], since=since)
    items += [r for r in uow.inbox.by_status(["not_referral"], since=since) if r["kind"] == "enquiry"]
    if not items:
        return []
    starts = app.settings.working_hours.start
    day = now.date()
    if not wd.is_working_day(day) or now.time() > starts:
        day = wd.next_working_day(day)
    at = _goes_at(app, datetime.combine(day, starts, app.settings.tz), now, "intake_report")
    if at >= end:
        return []
    bm = app.settings.people.business_manager
    return [Action(at, "intake report", f"daily intake report: {len(items)} message(s) a person must look at "
                   f"(ids {', '.join(str(i['id']) for i in items[:10])}{' ...' if len(items) > 10 else ''})",
                   None, [bm.email], "each working morning at the start of working hours, while anything was "
                                     "quarantined, held, refused, unreadable or an enquiry")]


def _outbox(uow: "UnitOfWork", app: "App", now: datetime, end: datetime) -> list[Action]:
    out: list[Action] = []
    for row in uow.outbox.pending():
        at = row["next_attempt_at"].astimezone(app.settings.tz) if row["next_attempt_at"] else now
        if row["status"] == "awaiting_review":
            out.append(Action(now, "draft", f"'{row['template']}' waits as a draft for {row['reviewer']} to check "
                              f"and send", row["reference"], list(row["to"]),
                              "review mode: the service sends nothing itself; it checks the draft every 10 minutes"))
        elif at < end:
            retry = f" (attempt {row['attempts'] + 1}, after: {row['last_error']})" if row["attempts"] else ""
            out.append(Action(_goes_at(app, at, now, row["template"]), "letter", f"'{row['template']}' is sent{retry}",
                              row["reference"], list(row["to"]),
                              f"queued {row['created_at'].astimezone(app.settings.tz):%Y-%m-%d %H:%M}"))
    return out


def _meetings(uow: "UnitOfWork", app: "App", now: datetime, end: datetime) -> list[Action]:
    tz = app.settings.tz
    days = app.settings.meetings.reminder_working_days
    starts = app.settings.working_hours.start
    out: list[Action] = []
    for m in uow.meetings.listing():
        title = m["kind"].replace("_", " ")
        if m["state"] == "to_schedule":
            out.append(Action(now, "meeting", f"{title} meeting: a time is found and the invitations sent",
                              m["reference"], [], "meetings waiting for a time are arranged at the next run"))
            continue
        if m["state"] != "scheduled" or m["start"] is None:
            continue
        start = m["start"].astimezone(tz)
        if days > 0 and start > now:
            day = wd.add_working_days(start.date(), -days)
            if m["invited_at"] is not None:
                day = max(day, wd.next_working_day(m["invited_at"].astimezone(tz).date()))
            at = datetime.combine(day, starts, tz)
            waiting = [a["email"] for a in uow.meetings.attendees(m["id"])
                       if a["response"] == "none" and not a["reminded"]]
            if waiting and at < start and at < end:
                out.append(Action(_goes_at(app, at, now, "meeting_reminder"), "meeting reminder",
                                  f"{title} meeting on {start:%Y-%m-%d %H:%M}: reminder to those who have not "
                                  f"replied", m["reference"], waiting,
                                  f"{days} working days before the meeting ([meetings] reminder_working_days)"))
        finish = m["end"].astimezone(tz) if m["end"] else start
        if finish < end:
            out.append(Action(max(finish, now), "meeting", f"{title} meeting's time passes: marked held",
                              m["reference"], [], "a scheduled meeting whose end has passed"))
    return out
