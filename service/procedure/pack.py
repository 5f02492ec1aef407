"""Reading a procedure pack: ``procedure.toml`` into a :class:`~service.procedure.model.Procedure`.

:func:`read_pack` never raises for a pack that is wrong: it returns the procedure it
could read (or None) and one :class:`Problem` per thing wrong, each naming the file and
the key, so that ``review-clerk procedure check`` can list them all at once.
"""

from __future__ import annotations

import functools
import tomllib
from pathlib import Path
from typing import Any, Callable

from .check import check
from service.domain.procedure import (
    ChasePolicy,
    Communication,
    DeadlineRule,
    Decision,
    EnteredDeadline,
    Event,
    Item,
    MeetingKind,
    Outcome,
    Procedure,
    Requirement,
    Stage,
    Transition,
)
from .problems import PackError, Problem

FILE = "procedure.toml"
SHIPPED = Path(__file__).resolve().parents[2] / "procedures"
DEFAULT_ID = "enfield-scr-2013"


def pack_file(path: Path) -> Path:
    """The ``procedure.toml`` of a pack given as its folder or as the file itself."""
    return path / FILE if path.is_dir() else path


def shipped(pack_id: str = DEFAULT_ID) -> Path:
    return SHIPPED / pack_id


class _Reader:
    """Takes values out of the TOML tables, noting every missing, mistyped or unknown key."""

    def __init__(self, file: str):
        self.file = file
        self.problems: list[Problem] = []

    def problem(self, key: str, message: str) -> None:
        self.problems.append(Problem(self.file, key, message))

    def table(self, data: Any, where: str, known: set[str]) -> dict[str, Any]:
        if not isinstance(data, dict):
            self.problem(where, "must be a table")
            return {}
        for k in sorted(set(data) - known):
            self.problem(f"{where}.{k}", f"unknown key (known: {', '.join(sorted(known))})")
        return data

    def get(self, data: dict[str, Any], where: str, key: str, kind: type | tuple[type, ...], default: Any = ...,
            ) -> Any:
        if key not in data:
            if default is ...:
                self.problem(f"{where}.{key}", "is required")
                return None
            return default
        value = data[key]
        if kind is int and isinstance(value, bool) or not isinstance(value, kind):
            names = kind.__name__ if isinstance(kind, type) else " or ".join(k.__name__ for k in kind)
            self.problem(f"{where}.{key}", f"must be {_article(names)}")
            return None if default is ... else default
        return value

    def strings(self, data: dict[str, Any], where: str, key: str, required: bool = False) -> tuple[str, ...]:
        value = data.get(key)
        if value is None:
            if required:
                self.problem(f"{where}.{key}", "is required")
            return ()
        if isinstance(value, str):
            return (value,)
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.problem(f"{where}.{key}", "must be a list of strings")
            return ()
        return tuple(value)

    def items(self, data: dict[str, Any], section: str, build: Callable[[dict[str, Any], str], Any]) -> tuple:
        entries = data.get(section, [])
        if not isinstance(entries, list):
            self.problem(section, f"must be an array of tables ([[{section}]])")
            return ()
        out = []
        for n, entry in enumerate(entries, 1):
            where = f"{section}[{n}]"
            if isinstance(entry, dict) and isinstance(entry.get("id"), str):
                where = f"{section}.{entry['id']}"
            built = build(entry, where)
            if built is not None:
                out.append(built)
        return tuple(out)


def _article(names: str) -> str:
    return {"str": "text", "int": "a whole number", "bool": "true or false", "list": "a list"}.get(names, names)


ITEM = {"id", "label", "source"}


def read_pack(path: Path) -> tuple[Procedure | None, list[Problem]]:
    """The procedure in a pack folder (or its ``procedure.toml``), and every problem found reading it."""
    file = pack_file(path)
    name = str(file)
    try:
        text = file.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None, [Problem(name, "-", "no such file: a pack is a folder with a procedure.toml")]
    except (OSError, UnicodeError) as exc:
        return None, [Problem(name, "-", f"cannot be read ({exc.__class__.__name__})")]
    return parse_pack(text, name)


