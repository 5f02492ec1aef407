"""Realistic sample cases, used to check every template at start-up and for previews.

:func:`sample_contexts` gives one context per communication, built by the
same code that builds real ones, so a template that renders here renders in
service. Other capabilities that send their own templates (meetings,
chasing) contribute theirs from a module ``service.<capability>.samples``
with a function ``sample_contexts(app) -> dict[str, dict]``.
"""

from __future__ import annotations

import importlib
from datetime import date, datetime, timezone
from typing import TYPE_CHECKING, Any

from service.domain.model import Case, Referrer, Subject
from service.domain.model_types import EventKind, Outcome

from .catalogue import communications, is_addressed, title
from .queueing import base_context

if TYPE_CHECKING:
    from service.domain.procedure import Procedure
    from service.bootstrap import App

    from .triggers import Planned

OTHER_SAMPLES = ("service.meetings.samples", "service.chasing.samples")
SAMPLE_AGENCY = "sample-agency"


class SampleContexts(dict):
    """Email contexts by template name; ``letters``: the Word letters' contexts."""

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.letters: dict[str, dict[str, Any]] = {}


def _at(d: date) -> datetime:
    return datetime(d.year, d.month, d.day, 9, tzinfo=timezone.utc)


def sample_case(procedure: "Procedure | None" = None) -> Case:
    if procedure is None:
        from service.procedure.pack import default

        procedure = default()
    return Case.open(
        "ESCB-2014-007", date(2014, 5, 9), datetime(2014, 5, 9, 9, tzinfo=timezone.utc), "sample", procedure=procedure,
        subjects=[Subject("Sample Child", "child", "child", date(2008, 1, 1), "1 Sample Street"),
                  Subject("Sample Parent", "adult", "mother", date(1985, 1, 1), "1 Sample Street")],
        referrer=Referrer("Sam Referrer", "Sample Agency", "020 0000 0000", "sam.referrer@example.org"))


def sample_scr_case(agency: str = SAMPLE_AGENCY, procedure: "Procedure | None" = None) -> Case:
    """The sample case taken through an SCR decision to planned publication, with an IMR due date."""
    case = sample_case(procedure)
    case.add_agency(agency, _at(date(2014, 5, 9)), "sample")
    case.record(EventKind.OFSTED_NOTIFIED, date(2014, 5, 12), _at(date(2014, 5, 12)), "sample")
    case.decide(Outcome.SCR, date(2014, 5, 21), _at(date(2014, 5, 21)), "sample",
                "Abuse or neglect suspected and the child seriously harmed; concerns about how agencies worked "
                "together")
    case.set_due("imr", agency, date(2014, 7, 31), _at(date(2014, 5, 21)), "sample")
    case.record(EventKind.LEAD_REVIEWER_APPOINTED, date(2014, 6, 16), _at(date(2014, 6, 16)), "sample")
    if case.procedure.has_event("report_quality_assured"):
        case.record("report_quality_assured", date(2014, 10, 27), _at(date(2014, 10, 27)), "sample")
    case.record(EventKind.REPORT_SIGNED_OFF, date(2014, 11, 3), _at(date(2014, 11, 3)), "sample")
    case.record(EventKind.PUBLICATION_PLANNED, date(2014, 12, 1), _at(date(2014, 11, 3)), "sample")
    return case


def sample_review_case(agency: str = SAMPLE_AGENCY, procedure: "Procedure | None" = None) -> Case:
    """The sample case of any pack taken as far as it goes towards a review: an agency involved, then every
    event of the pack in its order, a week apart (the decision taken on the way to a review), leaving out
    what would end the case, so that every date a template may name is there. The SCR pack's own sample
    (:func:`sample_scr_case`) is the one its templates have always been checked against."""
    from service.domain.model import DomainError

    case = sample_case(procedure)
    p = case.procedure
    if any(o.id == Outcome.SCR for d in p.decisions for o in d.outcomes) and p.has_event(EventKind.OFSTED_NOTIFIED):
        return sample_scr_case(agency, p)
    case.add_agency(agency, _at(date(2014, 5, 9)), "sample")
    day = date(2014, 5, 12)
    for e in p.events:
        if e.id == p.opens_with or e.id in case.events:
            continue
        day = date.fromordinal(day.toordinal() + 7)
        decision = p.decision_by_event(e.id)
        try:
            if decision is not None:
                if case.outcome is None and case.stage in decision.from_stages:
                    o = next((o for o in decision.outcomes if not p.is_final(o.to)), decision.outcomes[0])
                    case.decide(o.id, day, _at(day), "sample", "The criteria are met (sample reasons)",
                                criterion=(o.criteria[0] if o.criteria else None))
                continue
            stages, moves = p.where_recordable(e.id)
            if stages is not None and (case.stage not in stages or p.is_final(moves.get(case.stage, case.stage))):
                continue
            case.record(e.id, day, _at(day), "sample")
        except (DomainError, ValueError):
            continue  # an alternative to what is recorded already, or out of order for this pack: left out
    return case


