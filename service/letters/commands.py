"""Use cases for people: list the communications, preview one, send one on command.

Plain functions taking the app; the command line (``letters_app``) is a
thin layer over them. Errors are :class:`LettersError`, one line for a
person.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from service.domain.model import AuditEvent, Case
from service.mailbox.mime_writer import build_mime
from service.mailbox.ports import Attachment, OutgoingMessage

from .catalogue import attachment_names, communications, is_addressed, recipients_in_words, trigger_in_words
from .triggers import mode_for, queue_plan, recipients_for, why_not

if TYPE_CHECKING:
    from service.bootstrap import App
    from service.domain.procedure import Procedure



class LettersError(Exception):
    """One line for a person."""


def catalogue_rows(app: "App", procedure: str | None = None) -> list[dict[str, Any]]:
    """Each communication of a pack in use (the default's unless named): what it is, what triggers it, to
    whom, attachments and send mode. Raises LookupError for a pack not in use."""
    rows = []
    p = app.procedure_named(procedure)
    for c in p.communications:
        mode, reviewer = mode_for(c.id, app.settings, procedure=p)
        attached = attachment_names(c)
        rows.append({"name": c.id, "what": c.label, "trigger": trigger_in_words(p, c),
                     "recipients": recipients_in_words(p, c), "attachments": attached,
                     "attached": ("letter + chronology" if len(attached) > 1 else "letter" if attached else "-"),
                     "mode": f"review by {reviewer}" if mode == "review" else "auto",
                     "meets": c.records, "source": c.source})
    return rows


@dataclass
class Preview:
    template: str
    to: list[str]
    mode: str
    subject: str
    text: str
    html: str
    attachments: list[Attachment] = field(default_factory=list)
    reference: str | None = None

    def mime(self, sender: str) -> bytes:
        return bytes(build_mime(OutgoingMessage(key=f"preview/{self.template}", sender=sender, to=tuple(self.to),
                                                subject=self.subject, text=self.text, html=self.html,
                                                attachments=tuple(self.attachments))))


def preview(app: "App", template: str, reference: str | None = None, procedure: str | None = None) -> Preview:
    """Render ``template`` as it would go: for a real case (under its own pack), else the realistic sample
    case of the pack named (the default's)."""
    from .composed import NotComposable, compose
    from .render import TemplateProblem
    from .samples import SAMPLE_DETAIL, sample_contexts, sample_planned, sample_review_case

    if reference:
        pack = _load(app, reference)[0].procedure
    else:
        try:
            pack = app.procedure_named(procedure)
        except LookupError as exc:
            raise LettersError(str(exc)) from None
    comm = _known(app, template, pack)
    mode, reviewer = mode_for(template, app.settings, procedure=pack)
    shown_mode = f"review by {reviewer}" if mode == "review" else "auto"
    try:
        if is_addressed(comm):
            if reference:
                case, _, detail = _load(app, reference)
                problem = why_not(template, case)
                if problem:
                    raise LettersError(f"cannot preview {template}: {problem}")
                plan = recipients_for(template, case, app.settings, detail)
                planned = plan.messages[0] if plan.messages else sample_planned(app, template, case)
            else:
                first = app.settings.agencies[0].key if app.settings.agencies else "sample-agency"
                case, detail = sample_review_case(first, pack), dict(SAMPLE_DETAIL)
                planned = sample_planned(app, template, case)
            try:
                composed = compose(app, case, planned, detail)
            except NotComposable as exc:
                raise LettersError(f"cannot preview {template}: {exc.why} ({exc.fix})") from None
            r = composed.rendered
            return Preview(template, [planned.recipient.email], shown_mode, r.subject, r.text, r.html,
                           composed.attachments, case.reference)
        ctx = dict(sample_contexts(app)[template])
        if reference:
            from .queueing import base_context

            case, _, _ = _load(app, reference)
            ctx.update(base_context(app, ctx["recipient"]["name"], ctx["recipient"]["email"], case=case))
        r = app.templates.render(template, ctx)
        return Preview(template, [ctx["recipient"]["email"] or ""], shown_mode, r.subject, r.text, r.html,
                       [], reference)
    except TemplateProblem as exc:
        raise LettersError(f"template problem: {exc}") from None


def send_on_command(app: "App", reference: str, template: str, actor: str, to: str | None = None,
                    name: str | None = None) -> dict[str, Any]:
    """Queue ``template`` for a case now: a request to another LSCB, or a letter that could not go before.

    Letters go only to the recipients on file; ``to`` is for a letter to another LSCB.
    Keys make this safe to repeat: a letter already queued is not queued again.
    """
    pack = _load(app, reference)[0].procedure
    comm = _known(app, template, pack)
    if not comm.on_command:
        allowed = ", ".join(c.id for c in pack.communications if c.on_command)
        raise LettersError(f"{template} is sent by the service itself; on command: {allowed}")
    if to and "given_address" not in comm.to:
        raise LettersError(f"--to is only for a letter to an address given; {template} goes to the recipients "
                           f"on file")
    with app.db.unit_of_work() as uow:
        case = uow.cases.get(reference)
        case_id = uow.cases.id_of(case.reference)
        problem = why_not(template, case)
        if problem:
            raise LettersError(f"cannot send {template}: {problem}")
        detail: dict[str, Any] = {"to": to, "name": name}
        if "reviewer" in comm.variables:
            detail["reviewer_name"] = name or _reviewer_name(uow, case_id)
        plan = recipients_for(template, case, app.settings, detail)
        if "given_address" in comm.to and not to:
            raise LettersError(f"{template} needs --to ADDRESS (and --name 'NAME OF THE ORGANISATION')")
        queued = queue_plan(uow, app, case, case_id, plan, detail, actor, f"on command: {template}")
        if not queued:
            uow.audit.append(case_id, case.reference, [AuditEvent(
                at=app.clock.now(), actor=actor, action="letters requested",
                detail={"template": template, "queued": []})])
        uow.commit()
    return {"reference": case.reference, "template": template, "queued": queued,
            "already": [m.key for m in plan.messages if m.key not in queued],
            "not_sent": [f"{p.for_whom}: {p.why}" for p in plan.problems]}


def _known(app: "App", template: str, procedure: "Procedure | None" = None):
    found = communications(procedure or app.procedure)
    if template not in found:
        raise LettersError(f"no communication {template!r}; they are: {', '.join(found)}")
    return found[template]


def _load(app: "App", reference: str) -> tuple[Case, int, dict[str, Any]]:
    with app.db.unit_of_work() as uow:
        case = uow.cases.get(reference)
        case_id = uow.cases.id_of(case.reference)
        detail = {"reviewer_name": _reviewer_name(uow, case_id)}
    return case, case_id, detail


def _reviewer_name(uow, case_id: int) -> str | None:
    """The lead reviewer's name: the reason given when lead_reviewer_appointed was recorded."""
    name = None
    for e in uow.audit.for_case(case_id):
        if e.action == "event recorded" and e.detail.get("event") == "lead_reviewer_appointed":
            name = e.reason or name
    return name


def letters_of_case(app: "App", reference: str, templates: tuple[str, ...] | None = None) -> list[dict[str, Any]]:
    """The messages of a case with their state and attachment names (for `case show`-like views and the demo)."""
    keep = ("key", "template", "to", "subject", "status", "mode", "reviewer", "sent_at")
    with app.db.unit_of_work() as uow:
        case_id = uow.cases.id_of(uow.cases.get(reference).reference)
        rows = uow.outbox.for_case(case_id, templates)
    return [{**{k: r[k] for k in keep}, "attachments": [a["filename"] for a in r["attachments"] or []]}
            for r in rows]
