"""`review-clerk forecast`: what the service would do until a date if nobody did anything. Changes nothing."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Optional

import typer

from .common import ConfigOpt, JsonOpt, app, app_for, fail, out, parse_day, print_json, table


@app.command()
def forecast(until: Optional[str] = typer.Option(None, "--until", help="Up to and including this day "
                                                 "(default: a fortnight from today)."),
             config: Optional[Path] = ConfigOpt, as_json: bool = JsonOpt) -> None:
    """Every reminder, escalation, digest, letter and meeting action the service would take from now
    until a date, with the rule behind each. Reads only: nothing is sent, recorded or booked."""
    from service.forecast import DEFAULT_DAYS, forecast as compute

    application = app_for(config, migrate=False)
    today = application.today()
    end = parse_day(until, "--until") if until else today + timedelta(days=DEFAULT_DAYS)
    if end < today:
        fail(f"--until {end.isoformat()} is before today ({today.isoformat()})")
    actions = compute(application, end)
    if as_json:
        print_json({"from": application.clock.now().astimezone(application.settings.tz).isoformat(),
                    "until": end.isoformat(), "actions": [a.as_json() for a in actions]})
        return
    from service.display import board_time

    tz = application.settings.tz
    rows = [{"when": board_time(a.at, tz), "case": a.reference or "", "action": a.what,
             "to": ", ".join(a.to), "rule": a.rule} for a in actions]
    table(f"What the service would do until {end:%a %d %b %Y} if nobody did anything", rows,
          ["when", "case", "action", "to", "rule"], ids=["when", "case"])
    out.print(f"{len(actions)} action(s). A forecast changes nothing; `review-clerk run` acts.")
