"""The pages and the actions on them. Each action checks the person's permission, runs the command
line's use case with the signed-in person as its actor (which audits it), and goes back to its page."""

from __future__ import annotations

from typing import Any

from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from service import cases as usecases

from . import terms, workspace
from .access import Permission, may_read_case, pack_of
from .app import Ctx, Problem, Refused, page, parse_day, run_case_action, user_errors


# Helpers ---------------------------------------------------------------------------------------
def initials(name: str | None) -> str:
    from service.domain.model import Subject

    return Subject(name=name or "").initials or "?"


def shown_case(ctx: Ctx, data: dict[str, Any]) -> dict[str, Any]:
    """The case as this person may see it: to a viewer, subjects by initials and no free text written
    by people (reasons can name the family), no referrer's name."""
    if ctx.person is not None and ctx.person.may(Permission.SEE_NAMES):
        return {**data, "redacted": False}
    subjects = [{"name": initials(s["name"]), "role": s["role"], "relationship": s["relationship"],
                 "date_of_birth": None, "address": None} for s in data["subjects"]]
    history = [{**h, "reason": "(hidden)" if h["reason"] else None, "detail": {}} for h in data["history"]]
    deadlines = [{**d, "reason": "(hidden)" if d["reason"] else None} for d in data["deadlines"]]
    referrer = {"name": None, "agency": data["referrer"].get("agency"), "telephone": None, "email": None}
    return {**data, "subjects": subjects, "history": history, "deadlines": deadlines, "referrer": referrer,
            "decision_reason": "(hidden)" if data["decision_reason"] else None, "redacted": True}


async def load_case(ctx: Ctx, reference: str) -> dict[str, Any]:
    """The case, if this person may read it (else Refused); NotFound as a 404 page."""
    try:
        data = await ctx.call(usecases.show, ctx.web.app, reference)
    except user_errors():
        raise Problem("There is no case with that reference.", status=404, back="/cases") from None
    if not may_read_case(ctx.web.settings, ctx.person, data["agencies"], pack_of(data)):
        raise Refused(f"read case {data['reference']}")
    return data


async def readable_references(ctx: Ctx) -> set[str] | None:
    """The cases this person may read: None for all."""
    if ctx.person.may(Permission.READ_ALL):
        return None
    rows = await ctx.call(usecases.list_cases, ctx.web.app)
    found = set()
    for r in rows:
        data = await ctx.call(usecases.show, ctx.web.app, r["reference"])
        if may_read_case(ctx.web.settings, ctx.person, data["agencies"], pack_of(data)):
            found.add(r["reference"])
    return found


# Pages ---------------------------------------------------------------------------------------------
@page()
async def dashboard(ctx: Ctx) -> Response:
    refs = await readable_references(ctx)
    data = await ctx.call(workspace.dashboard, ctx.web.app, refs)
    return ctx.render("dashboard.html", title="Dashboard", **data)


@page()
async def cases_list(ctx: Ctx) -> Response:
    q = ctx.request.query_params
    stage_value = q.get("stage") or ""
    overdue = q.get("overdue") == "1"
    search = (q.get("q") or "").strip()
    try:
        stage = terms.stage(tuple(ctx.web.app.procedures.values()), stage_value)
    except user_errors():
        raise Problem("There is no such stage.", back="/cases") from None
    procedure = q.get("procedure") or ""
    rows = await ctx.call(usecases.list_cases, ctx.web.app, stage, overdue)
    refs = await readable_references(ctx)
    rows = [r for r in rows if refs is None or r["reference"] in refs]
    # the ones cases run under, and the packs in use
    procedures = sorted({r["procedure"] for r in rows} | {p.key for p in ctx.web.app.procedures.values()})
    if procedure and procedure not in procedures:
        raise Problem("No case runs under that procedure.", back="/cases")
    rows = [r for r in rows if (not procedure or r["procedure"] == procedure)
            and (not search or search.casefold() in r["reference"].casefold())]
    page_no, pages, shown = _page(rows, q.get("page"))
    keep = {k: v for k, v in (("q", search), ("stage", stage_value), ("procedure", procedure),
                              ("overdue", "1" if overdue else "")) if v}
    return ctx.render("cases.html", title="Cases", rows=shown, total=len(rows), first=(page_no - 1) * PAGE + 1,
                      page=page_no, pages=pages, keep=keep, stages=terms.stages(*ctx.web.app.procedures.values()),
                      stage=stage_value, overdue=overdue, search=search, procedures=procedures, procedure=procedure)


