"""One dispatcher reacts to what happened to a case, however the change came (command line, web, email)."""

from __future__ import annotations

from datetime import date, datetime, timezone

from service.domain.events import AgencyAdded, CaseOpened, DateCorrected, DecisionTaken, EventRecorded
from service.domain.model import Case
from service.procedure.pack import default

AT = datetime(2014, 5, 12, 9, tzinfo=timezone.utc)
TODAY = date(2014, 12, 31)


def test_the_domain_says_what_happened_and_nothing_of_letters_or_meetings():
    case = Case.open("ESCB-2014-001", date(2014, 5, 12), AT, "intake", procedure=default())
    case.add_agency("met-police", AT, "bm")
    case.record("ofsted_notified", date(2014, 5, 13), AT, "chair", "online form", today=TODAY)
    case.correct_date("ofsted_notified", date(2014, 5, 14), AT, "bm", "typo", today=TODAY)
    case.decide("scr", date(2014, 5, 20), AT, "chair", "criteria met", today=TODAY, criterion="died")
    assert case.new_events == [
        CaseOpened("ESCB-2014-001"), AgencyAdded("met-police"), EventRecorded("ofsted_notified", date(2014, 5, 13),
                                                                              "online form"),
        DateCorrected("ofsted_notified", date(2014, 5, 13), date(2014, 5, 14)),
        DecisionTaken("decided", "scr", date(2014, 5, 20))]


def test_an_agency_already_involved_raises_nothing():
    case = Case.open("ESCB-2014-001", date(2014, 5, 12), AT, "intake", procedure=default())
    case.add_agency("met-police", AT, "bm")
    case.new_events.clear()
    assert case.add_agency("met-police", AT, "bm") is False and case.new_events == []
