"""`review-clerk report yearly`: the figures a partnership's yearly report gives about its reviews."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from .chronology import report_app
from .common import ConfigOpt, JsonOpt, app_for, fail, out, parse_day, print_json


@report_app.command("yearly")
def report_yearly(start: str = typer.Option(..., "--from", help="The first day of the period, e.g. 2025-04-01."),
                  end: str = typer.Option(..., "--to", help="The last day of the period, e.g. 2026-03-31."),
                  procedure: Optional[str] = typer.Option(None, "--procedure",
                                                          help="One pack's figures (default: every pack's)."),
                  config: Optional[Path] = ConfigOpt, as_json: bool = JsonOpt) -> None:
    """Referrals, decisions (by outcome and criterion), reviews completed and in progress, and deadlines met on
    time or late, per procedure, for a period: counts only, for the yearly report (Working Together 2023;
    Care Act 2014 Schedule 2 paragraph 4)."""
    from service.cases import yearly_figures

    first, last = parse_day(start, "--from"), parse_day(end, "--to")
    if last < first:
        fail("--to is before --from")
    try:
        rows = yearly_figures(app_for(config), first, last, procedure)
    except LookupError as exc:
        fail(str(exc))
    if as_json:
        print_json({"from": first.isoformat(), "to": last.isoformat(), "procedures": rows})
        return
    if not rows:
        out.print(f"no cases between {first} and {last}")
    for r in rows:
        out.rule(f"[bold]{r['label']}[/] ({r['procedure']}), {first:%d %B %Y} to {last:%d %B %Y}")
        out.print(f"  referrals received: {r['referrals']}", markup=False, highlight=False)
        decided = sum(r["decisions"].values())
        out.print(f"  decisions taken: {decided}", markup=False, highlight=False)
        for label, n in r["decisions"].items():
            out.print(f"    {label}: {n}", markup=False, highlight=False)
        for label, n in r["criteria"].items():
            out.print(f"    criterion met - {label}: {n}", markup=False, highlight=False)
        out.print(f"  reviews completed in the period: {r['reviews_completed']}", markup=False, highlight=False)
        out.print(f"  reviews in progress at its end: {r['reviews_in_progress']}", markup=False, highlight=False)
        out.print(f"  referrals awaiting a decision at its end: {r['awaiting_decision']}", markup=False,
                  highlight=False)
        falling = sum(r["deadlines"].values())
        shown = ", ".join(f"{k} {v}" for k, v in r["deadlines"].items()) or "none"
        out.print(f"  deadlines falling in the period: {falling} ({shown})", markup=False, highlight=False)
