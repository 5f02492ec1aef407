"""Which communications a stage event calls for, and to whom.

The first half is pure: :func:`plan_for_event` and :func:`recipients_for`
take a case and the settings and return the messages to queue (each with a
deterministic key, so planning twice queues once) and the ones that cannot
go because nobody is on file. No database, mailbox, clock or template.

The second half, :func:`queue_for_event`, is what a use case calls inside
its unit of work after a successful domain change: it composes and queues
each planned message, and for each one that cannot go it queues a notice to
the Business Manager saying what was not sent and why. Everything is
queued in the caller's transaction, so the letters exist if and only if the
event that caused them was committed.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Mapping

from service.config import Settings
from service.domain.model import AuditEvent, Case
from service.domain.procedure import Communication

from .catalogue import AGENCY_ADDED, CASE_OPENED, DATE_CORRECTED, communication, title, triggered_by

if TYPE_CHECKING:
    from service.bootstrap import App
    from service.domain.procedure import Procedure
    from service.store.db import UnitOfWork

log = logging.getLogger("review_clerk.letters")

# How a letter to an external body is addressed (body id -> addressee, salutation); otherwise the body's
# label and "Sir or Madam".
ADDRESSEES = {"ofsted": ("Serious Incident Notifications", "Sir or Madam"), "national_panel": ("The Chair", "Chair")}


@dataclass(frozen=True)
class Recipient:
    name: str
    email: str
    organisation: str | None = None
    salutation: str | None = None  # what follows "Dear"; default the name

    def as_context(self) -> dict[str, Any]:
        return {"name": self.name, "email": self.email, "organisation": self.organisation or "",
                "salutation": self.salutation or self.name}


@dataclass(frozen=True)
class Planned:
    """One message to queue."""

    key: str
    template: str
    recipient: Recipient
    mode: str = "auto"  # auto | review
    reviewer: str | None = None
    agency: str | None = None  # the agency key, for a chief executive's letter


@dataclass(frozen=True)
class Unsendable:
    """A message the process calls for that cannot go: nobody (or no address) on file."""

    key: str  # the key of the notice to the Business Manager
    template: str
    for_whom: str
    why: str
    fix: str


@dataclass
class Plan:
    messages: list[Planned] = field(default_factory=list)
    problems: list[Unsendable] = field(default_factory=list)

    def extend(self, other: "Plan") -> None:
        self.messages.extend(other.messages)
        self.problems.extend(other.problems)


# Pure planning ---------------------------------------------------------------------
def mode_for(template: str, settings: Settings, case: Case | None = None,
             procedure: "Procedure | None" = None) -> tuple[str, str | None]:
    """("auto", None) or ("review", the address of the person who checks and sends it): the configuration's
    ``[letters] review``, else the reviewer role the procedure gives the communication."""
    configured = settings.letters.review.get(template)
    if configured is None:
        p = case.procedure if case is not None else procedure
        comm = communication(p, template) if p is not None else None
        role = comm.review_by if comm else None
        person = getattr(settings.people, role, None) if role else None
        configured = person.email if person is not None else "auto"
    return ("auto", None) if configured == "auto" else ("review", configured)


def _applies(comm: Communication, case: Case) -> bool:
    return not comm.when_outcome or case.outcome in comm.when_outcome


def templates_for(event: str, case: Case, detail: Mapping[str, Any] | None = None) -> list[str]:
    """The communications ``event`` calls for in the case's procedure, given the state of the case after it
    (only after the outcomes a communication names; nothing for a case that has ended)."""
    p = case.procedure
    if p.is_final(case.stage) and event != CASE_OPENED:
        return []
    if event in p.decision_events and case.outcome is None:
        return []
    return [c.id for c in triggered_by(p, event, detail) if _applies(c, case)]


def plan_for_event(case: Case, settings: Settings, event: str,
                   detail: Mapping[str, Any] | None = None) -> Plan:
    """Every message ``event`` calls for, and every one that cannot go."""
    plan = Plan()
    for name in templates_for(event, case, detail):
        plan.extend(recipients_for(name, case, settings, detail))
    return plan


def recipients_for(template: str, case: Case, settings: Settings,
                   detail: Mapping[str, Any] | None = None) -> Plan:
    """Who gets ``template`` for this case, from the ``to`` of its communication in the case's procedure.
    ``detail`` carries ``to``/``name`` for a letter to an address given on command."""
    detail = detail or {}
    ref = case.reference
    plan = Plan()
    comm = communication(case.procedure, template)
    if comm is None:
        raise ValueError(f"'{template}' is not a communication of {case.procedure.key}")
    mode, reviewer = mode_for(template, settings, case)
    # A communication triggered by a planned date goes again for a new date: keyed by the date.
    planned = next((e for e in (comm.trigger, *comm.also_on)
                    if case.procedure.has_event(e) and case.procedure.is_planned(e)), None)
    suffix = ""
    if planned is not None:
        on = case.events.get(planned)
        if on is None:
            plan.problems.append(Unsendable(
                f"not_sent/{ref}/{template}/no-date", template, recipients_in_short(case, comm),
                f"no date is recorded for {case.procedure.event_label(planned)}",
                f"record it: review-clerk case record {ref} {planned} --date DATE"))
            return plan
        suffix = on.isoformat()

    def add(who: str, recipient: Recipient, agency: str | None = None) -> None:
        # One role or body: keyed by the date alone; several recipients (each agency's chief executive): by
        # recipient and date, so that each gets it.
        alone = len(comm.to) == 1 and comm.to[0].partition(":")[0] in ("role", "body")
        plan.messages.append(Planned(f"{ref}/{template}/{suffix or who}" if suffix and alone
                                     else f"{ref}/{template}/{who}" + (f"/{suffix}" if suffix else ""),
                                     template, recipient, mode, reviewer, agency))

    def cannot(who: str, for_whom: str, why: str, fix: str) -> None:
        plan.problems.append(Unsendable(f"not_sent/{ref}/{template}/{who}", template, for_whom, why, fix))

    bodies = {b.id: b.label for b in case.procedure.bodies}
    for spec in comm.to:
        kind, _, rest = spec.partition(":")
        if kind == "body":
            address = getattr(settings.notifications, rest, None)
            name, salutation = ADDRESSEES.get(rest, (bodies.get(rest, rest), "Sir or Madam"))
            if not address:
                cannot(rest, bodies.get(rest, rest), f"no address for {bodies.get(rest, rest)} is configured",
                       f"add {rest} to [notifications] in the configuration, then run "
                       f"review-clerk letters send {ref} {template}")
            else:
                add(rest, Recipient(name, address, bodies.get(rest, rest), salutation))
        elif kind == "role":
            person = getattr(settings.people, rest, None)
            if person is None:
                cannot(rest, case.procedure.role_label(rest), f"nobody is configured as {rest}",
                       f"add [people.{rest}] to the configuration")
            else:
                add(rest, Recipient(person.name, person.email, settings.board.name, _salutation(person.name)))
        elif spec == "referrer":
            r = case.referrer
            if r.email:
                add("referrer", Recipient(r.name or "colleague", r.email, r.agency))
            else:
                cannot("referrer", "the referrer", "the referral gave no email address for the referrer",
                       "tell the referrer yourself")
        elif spec == "agency_chief_executives":
            _chief_executives(case, settings, template, add, cannot)
        elif spec == "agency_panel_members":  # outside a meeting: each involved agency's panel member
            _panel_members(case, settings, template, add, cannot)
        elif spec == "board_members":
            if not settings.board_members:
                cannot("no-members", "the Board members", "no Board members are listed in the configuration",
                       f"add [[board_members]] to the configuration, then run "
                       f"review-clerk letters send {ref} {template}")
            for m in settings.board_members:
                add(m.email, Recipient(m.name, m.email, f"Member, {settings.board.name}", _salutation(m.name)))
        elif spec == "given_address":
            to = (detail.get("to") or "").strip().lower()
            if not to:
                cannot("no-address", title(case.procedure, template), "no address was given",
                       f"review-clerk letters send {ref} {template} --to ADDRESS --name 'NAME'")
            else:
                add(to, Recipient("The Business Manager", to, detail.get("name") or None, "colleague"))
        else:
            raise ValueError(f"'{template}' goes to {spec}: not a letter the service addresses itself")
    return plan


def recipients_in_short(case: Case, comm: Communication) -> str:
    bodies = {b.id: b.label for b in case.procedure.bodies}
    return ", ".join(bodies.get(w.partition(":")[2], w) if w.startswith("body:") else w.replace("_", " ")
                     for w in comm.to)


def _chief_executives(case: Case, settings: Settings, template: str, add, cannot) -> None:
    ref = case.reference
    if not case.agencies:
        cannot("no-agencies", "the chief executives of the agencies involved",
               "no agency is recorded as involved in the case",
               f"add each one: review-clerk case add-agency {ref} AGENCY (its letter then goes at once)")
    for key in case.agencies:
        agency = settings.agency(key)
        if agency is None:
            cannot(key, f"the chief executive of '{key}'", f"'{key}' is no longer in the agency directory",
                   f"add it to [[agencies]] in the configuration, then run "
                   f"review-clerk letters send {ref} {template}")
        elif agency.chief_executive is None:
            cannot(key, f"the chief executive of {agency.name}",
                   f"no chief executive is on file for {agency.name}",
                   f"add chief_executive to the agency '{key}' in the configuration, then run "
                   f"review-clerk letters send {ref} {template}; or send the Chair's letter yourself")
        else:
            ce = agency.chief_executive
            add(key, Recipient(ce.name, ce.email, agency.name, _salutation(ce.name)), agency=key)


def _panel_members(case: Case, settings: Settings, template: str, add, cannot) -> None:
    """Each involved agency's panel member (its safeguarding lead): a request to every agency, e.g. for its
    rapid review summary. Keyed by the agency, as the chief executives' letters are, so one added later gets
    its own and that agency's per-agency deadline is met when it has gone."""
    ref = case.reference
    if not case.agencies:
        cannot("no-agencies", "the panel members of the agencies involved",
               "no agency is recorded as involved in the case",
               f"add each one: review-clerk case add-agency {ref} AGENCY (its message then goes at once)")
    for key in case.agencies:
        agency = settings.agency(key)
        member = agency.panel_member if agency is not None else None
        if member is None:
            name = agency.name if agency is not None else f"'{key}'"
            cannot(key, f"the panel member of {name}", f"no panel member is on file for {name}",
                   f"add panel_member to the agency '{key}' in [[agencies]], then run "
                   f"review-clerk letters send {ref} {template}")
        else:
            add(key, Recipient(member.name, member.email, agency.name, _salutation(member.name)), agency=key)


