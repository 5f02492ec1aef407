"""Finding a meeting time: working days and hours, busy attendees, and the best time when none suits all."""

from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from service.domain.model import Case
from service.mailbox.ports import BusyInterval
from service.meetings.kinds import kind_for
from service.procedure.pack import default
from service.meetings.slots import Window, WorkingHours, find_slot, window_after, window_for
from service.procedure.pack import default as _default_procedure

SCR_PROCEDURE = _default_procedure()

LONDON = ZoneInfo("Europe/London")
HOURS = WorkingHours(time(9), time(17), LONDON)
TWO_HOURS = timedelta(hours=2)
CHAIR, POLICE, NURSE = "chair@x.gov.uk", "police@x.police.uk", "nurse@x.nhs.example.org"


def at(day: date, hh: int, mm: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hh, mm, tzinfo=LONDON)


def busy(start: datetime, end: datetime) -> BusyInterval:
    return BusyInterval(start.astimezone(timezone.utc), end.astimezone(timezone.utc))


def test_the_first_working_hour_of_the_window_is_chosen_when_everyone_is_free():
    slot = find_slot([CHAIR, POLICE], {}, Window(date(2014, 5, 14), date(2014, 5, 20)), HOURS, TWO_HOURS)
    assert slot.start == at(date(2014, 5, 14), 9) and slot.end == at(date(2014, 5, 14), 11)
    assert slot.everyone


def test_a_weekend_is_skipped():
    friday, monday = date(2014, 5, 16), date(2014, 5, 19)
    all_friday = {CHAIR: [busy(at(friday, 0), at(friday, 23))]}
    slot = find_slot([CHAIR], all_friday, Window(friday, date(2014, 5, 20)), HOURS, TWO_HOURS)
    assert slot.start == at(monday, 9)


def test_a_bank_holiday_is_skipped():
    spring_bank_holiday = date(2014, 5, 26)  # a Monday
    slot = find_slot([CHAIR], {}, Window(date(2014, 5, 24), date(2014, 5, 30)), HOURS, TWO_HOURS)
    assert slot.start.date() == date(2014, 5, 27) != spring_bank_holiday


def test_the_meeting_fits_inside_working_hours():
    day = date(2014, 5, 14)
    # Busy until 15:30: a two-hour meeting cannot start later than 15:00, so it moves to the next day.
    slot = find_slot([CHAIR], {CHAIR: [busy(at(day, 9), at(day, 15, 30))]}, Window(day, date(2014, 5, 15)),
                     HOURS, TWO_HOURS)
    assert slot.start == at(date(2014, 5, 15), 9)


def test_the_first_time_after_a_busy_attendee_is_free_is_chosen():
    day = date(2014, 5, 14)
    slot = find_slot([CHAIR, POLICE], {POLICE: [busy(at(day, 9), at(day, 10, 15))]}, Window(day, day), HOURS,
                     TWO_HOURS)
    assert slot.start == at(day, 10, 30)


def test_when_no_time_suits_everyone_the_time_most_required_attendees_can_make_is_chosen():
    d1, d2 = date(2014, 5, 14), date(2014, 5, 15)
    calendars = {
        NURSE: [busy(at(d1, 0), at(d2, 23))],  # away for the whole window
        POLICE: [busy(at(d1, 0), at(d1, 23)), busy(at(d2, 9), at(d2, 12))],
    }
    slot = find_slot([CHAIR, POLICE, NURSE], calendars, Window(d1, d2), HOURS, TWO_HOURS)
    assert slot.start == at(d2, 12)  # chair and police; the nurse cannot come at any time
    assert slot.cannot_come == (NURSE,) and not slot.everyone


def test_optional_attendees_never_hold_a_meeting_back_but_are_noted():
    day = date(2014, 5, 14)
    slot = find_slot([CHAIR], {NURSE: [busy(at(day, 9), at(day, 17))]}, Window(day, day), HOURS, TWO_HOURS,
                     optional=[NURSE])
    assert slot.start == at(day, 9) and slot.optional_busy == (NURSE,)


def test_a_new_time_avoids_the_current_one_and_the_past():
    day = date(2014, 5, 14)
    slot = find_slot([CHAIR], {}, Window(day, day), HOURS, TWO_HOURS, not_before=at(day, 9, 10),
                     avoid=[(at(day, 9, 30), at(day, 11, 30))])
    assert slot.start == at(day, 11, 30)


def test_a_window_with_no_working_time_gives_no_slot():
    saturday = date(2014, 5, 17)
    assert find_slot([CHAIR], {}, Window(saturday, saturday + timedelta(days=1)), HOURS, TWO_HOURS) is None


