"""A one-page timeline of contacts by agency, as SVG drawn here (no client library, no fonts
beyond the viewer's sans-serif): a lane per agency, a dot per contact on its day, a bar for a
partial date across its period, a line joining one event recorded by several agencies, a strip
counting how many agencies were in contact each week, and shaded stretches where no agency was
(silence of :data:`SILENCE_DAYS` or more). Only dates and agency names are drawn: no text of any
row, so the picture names nobody."""

from __future__ import annotations

from datetime import date, timedelta
from xml.sax.saxutils import escape

from .integrate import Integrated

WIDTH, HEIGHT = 1123, 794  # A4 landscape at 96 dpi
LEFT, RIGHT, TOP, BOTTOM = 200, 30, 80, 110
SILENCE_DAYS = 28
MAX_SILENCE_LABELS = 8
PALETTE = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf", "#8c564b", "#e377c2", "#7f7f7f",
           "#bcbd22"]


def _ticks(first: date, last: date) -> list[tuple[date, str]]:
    days = (last - first).days
    out = []
    if days <= 70:
        d = first + timedelta(days=(7 - first.weekday()) % 7)
        while d <= last:
            out.append((d, d.strftime("%d %b")))
            d += timedelta(days=7)
    elif days <= 3 * 366:
        step = 1 if days <= 550 else 3
        y, m = first.year, first.month
        d = date(y, m, 1)
        while d <= last:
            if d >= first and (m - 1) % step == 0:
                out.append((d, d.strftime("%b %Y")))
            m += 1
            if m > 12:
                y, m = y + 1, 1
            d = date(y, m, 1)
    else:
        step = max(1, days // 365 // 12 + 1)
        for y in range(first.year, last.year + 1):
            d = date(y, 1, 1)
            if first <= d <= last and (y - first.year) % step == 0:
                out.append((d, str(y)))
    return out


def to_svg(chron: Integrated, title: str = "Contacts by agency") -> str:
    first, last = chron.span
    lines: list[str] = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
                        f'viewBox="0 0 {WIDTH} {HEIGHT}" font-family="Arial, Helvetica, sans-serif" font-size="11">',
                        f'<rect width="{WIDTH}" height="{HEIGHT}" fill="white"/>',
                        f'<text x="{LEFT}" y="28" font-size="18" font-weight="bold">{escape(title)}</text>']
    if first is None or last is None:
        lines.append(f'<text x="{LEFT}" y="60">No dated rows to draw.</text></svg>')
        return "\n".join(lines)
    end = last + timedelta(days=1)
    total = max((end - first).days, 1)
    plot_w = WIDTH - LEFT - RIGHT

    def x(d: date) -> float:
        d = min(max(d, first), end)
        return round(LEFT + plot_w * (d - first).days / total, 1)

    agencies = [a.agency for a in chron.agencies]
    lanes_h = HEIGHT - TOP - BOTTOM
    lane = min(46.0, lanes_h / max(len(agencies), 1))
    y_of = {a: TOP + lane * i + lane / 2 for i, a in enumerate(agencies)}
    bottom = TOP + lane * len(agencies)
    lines.append(f'<text x="{LEFT}" y="50" fill="#444">{first:%d/%m/%Y} to {last:%d/%m/%Y}: '
                 f'{sum(1 for e in chron.entries if e.row.when.known)} dated rows from {len(agencies)} agencies</text>')

    # Silence: stretches of the period no row of any agency covers.
    # A period longer than a month ("2022", "Spring 2022") says too little to fill a silence.
    covered: list[tuple[date, date]] = sorted((e.row.when.start, e.row.when.end) for e in chron.entries
                                              if e.row.when.known and not e.row.needs_person
                                              and (e.row.when.end - e.row.when.start).days <= 31)
    silences = []
    cursor = first
    for s, t in covered:
        if (s - cursor).days >= SILENCE_DAYS:
            silences.append((cursor, s))
        cursor = max(cursor, t + timedelta(days=1))
    if (end - cursor).days >= SILENCE_DAYS:
        silences.append((cursor, end))
    # Each silence shaded; the longest labelled, as many as have room (the labels must not pile up).
    labelled = sorted(silences, key=lambda st: (st[1] - st[0]).days, reverse=True)[:MAX_SILENCE_LABELS]
    for s, t in silences:
        lines.append(f'<rect x="{x(s)}" y="{TOP}" width="{max(x(t) - x(s), 1)}" height="{bottom - TOP}" '
                     f'fill="#eeeeee"/>')
        if (s, t) in labelled and x(t) - x(s) >= 60:
            lines.append(f'<text x="{(x(s) + x(t)) / 2:.1f}" y="{TOP - 6}" text-anchor="middle" fill="#777" '
                         f'font-size="9">no contact {(t - s).days} days</text>')

    for d, label in _ticks(first, last):
        lines.append(f'<line x1="{x(d)}" y1="{TOP}" x2="{x(d)}" y2="{bottom}" stroke="#ddd"/>'
                     f'<text x="{x(d)}" y="{bottom + 14}" text-anchor="middle" fill="#444" font-size="9">{label}</text>')
    for i, a in enumerate(agencies):
        y = y_of[a]
        count = next(s.rows for s in chron.agencies if s.agency == a)
        name = a if len(a) <= 26 else a[:25] + "…"
        size = min(11.0, round(lane * 0.8, 1))  # many agencies: smaller labels, still one page
        lines.append(f'<line x1="{LEFT}" y1="{y:.1f}" x2="{WIDTH - RIGHT}" y2="{y:.1f}" stroke="#ccc"/>'
                     f'<text x="{LEFT - 8}" y="{y + size / 3:.1f}" text-anchor="end" font-size="{size}">'
                     f'{escape(name)} ({count})</text>')

    # Groups: one event recorded by several agencies.
    groups: dict[int, list] = {}
    for e in chron.entries:
        if e.group:
            groups.setdefault(e.group, []).append(e.row)
    for rows in groups.values():
        ys = [y_of.get(r.agency or "(agency not named)") for r in rows]
        ys = [y for y in ys if y is not None]
        if len(ys) > 1:
            xd = x(rows[0].when.start)
            lines.append(f'<line x1="{xd}" y1="{min(ys):.1f}" x2="{xd}" y2="{max(ys):.1f}" stroke="#555" '
                         f'stroke-width="1.5" stroke-dasharray="3,2"/>')

    undrawn = 0
    for e in chron.entries:
        r = e.row
        y = y_of.get(r.agency or "(agency not named)")
        if not r.when.known or r.needs_person or y is None:
            undrawn += 1
            continue
        colour = PALETTE[agencies.index(r.agency or "(agency not named)") % len(PALETTE)]
        if r.when.partial:
            w = max(x(r.when.end + timedelta(days=1)) - x(r.when.start), 2)
            lines.append(f'<rect x="{x(r.when.start)}" y="{y - 5:.1f}" width="{w:.1f}" height="10" rx="2" '
                         f'fill="{colour}" fill-opacity="0.25" stroke="{colour}" stroke-width="0.6"/>')
        else:
            lines.append(f'<circle cx="{x(r.when.start) + 0.5 * plot_w / total:.1f}" cy="{y:.1f}" r="3.5" '
                         f'fill="{colour}"/>')

    # How many agencies were in contact each week.
    strip_top = bottom + 28
    week0 = first - timedelta(days=first.weekday())
    weeks: dict[int, set[str]] = {}
    for e in chron.entries:
        r = e.row
        if r.when.known and not r.needs_person and not r.when.partial:
            weeks.setdefault((r.when.start - week0).days // 7, set()).add(r.agency)
    most = max((len(v) for v in weeks.values()), default=1)
    lines.append(f'<text x="{LEFT - 8}" y="{strip_top + 16}" text-anchor="end" font-size="10">agencies in '
                 f'contact per week</text>')
    for k, names in sorted(weeks.items()):
        s = week0 + timedelta(days=7 * k)
        h = 24 * len(names) / most
        lines.append(f'<rect x="{x(s)}" y="{strip_top + 24 - h:.1f}" width="{max(x(s + timedelta(days=7)) - x(s) - 1, 1):.1f}" '
                     f'height="{h:.1f}" fill="#555"><title>{len(names)}</title></rect>')
    legend_y = HEIGHT - 24
    legend = ("dot: a contact on a day; pale bar: a partial date over its period; dashed line: one event "
              "recorded by several agencies; grey: no agency in contact for "
              f"{SILENCE_DAYS} days or more")
    if undrawn:
        legend += f". {undrawn} rows without a readable date are not drawn"
    lines.append(f'<text x="{LEFT}" y="{legend_y}" fill="#444" font-size="9">{escape(legend)}.</text>')
    lines.append("</svg>")
    return "\n".join(lines)