def parse_pack(text: str, name: str) -> tuple[Procedure | None, list[Problem]]:
    """The procedure a ``procedure.toml``'s text describes (``name``: where it came from, for problems)."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        return None, [Problem(name, "-", f"is not valid TOML: {exc}")]
    r = _Reader(name)
    top = r.table(data, "(top)", {"procedure", "roles", "bodies", "events", "stages", "transitions", "decisions",
                                  "chase", "deadlines", "entered_deadlines", "communications", "meetings"})
    head = r.table(top.get("procedure", {}), "procedure", {"id", "version", "label", "source", "templates",
                                                           "opens_with", "reference_format", "referral_wordings"})

    def item(cls: type, extra: set[str], **fields: Callable[[dict[str, Any], str], Any]):
        def build(entry: dict[str, Any], where: str):
            e = r.table(entry, where, ITEM | extra)
            if not e:
                return None
            values = {"id": r.get(e, where, "id", str), "label": r.get(e, where, "label", str),
                      "source": r.get(e, where, "source", str)}
            values.update({k: f(e, where) for k, f in fields.items()})
            if None in (values["id"], values["label"], values["source"]):
                return None  # the missing key is noted already
            return cls(**{k: v for k, v in values.items() if v is not None})
        return build

    def s(key: str, default: Any = None):
        return lambda e, w: r.get(e, w, key, str, default)

    def b(key: str, default: bool = False):
        return lambda e, w: r.get(e, w, key, bool, default)

    def i(key: str, default: Any = ...):
        return lambda e, w: r.get(e, w, key, int, default)

    def many(key: str, required: bool = False):
        return lambda e, w: r.strings(e, w, key, required)

    roles = r.items(top, "roles", item(Item, set()))
    bodies = r.items(top, "bodies", item(Item, set()))
    def requires(e: dict[str, Any], where: str) -> tuple[Requirement, ...]:
        out = []
        for n, q in enumerate(e.get("requires", []) or [], 1):
            qw = f"{where}.requires[{n}]"
            q = r.table(q, qw, {"event", "days_before", "working_days_before"})
            event = r.get(q, qw, "event", str)
            if event:
                out.append(Requirement(event, r.get(q, qw, "days_before", int, 0),
                                       r.get(q, qw, "working_days_before", int, 0)))
        return tuple(out)

    events = r.items(top, "events", item(
        Event, {"follows", "planned", "assumed_on", "before_opening", "must_be_recorded", "requires"},
        follows=many("follows"), planned=b("planned"), assumed_on=s("assumed_on"), before_opening=b("before_opening"),
        must_be_recorded=b("must_be_recorded"), requires=requires))
    stages = r.items(top, "stages", item(Stage, {"initial", "final"}, initial=b("initial"), final=b("final")))

    def transition(entry: dict[str, Any], where: str):
        e = r.table(entry, where, {"event", "from", "to", "source"})
        event = r.get(e, where, "event", str)
        return None if event is None else Transition(event, r.strings(e, where, "from", True),
                                                     r.get(e, where, "to", str, None),
                                                     r.get(e, where, "source", str) or "")

    transitions = r.items(top, "transitions", transition)

    def decision(entry: dict[str, Any], where: str):
        e = r.table(entry, where, ITEM | {"event", "by", "from", "reasons_required", "outcomes", "criteria"})
        outcomes = []
        for n, o in enumerate(e.get("outcomes", []) or [], 1):
            ow = f"{where}.outcomes[{n}]"
            o = r.table(o, ow, {"id", "label", "to", "phrasings", "criteria"})
            oid, label, to = r.get(o, ow, "id", str), r.get(o, ow, "label", str), r.get(o, ow, "to", str)
            if oid and label and to:
                outcomes.append(Outcome(oid, label, to, r.strings(o, ow, "phrasings"), r.strings(o, ow, "criteria")))
        criteria = []
        for n, c in enumerate(e.get("criteria", []) or [], 1):
            cw = f"{where}.criteria[{n}]"
            c = r.table(c, cw, ITEM)
            cid, label, source = r.get(c, cw, "id", str), r.get(c, cw, "label", str), r.get(c, cw, "source", str)
            if cid and label and source:
                criteria.append(Item(cid, label, source))
        if not outcomes:
            r.problem(f"{where}.outcomes", "a decision needs at least one outcome ([[decisions.outcomes]])")
        did = r.get(e, where, "id", str)
        if did is None:
            return None
        return Decision(did, r.get(e, where, "label", str) or did, r.get(e, where, "source", str) or "",
                        event=r.get(e, where, "event", str) or "", by=r.get(e, where, "by", str) or "",
                        from_stages=r.strings(e, where, "from", True),
                        reasons_required=r.get(e, where, "reasons_required", bool, True), outcomes=tuple(outcomes),
                        criteria=tuple(criteria))

    decisions = r.items(top, "decisions", decision)
    chase: dict[str, ChasePolicy] = {}
    chase_tables = r.table(top.get("chase", {}), "chase", set(top.get("chase", {}) or {}))
    for cid, c in chase_tables.items():
        w = f"chase.{cid}"
        c = r.table(c, w, {"remind_before_working_days", "remind_on_the_day", "escalate_every_working_days",
                           "tell_chair_from_working_days_overdue", "source"})
        before = c.get("remind_before_working_days", [5, 1])
        if not isinstance(before, list) or not all(isinstance(n, int) and n > 0 for n in before):
            r.problem(f"{w}.remind_before_working_days", "must be a list of whole numbers above 0")
            before = [5, 1]
        chase[cid] = ChasePolicy(cid, tuple(before), r.get(c, w, "remind_on_the_day", bool, True),
                                 r.get(c, w, "escalate_every_working_days", int, 5),
                                 r.get(c, w, "tell_chair_from_working_days_overdue", int, 3),
                                 r.get(c, w, "source", str, "service rule"))
    deadlines = r.items(top, "deadlines", item(
        DeadlineRule, {"starts", "amount", "unit", "owner", "met_by", "when_outcome", "when_event", "chase",
                       "per_agency"},
        starts=many("starts", True), amount=i("amount"), unit=s("unit", ...), owner=many("owner", True),
        met_by=s("met_by"), when_outcome=many("when_outcome"), when_event=s("when_event"), chase=s("chase", "default"),
        per_agency=b("per_agency")))
    entered = r.items(top, "entered_deadlines", item(EnteredDeadline, {"owner", "per_agency"}, owner=s("owner", ...),
                                                     per_agency=b("per_agency")))
    communications = r.items(top, "communications", item(
        Communication, {"template", "trigger", "also_on", "to", "when_outcome", "letter", "attachments",
                        "full_details", "records", "review_by", "signatory", "on_command", "variables"},
        template=s("template", ...), trigger=s("trigger", ...), also_on=many("also_on"), to=many("to", True),
        when_outcome=many("when_outcome"), letter=b("letter"), attachments=many("attachments"),
        full_details=b("full_details"), records=s("records"), review_by=s("review_by"),
        signatory=s("signatory", "chair"), on_command=b("on_command"), variables=many("variables")))
    meetings = r.items(top, "meetings", item(
        MeetingKind, {"purpose", "agenda", "within_working_days", "required", "agencies_required", "before_deadline",
                      "counts_from", "arrange_on", "asks_for_agency_reports", "duration_minutes", "title"},
        purpose=s("purpose", ""), agenda=many("agenda"), within_working_days=i("within_working_days", 10),
        required=many("required"), agencies_required=b("agencies_required", True),
        before_deadline=s("before_deadline"), counts_from=s("counts_from"), arrange_on=s("arrange_on"),
        asks_for_agency_reports=b("asks_for_agency_reports"), duration_minutes=i("duration_minutes", None),
        title=s("title", "")))
    pid, version = r.get(head, "procedure", "id", str), r.get(head, "procedure", "version", str)
    label = r.get(head, "procedure", "label", str)
    if pid is None or version is None or label is None:
        return None, r.problems
    procedure = Procedure(
        id=pid, version=version, label=label, source=r.get(head, "procedure", "source", str, ""),
        templates=r.get(head, "procedure", "templates", str, "templates"),
        opens_with=r.get(head, "procedure", "opens_with", str, "referral_received"),
        reference_format=r.get(head, "procedure", "reference_format", str, None),
        referral_wordings=r.strings(head, "procedure", "referral_wordings"), roles=roles, bodies=bodies,
        events=events, stages=stages, transitions=transitions, decisions=decisions, chase=chase,
        deadlines=deadlines, entered_deadlines=entered, communications=communications, meetings=meetings,
        text=text)
    return procedure, r.problems


def load_pack(path: Path, templates: bool = True) -> Procedure:
    """The pack's procedure, checked (its templates too, unless ``templates=False``); raises
    :class:`PackError` listing every problem."""
    procedure, problems = read_pack(path)
    if procedure is not None:
        problems += check(procedure, pack_file(path), templates)
    if problems or procedure is None:
        raise PackError(problems)
    return procedure


def configured(pack: str) -> Path:
    """The folder of the pack the configuration names: a shipped pack's id, or a folder."""
    folder = Path(pack)
    if folder.is_absolute() or "/" in pack:
        return folder
    return shipped(pack)


