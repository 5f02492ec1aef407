"""Is a procedure pack sound? Every reference resolves, every stage can be reached, every template exists
and uses only the variables it is given. One :class:`~service.procedure.pack.Problem` per fault.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from service.domain.procedure import EVERYBODY, RECIPIENTS, SERVICE_TRIGGERS, UNITS, Procedure, reference_format_problem
from .problems import Problem

# What every template is given (mail_templates/VARIABLES.md, "Everywhere" and "About a case").
COMMON_VARIABLES = frozenset({"board", "recipient", "signatory", "today", "reference_tag", "case"})
TEMPLATE_FILES = ("subject.txt", "body.txt", "body.html")


def check(p: Procedure, file: Path, templates: bool = True) -> list[Problem]:
    """Every problem of the pack. ``templates=False`` leaves out its templates (the slow part: a command's
    start-up checks them once per change, with the board's own templates; see service.bootstrap)."""
    name = str(file)
    out: list[Problem] = []

    def bad(key: str, message: str) -> None:
        out.append(Problem(name, key, message))

    sections = {"roles": p.roles, "bodies": p.bodies, "events": p.events, "stages": p.stages,
                "decisions": p.decisions, "deadlines": p.deadlines, "entered_deadlines": p.entered_deadlines,
                "communications": p.communications, "meetings": p.meetings}
    for section, items in sections.items():
        for dup, n in Counter(i.id for i in items).items():
            if n > 1:
                bad(f"{section}.{dup}", f"id used {n} times")
    roles = {r.id for r in p.roles}
    bodies = {b.id for b in p.bodies}
    events = {e.id for e in p.events}
    stages = {s.id for s in p.stages}
    outcomes = {o.id for d in p.decisions for o in d.outcomes}
    deadline_ids = {d.id for d in p.deadlines} | {d.id for d in p.entered_deadlines}
    meeting_ids = {m.id for m in p.meetings}

    def known(key: str, value: str | None, pool: set[str], what: str) -> None:
        if value is not None and value not in pool:
            bad(key, f"no {what} '{value}' in the pack (known: {', '.join(sorted(pool)) or 'none'})")

    known("procedure.opens_with", p.opens_with, events, "event")
    if p.reference_format is not None:
        problem = reference_format_problem(p.reference_format)
        if problem:
            bad("procedure.reference_format", problem)
    for n, w in enumerate(p.referral_wordings, 1):
        if len(w.strip()) < 3:
            bad(f"procedure.referral_wordings[{n}]", "a phrase of at least 3 characters")
    for e in p.events:
        for f in e.follows:
            known(f"events.{e.id}.follows", f, events, "event")
        known(f"events.{e.id}.assumed_on", e.assumed_on, events, "event")
        for q in e.requires:
            known(f"events.{e.id}.requires", q.event, events, "event")
    initial = [s for s in p.stages if s.initial]
    if len(initial) != 1:
        bad("stages", f"exactly one stage must be `initial = true` (found {len(initial)})")
    for n, t in enumerate(p.transitions, 1):
        key = f"transitions[{n}]"
        known(f"{key}.event", t.event, events, "event")
        for s in t.from_stages:
            known(f"{key}.from", s, stages, "stage")
        known(f"{key}.to", t.to, stages, "stage")
    for d in p.decisions:
        known(f"decisions.{d.id}.event", d.event, events, "event")
        known(f"decisions.{d.id}.by", d.by, roles, "role")
        for s in d.from_stages:
            known(f"decisions.{d.id}.from", s, stages, "stage")
        criteria = {c.id for c in d.criteria}
        for o in d.outcomes:
            known(f"decisions.{d.id}.outcomes.{o.id}.to", o.to, stages, "stage")
            for c in o.criteria:
                known(f"decisions.{d.id}.outcomes.{o.id}.criteria", c, criteria, "criterion")
    for d in p.deadlines:
        key = f"deadlines.{d.id}"
        for start in d.starts:
            known(f"{key}.starts", start, events, "event")
        known(f"{key}.met_by", d.met_by, events, "event")
        known(f"{key}.when_event", d.when_event, events, "event")
        for o in d.when_outcome:
            known(f"{key}.when_outcome", o, outcomes, "decision outcome")
        for r in d.owner:
            known(f"{key}.owner", r, roles, "role")
        if d.unit not in UNITS:
            bad(f"{key}.unit", f"'{d.unit}' is not a unit (units: {', '.join(UNITS)})")
        if d.amount < 0:
            bad(f"{key}.amount", "must not be negative")
        known(f"{key}.chase", d.chase, set(p.chase), "chase policy")
    for d in p.entered_deadlines:
        known(f"entered_deadlines.{d.id}.owner", d.owner, roles, "role")
    for c in p.communications:
        key = f"communications.{c.id}"
        for trigger in (c.trigger, *c.also_on):
            _trigger(bad, f"{key}.trigger" if trigger == c.trigger else f"{key}.also_on", trigger, events,
                     meeting_ids)
        for who in c.to:
            kind, _, rest = who.partition(":")
            if kind == "role" and rest:
                known(f"{key}.to", rest, roles, "role")
            elif kind == "body" and rest:
                known(f"{key}.to", rest, bodies, "body")
            elif who not in RECIPIENTS:
                bad(f"{key}.to", f"'{who}' is not a recipient (role:<id>, body:<id>, or one of "
                                 f"{', '.join(RECIPIENTS)})")
        for o in c.when_outcome:
            known(f"{key}.when_outcome", o, outcomes, "decision outcome")
        known(f"{key}.records", c.records, events, "event")
        known(f"{key}.review_by", c.review_by, roles, "role")
        known(f"{key}.signatory", c.signatory, roles, "role")
    for m in p.meetings:
        key = f"meetings.{m.id}"
        known(f"{key}.before_deadline", m.before_deadline, deadline_ids, "deadline")
        known(f"{key}.counts_from", m.counts_from, events, "event")
        if m.arrange_on is not None:
            _trigger(bad, f"{key}.arrange_on", m.arrange_on, events, meeting_ids)
        if not m.required:
            bad(f"{key}.required", f"say who must come: \"{EVERYBODY}\" for everybody invited, or quorum roles")
        if m.within_working_days <= 0:
            bad(f"{key}.within_working_days", "must be above 0")
    if initial:
        reachable = _reachable(p, initial[0].id)
        for s in p.stages:
            if s.id not in reachable:
                bad(f"stages.{s.id}", "cannot be reached from the initial stage by any transition or decision")
    if templates:
        out += check_templates(p, file)
    return out


def _trigger(bad, key: str, trigger: str, events: set[str], meetings: set[str]) -> None:
    head, _, rest = trigger.partition(":")
    if trigger in events or trigger in SERVICE_TRIGGERS:
        return
    if head == "meeting" and rest in meetings:
        return
    if head == "date_corrected" and rest in events:
        return
    bad(key, f"'{trigger}' is neither an event of the pack nor a moment the service knows "
             f"({', '.join(SERVICE_TRIGGERS)}, meeting:<id>, date_corrected:<event>)")


def _reachable(p: Procedure, start: str) -> set[str]:
    seen, todo = {start}, [start]
    moves = p.moves()
    while todo:
        here = todo.pop()
        for f, to, _ in moves:
            if f == here and to not in seen:
                seen.add(to)
                todo.append(to)
    return seen


def templates_folder(p: Procedure, file: Path) -> Path:
    return (file.parent / p.templates).resolve()


def check_templates(p: Procedure, file: Path) -> list[Problem]:
    """Each communication's template files exist and use only the variables it is given."""
    from jinja2 import Environment, TemplateSyntaxError, meta

    from service.letters.render import DEFAULT_FOLDER, FILTERS

    folder = templates_folder(p, file)
    out: list[Problem] = []
    if not folder.is_dir():
        return [Problem(str(file), "procedure.templates", f"no templates folder {folder}")]
    env = Environment()
    env.filters.update(FILTERS)
    for c in p.communications:
        key = f"communications.{c.id}.template"
        base = folder / c.template
        if not base.is_dir() and (DEFAULT_FOLDER / c.template).is_dir():
            base = DEFAULT_FOLDER / c.template  # one of the service's own templates (mail_templates/)
        allowed = COMMON_VARIABLES | set(c.variables)
        sources: list[tuple[str, str]] = []
        for f in TEMPLATE_FILES:
            if not (base / f).is_file():
                out.append(Problem(str(file), key, f"no {base / f}"))
            else:
                sources.append((f"{c.template}/{f}", (base / f).read_text(encoding="utf-8")))
        used: dict[str, str] = {}
        for where, text in sources:
            try:
                for v in meta.find_undeclared_variables(env.parse(text)):
                    used.setdefault(v, where)
            except TemplateSyntaxError as exc:
                out.append(Problem(str(file), key, f"{where}, line {exc.lineno}: {exc.message}"))
        if c.letter:
            docx = next((d for d in (folder / "letters" / f"{c.template}.docx",
                                     DEFAULT_FOLDER / "letters" / f"{c.template}.docx") if d.is_file()),
                        folder / "letters" / f"{c.template}.docx")
            if not docx.is_file():
                out.append(Problem(str(file), key, f"no Word letter {docx} (letter = true)"))
            else:
                for v in _docx_variables(docx, env):
                    used.setdefault(v, f"letters/{c.template}.docx")
        for v, where in sorted(used.items()):
            if v not in allowed:
                out.append(Problem(str(file), key, f"{where} uses '{v}', which this communication is not given "
                                                   f"(add it to `variables` if the service provides it)"))
    return out


def _docx_variables(path: Path, env) -> set[str]:
    from docxtpl import DocxTemplate

    try:
        return set(DocxTemplate(str(path)).get_undeclared_template_variables(env))
    except Exception:  # noqa: BLE001 - a broken letter is reported by the start-up render with its paragraph
        return set()
