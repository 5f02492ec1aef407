"""A planned message made real: its template context, the email, the Word letter and the chronology.

Two contexts per message. The email's carries initials and dates only
(:func:`service.letters.queueing.case_context`). A Word letter gets the same
plus, for the communications whose catalogue entry says ``full_details``
(the Chair's letter to a chief executive; the incident notification to
Ofsted), ``subjects``: the names, relationships, dates of birth and
addresses, because those named recipients need them to find their records.
``mail_templates/VARIABLES.md`` lists every variable.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any, Mapping

from service.domain.model import Case
from service.mailbox.ports import Attachment

from .catalogue import communication, title
from .word_documents import DOCX, chronology_template
from .queueing import base_context
from .render import Rendered

if TYPE_CHECKING:
    from service.bootstrap import App

    from .triggers import Planned


# Variables built from values given when the letter was asked for (a name, reasons, an organisation), which
# are not kept: a letter using one cannot be composed again later.
GIVEN_AT_THE_TIME = frozenset({"reviewer", "withheld", "lscb"})


class NotComposable(Exception):
    """A value the letter needs was not given (e.g. the lead reviewer's name)."""

    def __init__(self, why: str, fix: str):
        super().__init__(why)
        self.why = why
        self.fix = fix


@dataclass(frozen=True)
class Composed:
    context: dict[str, Any]  # the email's
    letter_context: dict[str, Any] | None
    rendered: Rendered
    attachments: list[Attachment]


def contexts(app: "App", case: Case, planned: "Planned", detail: Mapping[str, Any],
             today: date | None = None) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """(the email's context, the Word letter's context or None)."""
    comm = communication(case.procedure, planned.template)
    if comm is None:
        raise NotComposable(f"{planned.template} is not a communication of {case.procedure.label}",
                            "check the case's procedure: review-clerk procedure show")
    s = app.settings
    signatory = getattr(s.people, comm.signatory, None) or s.people.business_manager
    today = today or app.today()
    extra: dict[str, Any] = {
        "recipient": planned.recipient.as_context(),
        "letter": {"date": today, "reference": case.reference, "title": comm.label,
                   "sign_off": "Yours faithfully," if planned.recipient.salutation == "Sir or Madam"
                   else "Yours sincerely,"},
        "contact": {"name": s.people.business_manager.name, "email": s.people.business_manager.email},
        "involved_agencies": [_agency_name(app, k) for k in case.agencies],
    }
    wanted = set(comm.variables)
    if "imr" in wanted:
        key = planned.agency or ""
        imr = case.deadlines.get(f"imr:{key}")
        chron = case.deadlines.get(f"chronology:{key}")
        extra["imr"] = {"agency": _agency_name(app, key), "due": imr.due if imr else None,
                        "chronology_due": chron.due if chron else (imr.due if imr else None)}
    if "reviewer" in wanted:
        name = (detail.get("reviewer_name") or "").strip()
        if not name:
            raise NotComposable(
                "the lead reviewer's name was not given",
                f"review-clerk letters send {case.reference} reviewer_notification --name 'NAME'")
        extra["reviewer"] = {"name": name, "appointed_on": case.events.get("lead_reviewer_appointed")}
    if "publication" in wanted:
        extra["publication"] = {"date": case.events.get("publication_planned"),
                                "notice_due": _due(case, "prepublication_notice")}
    if "withheld" in wanted:
        extra["withheld"] = {"on": case.events.get("publication_withheld"), "reason": detail.get("reason") or "",
                             "signed_off": case.events.get("report_signed_off")}
    if "lscb" in wanted:
        extra["lscb"] = {"name": detail.get("name") or planned.recipient.organisation or ""}
    email_ctx = base_context(app, planned.recipient.name, planned.recipient.email, signatory=signatory,
                             case=case, **extra)
    email_ctx["today"] = today
    if not comm.letter:
        return email_ctx, None
    letter_ctx = dict(email_ctx)
    if comm.full_details:
        letter_ctx["subjects"] = [subject_context(x) for x in case.subjects]
    return email_ctx, letter_ctx


def compose(app: "App", case: Case, planned: "Planned", detail: Mapping[str, Any],
            today: date | None = None) -> Composed:
    """Render the email and build its attachments. Raises NotComposable or TemplateProblem.

    ``today``: the letter's date (a message rendered again is dated as when it was first queued)."""
    email_ctx, letter_ctx = contexts(app, case, planned, detail, today)
    comm = communication(case.procedure, planned.template)
    folder = comm.template if comm is not None else planned.template
    templates = app.templates.for_pack(case.procedure.id)
    rendered = templates.render(folder, email_ctx)
    attachments: list[Attachment] = []
    if letter_ctx is not None:
        data = templates.render_letter(folder, letter_ctx)
        attachments.append(Attachment(letter_filename(case, planned), DOCX, data))
    if comm is not None and "chronology_template" in comm.attachments:
        attachments.append(Attachment(f"{case.reference} Chronology template.docx", DOCX,
                                      chronology_template(case.reference, _agency_name(app, planned.agency or ""),
                                                          app.settings.board.name)))
    return Composed(email_ctx, letter_ctx, rendered, attachments)


def letter_filename(case: Case, planned: "Planned") -> str:
    """No person's name: the reference, what it is and the organisation written to."""
    what = {"incident_notification": "Serious incident notification",
            "decision_notification": "Decision notification", "imr_letter": "Letter from the Chair - IMR",
            "board_members_letter": "Letter from the Chair to Board members",
            "other_lscb": "Letter from the Chair - request for agency contacts",
            "reviewer_notification": "Lead reviewer notification",
            "prepublication_notice": "Pre-publication notice"}.get(planned.template) \
        or title(case.procedure, planned.template)
    org = planned.recipient.organisation if planned.template in ("imr_letter", "decision_notification") else None
    name = f"{case.reference} {what}" + (f" - {org}" if org else "")
    return "".join(ch for ch in name if ch.isalnum() or ch in " -_.,()'") + ".docx"


def subject_context(s) -> dict[str, Any]:
    return {"name": s.name, "initials": s.initials, "role": s.role, "relationship": s.relationship or s.role,
            "date_of_birth": s.date_of_birth, "address": s.address or ""}


def _agency_name(app: "App", key: str) -> str:
    a = app.settings.agency(key) if key else None
    return a.name if a else key


def _due(case: Case, key: str) -> date | None:
    d = case.deadlines.get(key)
    return d.due if d else None
