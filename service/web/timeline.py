"""A case's timeline as an SVG chart, drawn on the server (no script, no client library).

Each statutory clock is a bar from the date that started it to its due date (met: to the day it was met),
coloured by its state; today is a vertical line; meetings and letters sent are points on their own rows.
The same facts are in the page's tables as text: the chart is a picture of them (``role="img"`` with a
title and a description for screen readers).

Pure: the case's view (:func:`service.cases.show`), its meetings and letters and today in, SVG text out.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

from markupsafe import Markup, escape

LEFT = 250  # room for the labels
WIDTH = 960
ROW = 26
TOP = 34
_STARTED = re.compile(r"\((\d{4}-\d{2}-\d{2})\)")


def _day(value: Any) -> date | None:
    if not value:
        return None
    if isinstance(value, date):
        return value if not hasattr(value, "date") else value.date()
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def started(deadline: dict[str, Any], fallback: date) -> date:
    """The date that started a clock: the dated event its rule names ("... of the referral being received
    (2014-05-12)"), else ``fallback`` (the case's opening)."""
    found = _STARTED.search(deadline.get("rule") or "")
    return date.fromisoformat(found.group(1)) if found else fallback


def _short(text: str, n: int = 34) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def chart(case: dict[str, Any], meetings: list[dict[str, Any]], letters: list[dict[str, Any]], today: date) -> Markup:
    opened = _day(case["opened_at"]) or today
    bars = []
    for d in case["deadlines"]:
        due = _day(d["due"]) or today
        start = min(started(d, opened), due)
        end = _day(d["met_on"]) if d["state"] == "met" and d["met_on"] else due
        bars.append((d, start, max(end, start)))
    points = [("meeting", m["title"], _day(m["start"])) for m in meetings if m.get("start")]
    points += [("letter", (l["template"] or "").replace("_", " "), _day(l["sent_at"])) for l in letters
               if l.get("sent_at")]
    days = [opened, today, *[b[1] for b in bars], *[b[2] for b in bars], *[p[2] for p in points if p[2]]]
    first, last = min(days) - timedelta(days=2), max(days) + timedelta(days=2)
    span = max((last - first).days, 1)

    def x(day: date) -> float:
        return LEFT + (WIDTH - LEFT - 10) * (day - first).days / span

    rows = len(bars) + (1 if any(p[0] == "meeting" for p in points) else 0) + \
        (1 if any(p[0] == "letter" for p in points) else 0)
    height = TOP + ROW * max(rows, 1) + 24
    out = [f'<svg class="timeline" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" '
           f'role="img" aria-labelledby="tl-title tl-desc">',
           f'<title id="tl-title">Timeline of case {escape(case["reference"])}</title>',
           f'<desc id="tl-desc">{len(bars)} deadlines from {first.isoformat()} to {last.isoformat()}, '
           f'today {today.isoformat()}; the deadline table below gives each in full.</desc>']
    # month ticks
    tick = date(first.year, first.month, 1)
    while tick <= last:
        if tick >= first:
            out.append(f'<line class="tick" x1="{x(tick):.1f}" y1="{TOP - 8}" x2="{x(tick):.1f}" y2="{height - 20}"/>'
                       f'<text class="axis" x="{x(tick) + 2:.1f}" y="{TOP - 14}">{tick.strftime("%b %Y")}</text>')
        tick = date(tick.year + (tick.month == 12), tick.month % 12 + 1, 1)
    y = TOP
    for d, start, end in bars:
        w = max(x(end) - x(start), 3)
        out.append(f'<text class="label" x="{LEFT - 8}" y="{y + 15}" text-anchor="end">{escape(_short(d["what"]))}'
                   f'</text><rect class="bar bar-{escape(d["state"])}" x="{x(start):.1f}" y="{y + 4}" '
                   f'width="{w:.1f}" height="{ROW - 10}"><title>{escape(d["what"])}: {start.isoformat()} to '
                   f'{escape(d["due"])} ({escape(d["state"])})</title></rect>')
        y += ROW
    for kind in ("meeting", "letter"):
        mine = [p for p in points if p[0] == kind and p[2]]
        if not mine:
            continue
        out.append(f'<text class="label" x="{LEFT - 8}" y="{y + 15}" text-anchor="end">'
                   f'{"Meetings" if kind == "meeting" else "Letters sent"}</text>')
        for _, what, day in mine:
            out.append(f'<circle class="point point-{kind}" cx="{x(day):.1f}" cy="{y + 11}" r="5">'
                       f'<title>{escape(what)}: {day.isoformat()}</title></circle>')
        y += ROW
    out.append(f'<line class="today" x1="{x(today):.1f}" y1="{TOP - 6}" x2="{x(today):.1f}" y2="{height - 20}"/>'
               f'<text class="axis" x="{x(today) + 3:.1f}" y="{height - 6}">today</text></svg>')
    return Markup("".join(out))
