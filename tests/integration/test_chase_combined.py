"""One message per person per run: a person's reminders and escalations of one sweep go as one message
listing each case and deadline, each item still kept under its own key (issue 18). The owner still answers
by email (a reply naming one case answers its item), and a reminder whose due date is corrected, or whose
deadline is extended or met, before the message goes is withdrawn from it (or, queued alone, withdrawn)."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime

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
    per_person = Counter(r["to"][0] for r in items)
    assert any(n > 1 for n in per_person.values())
    assert {r["template"] for r in items if r["status"] == "combined"} == {"reminder", "escalation"}
    for person, n in per_person.items():
        mine = [r for r in items if r["to"] == [person]]
        if n == 1:  # one item: the message it always was
            assert mine[0]["status"] == "queued"
            continue
        assert {r["status"] for r in mine} == {"combined"}  # reminders and escalations, owner's or not
        intos = {r["headers"]["combined_into"] for r in mine}
        assert len(intos) == 1  # one message for the person's items of the run
        summary = summaries[intos.pop()]
        assert summary["to"] == [person] and summary["status"] == "queued"
        for r in mine:  # each item's case and deadline is listed in the one message
            reference, deadline = r["key"].split("/")[:2]
            assert f"review-clerk deadline done {reference} {deadline}" in summary["text"] \
                or f"review-clerk case decide {reference}" in summary["text"]
    assert len(summaries) == sum(1 for n in per_person.values() if n > 1)
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


# Reminders combined, answered by email, withdrawn when their due date is corrected -------------------------
CHAIR = "escb.chair@enfield.example.org"
BM = "escb.business.manager@enfield.example.org"
SQAS = "sqas.head@enfield.example.org"
CHILDREN = ("Ava Quinnell", "Ben Rowntree", "Cara Stellwood")


@pytest.fixture
def settings(config_dir, db_env):
    """The local backend with trust_local_mail on (as `init --simulation` sets), so that replies may act."""
    from service.config import load_settings

    return load_settings(config_dir / "review-clerk.toml",
                         environ={**db_env, "REVIEW_CLERK_MAIL__TRUST_LOCAL_MAIL": "true"})


def referrals(app, n: int) -> list[str]:
    """``n`` referrals opened on Monday 12 May 2014 (ESCB-2014-001...)."""
    from test_intake_service import drop, form, mail

    from service.jobs import read_inbox

    for k in range(n):
        drop(app, f"referral-{k}.eml", mail(form(child=CHILDREN[k], summary=f"{CHILDREN[k].split()[0]} was harmed."),
                                            msgid=f"<referral-{k}@met-police.example.org>"))
    read_inbox(app)
    return [f"ESCB-2014-{k + 1:03d}" for k in range(n)]


def reminded(app, clock, n: int) -> dict:
    """``n`` cases, their deadlines scheduled; the sweep of Monday 09:30, when the Chair's reminders of the SQAS
    discussion (due Tuesday) fall due on each: the Chair's one message of the morning."""
    from service.case_store import save_case

    refs = referrals(app, n)
    with app.db.unit_of_work() as uow:  # their chasing scheduled, as every command's save does
        for ref in refs:
            save_case(uow, app, uow.cases.get(ref))
        uow.commit()
    clock.set(datetime(2014, 5, 12, 9, 30, tzinfo=LONDON))
    sweeping.sweep(app)
    [summary] = [r for r in chase_rows(app) if r["template"] == "chase_summary" and r["to"] == [CHAIR]]
    return summary


def items_in(app, summary: dict) -> list[dict]:
    return [r for r in chase_rows(app) if r["status"] == "combined"
            and r["headers"].get("combined_into") == summary["key"]]