def test_a_time_in_another_of_the_services_meetings_is_never_chosen_even_for_the_most_free():
    day = date(2014, 5, 14)
    # The police officer's calendar is empty at 09:00 (free/busy has not caught up), but the service
    # has already booked the chair then: 11:00 is chosen although the nurse is away all day.
    slot = find_slot([CHAIR, POLICE, NURSE], {NURSE: [busy(at(day, 0), at(day, 23))]}, Window(day, day), HOURS,
                     TWO_HOURS, booked={CHAIR: [busy(at(day, 9), at(day, 11))]})
    assert slot.start == at(day, 11) and slot.cannot_come == (NURSE,)


def test_an_optional_attendee_is_not_put_in_two_of_the_services_meetings_either():
    day = date(2014, 5, 14)
    slot = find_slot([CHAIR], {}, Window(day, day), HOURS, TWO_HOURS, optional=[NURSE],
                     booked={NURSE: [busy(at(day, 9), at(day, 13))]})
    assert slot.start == at(day, 13)


def test_a_window_full_of_the_services_meetings_gives_no_slot_and_the_days_after_it_are_next():
    day = date(2014, 5, 16)  # a Friday
    booked = {CHAIR: [busy(at(day, 9), at(day, 17))]}
    assert find_slot([CHAIR], {}, Window(day, day), HOURS, TWO_HOURS, booked=booked) is None
    later = window_after(Window(day, day), 3)
    assert (later.first_day, later.last_day) == (date(2014, 5, 19), date(2014, 5, 21))
    assert find_slot([CHAIR], {}, later, HOURS, TWO_HOURS, booked=booked).start == at(date(2014, 5, 19), 9)


def referral(received: date) -> Case:
    return Case.open("ESCB-2014-001", received, at(received, 9), "test", procedure=SCR_PROCEDURE)


def test_the_extraordinary_meeting_falls_within_ten_working_days_of_the_referral():
    case = referral(date(2014, 5, 12))  # Monday; 26 May is a bank holiday
    w = window_for(kind_for("extraordinary", default()), case, date(2014, 5, 12), notice_working_days=2)
    assert (w.first_day, w.last_day, w.notes) == (date(2014, 5, 14), date(2014, 5, 27), ())


def test_the_extraordinary_meeting_is_always_before_the_decision_deadline():
    case = referral(date(2014, 5, 12))
    case.deadlines["decision"].due = date(2014, 5, 20)  # e.g. the Chair became aware earlier
    w = window_for(kind_for("extraordinary", default()), case, date(2014, 5, 12), notice_working_days=2)
    assert w.last_day == date(2014, 5, 19)


def test_a_window_that_has_passed_offers_the_first_possible_time_and_says_why():
    case = referral(date(2014, 5, 12))
    w = window_for(kind_for("extraordinary", default()), case, date(2014, 6, 2), notice_working_days=2)
    assert w.first_day == date(2014, 6, 4) and w.last_day > w.first_day
    assert "within 10 working days of the referral on 2014-05-12" in w.notes[0] and "has passed" in w.notes[0]


def test_no_time_before_the_deadline_is_said_plainly():
    case = referral(date(2014, 5, 12))
    w = window_for(kind_for("extraordinary", default()), case, date(2014, 6, 10), notice_working_days=2)
    assert w.first_day == date(2014, 6, 12)
    assert "before the deadline 'Decide whether a serious case review is required' (2014-06-12)" in w.notes[0]


def test_later_meetings_count_their_window_from_the_request_and_it_can_be_widened():
    case = referral(date(2014, 5, 12))
    progress = kind_for("progress", default())
    assert window_for(progress, case, date(2014, 6, 2), notice_working_days=2).last_day == date(2014, 6, 30)
    assert window_for(progress, case, date(2014, 6, 2), notice_working_days=2, within=5).last_day == date(2014, 6, 9)


def test_a_slot_is_busy_in_a_timeline_exactly_when_it_overlaps_one_of_its_times():
    """Sorted, merged busy times answer as looking at every one of them would, however they overlap,
    touch or are added (issue 18: one bisection per slot instead of a scan of every busy time)."""
    import random

    from service.meetings.slots import Timeline

    day = datetime(2014, 5, 14, 8, tzinfo=ZoneInfo("Europe/London"))
    rng = random.Random(18)
    for _ in range(200):
        times = []
        for _ in range(rng.randint(0, 12)):
            s = day + timedelta(minutes=15 * rng.randint(0, 40))
            times.append((s, s + timedelta(minutes=15 * rng.randint(0, 12))))  # some empty, some touching
        built = Timeline(times[: len(times) // 2])
        for s, e in times[len(times) // 2:]:
            built.add(s, e)
        for _ in range(30):
            s = day + timedelta(minutes=15 * rng.randint(0, 44))
            e = s + timedelta(minutes=15 * rng.randint(1, 8))
            expected = any(a < e and s < b for a, b in times)
            assert built.busy(s, e) is expected, (times, s, e)
            assert Timeline(times).busy(s, e) is expected
