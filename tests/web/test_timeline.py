"""The case's timeline chart: a bar per statutory clock from its starting date, today marked, meetings and letters."""

from __future__ import annotations

import re
from datetime import date

from service.web.timeline import chart, started


def case(**over):
    data = {"reference": "ESCB-2014-001", "opened_at": "2014-05-12T08:00:00+00:00", "deadlines": [
        {"key": "a", "what": "Notify Ofsted", "due": "2014-05-19", "state": "met", "met_on": "2014-05-13",
         "rule": "within 5 working days of the referral being received (2014-05-12) [procedure 4.1]"},
        {"key": "b", "what": "Decide", "due": "2014-06-12", "state": "missed", "met_on": None,
         "rule": "within 1 month of the case coming to the Chair's attention (2014-05-13) [4.2]"},
        {"key": "c", "what": "Report from <Police>", "due": "2014-07-01", "state": "open", "met_on": None,
         "rule": "set by the panel"}]}
    data.update(over)
    return data


def bars(svg: str) -> list[tuple[float, float, str]]:
    return [(float(x), float(w), state) for state, x, w in
            re.findall(r'<rect class="bar bar-(\w+)" x="([\d.]+)" y="[\d.]+" width="([\d.]+)"', svg)]


def test_each_clock_is_a_bar_from_its_starting_event_to_its_due_date_or_the_day_it_was_met():
    svg = str(chart(case(), [], [], date(2014, 6, 20)))
    [(x_met, w_met, s1), (x_dec, w_dec, s2), (x_rep, w_rep, s3)] = bars(svg)
    assert (s1, s2, s3) == ("met", "missed", "open")
    per_day = w_dec / (date(2014, 6, 12) - date(2014, 5, 13)).days
    assert abs(w_met - per_day * 1) < 0.5, "met the day after it started: one day long"
    assert abs((x_dec - x_met) - per_day) < 0.5, "the decision's clock starts a day later, at the Chair's attention"
    assert abs(x_rep - x_met) < 0.5, "a clock whose rule names no dated event starts when the case opened"
    today = float(re.search(r'<line class="today" x1="([\d.]+)"', svg).group(1))
    assert abs(today - (x_dec + w_dec) - per_day * 8) < 0.5


def test_meetings_and_letters_are_points_and_text_is_escaped():
    svg = str(chart(case(), [{"title": "Extraordinary panel meeting", "start": "2014-05-20T10:00:00+01:00"}],
                    [{"template": "incident_notification", "sent_at": "2014-05-13T09:00:00+00:00"}],
                    date(2014, 5, 21)))
    assert svg.count('class="point point-meeting"') == 1 and svg.count('class="point point-letter"') == 1
    assert "Report from &lt;Police&gt;" in svg and "<Police>" not in svg
    assert 'role="img"' in svg and "<title id=\"tl-title\">Timeline of case ESCB-2014-001</title>" in svg


def test_the_starting_date_comes_from_the_rule():
    assert started({"rule": "within 1 working day of the referral being received (2014-05-12) [6]"},
                   date(2000, 1, 1)) == date(2014, 5, 12)
    assert started({"rule": "set by the panel"}, date(2000, 1, 1)) == date(2000, 1, 1)