def test_a_person_with_three_reminders_due_gets_one_message_listing_each(app, clock):
    summary = reminded(app, clock, 3)
    items = items_in(app, summary)
    # Each case's SQAS discussion (due Tuesday) and Ofsted notification (due Monday 19th): six reminders.
    assert len(items) == 6 and {r["template"] for r in items} == {"reminder"}
    assert {r["key"].split("/")[0] for r in items} == {"ESCB-2014-001", "ESCB-2014-002", "ESCB-2014-003"}
    assert summary["case_id"] is None and summary["subject"].startswith("[ESCB] Reminder: 6 deadlines coming up")
    for ref in ("ESCB-2014-001", "ESCB-2014-002", "ESCB-2014-003"):
        assert f"Case {ref}: " in summary["text"] and ref in summary["html"]
        assert f"review-clerk deadline done {ref} chair_sqas_discussion" in summary["text"]
        assert f'reply with "[{ref}] chair_sqas_discussion" in the subject and "done"' in summary["text"]
        assert f"/cases/{ref}/deadlines/chair_sqas_discussion" in summary["html"]
    assert summary["text"].count("Due on:   Tuesday 13 May 2014 (1 working day from today)") == 3
    assert summary["text"].count("Due on:   Monday 19 May 2014 (5 working days from today)") == 3
    assert "OVERDUE" not in summary["text"] + summary["subject"]
    assert "one that names no case records nothing" in summary["text"]
    assert not [c for c in CHILDREN if c.split()[1] in summary["text"] + summary["html"] + summary["subject"]]
    # Exactly once: a second sweep, or the same steps offered again (a second process that read the same due
    # rows), lists none of them again.
    assert sweeping.sweep(app) == {"reminders": 0, "escalations": 0, "skipped": 0}
    person = sweeping._Person("Chair", CHAIR, [sweeping._Item(r["key"], "reminder", None, r["case_id"], {}, False)
                                               for r in items])
    with app.db.unit_of_work() as uow:
        queued = uow.outbox.existing(i.key for i in person.items)
    assert queued == {r["key"] for r in items}
    assert len([r for r in chase_rows(app) if r["template"] == "chase_summary" and r["to"] == [CHAIR]]) == 1


def one_reminded(app, clock) -> tuple[str, list[dict]]:
    """One case, scheduled and swept on Monday 09:30: its reference and what went to the Head of SQAS (the
    discussion's reminder only)."""
    from service.case_store import save_case

    [ref] = referrals(app, 1)
    with app.db.unit_of_work() as uow:
        save_case(uow, app, uow.cases.get(ref))
        uow.commit()
    clock.set(datetime(2014, 5, 12, 9, 30, tzinfo=LONDON))
    sweeping.sweep(app)
    return ref, [r for r in chase_rows(app) if SQAS in r["to"]]


def test_one_reminder_due_to_a_person_is_the_reminder_it_always_was(app, clock):
    ref, mine = one_reminded(app, clock)
    assert [(r["template"], r["status"]) for r in mine] == [("reminder", "queued")]
    assert mine[0]["subject"].startswith(f"[{ref}] Reminder: ") and 'reply to this email with "done"' in mine[0]["text"]


def test_a_mix_of_reminders_and_escalations_reads_due_on_and_overdue_in_one_message(app, clock):
    with_combine(app, True)
    two_cases_falling_due(app, clock)
    sweep_deadlines(app)
    summaries = [r for r in chase_rows(app) if r["template"] == "chase_summary" and r["to"] == [CHAIR]]
    mixed = [s for s in summaries if {i["template"] for i in items_in(app, s)} == {"reminder", "escalation"}]
    assert mixed, [s["subject"] for s in summaries]
    s = mixed[-1]
    assert "OVERDUE:" in s["subject"] and "Reminder:" in s["subject"]
    assert "OVERDUE:  was due on" in s["text"] and "Due on:   " in s["text"]
    assert "<strong>OVERDUE</strong>: was due on" in s["html"] and "Due on " in s["html"]
    text = s["text"]
    assert text.index("OVERDUE:") < text.index("Due on:"), "overdue first"