def sample_planned(app: "App", template: str, case: Case) -> "Planned":
    """Who a sample letter is addressed to: the first real recipient, else an invented one."""
    from .triggers import Planned, Recipient, recipients_for

    try:
        plan = recipients_for(template, case, app.settings, {"to": "business.manager@other-lscb.example.org",
                                                             "name": "Sample Other LSCB"})
    except ValueError:
        plan = None
    if plan is not None and plan.messages:
        return plan.messages[0]
    agency = case.agencies[0] if case.agencies and template == "imr_letter" else None
    return Planned(f"{case.reference}/{template}/sample", template,
                   Recipient("Sample Recipient", "sample.recipient@example.org", "Sample Organisation"),
                   agency=agency)


SAMPLE_DETAIL = {"reviewer_name": "Sample Reviewer", "name": "Sample Other LSCB"}


def letter_contexts(app: "App", procedure: "Procedure | None" = None,
                    ) -> tuple[dict[str, dict[str, Any]], dict[str, dict[str, Any]]]:
    """(email contexts, Word letter contexts) for the communications the letters capability addresses, by
    template (two communications of a pack may share one), for ``procedure`` (the default pack's by default)."""
    from .composed import contexts

    procedure = procedure or app.procedure
    first = app.settings.agencies[0].key if app.settings.agencies else SAMPLE_AGENCY
    case = sample_review_case(first, procedure)
    emails: dict[str, dict[str, Any]] = {}
    letters: dict[str, dict[str, Any]] = {}
    for comm in [c for c in procedure.communications if is_addressed(c)]:
        if comm.template in emails:
            continue
        email_ctx, letter_ctx = contexts(app, case, sample_planned(app, comm.id, case), SAMPLE_DETAIL,
                                         today=date(2014, 5, 22))
        emails[comm.template] = email_ctx
        if letter_ctx is not None:
            letters[comm.template] = letter_ctx
    return emails, letters


def sample_contexts(app: "App") -> SampleContexts:
    known = communications(app.procedure)
    unknown = sorted(set(app.settings.letters.review) - set(known))
    if unknown:
        from .render import TemplateProblem

        raise TemplateProblem(f"[letters] review names {', '.join(unknown)}, which the procedure does not send "
                              f"(names: {', '.join(sorted(known))})")
    case = sample_case(app.procedure)
    bm = app.settings.people.business_manager
    d = case.deadlines.get("decision") or next(iter(case.deadlines.values()))
    deadline = {"key": d.key, "what": d.what, "due": d.due, "rule": d.rule, "days_left": 5, "days_overdue": 2,
                "owner_name": app.settings.people.chair.name}
    item = {"id": 1, "stored_at": "2014-05-09 09:00", "sender": "someone@example.org", "status": "quarantined",
            "outcome": "attachment could not be read: encrypted PDF", "message_id": "<x@example.org>"}
    referrer = (case.referrer.name, case.referrer.email)
    out = SampleContexts({
        "acknowledgement": base_context(app, *referrer, case=case),
        "missing_information": base_context(app, *referrer, case=case, missing=["Telephone", "Email address"]),
        "intake_report": base_context(app, bm.name, bm.email, items=[item],
                                      quarantine_folder=app.quarantine_folder_name,
                                      to_confirm=[{"reference": case.reference, "command":
                                                   f"review-clerk case confirm {case.reference}",
                                                   "reasons": ["subject 1 has no date of birth",
                                                               "values were read by OCR from a scan"]}]),
        "reminder": base_context(app, bm.name, bm.email, case=case, deadline=deadline),
        "escalation": base_context(app, bm.name, bm.email, case=case, deadline=deadline),
        "instruction_result": base_context(app, app.settings.people.chair.name, app.settings.people.chair.email,
                                           case=case, instruction={
            "what": "the decision 'Serious case review'", "done": False, "result": "not recorded",
            "why": "a decision needs its reasons", "fix": "reply again with the reasons below the first line"}),
        "decision_by_email": base_context(app, app.settings.people.chair.name, app.settings.people.chair.email,
                                          case=case, hold={
            "outcome": "Serious case review", "by": app.settings.people.chair.email, "undone": False,
            "until": "Monday 12/05/2014 at 11:00", "undo_command": "review-clerk case undo-decision REF --reason TEXT",
            "letters": [{"what": title(app.procedure, "decision_notification"),
                         "to": app.settings.notifications.ofsted or "notifications@example.org"}]}),
        "not_sent": base_context(app, bm.name, bm.email, case=case, problem={
            "what": title(app.procedure, "imr_letter"), "template": "imr_letter",
            "for_whom": "the chief executive of Sample Agency", "why": "no chief executive is on file",
            "fix": "add chief_executive to the agency in the configuration"}),
    })
    emails, letters = letter_contexts(app)
    out.update(emails)
    out.letters.update(letters)
    for module in OTHER_SAMPLES:
        try:
            provider = importlib.import_module(module)
        except ModuleNotFoundError as exc:
            if exc.name != module:
                raise
            continue
        out.update(provider.sample_contexts(app))
    return out