_LOADED: dict[tuple[str, float], Procedure] = {}


def load_configured(pack: str) -> Procedure:
    """The pack a board runs new cases under, checked but for its templates (once per process and change of
    the file): :func:`template_problems` checks those, once per change, when the service starts."""
    file = pack_file(configured(pack))
    try:
        stamp = (str(file), file.stat().st_mtime)
    except OSError:
        stamp = (str(file), -1.0)
    if stamp not in _LOADED:
        _LOADED[stamp] = load_pack(file, templates=False)
    return _LOADED[stamp]


def templates_of(pack: str, procedure: Procedure) -> Path:
    """The folder of the templates of the configured ``pack`` (the pack's ``templates``, from its file)."""
    from .check import templates_folder

    return templates_folder(procedure, pack_file(configured(pack)))


def template_problems(pack: str, procedure: Procedure) -> list[Problem]:
    """What is wrong with the templates of the configured pack (each exists, uses only what it is given)."""
    from .check import check_templates

    return check_templates(procedure, pack_file(configured(pack)))


@functools.lru_cache(maxsize=32)
def from_text(text: str, name: str = "procedure.toml (as kept in the database)") -> Procedure:
    """The procedure a stored pack text describes (a version cases were opened under). Its templates are not
    checked here: they are the current pack's."""
    procedure, problems = parse_pack(text, name)
    if procedure is None or problems:
        raise PackError(problems or [Problem(name, "-", "no procedure")])
    return procedure


@functools.lru_cache(maxsize=1)
def shipped_communications() -> frozenset[str]:
    """The template names of every shipped pack's communications (the board's template folder may hold them
    all, whichever packs it runs)."""
    out: set[str] = set()
    for folder in sorted(SHIPPED.iterdir()) if SHIPPED.is_dir() else []:
        p, _ = read_pack(folder)
        if p is not None:
            out |= {c.template for c in p.communications}
    return frozenset(out)


def default() -> Procedure:
    """The shipped default pack (new boards run it; tests open cases under it)."""
    return load_configured(DEFAULT_ID)