def test_a_reminder_corrected_before_the_combined_message_goes_is_withdrawn(app, clock):
    from service import cases
    from service.domain.model_types import EventKind
    from service.letters.delivery import deliver_due

    summary = reminded(app, clock, 3)
    # The first case's referral was received on the Friday: its discussion fell due on Monday and its Ofsted
    # notification moves too, so Monday's reminders of its Tuesday and Monday 19th deadlines are not called for.
    cases.correct_date(app, "ESCB-2014-001", EventKind.REFERRAL_RECEIVED, date(2014, 5, 9), "bm",
                       "received on the Friday")
    rows = {r["id"]: r for r in chase_rows(app)}
    gone = [r for r in rows.values() if r["key"].startswith("ESCB-2014-001/") and r["to"] == [CHAIR]]
    assert len(gone) == 2 and {r["status"] for r in gone} == {"withdrawn"}
    assert all("~withdrawn-" in r["key"] for r in gone)  # set aside: the new due date's chase may queue it
    now = rows[summary["id"]]
    assert now["status"] == "queued" and now["key"] == summary["key"]
    assert "ESCB-2014-001" not in now["text"] + now["html"]
    assert "ESCB-2014-002" in now["text"] and "ESCB-2014-003" in now["text"]
    assert now["subject"].startswith("[ESCB] Reminder: 4 deadlines coming up")
    assert len(items_in(app, now)) == 4
    deliver_due(app, "w1", limit=100)
    sent = {r["id"]: r for r in chase_rows(app)}
    assert sent[summary["id"]]["status"] == "sent" and {sent[r["id"]]["status"] for r in gone} == {"withdrawn"}


def test_when_every_item_of_a_combined_message_is_withdrawn_the_message_is_too(app, clock):
    from service import cases
    from service.domain.model_types import EventKind

    summary = reminded(app, clock, 2)
    for ref in ("ESCB-2014-001", "ESCB-2014-002"):
        cases.correct_date(app, ref, EventKind.REFERRAL_RECEIVED, date(2014, 5, 9), "bm", "received on the Friday")
    [now] = [r for r in chase_rows(app) if r["id"] == summary["id"]]
    assert now["status"] == "withdrawn" and items_in(app, now) == []


def test_a_combined_message_already_sent_is_left_as_it_went(app, clock):
    from service import cases
    from service.domain.model_types import EventKind
    from service.letters.delivery import deliver_due

    summary = reminded(app, clock, 2)
    deliver_due(app, "w1", limit=100)
    cases.correct_date(app, "ESCB-2014-001", EventKind.REFERRAL_RECEIVED, date(2014, 5, 9), "bm", "received")
    [now] = [r for r in chase_rows(app) if r["id"] == summary["id"]]
    assert now["status"] == "sent" and now["text"] == [r for r in chase_rows(app) if r["id"] == summary["id"]][0]["text"]
    assert len(items_in(app, now)) == 4


def reply(app, summary: dict, body: str, subject: str, n: int = 1) -> dict:
    from email.message import EmailMessage
    from email.utils import format_datetime

    from test_intake_service import drop, inbox_rows

    from service.jobs import read_inbox

    m = EmailMessage()
    m["From"], m["To"], m["Subject"] = CHAIR, BM, subject
    m["Message-ID"] = f"<chase-reply-{n}@enfield.example.org>"
    m["Date"] = format_datetime(app.clock.now())
    m["In-Reply-To"] = m["References"] = summary["message_id"]
    m.set_content(body)
    drop(app, f"chase-reply-{n}.eml", bytes(m))
    read_inbox(app)
    return inbox_rows(app)[-1]


def state(app, ref: str, key: str) -> str:
    from service import cases

    return {d["key"]: d["state"] for d in cases.show(app, ref)["deadlines"]}[key]


def test_done_in_a_reply_to_the_combined_message_naming_one_case_marks_that_deadline_met(app, clock):
    from service.jobs import send_outbox

    summary = reminded(app, clock, 3)
    send_outbox(app)
    clock.set(datetime(2014, 5, 12, 10, 0, tzinfo=LONDON))
    row = reply(app, summary, "done\n\nKind regards\nChair\n\n> " + summary["text"].replace("\n", "\n> "),
                f"RE: [ESCB-2014-002] chair_sqas_discussion {summary['subject']}")
    assert row["status"] == "reply" and "chair_sqas_discussion of ESCB-2014-002 marked done" in row["outcome"]
    assert state(app, "ESCB-2014-002", "chair_sqas_discussion") == "met"
    assert state(app, "ESCB-2014-001", "chair_sqas_discussion") == "open"
    assert state(app, "ESCB-2014-003", "chair_sqas_discussion") == "open"