PAGE = 50  # cases a page: the newest first


def _page(rows: list, asked: str | None) -> tuple[int, int, list]:
    """(the page shown, how many pages, its rows): a page past the last shows the last."""
    pages = max(1, -(-len(rows) // PAGE))
    try:
        page_no = min(max(1, int(asked or 1)), pages)
    except ValueError:
        raise Problem("There is no such page.", back="/cases") from None
    return page_no, pages, rows[(page_no - 1) * PAGE: page_no * PAGE]


@page()
async def case_page(ctx: Ctx) -> Response:
    from service.letters.commands import letters_of_case
    from service.meetings.service import list_meetings

    data = await load_case(ctx, ctx.request.path_params["reference"])
    reference = data["reference"]
    letters = await ctx.call(letters_of_case, ctx.web.app, reference)
    meetings = await ctx.call(list_meetings, ctx.web.app, reference)
    agencies = [{"key": a.key, "name": a.name} for a in ctx.web.settings.agencies]
    from .timeline import chart

    picture = chart(data, meetings, letters, ctx.web.app.today())
    return ctx.render("case.html", title=f"Case {reference}", case=shown_case(ctx, data), letters=letters,
                      timeline=picture,
                      meetings=meetings, events=data["recordable_events"], outcomes=data["open_outcomes"],
                      agencies=agencies, may_act=ctx.person.may(Permission.ACT),
                      may_decide=ctx.person.may(Permission.DECIDE), may_approve=ctx.person.may(Permission.APPROVE),
                      letter_ids=await ctx.call(_letter_ids, ctx, reference))


def _letter_ids(ctx: Ctx, reference: str) -> dict[str, int]:
    with ctx.web.app.db.unit_of_work() as uow:
        case_id = uow.cases.id_of(reference)
        return {r["key"]: r["id"] for r in uow.outbox.for_case(case_id)}


@page()
async def deadline_page(ctx: Ctx) -> Response:
    data = await load_case(ctx, ctx.request.path_params["reference"])
    key = ctx.request.path_params["key"]
    deadline = next((d for d in data["deadlines"] if d["key"] == key), None)
    if deadline is None:
        raise Problem("The case has no such deadline.", status=404, back=f"/cases/{data['reference']}")
    return ctx.render("deadline.html", title=f"Deadline {key} of {data['reference']}", case=shown_case(ctx, data),
                      deadline=deadline, may_act=ctx.person.may(Permission.ACT))


@page()
async def letter_page(ctx: Ctx) -> Response:
    try:
        found = await ctx.call(workspace.letter, ctx.web.app, int(ctx.request.path_params["id"]))
    except user_errors():
        raise Problem("There is no such letter.", status=404) from None
    if found["reference"]:
        await load_case(ctx, found["reference"])  # may this person read its case?
    elif not ctx.person.may(Permission.READ_MAIL):
        raise Refused("read a letter")
    if not ctx.person.may(Permission.SEE_NAMES):
        found = {**found, "text": None}
    return ctx.render("letter.html", title=f"Letter {found['template']}", letter=found,
                      may_approve=ctx.person.may(Permission.APPROVE))


@page()
async def mail_page(ctx: Ctx) -> Response:
    ctx.require(Permission.READ_MAIL)
    rows = await ctx.call(workspace.mail_needing_attention, ctx.web.app)
    return ctx.render("mail.html", title="Mail needing attention", rows=rows,
                      may_handle=ctx.person.may(Permission.HANDLE_MAIL))


@page()
async def message_page(ctx: Ctx) -> Response:
    from service.intake.by_hand import read_stored

    ctx.require(Permission.READ_MAIL)
    inbound_id = int(ctx.request.path_params["id"])
    try:
        data = await ctx.call(read_stored, ctx.web.app, inbound_id)
    except LookupError:
        raise Problem("There is no such message.", status=404, back="/mail") from None
    referral = data["referral"] or {}
    subjects = list(referral.get("subjects") or [])
    subjects.append({"name": "", "role": "unknown", "relationship": "", "date_of_birth": "", "address": ""})
    return ctx.render("message.html", title=f"Message {inbound_id}", message=data, referral=referral,
                      subjects=subjects, may_handle=ctx.person.may(Permission.HANDLE_MAIL))


@page()
async def forecast_page(ctx: Ctx) -> Response:
    from datetime import timedelta

    from service.forecast import forecast

    ctx.require(Permission.FORECAST)
    until = ctx.web.app.today() + timedelta(days=14)
    actions = await ctx.call(forecast, ctx.web.app, until)
    return ctx.render("forecast.html", title="Forecast", actions=actions, until=until)


# Actions on a case -------------------------------------------------------------------------------------
@page()
async def record_event(ctx: Ctx) -> Response:
    reference = ctx.request.path_params["reference"]
    person = ctx.require(Permission.ACT)
    await load_case(ctx, reference)
    try:
        kind = terms.event(ctx.field("event"))
    except user_errors():
        raise Problem("Choose an event from the list.", back=f"/cases/{reference}") from None
    on = parse_day(ctx.field("date"), "date")
    return await run_case_action(ctx, reference, "recorded", usecases.record, kind, on, person.email,
                                 ctx.field("reason", required=False) or None)


@page()
async def decide(ctx: Ctx) -> Response:
    reference = ctx.request.path_params["reference"]
    person = ctx.require(Permission.DECIDE)
    await load_case(ctx, reference)
    try:
        outcome = terms.outcome(ctx.field("outcome"))
    except user_errors():
        raise Problem("Choose a decision from the list.", back=f"/cases/{reference}") from None
    on = parse_day(ctx.field("date"), "date")
    reason = ctx.field("reason")
    return await run_case_action(ctx, reference, "decided", usecases.decide, outcome, on, reason, person.email)


@page()
async def add_agency(ctx: Ctx) -> Response:
    reference = ctx.request.path_params["reference"]
    person = ctx.require(Permission.ACT)
    await load_case(ctx, reference)
    return await run_case_action(ctx, reference, "agency", usecases.add_agency, ctx.field("agency"), person.email)


@page()
async def set_due(ctx: Ctx) -> Response:
    reference = ctx.request.path_params["reference"]
    person = ctx.require(Permission.ACT)
    await load_case(ctx, reference)
    kind = ctx.field("kind")
    if kind not in ("imr", "chronology", "agency_report"):
        raise Problem("Choose what is due from the list.", back=f"/cases/{reference}")
    due = parse_day(ctx.field("due"), "due date")
    return await run_case_action(ctx, reference, "due", usecases.set_due, kind, ctx.field("agency"), due,
                                 person.email)


@page()
async def deadline_action(ctx: Ctx) -> Response:
    reference = ctx.request.path_params["reference"]
    key = ctx.request.path_params["key"]
    action = ctx.request.path_params["action"]
    person = ctx.require(Permission.ACT)
    await load_case(ctx, reference)
    if action == "pause":
        return await run_case_action(ctx, reference, "paused", usecases.pause, key, ctx.field("reason"), person.email)
    if action == "resume":
        to = ctx.field("to", required=False)
        return await run_case_action(ctx, reference, "resumed", usecases.resume, key, ctx.field("reason"),
                                     person.email, parse_day(to, "new due date") if to else None)
    if action == "extend":
        to = parse_day(ctx.field("to"), "new due date")
        return await run_case_action(ctx, reference, "extended", usecases.extend, key, to, ctx.field("reason"),
                                     person.email)
    if action == "done":
        on_text = ctx.field("date", required=False)
        on = parse_day(on_text, "date") if on_text else ctx.web.app.today()
        return await run_case_action(ctx, reference, "met", usecases.mark_done, key, on, person.email, "on the web")
    raise Problem("There is no such action.", status=404, back=f"/cases/{reference}")


@page()
async def approve_letter(ctx: Ctx) -> Response:
    person = ctx.require(Permission.APPROVE)
    outbox_id = int(ctx.request.path_params["id"])
    try:
        found = await ctx.call(workspace.letter, ctx.web.app, outbox_id)
        if found["reference"]:
            await load_case(ctx, found["reference"])
        done = await ctx.call(workspace.approve_letter, ctx.web.app, outbox_id, person.email)
    except user_errors() as exc:
        raise Problem(str(exc).strip("'\""), back=f"/letters/{outbox_id}") from None
    where = f"/cases/{done['reference']}" if done["reference"] else f"/letters/{outbox_id}"
    return RedirectResponse(f"{where}?done=approved", status_code=303)


@page()
async def edit_letter(ctx: Ctx) -> Response:
    person = ctx.require(Permission.APPROVE)
    outbox_id = int(ctx.request.path_params["id"])
    try:
        found = await ctx.call(workspace.letter, ctx.web.app, outbox_id)
        if found["reference"]:
            await load_case(ctx, found["reference"])
        await ctx.call(workspace.edit_letter, ctx.web.app, outbox_id, ctx.field("subject"), ctx.field("text"),
                       person.email)
    except user_errors() as exc:
        raise Problem(str(exc).strip("'\""), back=f"/letters/{outbox_id}") from None
    return RedirectResponse(f"/letters/{outbox_id}?done=edited", status_code=303)


# Actions on mail ---------------------------------------------------------------------------------------
@page()
async def release_message(ctx: Ctx) -> Response:
    from service.intake.by_hand import release_held
    from service.intake.processing import file_handled

    person = ctx.require(Permission.HANDLE_MAIL)
    inbound_id = int(ctx.request.path_params["id"])
    case = ctx.field("case", required=False) or None  # a held agency return's case, when it named none
    try:
        outcome = await ctx.call(release_held, ctx.web.app, inbound_id, person.email, case)
    except (ValueError, LookupError) as exc:
        raise Problem(str(exc).strip("'\""), back=f"/mail/{inbound_id}") from None
    await ctx.call(file_handled, ctx.web.app)
    if outcome.status == "held":  # still not placeable: say why, on the message's page
        raise Problem(f"Not filed: {outcome.reason}", back=f"/mail/{inbound_id}")
    if outcome.reference:
        return RedirectResponse(f"/cases/{outcome.reference}?done=released", status_code=303)
    return RedirectResponse("/mail?done=released", status_code=303)


def details_from_form(ctx: Ctx) -> dict[str, Any]:
    """The referral's fields as the form gave them, in the shape of `inbox open --details`."""
    form = ctx.form
    details: dict[str, Any] = {}
    for name in ("referral_date", "summary", "request", "criteria_statement"):
        value = (form.get(name) or "").strip()
        if value:
            details[name] = value
    referrer = {f: (form.get(f"referrer_{f}") or "").strip() for f in ("name", "agency", "telephone", "email")}
    details["referrer"] = {k: v for k, v in referrer.items() if v}
    subjects = []
    n = 0
    while f"subject_{n}_name" in form:
        s = {f: (form.get(f"subject_{n}_{f}") or "").strip()
             for f in ("name", "role", "relationship", "date_of_birth", "address")}
        if s["name"]:
            subjects.append({k: v for k, v in s.items() if v})
        n += 1
    details["subjects"] = subjects
    return details


@page()
async def open_message(ctx: Ctx) -> Response:
    from service.intake.details import DetailsProblem
    from service.intake.by_hand import open_by_hand
    from service.intake.processing import file_handled

    person = ctx.require(Permission.HANDLE_MAIL)
    inbound_id = int(ctx.request.path_params["id"])
    details = details_from_form(ctx)
    acknowledge = ctx.form.get("acknowledge") == "yes"
    try:
        outcome = await ctx.call(open_by_hand, ctx.web.app, inbound_id, person.email, details,
                                 acknowledge=acknowledge)
    except DetailsProblem as exc:
        raise Problem(f"The form has a problem: {exc}", back=f"/mail/{inbound_id}") from None
    except (ValueError, LookupError) as exc:
        raise Problem(str(exc), back=f"/mail/{inbound_id}") from None
    await ctx.call(file_handled, ctx.web.app)
    return RedirectResponse(f"/cases/{outcome.reference}?done=opened", status_code=303)


ROUTES = [
    Route("/", dashboard),
    Route("/cases", cases_list),
    Route("/cases/{reference}", case_page),
    Route("/cases/{reference}/record", record_event, methods=["POST"]),
    Route("/cases/{reference}/decide", decide, methods=["POST"]),
    Route("/cases/{reference}/agencies", add_agency, methods=["POST"]),
    Route("/cases/{reference}/due", set_due, methods=["POST"]),
    Route("/cases/{reference}/deadlines/{key}", deadline_page),
    Route("/cases/{reference}/deadlines/{key}/{action}", deadline_action, methods=["POST"]),
    Route("/letters/{id:int}", letter_page),
    Route("/letters/{id:int}/approve", approve_letter, methods=["POST"]),
    Route("/letters/{id:int}/edit", edit_letter, methods=["POST"]),
    Route("/mail", mail_page),
    Route("/mail/{id:int}", message_page),
    Route("/mail/{id:int}/release", release_message, methods=["POST"]),
    Route("/mail/{id:int}/open", open_message, methods=["POST"]),
    Route("/forecast", forecast_page),
]
