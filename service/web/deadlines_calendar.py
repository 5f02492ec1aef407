"""The deadline calendar: a month view, and an iCalendar feed per person at a secret URL they can revoke.

The feed carries what the person may read, as the pages do (a panel member: their panels' cases), and
nothing personal: each event is a case reference and what is due, with its rule. Its URL holds a random
token (only its hash is stored); "Revoke" ends every feed of the person; a person no longer configured
gets none. Making and revoking a feed are audited.
"""

from __future__ import annotations

import calendar as months
from datetime import date, datetime, timezone
from typing import Any

from starlette.responses import Response
from starlette.routing import Route

from service import cases as usecases

from .access import person_of
from .app import Ctx, Problem, page
from .routes import readable_references


def open_deadlines(ctx: Ctx, refs: set[str] | None) -> list[dict[str, Any]]:
    rows = usecases.deadlines_across(ctx.web.app, ctx.web.app.today())
    return [r for r in rows if refs is None or r["reference"] in refs]


def ics(rows: list[dict[str, Any]], public_url: str, board: str, now: datetime) -> bytes:
    """The deadlines as all-day events (RFC 5545), one per deadline, stable UIDs."""
    from datetime import timedelta

    from icalendar import Calendar, Event

    cal = Calendar()
    cal.add("prodid", "-//Review Clerk//deadlines//EN")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", f"{board} deadlines")
    for r in rows:
        due = date.fromisoformat(r["due"])
        e = Event()
        e.add("uid", f"{r['reference']}/{r['key']}@review-clerk")
        e.add("dtstamp", now)
        e.add("dtstart", due)
        e.add("dtend", due + timedelta(days=1))
        e.add("summary", f"{r['reference']}: {r['what']}" + (" (overdue)" if r["state"] == "missed" else ""))
        e.add("description", f"{r['rule']}\nState: {r['state']}")
        e.add("url", f"{public_url}/cases/{r['reference']}")
        cal.add_component(e)
    return cal.to_ical()


@page()
async def month_page(ctx: Ctx) -> Response:
    today = ctx.web.app.today()
    wanted = ctx.request.query_params.get("month") or today.strftime("%Y-%m")
    try:
        first = date.fromisoformat(wanted + "-01")
    except ValueError:
        raise Problem("Give the month as YYYY-MM, e.g. 2014-05.", back="/calendar") from None
    refs = await readable_references(ctx)
    rows = await ctx.call(open_deadlines, ctx, refs)
    by_day: dict[str, list[dict[str, Any]]] = {}
    for r in rows:
        by_day.setdefault(r["due"], []).append(r)
    weeks = months.Calendar(firstweekday=0).monthdatescalendar(first.year, first.month)
    before = date(first.year - (first.month == 1), (first.month - 2) % 12 + 1, 1)
    after = date(first.year + (first.month == 12), first.month % 12 + 1, 1)
    return ctx.render("calendar.html", title=f"Deadlines, {first.strftime('%B %Y')}", first=first, weeks=weeks,
                      by_day=by_day, today=today, previous=before.strftime("%Y-%m"), next=after.strftime("%Y-%m"),
                      in_month=[r for r in rows if r["due"].startswith(first.strftime("%Y-%m"))])


@page()
async def make_feed(ctx: Ctx) -> Response:
    token = await ctx.call(ctx.web.sessions.new_feed, ctx.person.email)
    url = f"{ctx.web.settings.web.public_url}/calendar/feed/{token}.ics"
    return ctx.render("feed.html", title="Your calendar link", url=url)


@page()
async def revoke_feeds(ctx: Ctx) -> Response:
    n = await ctx.call(ctx.web.sessions.revoke_feeds, ctx.person.email)
    return ctx.render("feed.html", title="Calendar links revoked", url=None, revoked=n)


@page(anonymous=True, limited=True)
async def feed(ctx: Ctx) -> Response:
    from .access import Permission, may_read_case, pack_of

    email = await ctx.call(ctx.web.sessions.feed_email, ctx.request.path_params["token"])
    person = person_of(ctx.web.settings, email) if email else None
    if person is None:
        return Response("No such calendar.\n", status_code=404, media_type="text/plain")
    ctx.person = person
    refs = None
    if not person.may(Permission.READ_ALL):
        rows = await ctx.call(usecases.list_cases, ctx.web.app)
        refs = set()
        for r in rows:
            data = await ctx.call(usecases.show, ctx.web.app, r["reference"])
            if may_read_case(ctx.web.settings, person, data["agencies"], pack_of(data)):
                refs.add(r["reference"])
    rows = await ctx.call(open_deadlines, ctx, refs)
    body = ics(rows, ctx.web.settings.web.public_url, ctx.web.settings.board.short_name, datetime.now(timezone.utc))
    return Response(body, media_type="text/calendar; charset=utf-8",
                    headers={"content-disposition": 'inline; filename="deadlines.ics"'})


ROUTES = [
    Route("/calendar", month_page),
    Route("/calendar/feed", make_feed, methods=["POST"]),
    Route("/calendar/feed/revoke", revoke_feeds, methods=["POST"]),
    Route("/calendar/feed/{token}.ics", feed),
]
