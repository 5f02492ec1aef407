"""The integrated chronology of the nine fixture layouts: every row, flagged rows first, then date
and time order with partial dates at the start of their period, the same event grouped, counts."""

from __future__ import annotations

from datetime import date, time

import pytest

from service.chronology.integrate import integrate
from service.chronology.rows import ChronologyRow, Flag, ReadResult, Source, When
from service.chronology.dates import parse_when


def test_every_row_of_every_agency_is_in_it_once(all_read, expected):
    chron = integrate(all_read)
    total = sum(len(e["rows"]) for e in expected.values())
    assert len(chron.entries) == total >= 60
    assert [e.number for e in chron.entries] == list(range(1, total + 1))
    assert {a.agency: a.rows for a in chron.agencies} == {e["agency"]: len(e["rows"]) for e in expected.values()}


def test_rows_to_check_come_first_then_date_and_time_order(all_read):
    chron = integrate(all_read)
    rows = [e.row for e in chron.entries]
    assert [r.when.text for r in rows[:3]] == ["TBC", "31/02/2023", "??/04/2023"]
    assert all(r.needs_person for r in rows[:3]) and not any(r.needs_person for r in rows[3:])
    starts = [r.when.start for r in rows[3:]]
    assert starts == sorted(starts)
    assert rows[3].when.text == "2022" and rows[4].when.text == "Spring 2022"
    for a, b in zip(rows[3:], rows[4:]):
        if a.when.start == b.when.start and not a.when.partial and not b.when.partial and a.time and b.time:
            assert a.time <= b.time or chron.entries[rows.index(b)].group


def test_a_partial_date_sits_at_the_start_of_its_period_before_that_day(all_read):
    chron = integrate(all_read)
    rows = [e.row for e in chron.entries]
    march = next(i for i, r in enumerate(rows) if r.when.text == "March 2023")
    assert rows[march + 1].when.start == date(2023, 3, 1) and not rows[march + 1].when.partial
    assert rows[march - 1].when.start < date(2023, 3, 1)
    week = next(i for i, r in enumerate(rows) if r.when.text == "w/c 6 March 2023")
    assert all(r.when.start == date(2023, 3, 6) and not r.when.partial for r in rows[week + 1:week + 5])
    assert all(Flag.PARTIAL_DATE in r.flags for r in rows if r.when.partial)


def test_the_same_event_recorded_by_several_agencies_is_grouped(all_read):
    chron = integrate(all_read)
    groups: dict[int, list] = {}
    for e in chron.entries:
        if e.group:
            groups.setdefault(e.group, []).append(e)
    found = {(es[0].same_as, es[0].row.when.start, tuple(sorted(e.row.agency for e in es))) for es in groups.values()}
    assert found == {
        ("strategy meeting", date(2023, 3, 14), ("Children's Social Care", "Health Visiting", "Police")),
        ("joint visit", date(2023, 3, 15), ("Children's Social Care", "Police")),
        ("MARAC", date(2023, 5, 18), ("Children's Social Care", "Police")),
    }
    assert chron.groups == 3
    for es in groups.values():  # a group's rows are together
        numbers = [e.number for e in es]
        assert numbers == list(range(numbers[0], numbers[0] + len(numbers)))
    housing = next(e for e in chron.entries if e.row.agency == "Housing" and "strategy meeting" in e.row.event)
    assert housing.group is None  # told of the meeting: another event


def test_the_summary_gives_each_agency_its_period_and_what_to_check(all_read):
    chron = integrate(all_read)
    by = {a.agency: a for a in chron.agencies}
    assert (by["CAMHS"].first, by["CAMHS"].last) == (date(2023, 1, 9), date(2023, 4, 27))
    assert (by["Housing"].first, by["Housing"].last, by["Housing"].partial) == (date(2022, 1, 1), date(2023, 5, 5), 5)
    assert by["Ambulance Service"].to_check == 3
    assert sum(a.to_check for a in chron.agencies) == len(chron.to_check) == 3


def test_a_scoping_period_keeps_overlapping_rows_and_every_row_to_check(all_read, expected):
    chron = integrate(all_read, date(2023, 3, 1), date(2023, 3, 31))
    kept = [e.row for e in chron.entries]
    dated = [r for r in kept if not r.needs_person]
    assert all(r.when.end >= date(2023, 3, 1) and r.when.start <= date(2023, 3, 31) for r in dated)
    assert len([r for r in kept if r.needs_person]) == 3
    assert len(kept) + chron.left_out == sum(len(e["rows"]) for e in expected.values())
    assert {r.when.text for r in dated if r.when.partial} == {"March 2023", "w/c 6 March 2023"}
    assert chron.span == (date(2023, 3, 1), date(2023, 3, 31))


def _row(agency, day, event, t=None, n=1):
    return ChronologyRow(when=When.day(day), time=t, agency=agency, event=event,
                         source=Source(f"{agency}.docx", "table 1", (n,)))


def test_one_agencys_two_rows_are_never_a_duplicate_nor_are_meetings_hours_apart():
    d = date(2023, 3, 14)
    rows = [_row("Police", d, "Strategy meeting held", time(10)), _row("Police", d, "Strategy meeting held", time(10), 2),
            _row("Health", d, "Strategy meeting held", time(16))]
    chron = integrate([ReadResult("x", tuple(rows))])
    assert chron.groups == 0


def test_rows_with_most_words_in_common_on_one_day_are_grouped():
    d = date(2023, 3, 20)
    rows = [_row("Police", d, "Child found alone at the bus station late evening"),
            _row("CSC", d, "Child found alone at bus station in the late evening by police"),
            _row("Health", d, "Clinic appointment attended")]
    chron = integrate([ReadResult("x", tuple(rows))])
    assert chron.groups == 1
    assert {e.row.agency for e in chron.entries if e.group} == {"Police", "CSC"}
    assert chron.entries[0].same_as == "similar text"


def test_a_period_that_ends_before_it_starts_is_refused():
    with pytest.raises(ValueError):
        integrate([], date(2023, 2, 1), date(2023, 1, 1))


def test_untimed_rows_come_before_timed_rows_of_the_same_day():
    d = date(2023, 3, 20)
    rows = [_row("A", d, "late", time(18)), _row("B", d, "no time"), _row("C", d, "early", time(8)),
            ChronologyRow(when=parse_when("March 2023"), agency="D", event="month", source=Source("d", "t", (1,)))]
    chron = integrate([ReadResult("x", tuple(rows))])
    assert [e.row.event for e in chron.entries] == ["month", "no time", "early", "late"]


@pytest.mark.parametrize("news", ["Told of the strategy meeting by social care", "Feedback from the strategy meeting",
                                  "Letter sent following the strategy meeting", "Invited to the strategy meeting"])
def test_news_of_an_event_is_not_the_event(news):
    d = date(2023, 3, 14)
    rows = [_row("Police", d, "Strategy meeting held", time(10)), _row("Health", d, "Strategy meeting attended", time(10)),
            _row("Housing", d, news, time(11))]
    chron = integrate([ReadResult("x", tuple(rows))])
    assert {e.row.agency for e in chron.entries if e.group} == {"Police", "Health"}
