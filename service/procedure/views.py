"""A procedure for people: as plain data (``--json``), as sections of rows, and as a stage graph. Pure."""

from __future__ import annotations

import re
from dataclasses import asdict
from typing import Any

from service.domain.procedure import BEFORE_UNITS, UNIT_WORDS, Procedure



def as_data(p: Procedure) -> dict[str, Any]:
    data = asdict(p)
    data.pop("text", None)
    data["chase"] = {k: asdict(v) for k, v in p.chase.items()}
    return data


def timescale(amount: int, unit: str, start_label: str) -> str:
    word = UNIT_WORDS.get(unit, unit) + ("" if amount == 1 else "s")
    if unit in BEFORE_UNITS:
        return f"{amount} {word} before {start_label}"
    return f"within {amount} {word} of {start_label}"


def sections(p: Procedure) -> list[tuple[str, list[str], list[dict[str, str]]]]:
    """(title, columns, rows) for each part of the procedure, in the order a reader needs them."""
    events = {e.id: e.label for e in p.events}
    stage_rows = []
    for n, s in enumerate(p.stages, 1):
        ways = [f"{t.event}" for t in p.transitions if t.to == s.id]
        ways += [f"{d.id}: {o.id}" for d in p.decisions for o in d.outcomes if o.to == s.id]
        stage_rows.append({"n": str(n), "stage": s.id, "label": s.label + (" (start)" if s.initial else "")
                           + (" (end)" if s.final else ""), "reached by": ", ".join(dict.fromkeys(ways)),
                           "source": s.source})
    deadline_rows = [{"deadline": d.id, "what": d.label, "when": timescale(d.amount, d.unit, ", else ".join(
                          events.get(x, x) for x in d.starts)),
                      "owner": ", ".join(d.owner), "met by": d.met_by or "",
                      "only": ", ".join(d.when_outcome) + (f" if {d.when_event}" if d.when_event else ""),
                      "source": d.source} for d in p.deadlines]
    deadline_rows += [{"deadline": d.id, "what": d.label, "when": "set by the panel", "owner": d.owner,
                       "met by": "", "only": "per agency" if d.per_agency else "", "source": d.source}
                      for d in p.entered_deadlines]
    comm_rows = [{"communication": c.id, "trigger": ", ".join((c.trigger, *c.also_on)), "to": ", ".join(c.to),
                  "only": ", ".join(c.when_outcome), "records": c.records or "",
                  "mode": f"review by {c.review_by}" if c.review_by else "auto", "source": c.source}
                 for c in p.communications]
    meeting_rows = [{"meeting": m.id, "label": m.label, "within": f"{m.within_working_days} working days",
                     "required": ", ".join(m.required), "before": m.before_deadline or "", "source": m.source}
                    for m in p.meetings]
    decision_rows = [{"decision": d.id, "by": d.by, "outcome": o.id, "label": o.label, "moves to": o.to,
                      "in a reply": "; ".join(o.phrasings)} for d in p.decisions for o in d.outcomes]
    return [
        ("Stages", ["n", "stage", "label", "reached by", "source"], stage_rows),
        ("Decisions", ["decision", "by", "outcome", "label", "moves to", "in a reply"], decision_rows),
        ("Deadlines", ["deadline", "what", "when", "owner", "met by", "only", "source"], deadline_rows),
        ("Communications", ["communication", "trigger", "to", "only", "records", "mode", "source"], comm_rows),
        ("Meetings", ["meeting", "label", "within", "required", "before", "source"], meeting_rows),
    ]


def _node(stage_id: str) -> str:
    return re.sub(r"\W", "_", stage_id)


def mermaid(p: Procedure) -> str:
    lines = ["stateDiagram-v2"]
    for s in p.stages:
        lines.append(f'    state "{s.label}" as {_node(s.id)}')
    if p.initial_stage:
        lines.append(f"    [*] --> {_node(p.initial_stage.id)}")
    for f, to, why in dict.fromkeys(p.moves()):
        lines.append(f"    {_node(f)} --> {_node(to)}: {why}")
    for s in p.stages:
        if s.final:
            lines.append(f"    {_node(s.id)} --> [*]")
    return "\n".join(lines) + "\n"


def dot(p: Procedure) -> str:
    lines = [f'digraph "{p.id}" {{', "    rankdir=LR;", '    node [shape=box, style=rounded];']
    for s in p.stages:
        shape = ", peripheries=2" if s.final else (", style=\"rounded,bold\"" if s.initial else "")
        lines.append(f'    {_node(s.id)} [label="{s.label}"{shape}];')
    for f, to, why in dict.fromkeys(p.moves()):
        lines.append(f'    {_node(f)} -> {_node(to)} [label="{why}"];')
    lines.append("}")
    return "\n".join(lines) + "\n"
