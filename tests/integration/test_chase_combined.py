"""One message per person per run: a person's escalations of one sweep go as one message listing each case
and deadline, each item still kept under its own key (issue 18). Reminders, and escalations to a deadline's
owner, still go one by one: the owner answers them by email, and a reminder whose due date is corrected is
withdrawn before it goes."""

from __future__ import annotations

from collections import Counter
from datetime import datetime

import pytest
from sqlalchemy import select

from service.chasing import sweep as sweeping
from service.config import Chasing
from service.demo import sample_emails
from service.jobs import run_once, sweep_deadlines
from service.store import tables as t

from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")


def two_cases_falling_due(app, clock) -> None:
    inbox = app.settings.data_dir / "mail" / "inbox"
    for name, raw in sample_emails(datetime(2014, 5, 12, 8, 30, tzinfo=LONDON)).items():
        (inbox / name).write_bytes(raw)
    run_once(app)
    clock.set(datetime(2014, 5, 16, 9, 5, tzinfo=LONDON))  # reminders and escalations of both cases fall due


def chase_rows(app) -> list[dict]:
    with app.db.engine.connect() as conn:
        return [dict(r) for r in conn.execute(select(t.outbox).where(
            t.outbox.c.template.in_(["reminder", "escalation", "chase_summary"])).order_by(t.outbox.c.id)).mappings()]


def with_combine(app, on: bool) -> None:
    app.settings = app.settings.model_copy(update={"chasing": Chasing(combine=on)})


def test_a_persons_items_of_one_run_go_as_one_message_and_each_keeps_its_key(app, clock):
    with_combine(app, True)
    two_cases_falling_due(app, clock)
    before = {r["key"] for r in chase_rows(app)}  # the first morning's run chased already
    counts = sweep_deadlines(app)
    assert counts["reminders"] + counts["escalations"] > 2
    rows = [r for r in chase_rows(app) if r["key"] not in before]  # this run's
    items = [r for r in rows if r["template"] != "chase_summary"]
    summaries = {r["key"]: r for r in rows if r["template"] == "chase_summary"}
    # Reminders, and escalations to a deadline's owner, go on their own (the owner answers them by email);
    # a person's other escalations of the run, combined into one message.
    assert all(r["status"] == "queued" for r in items if r["template"] == "reminder")
    combined = [r for r in items if r["status"] == "combined"]
    assert combined and all(r["template"] == "escalation" for r in combined)
    for person in {r["to"][0] for r in combined}:
        mine = [r for r in combined if r["to"] == [person]]
        intos = {r["headers"]["combined_into"] for r in mine}
        assert len(mine) > 1 and len(intos) == 1  # one message for the person's items of the run
        summary = summaries[intos.pop()]
        assert summary["to"] == [person] and summary["status"] == "queued" and summary["case_id"] is None
        for r in mine:  # each item's case is listed in the one message
            assert r["key"].split("/")[0] in summary["text"]
    assert len(summaries) == len({r["to"][0] for r in combined})
    assert sweep_deadlines(app) == {"reminders": 0, "escalations": 0, "skipped": 0}
    assert [r for r in chase_rows(app) if r["key"] not in before] == rows  # nothing queued twice


def test_combine_off_sends_each_item_as_its_own_message(app, clock):
    with_combine(app, False)
    two_cases_falling_due(app, clock)
    sweep_deadlines(app)
    rows = chase_rows(app)
    assert rows and all(r["template"] in ("reminder", "escalation") and r["status"] in ("queued", "sent")
                        for r in rows)
    escalations = Counter(r["to"][0] for r in rows if r["template"] == "escalation")
    assert max(escalations.values()) > 1  # several for one person: each its own message


def test_a_crash_while_combining_loses_nothing_and_sends_nothing_twice(app, clock, monkeypatch):
    with_combine(app, True)
    two_cases_falling_due(app, clock)
    before = [r["key"] for r in chase_rows(app)]
    real, calls = sweeping._queue_for, []

    def crash_on_the_second_person(uow, app_, person, now):
        calls.append(person.email)
        if len(calls) == 2:
            raise RuntimeError("the process dies")
        return real(uow, app_, person, now)

    monkeypatch.setattr(sweeping, "_queue_for", crash_on_the_second_person)
    with pytest.raises(RuntimeError):
        sweeping.sweep(app)
    assert [r["key"] for r in chase_rows(app)] == before  # the claims went with the messages: all rolled back
    monkeypatch.setattr(sweeping, "_queue_for", real)
    counts = sweep_deadlines(app)
    assert counts["reminders"] + counts["escalations"] > 2
    keys = [r["key"] for r in chase_rows(app)]
    assert len(keys) == len(set(keys))
