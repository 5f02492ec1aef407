"""When reminders and escalations fall, with an injected time."""

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from service.domain.chasing import due_step, next_step, steps
from service.domain.model import Deadline
from service.domain.procedure import ChasePolicy
from service.domain.model_types import Role

LONDON = ZoneInfo("Europe/London")
NINE = time(9, 0)


def deadline(due: date) -> Deadline:
    return Deadline(kind="decision", due=due, computed_due=due, owner=Role.CHAIR, rule="r")


def at(y, m, d, h=9, mi=0):
    return datetime(y, m, d, h, mi, tzinfo=LONDON)


def test_reminders_fall_five_and_one_working_days_before_and_on_the_day():
    s = list(steps(deadline(date(2014, 6, 12)), LONDON, NINE))
    assert [(x.label, x.at) for x in s[:3]] == [
        ("remind-5", at(2014, 6, 5)), ("remind-1", at(2014, 6, 11)), ("remind-0", at(2014, 6, 12))]


def test_reminders_skip_bank_holidays_when_counting_back():
    # Due Tuesday 6 May 2014: Monday 5 May is the early May bank holiday.
    s = list(steps(deadline(date(2014, 5, 6)), LONDON, NINE))
    assert s[1].label == "remind-1" and s[1].at == at(2014, 5, 2)


def test_escalation_starts_the_next_working_morning_and_reaches_the_chair_later():
    s = [x for x in steps(deadline(date(2015, 12, 24)), LONDON, NINE) if x.escalation]
    assert s[0].at == at(2015, 12, 29) and not s[0].tell_chair  # after Christmas and Boxing Day
    assert s[2].days == 6 and s[2].tell_chair


def test_the_chair_is_told_at_three_working_days_overdue_as_the_letters_catalogue_promises():
    """Fidelity (issue 14): the escalation letter says the Chair is told from 3 working days overdue; the chase
    used to tell the Chair only at the next regular escalation, 6 working days overdue."""
    s = [x for x in steps(deadline(date(2014, 6, 12)), LONDON, NINE) if x.escalation][:3]
    assert [(x.label, x.days, x.tell_chair) for x in s] == [
        ("overdue-1", 1, False), ("overdue-chair", 3, True), ("overdue-2", 6, True)]
    assert s[1].at == at(2014, 6, 17)  # Thursday 12th due: Fri 13th, Mon 16th, Tue 17th


def test_only_the_latest_due_step_is_taken_after_downtime():
    d = deadline(date(2014, 6, 12))
    take, after = due_step(d, None, at(2014, 6, 11, 10), LONDON, NINE)
    assert take.label == "remind-1" and after.label == "remind-0"


def test_nothing_is_due_before_the_first_reminder():
    take, after = due_step(deadline(date(2014, 6, 12)), None, at(2014, 6, 1), LONDON, NINE)
    assert take is None and after.label == "remind-5"


def test_an_extension_starts_the_chase_afresh():
    d = deadline(date(2014, 6, 12))
    done = "2014-06-12|overdue-1"
    d.due = date(2014, 7, 1)
    assert next_step(d, done, LONDON, NINE).label == "remind-5"


def test_escalations_repeat_at_the_configured_interval():
    policy = ChasePolicy("default", escalate_every_working_days=2)
    s = [x for x in steps(deadline(date(2014, 6, 12)), LONDON, NINE, policy) if x.escalation][:3]
    assert [x.days for x in s] == [1, 3, 5]