def _salutation(name: str) -> str:
    """"Chief Executive, Enfield Council" (a post, as the directory often gives it) -> "Chief Executive"."""
    return name.split(",", 1)[0].strip() or name


def why_not(template: str, case: Case) -> str | None:
    """Why ``template`` cannot be sent for ``case`` now (on command or in a preview), or None: the outcome it
    is only for, or the event that triggers it, is not recorded."""
    p = case.procedure
    comm = communication(p, template)
    if comm is None:
        return f"{template} is not a communication of {p.label}"
    if comm.when_outcome and case.outcome not in comm.when_outcome:
        labels = " or ".join(p.outcome_label(o).lower() for o in comm.when_outcome)
        return f"{case.reference} is not a {labels}"
    if p.has_event(comm.trigger) and comm.trigger not in case.events:
        if comm.trigger in p.decision_events:
            return f"no decision has been recorded for {case.reference}"
        return f"no {p.event_label(comm.trigger).removeprefix('the ')} is recorded for {case.reference}"
    return None


# Queueing ---------------------------------------------------------------------------
def queue_for_event(uow: "UnitOfWork", app: "App", case: Case, case_id: int, event: str,
                    detail: Mapping[str, Any] | None = None, actor: str = "letters") -> list[str]:
    """Queue, in ``uow``, every message ``event`` calls for. Returns the keys newly queued."""
    return queue_plan(uow, app, case, case_id, plan_for_event(case, app.settings, event, detail),
                      _detail_for(event, detail), actor, event)


