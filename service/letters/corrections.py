"""Messages whose facts changed after they were queued or sent (a meeting moved, a date corrected).

One general rule, not one per template: each message of the meeting or case that can be rebuilt
is rendered again, as of the day it was queued but with the facts as they are now, and compared
with what was queued. If the subject or text differ, the facts it states have changed:

* still ``queued``: re-rendered in place, with a conditional UPDATE from ``queued`` (a row the
  sender has claimed is ``sending`` and is not touched: the same discipline as claiming). Its
  key stays, so it still goes once. If an earlier attempt failed it may have reached the
  mailbox all the same, so a correction follows it as well.
* already handed over (``sent``; ``sending`` now; left as a draft for a reviewer): a correction
  to the same recipients, keyed ``<key>/correction/<n>``, subject ``Correction: ...``, its first
  paragraph saying what changed and that it replaces the earlier message, then the message in
  full (in reply to the original). A draft's correction is a draft for the same reviewer, who
  may send both or delete the first. Compared with the latest correction, so it goes once; a
  correction still queued is itself re-rendered rather than followed by another.
* no longer called for (a reminder for a due date that has moved, an agency request for a
  meeting since cancelled, a pre-publication notice for a date since corrected, which the
  event queues afresh under the new date's key): withdrawn when still queued (``queueing.withdraw``:
  its key set aside, so the same letter may be queued again), left alone once gone.

What can be rebuilt is :func:`rebuilders`, by template; other messages are left as they are.
"""

from __future__ import annotations

import base64
import logging
import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Callable

from service.domain.model import AuditEvent, Case, DeadlineStatus
from service.mailbox.ports import Attachment

from .render import Rendered, TemplateProblem

if TYPE_CHECKING:
    from service.domain.procedure import Procedure
    from service.bootstrap import App
    from service.store.db import UnitOfWork

log = logging.getLogger("review_clerk.letters")

HANDED_OVER = ("sending", "awaiting_review", "sent")
PREFIX = "Correction: "


@dataclass(frozen=True)
class Rebuilt:
    rendered: Rendered
    attachments: list[Attachment] | None = None  # None: keep the row's own


GONE = object()  # the message is no longer called for
Rebuilder = Callable[["UnitOfWork", "App", dict[str, Any], Case], "Rebuilt | object | None"]


# Hooks ---------------------------------------------------------------------------------------
def meeting_moved(app: "App", mid: int, before: dict[str, Any]) -> dict[str, int]:
    """After ``meeting reschedule``: the meeting's messages say the new time (``before``: its row before)."""
    from service.meetings.invite import when_text

    tz = app.settings.tz
    with app.db.unit_of_work() as uow:
        m = uow.meetings.get(mid)
        if m["start"] == before.get("start") and m["end"] == before.get("end"):
            return {}
        old = when_text(before["start"], before["end"], tz) if before.get("start") else "a time not yet fixed"
        new = when_text(m["start"], m["end"], tz) if m["start"] else "a time not yet fixed"
        case = uow.cases.get_by_id(m["case_id"])
        counts = correct(uow, app, case, m["case_id"], f"The meeting has moved: it was {old}; it is now {new}.",
                         key_prefix=f"{m['key']}/")
        uow.commit()
    return counts


def date_corrected(uow: "UnitOfWork", app: "App", before: Case, case: Case, case_id: int, what: str,
                   old: date | None, new: date) -> dict[str, int]:
    """After a date on a case was corrected (in the correcting transaction; ``before``: the case until then).

    Only messages this correction changes are touched: each is rendered with the case before and after
    it, so a message that differs from what was sent for another reason (a deadline since extended)
    is not "corrected" in the name of this date."""
    from .render import _long_date

    said = f"The date of {what} has been corrected from {_long_date(old)} to {_long_date(new)}."
    return correct(uow, app, case, case_id, said, before=before)


