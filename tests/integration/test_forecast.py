"""Issue 12 item 1: a look at the future is a forecast, not a run.

The forecast lists what the service would do if nobody did anything, with the rule behind
each; it matches what the jobs then really do over the same days, and it changes nothing.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import select

from service.forecast import forecast
from service.jobs import read_inbox, run_once, send_outbox
from service.store import tables as t

from test_intake_service import drop, form, mail


def _open_one_case(app) -> None:
    drop(app, "r.eml", mail(form(), msgid="<forecast-1@met.police.uk>"))
    read_inbox(app)
    send_outbox(app)


def _outbox_dump(app) -> list[tuple]:
    with app.db.engine.connect() as conn:
        return [tuple(r) for r in conn.execute(select(t.outbox).order_by(t.outbox.c.id))]


def _database_dump(app) -> dict[str, list[tuple]]:
    with app.db.engine.connect() as conn:
        return {table.name: [tuple(r) for r in conn.execute(select(table))]
                for table in t.metadata.sorted_tables}


def test_forecast_lists_reminders_escalations_and_the_digest_with_their_rules(app, clock):
    _open_one_case(app)
    actions = forecast(app, date(2014, 5, 27))
    kinds = {a.kind for a in actions}
    assert {"reminder", "escalation", "digest"} <= kinds
    # The Chair / Head of SQAS discussion is due in 1 working day (13 May): a reminder now (1 working day
    # before) and on the day, then escalation the next working morning, each with its rule.
    sqas = [a for a in actions if "'chair_sqas_discussion'" in a.what]
    assert [(a.kind, a.at.date()) for a in sqas[:3]] == [
        ("reminder", date(2014, 5, 12)), ("reminder", date(2014, 5, 13)), ("escalation", date(2014, 5, 14))]
    assert all("procedure 6" in a.rule for a in sqas)
    # This week's digest is due (Monday 08:00 has passed); 26 May 2014 was the spring bank holiday,
    # so that week's goes on the Tuesday.
    digests = [a.at for a in actions if a.kind == "digest"]
    assert [d.date() for d in digests] == [date(2014, 5, 12), date(2014, 5, 19), date(2014, 5, 27)]
    assert actions == sorted(actions, key=lambda a: a.at)


def test_forecast_changes_nothing_in_the_database_or_the_outbox(app, clock):
    _open_one_case(app)
    before = _database_dump(app)
    sent = sorted(p.read_bytes() for p in (app.settings.data_dir / "mail" / "sent").glob("*"))
    assert forecast(app, date(2014, 7, 1))
    assert _database_dump(app) == before
    assert sorted(p.read_bytes() for p in (app.settings.data_dir / "mail" / "sent").glob("*")) == sent


def test_what_the_forecast_says_is_what_the_service_then_does(app, clock):
    _open_one_case(app)
    until = date(2014, 5, 30)
    predicted = sorted((a.reference, a.kind, to, a.at.replace(second=0, microsecond=0))
                       for a in forecast(app, until) if a.kind in ("reminder", "escalation") for to in a.to)
    assert predicted
    start = len(_outbox_dump(app))
    # Run the service at every moment the forecast names, and each morning besides.
    moments = sorted({a[3] for a in predicted}
                     | {datetime.combine(date(2014, 5, 12) + timedelta(days=n), app.settings.working_hours.start,
                                         app.settings.tz) for n in range(1, 19)})
    for moment in moments:
        clock.set(moment)
        run_once(app)
    with app.db.engine.connect() as conn:
        rows = conn.execute(select(t.outbox.c.template, t.outbox.c.to, t.outbox.c.created_at, t.cases.c.reference)
                            .join(t.cases, t.cases.c.id == t.outbox.c.case_id)
                            .where(t.outbox.c.id > start, t.outbox.c.template.in_(["reminder", "escalation"])))
        done = sorted((reference, template, to[0], created_at.astimezone(app.settings.tz).replace(second=0,
                                                                                                  microsecond=0))
                      for template, to, created_at, reference in rows)
    assert [d for d in done if d[3].date() <= until] == predicted


def test_the_forecasts_unit_of_work_refuses_a_write(app):
    """A forecast reads in a read-only transaction: a write made by mistake fails rather than lands."""
    import pytest
    from sqlalchemy.exc import DBAPIError

    with pytest.raises(DBAPIError):
        with app.db.unit_of_work(read_only=True) as uow:
            uow.state.set("forecast-wrote", "yes", app.clock.now())
    with app.db.unit_of_work() as uow:  # and the connection writes again once it is back in the pool
        uow.state.set("after", "yes", app.clock.now())
        uow.commit()
    with app.db.unit_of_work() as uow:
        assert uow.state.get("forecast-wrote") is None and uow.state.get("after") == "yes"


def test_the_forecast_puts_mail_due_at_night_at_the_next_working_morning(app, clock):
    """Mail to people goes in working hours: on a Saturday night, what is due goes on Monday at 09:00."""
    _open_one_case(app)
    clock.set(datetime(2014, 5, 17, 23, 0, tzinfo=app.settings.tz))  # Saturday 23:00
    actions = forecast(app, date(2014, 5, 19))
    assert actions
    monday_nine = datetime(2014, 5, 19, 9, 0, tzinfo=app.settings.tz)
    assert all(a.at >= monday_nine for a in actions if a.kind in ("reminder", "escalation", "digest", "letter"))
    assert any(a.kind == "digest" and a.at == monday_nine for a in actions)  # queued at 08:00, goes at 09:00
