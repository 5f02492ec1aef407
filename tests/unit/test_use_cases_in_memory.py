"""Use cases run against the in-memory unit of work (tests/fakes.py): no database, milliseconds each."""

from __future__ import annotations

from datetime import date, datetime, timezone
from pathlib import Path

import pytest
from fakes import FakeDatabase

from service import cases
from service.bootstrap import App
from service.case_store import save_case
from service.clock import FixedClock
from service.config import load_settings
from service.domain.model import Case, DeadlineStatus, DomainError, Referrer
from service.domain.model_types import Outcome
from service.letters.after_delivery import LetterDelivery
DECIDED = "decided"
from service.letters.queueing import base_context, queue
from service.letters.render import Templates
from service.letters.triggers import queue_for_event
from service.procedure.pack import default

EXAMPLE = Path(__file__).resolve().parents[2] / "config" / "review-clerk.example.toml"
REF = "ESCB-2014-001"
OPENED = datetime(2014, 5, 12, 9, tzinfo=timezone.utc)


@pytest.fixture(scope="module")
def settings():
    return load_settings(EXAMPLE, environ={})


@pytest.fixture
def app(settings) -> App:
    """The real App with the database port in memory; nothing here sends mail or touches a calendar."""
    app = App(settings=settings, db=FakeDatabase(), mailbox=None, calendar=None, templates=Templates(),
              clock=FixedClock(datetime(2014, 5, 13, 10, tzinfo=timezone.utc)), procedure=default(),
              on_delivery=LetterDelivery())
    case = Case.open(REF, OPENED.date(), OPENED, "intake", procedure=app.procedure,
                     referrer=Referrer(agency="Metropolitan Police"))
    with app.db.unit_of_work() as uow:
        uow.cases.add(case, 2014, 1)
        save_case(uow, app, uow.cases.get(REF))  # schedules its chasing, as opening a case does
        uow.commit()
    return app


def test_a_deadline_marked_done_is_met_and_no_longer_chased(app):
    assert app.db.next_actions(REF)["chair_sqas_discussion"] is not None

    cases.mark_done(app, REF, "chair_sqas_discussion", date(2014, 5, 13), "business manager")

    d = app.db.case(REF).deadlines["chair_sqas_discussion"]
    assert d.status is DeadlineStatus.MET and d.met_on == date(2014, 5, 13)
    assert app.db.next_actions(REF)["chair_sqas_discussion"] is None
    assert app.db.next_actions(REF)["decision"] is not None  # the others are still chased


def test_a_use_case_that_fails_leaves_nothing_behind(app):
    before = app.db.case(REF)
    with pytest.raises(DomainError):
        cases.mark_done(app, REF, "no_such_deadline", date(2014, 5, 13), "business manager")
    after = app.db.case(REF)
    assert {k: d.status for k, d in after.deadlines.items()} == {k: d.status for k, d in before.deadlines.items()}


def test_an_agency_added_is_on_the_case_and_audited(app):
    cases.add_agency(app, REF, "met-police", "business manager")

    assert app.db.case(REF).agencies == ["met-police"]
    assert app.db.audit_actions(REF)[-1] == "agency added"


def test_an_agency_unknown_to_the_directory_is_refused(app):
    with pytest.raises(DomainError, match="no agency 'nobody'"):
        cases.add_agency(app, REF, "nobody", "business manager")
    assert app.db.case(REF).agencies == []


def test_a_decision_queues_its_letters_once(app):
    cases.decide(app, REF, Outcome.NONE, date(2014, 5, 13), "The criteria are not met.", "chair")
    queued = app.db.outbox_keys()
    assert f"{REF}/decision_notification/ofsted" in queued and f"{REF}/decision_notification/national_panel" in queued
    assert f"not_sent/{REF}/decision_outcome/referrer" in queued  # no address for the referrer: the BM is told

    with app.db.unit_of_work() as uow:  # the same event again: every letter is already there
        case = uow.cases.get(REF)
        assert queue_for_event(uow, app, case, uow.cases.id_of(REF), DECIDED) == []
        uow.commit()
    assert app.db.outbox_keys() == queued


def test_a_letter_is_queued_once_and_not_twice(app):
    bm = app.settings.people.business_manager
    ctx = base_context(app, bm.name, bm.email, items=[], quarantine_folder="quarantine", to_confirm=[])
    message = {"key": "intake-report/2014-05-13", "template": "intake_report", "to": [bm.email], "context": ctx}

    with app.db.unit_of_work() as uow:
        assert queue(uow, app, **message) is True
        assert queue(uow, app, **message) is False
        uow.commit()
    with app.db.unit_of_work() as uow:
        assert queue(uow, app, **message) is False
    assert app.db.outbox_keys() == ["intake-report/2014-05-13"]


def test_a_letter_queued_in_a_unit_of_work_that_does_not_commit_is_not_queued(app):
    bm = app.settings.people.business_manager
    ctx = base_context(app, bm.name, bm.email, items=[], quarantine_folder="quarantine", to_confirm=[])
    with app.db.unit_of_work() as uow:
        assert queue(uow, app, key="intake-report/2014-05-13", template="intake_report", to=[bm.email], context=ctx)
    assert app.db.outbox_keys() == []

