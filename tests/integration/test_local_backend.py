"""The local folder backend: inbox files, idempotent sends, drafts, .ics invites and free/busy."""

import email
import email.policy
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from icalendar import Calendar

from service.mailbox.local import LocalCalendar, LocalMailbox
from service.mailbox.ports import Attendee, Disposition, DraftState, EventSpec, OutgoingMessage

LONDON = ZoneInfo("Europe/London")


def message(key="ESCB-2014-001/acknowledgement") -> OutgoingMessage:
    return OutgoingMessage(key=key, sender="board@example.org", to=("a@example.org",), subject="[ESCB-2014-001] Hi",
                           text="plain", html="<p>html</p>", headers={"Auto-Submitted": "auto-replied"})


def test_inbox_files_are_read_and_filed_by_outcome(tmp_path):
    box = LocalMailbox(tmp_path)
    (box.inbox / "a.eml").write_bytes(b"Message-ID: <1@x>\r\nSubject: hi\r\n\r\nbody")
    batch = box.read_new(None)
    assert [m.internet_message_id for m in batch.messages] == ["<1@x>"]
    box.mark_handled(batch.messages[0].id, Disposition.QUARANTINE)
    box.mark_handled(batch.messages[0].id, Disposition.QUARANTINE)  # idempotent
    assert (tmp_path / "mail" / "quarantine" / "a.eml").exists()
    assert box.read_new(None).messages == []


def test_a_new_file_reusing_a_name_is_a_new_message(tmp_path):
    box = LocalMailbox(tmp_path)
    (box.inbox / "a.eml").write_bytes(b"Subject: one\r\n\r\n1")
    first = box.read_new(None).messages[0].id
    (box.inbox / "a.eml").write_bytes(b"Subject: two\r\n\r\n2")
    assert box.read_new(None).messages[0].id != first


def test_sending_the_same_key_twice_writes_one_message(tmp_path):
    box = LocalMailbox(tmp_path)
    assert not box.send(message()).already_sent
    assert box.send(message()).already_sent
    files = list((tmp_path / "mail" / "sent").glob("*.eml"))
    assert len(files) == 1
    m = email.message_from_bytes(files[0].read_bytes(), policy=email.policy.default)
    assert m["X-Review-Clerk-Key"] == "ESCB-2014-001/acknowledgement"
    assert m["Auto-Submitted"] == "auto-replied"
    assert m.get_body(("html",)).get_content().strip() == "<p>html</p>"


def test_a_draft_left_for_review_is_seen_as_sent_once_moved_to_sent(tmp_path):
    box = LocalMailbox(tmp_path)
    pid = box.create_draft(message(), "chair@example.org")
    assert box.draft_state(message().key, pid) is DraftState.DRAFT
    draft = tmp_path / "mail" / pid
    draft.rename(tmp_path / "mail" / "sent" / draft.name)
    assert box.draft_state(message().key, pid) is DraftState.SENT


def spec(start: datetime, seq=0) -> EventSpec:
    return EventSpec(key="ESCB-2014-001-extraordinary@review-clerk", organizer="bm@example.org",
                     subject="[ESCB-2014-001] Extraordinary SCR panel meeting", body_text="Agenda: 1. Case",
                     start=start, end=start + timedelta(hours=2),
                     attendees=(Attendee("doc@nhs.example.org", "Doctor"), Attendee("opt@x.org", required=False)),
                     location="Civic Centre", sequence=seq)


def test_invites_are_rfc5545_files_updated_in_place_and_cancelled(tmp_path):
    cal = LocalCalendar(tmp_path, LONDON)
    start = datetime(2014, 5, 20, 10, tzinfo=LONDON)
    cal.upsert_event(spec(start))
    cal.upsert_event(spec(start + timedelta(days=1), seq=1))
    files = list((tmp_path / "calendar").glob("*.ics"))
    assert len(files) == 1
    parsed = Calendar.from_ical(files[0].read_bytes())
    ev = next(iter(parsed.walk("VEVENT")))
    assert str(parsed["method"]) == "REQUEST" and int(ev["sequence"]) == 1
    assert ev.decoded("dtstart") == start + timedelta(days=1)
    cal.cancel_event(spec(start, seq=2), None, "no longer needed")
    assert str(Calendar.from_ical(files[0].read_bytes())["method"]) == "CANCEL"


def test_free_busy_comes_from_the_calendar_folder(tmp_path):
    cal = LocalCalendar(tmp_path, LONDON)
    start = datetime(2014, 5, 20, 10, tzinfo=LONDON)
    cal.upsert_event(spec(start))
    busy = cal.free_busy(["DOC@nhs.example.org", "free@x.org"], start - timedelta(days=1), start + timedelta(days=1))
    assert busy["free@x.org"] == []
    assert busy["doc@nhs.example.org"][0].start == start.astimezone(timezone.utc)