def queue_plan(uow: "UnitOfWork", app: "App", case: Case, case_id: int, plan: Plan,
               detail: Mapping[str, Any] | None, actor: str, why: str) -> list[str]:
    from service.chronology.publication_gate import NOTICE, why_held

    from .composed import NotComposable, compose
    from .queueing import queue
    from .render import TemplateProblem

    queued: list[str] = []
    problems = list(plan.problems)
    already = uow.outbox.existing(p.key for p in plan.messages) if plan.messages else set()
    for p in plan.messages:
        if p.key in already:
            continue
        if p.template == NOTICE and (held := why_held(uow, case, case_id)) is not None:
            problems.append(Unsendable(f"not_sent/{p.key}", p.template, p.recipient.name, *held))
            continue  # the publication check found identifiers: the notice waits (queued once it passes)
        try:
            message = compose(app, case, p, detail or {})
        except NotComposable as exc:
            problems.append(Unsendable(f"not_sent/{p.key}", p.template, p.recipient.name, exc.why, exc.fix))
            continue
        except TemplateProblem as exc:  # edited while the service runs: the event stands, a person is told
            log.error("template problem", extra={"case": case.reference, "template": p.template,
                                                 "error": str(exc)[:300]})
            problems.append(Unsendable(f"not_sent/{p.key}", p.template, p.recipient.name,
                                       f"its template cannot be rendered: {exc}",
                                       f"fix the template, then run review-clerk letters send {case.reference} "
                                       f"{p.template}"))
            continue
        if queue(uow, app, key=p.key, template=p.template, to=[p.recipient.email], context=message.context,
                 case_id=case_id, attachments=message.attachments, rendered=message.rendered, mode=p.mode,
                 reviewer=p.reviewer):
            queued.append(p.key)
    told = [u for u in problems if tell_business_manager(uow, app, u, case=case, case_id=case_id)]
    if queued or told:
        uow.audit.append(case_id, case.reference, [AuditEvent(
            at=app.clock.now(), actor=actor, action="letters queued",
            detail={"why": why, "queued": queued, "not_sent": [u.key for u in told]})])
        uow.on_commit(log.info, "letters queued", extra={"case": case.reference, "why": why, "queued": len(queued),
                                                         "not_sent": len(told)})
    return queued