# The rule ------------------------------------------------------------------------------------
def correct(uow: "UnitOfWork", app: "App", case: Case, case_id: int, what_changed: str,
            key_prefix: str | None = None, before: Case | None = None) -> dict[str, int]:
    """Bring every rebuildable message of the case (or of keys under ``key_prefix``) up to date.

    With ``before`` (the case before the change), a message is touched only if the change alters it."""
    from .queueing import withdraw

    counts = {"rerendered": 0, "corrections": 0, "withdrawn": 0}
    known = rebuilders(case.procedure)
    for brief in uow.outbox.for_case(case_id, templates=list(known)):
        if key_prefix and not brief["key"].startswith(key_prefix):
            continue
        if "/correction/" in brief["key"] or brief["status"] not in ("queued", *HANDED_OVER):
            continue
        row = uow.outbox.get(brief["id"])
        if not row["text"]:
            continue  # emptied under the retention policy: what it said is no longer known
        rebuild = known[row["template"]]
        try:
            rebuilt = rebuild(uow, app, row, case)
            was = rebuild(uow, app, row, before) if before is not None and rebuilt is not None else None
        except TemplateProblem as exc:  # a template edited while the service runs: the change itself stands
            log.error("cannot render a message again", extra={"outbox_key": row["key"], "error": str(exc)[:300]})
            continue
        if rebuilt is None:
            continue
        if before is not None and (was is rebuilt or (isinstance(was, Rebuilt) and isinstance(rebuilt, Rebuilt)
                                                      and was.rendered == rebuilt.rendered)):
            continue  # this change does not alter it
        if rebuilt is GONE:
            if row["status"] == "queued" and row["attempts"] == 0 and not withdraw(
                    uow, [row["key"]], f"no longer called for: {what_changed}"):
                counts["withdrawn"] += 1
                log.info("queued message withdrawn", extra={"outbox_key": row["key"], "case": case.reference})
            continue
        assert isinstance(rebuilt, Rebuilt)
        if row["status"] == "queued":
            if _says(row, rebuilt.rendered):
                continue
            if _rerender(uow, row, rebuilt):
                counts["rerendered"] += 1
                log.info("queued message re-rendered", extra={"outbox_key": row["key"], "case": case.reference})
                if row["attempts"] == 0:
                    continue  # never handed to the mailbox: it goes once, as it now reads
                # Tried before: that attempt may have reached the mailbox with the old facts. It goes again
                # as it now reads (the mailbox finds it sent if it went) and a correction follows.
            else:
                row = uow.outbox.get(row["id"])  # claimed meanwhile: it goes as it was, and is corrected
        if _queue_correction(uow, app, row, rebuilt, what_changed, case_id):
            counts["corrections"] += 1
    if any(counts.values()):
        uow.audit.append(case_id, case.reference, [AuditEvent(
            at=app.clock.now(), actor="letters", action="letters corrected",
            detail={"why": what_changed, **counts})])
    return counts


def _says(row: dict[str, Any], rendered: Rendered) -> bool:
    """The row already says this (subject and text: the HTML is rendered from the same values)."""
    return (rendered.subject, rendered.text) == (row["subject"], row["text"])


def _rerender(uow: "UnitOfWork", row: dict[str, Any], rebuilt: Rebuilt) -> bool:
    """Rewrite a queued row with what it says now; only from ``queued`` (a claimed row is left alone).

    False when it already says that, or the sender has claimed it meanwhile."""
    new = rebuilt.rendered
    if _says(row, new):
        return False
    values: dict[str, Any] = {"subject": new.subject, "text": new.text, "html": new.html}
    if rebuilt.attachments is not None:
        values["attachments"] = _stored(rebuilt.attachments)
    return uow.outbox.transition(row["id"], "queued", **values)


def _queue_correction(uow: "UnitOfWork", app: "App", row: dict[str, Any], rebuilt: Rebuilt, what_changed: str,
                      case_id: int) -> bool:
    from .queueing import queue

    new = rebuilt.rendered
    earlier = [r for r in uow.outbox.for_case(case_id, templates=[row["template"]])
               if r["key"].startswith(row["key"] + "/correction/")]
    latest = max(earlier, key=lambda r: int(r["key"].rsplit("/", 1)[1]), default=None)
    if latest is not None:
        latest = uow.outbox.get(latest["id"])
        if latest["subject"] == PREFIX + new.subject and latest["text"].endswith("\n\n" + new.text):
            return False  # already corrected to these facts
    elif _says(row, new):
        return False
    when = row["sent_at"] or row["created_at"]
    ctx = {"what_changed": what_changed, "original_subject": row["subject"],
           "sent_on": when.astimezone(app.settings.tz).date() if when else None}
    preamble_text, preamble_html = app.templates.render_correction(ctx)
    rendered = Rendered(subject=PREFIX + new.subject, text=preamble_text.strip() + "\n\n" + new.text,
                        html=_after_body(new.html, preamble_html))
    attachments = rebuilt.attachments if rebuilt.attachments is not None else _attachments(row)
    if latest is not None and latest["status"] == "queued" and latest["attempts"] == 0 and _rerender(
            uow, latest, Rebuilt(rendered, attachments)):
        log.info("queued correction re-rendered", extra={"outbox_key": latest["key"]})
        return True  # the correction not yet gone says the latest facts: no second one
    n = 1 + len(earlier)
    queued = queue(uow, app, key=f"{row['key']}/correction/{n}", template=row["template"], to=row["to"],
                   cc=row["cc"], context={}, case_id=case_id, rendered=rendered, attachments=attachments,
                   in_reply_to=row["message_id"], references=[row["message_id"]], mode=row["mode"],
                   reviewer=row["reviewer"])
    if queued:
        log.info("correction queued", extra={"outbox_key": row["key"], "correction": n})
    return queued


def _after_body(html: str, paragraph: str) -> str:
    """The correction paragraph first in the body (after the opening ``<body>`` tag)."""
    found = re.search(r"<body[^>]*>", html, re.IGNORECASE)
    if not found:
        return paragraph + html
    return html[:found.end()] + "\n" + paragraph + html[found.end():]


def _stored(attachments: list[Attachment]) -> list[dict[str, str]]:
    return [{"filename": a.filename, "content_type": a.content_type,
             "data_b64": base64.b64encode(a.data).decode("ascii")} for a in attachments]


