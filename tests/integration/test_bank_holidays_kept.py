"""England and Wales bank holidays are kept in the data folder as the holidays package gives them, so a command
need not load the package (issue 18: a third of a second of every command's start)."""

from __future__ import annotations

import json
from datetime import date

from service import bank_holidays
from service.domain import calendar


def test_the_kept_bank_holidays_are_the_packages_for_every_year(tmp_path):
    assert bank_holidays.load(tmp_path) is False  # worked out and kept
    assert bank_holidays.load(tmp_path) is True  # read back
    kept = json.loads((tmp_path / bank_holidays.FILE).read_text())
    package = calendar.bank_holidays_from_package(bank_holidays.YEARS)
    assert {int(y): {date.fromisoformat(d): n for d, n in days.items()} for y, days in kept["days"].items()} == package
    assert date(2014, 12, 25) in package[2014] and date(2020, 5, 8) in package[2020]  # a moved May bank holiday


def test_working_days_count_the_same_from_the_kept_file(tmp_path):
    bank_holidays.load(tmp_path)
    assert bank_holidays.load(tmp_path) is True
    assert calendar.add_working_days(date(2025, 12, 19), 5) == date(2025, 12, 30)  # over Christmas
    assert calendar.bank_holiday_name(date(2014, 8, 25)) == "Late Summer Bank Holiday"


def test_a_file_from_another_version_of_the_package_or_damaged_is_worked_out_again(tmp_path):
    path = tmp_path / bank_holidays.FILE
    bank_holidays.load(tmp_path)
    stale = json.loads(path.read_text())
    stale["holidays_version"] = "0.0.1"
    stale["days"]["2014"] = {}  # as if an older package had none
    path.write_text(json.dumps(stale))
    assert bank_holidays.load(tmp_path) is False
    assert date(2014, 12, 25) in calendar._bank_holidays(2014)
    path.write_text("{not json")
    assert bank_holidays.load(tmp_path) is False
    assert json.loads(path.read_text())["holidays_version"] == bank_holidays._package_version()


def test_a_year_outside_the_file_is_asked_of_the_package(tmp_path):
    bank_holidays.load(tmp_path)
    assert 1999 not in range(bank_holidays.YEARS.start, bank_holidays.YEARS.stop)
    assert date(1999, 12, 27) in calendar._bank_holidays(1999)  # Christmas Day on a Saturday: substitute day