def test_a_reply_to_the_combined_message_naming_no_case_acts_on_none(app, clock):
    from service.jobs import send_outbox

    summary = reminded(app, clock, 2)
    send_outbox(app)
    clock.set(datetime(2014, 5, 12, 10, 0, tzinfo=LONDON))
    row = reply(app, summary, "done", f"RE: {summary['subject']}")
    assert row["status"] != "reply" or "marked done" not in (row["outcome"] or "")
    assert [state(app, ref, "chair_sqas_discussion") for ref in ("ESCB-2014-001", "ESCB-2014-002")] == ["open"] * 2


def test_a_reply_to_a_combined_message_naming_a_case_it_did_not_list_is_refused(app, clock):
    from service.jobs import send_outbox

    summary = reminded(app, clock, 2)
    referrals(app, 3)  # a third case, not in the Chair's message
    send_outbox(app)
    clock.set(datetime(2014, 5, 12, 10, 0, tzinfo=LONDON))
    row = reply(app, summary, "Decision: no review\nNot needed.", f"RE: [ESCB-2014-003] {summary['subject']}")
    assert row["status"] == "refused" and "does not reply to a message the service sent" in row["outcome"]


def test_done_naming_a_case_with_two_deadlines_in_the_message_but_not_which_is_not_guessed(app, clock):
    from service.jobs import send_outbox

    summary = reminded(app, clock, 2)  # each case's discussion and Ofsted notification
    send_outbox(app)
    clock.set(datetime(2014, 5, 12, 10, 0, tzinfo=LONDON))
    row = reply(app, summary, "done", f"RE: [ESCB-2014-002] {summary['subject']}")
    assert "marked done" not in (row["outcome"] or "")
    assert [state(app, "ESCB-2014-002", k) for k in ("chair_sqas_discussion", "ofsted_incident_notification")] \
        == ["open", "open"]
    row = reply(app, summary, "done", "RE: [ESCB-2014-002] ofsted_incident_notification", n=2)
    assert "ofsted_incident_notification of ESCB-2014-002 marked done" in row["outcome"]
    assert state(app, "ESCB-2014-002", "chair_sqas_discussion") == "open"


def test_a_deadline_extended_before_the_combined_message_goes_is_taken_out_of_it(app, clock):
    from service import cases

    summary = reminded(app, clock, 2)
    cases.extend(app, "ESCB-2014-001", "chair_sqas_discussion", date(2014, 5, 20), "the Chair is away", "bm")
    rows = {r["id"]: r for r in chase_rows(app)}
    gone = [r for r in rows.values() if r["key"].startswith("ESCB-2014-001/chair_sqas_discussion/")]
    # The Chair's item and the Head of SQAS's, each in that person's combined message.
    assert sorted(r["to"][0] for r in gone) == [CHAIR, SQAS] and {r["status"] for r in gone} == {"withdrawn"}
    now = rows[summary["id"]]
    assert now["status"] == "queued" and len(items_in(app, now)) == 3
    assert "review-clerk deadline done ESCB-2014-001 chair_sqas_discussion" not in now["text"]
    assert "ESCB-2014-001" in now["text"]  # its Ofsted notification is still due as it was
    with app.db.unit_of_work() as uow:
        audit = [e for e in uow.audit.for_case(uow.cases.id_of("ESCB-2014-001")) if e.action.endswith("withdrawn")]
    assert [e.action for e in audit] == ["combined reminder withdrawn"] * 2
    assert all("changed or met" in e.detail["why"] for e in audit)


def test_a_reminder_queued_alone_is_withdrawn_when_its_deadline_is_met_before_it_goes(app, clock):
    from service import cases

    ref, [alone] = one_reminded(app, clock)
    assert alone["status"] == "queued"
    cases.mark_done(app, ref, "chair_sqas_discussion", date(2014, 5, 12), "bm")
    [now] = [r for r in chase_rows(app) if r["id"] == alone["id"]]
    assert now["status"] == "withdrawn" and "~withdrawn-" in now["key"]
    with app.db.unit_of_work() as uow:
        actions = [e.action for e in uow.audit.for_case(uow.cases.id_of(ref))]
    assert actions.count("reminder withdrawn") == 1
    others = [r for r in chase_rows(app) if r["status"] == "queued"]
    assert others and not any("/chair_sqas_discussion/" in r["key"] for r in others)
