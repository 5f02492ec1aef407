"""One message per person per run: a person's escalations of one sweep go as one message listing each case
and deadline, each item still kept under its own key (issue 18). Reminders still go one by one: their owner
answers them by email, and one whose due date is corrected is withdrawn before it goes."""

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
    # Reminders go on their own (their owner answers them by email); escalations to one person, combined.
    assert all(r["status"] == "queued" for r in items if r["template"] == "reminder")
    escalations = Counter(r["to"][0] for r in items if r["template"] == "escalation")
    assert any(n > 1 for n in escalations.values())
    for person, n in escalations.items():
        mine = [r for r in items if r["to"] == [person] and r["template"] == "escalation"]
        if n == 1:  # one item: the message it always was
            assert mine[0]["status"] == "queued"
            continue
        assert {r["status"] for r in mine} == {"combined"}
        intos = {r["headers"]["combined_into"] for r in mine}
        assert len(intos) == 1
        summary = summaries[intos.pop()]
        assert summary["to"] == [person] and summary["status"] == "queued" and summary["case_id"] is None
        for r in mine:  # each item's case and deadline is listed in the one message
            reference = r["key"].split("/")[0]
            assert reference in summary["text"]
    assert len(summaries) == sum(1 for n in escalations.values() if n > 1)
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
