"""The deadline calendar: a month view, and a per-person iCalendar feed at a secret, revocable URL."""

from __future__ import annotations

from conftest import BM, CHILD, OUTSIDE_PANEL, csrf_of, sign_in
from test_security import audit_actions

REF = "ESCB-2014-001"


def make_feed(client) -> str:
    page = client.get("/calendar")
    made = client.post("/calendar/feed", data={"csrf": csrf_of(page.text)})
    assert made.status_code == 200
    url = made.text.split('id="feed-url" type="text" readonly value="')[1].split('"')[0]
    return "/" + url.split("/", 3)[3]


def test_the_month_shows_each_deadline_on_its_due_day(client, board, wall):
    sign_in(client, board, BM, now=wall)
    page = client.get("/calendar?month=2014-05").text
    assert "Deadlines, May 2014" in page
    day = page.split('<span class="daynum">19</span>')[1].split("</td>")[0]
    assert f"{REF}: Notify Ofsted of the serious incident" in day
    assert "Deadlines, June 2014" in client.get("/calendar?month=2014-06").text
    assert client.get("/calendar?month=May").status_code == 400


def test_a_person_subscribes_to_their_deadlines_and_can_revoke_the_link(client, board, wall):
    from icalendar import Calendar

    sign_in(client, board, BM, now=wall)
    path = make_feed(client)
    client.cookies.clear()  # a calendar program: no session
    feed = client.get(path)
    assert feed.status_code == 200 and feed.headers["content-type"].startswith("text/calendar")
    cal = Calendar.from_ical(feed.content)
    events = {str(e["summary"]): e for e in cal.walk("VEVENT")}
    notify = events[f"{REF}: Notify Ofsted of the serious incident"]
    assert notify.decoded("dtstart").isoformat() == "2014-05-19"
    assert str(notify["uid"]).startswith(f"{REF}/") and "Working Together" in str(notify["description"])
    assert CHILD not in feed.text and "Amelia" not in feed.text
    sign_in(client, board, BM, now=wall)
    page = client.get("/calendar")
    revoked = client.post("/calendar/feed/revoke", data={"csrf": csrf_of(page.text)})
    assert "1 calendar link revoked" in revoked.text
    assert client.get(path).status_code == 404
    assert (BM, "web calendar feed made") in audit_actions(board)
    assert (BM, "web calendar feeds revoked") in audit_actions(board)


def test_a_panel_members_feed_has_only_their_panels_cases(client, board, wall):
    sign_in(client, board, OUTSIDE_PANEL, now=wall)
    assert REF not in client.get("/calendar?month=2014-05").text
    path = make_feed(client)
    assert REF not in client.get(path).text
    from service import cases

    cases.add_agency(board, REF, "beh-mht", "test")
    assert REF in client.get(path).text


def test_an_unknown_feed_is_not_found(client):
    assert client.get("/calendar/feed/guess.ics").status_code == 404