def _attachments(row: dict[str, Any]) -> list[Attachment]:
    return [Attachment(a["filename"], a["content_type"], base64.b64decode(a["data_b64"]))
            for a in row["attachments"] or []]


def _queued_on(app: "App", row: dict[str, Any]) -> date:
    at: datetime = row["created_at"]
    return at.astimezone(app.settings.tz).date()


# What can be rebuilt -------------------------------------------------------------------------
def _letter(uow: "UnitOfWork", app: "App", row: dict[str, Any], case: Case) -> Rebuilt | object | None:
    """A communication of the catalogue that the service addresses itself, composed again."""
    from .composed import GIVEN_AT_THE_TIME, NotComposable, compose
    from .triggers import recipients_for

    comm = case.procedure.communication(row["template"])
    if comm is None or GIVEN_AT_THE_TIME & set(comm.variables) or "given_address" in comm.to:
        return None  # built from values given at the time (a name, an address, reasons) that are not kept
    planned = {p.key: p for p in recipients_for(row["template"], case, app.settings).messages}
    p = planned.get(row["key"])
    if p is None:
        return GONE
    try:
        composed = compose(app, case, p, {}, today=_queued_on(app, row))
    except (NotComposable, TemplateProblem) as exc:
        log.warning("cannot render a letter again", extra={"outbox_key": row["key"], "error": str(exc)[:200]})
        return None
    return Rebuilt(composed.rendered, composed.attachments)


def _agency_report_request(uow: "UnitOfWork", app: "App", row: dict[str, Any], case: Case) -> Rebuilt | object | None:
    from service.domain import calendar as wd
    from service.meetings.invite import REPORT_DAYS_BEFORE, meeting_context
    from service.meetings.kinds import kind_for

    from .queueing import base_context

    meeting_key, _, agency_key = row["key"].rpartition("/agency_report_request/")
    m = uow.meetings.by_key(meeting_key)
    agency = app.settings.agency(agency_key)
    if m is None or agency is None or agency.panel_member is None:
        return None
    if m["state"] != "scheduled" or m["start"] is None or agency.key not in case.agencies:
        return GONE
    kind = kind_for(m["kind"], case.procedure, app.settings.meetings)
    queued_on = _queued_on(app, row)
    # As meetings.calendar_sync._request_agency_reports: two working days before, a day to write it at least.
    due = max(wd.add_working_days(m["start"].astimezone(app.settings.tz).date(), -REPORT_DAYS_BEFORE),
              wd.add_working_days(queued_on, 1))
    person = agency.panel_member
    ctx = base_context(app, person.name, person.email, case=case, meeting=meeting_context(app.settings, m, kind),
                       agency={"key": agency.key, "name": agency.name}, report_due=due)
    ctx["today"] = queued_on
    return Rebuilt(app.templates.for_pack(case.procedure.id).render(row["template"], ctx))


def _acknowledgement(uow: "UnitOfWork", app: "App", row: dict[str, Any], case: Case) -> Rebuilt:
    """The acknowledgement to the referrer (as intake queues it): the date received, the decision due."""
    from .queueing import base_context

    ctx = base_context(app, case.referrer.name, row["to"][0], case=case, missing=[])
    ctx["today"] = _queued_on(app, row)
    return Rebuilt(app.templates.for_pack(case.procedure.id).render(row["template"], ctx))


def _chase(uow: "UnitOfWork", app: "App", row: dict[str, Any], case: Case) -> object | None:
    """A reminder or escalation (``REF/deadline/DUE|step/address``) for a due date that has since moved."""
    parts = row["key"].split("/")
    if len(parts) != 4:
        return None
    d = case.deadlines.get(parts[1])
    if d is None or d.status is not DeadlineStatus.OPEN or not parts[2].startswith(d.due.isoformat() + "|"):
        return GONE
    return None


def _meeting_reminder(uow: "UnitOfWork", app: "App", row: dict[str, Any], case: Case) -> object | None:
    """A reminder to answer an invitation (``MEETING/reminder/SEQUENCE/address``) the meeting has moved on from."""
    meeting_key, _, rest = row["key"].rpartition("/reminder/")
    m = uow.meetings.by_key(meeting_key)
    if m is None:
        return None
    sequence = rest.split("/", 1)[0]
    return GONE if m["state"] != "scheduled" or str(m["sequence"]) != sequence else None


# The messages the service's own moments send, rebuilt by what they are; a case's letters (the
# communications of its procedure the letters address) are composed again from the case.
REBUILDERS: dict[str, Rebuilder] = {"acknowledgement": _acknowledgement, "agency_report_request": _agency_report_request,
                                    "reminder": _chase, "escalation": _chase, "meeting_reminder": _meeting_reminder}


def rebuilders(procedure: "Procedure") -> dict[str, Rebuilder]:
    """What can be rebuilt for a case under ``procedure``, by template."""
    from .catalogue import is_addressed

    return {**{c.id: _letter for c in procedure.communications if is_addressed(c)}, **REBUILDERS}

__all__ = ["GONE", "REBUILDERS", "Rebuilt", "correct", "date_corrected", "meeting_moved", "rebuilders"]