def tell_business_manager(uow: "UnitOfWork", app: "App", problem: Unsendable, case: Case | None = None,
                          case_id: int | None = None) -> bool:
    """Queue the notice that a message could not go (once per problem). Returns True if queued."""
    from .queueing import base_context, queue

    bm = app.settings.people.business_manager
    what = title(case.procedure if case is not None else app.procedure, problem.template)
    ctx = base_context(app, bm.name, bm.email, case=case, problem={
        "what": what, "template": problem.template, "for_whom": problem.for_whom, "why": problem.why,
        "fix": problem.fix})
    return queue(uow, app, key=problem.key, template="not_sent", to=[bm.email], context=ctx, case_id=case_id)


def _detail_for(event: str, detail: Mapping[str, Any] | None) -> dict[str, Any]:
    """What an event's own values mean for the letters it calls for (the reviewer's name is its reason)."""
    out = dict(detail or {})
    if event == "lead_reviewer_appointed" and out.get("reason") and not out.get("reviewer_name"):
        out["reviewer_name"] = out["reason"]
    return out


__all__ = [
    "AGENCY_ADDED",
    "CASE_OPENED",
    "DATE_CORRECTED",
    "Plan",
    "Planned",
    "Recipient",
    "Unsendable",
    "mode_for",
    "plan_for_event",
    "queue_for_event",
    "recipients_for",
    "templates_for",
]
