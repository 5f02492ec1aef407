"""End to end over TLS against the in-process fake Graph (tests/m365/fake_graph.py).

One flow through the real HTTP stack (requests, msal, TLS trust from
REQUESTS_CA_BUNDLE), with throttling, resets, 503s and a token expiring
mid-run injected, ending with everything done exactly once.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone

import certifi
import pytest
from graph_stubs import FakeClock
from fake_graph import FakeGraph

from service.config import Graph
from service.m365 import build_graph_backend, run_doctor
from service.mailbox.ports import (
    Attachment,
    Attendee,
    Disposition,
    DraftState,
    EventSpec,
    OutgoingMessage,
    TransportError,
)

BOARD = "board@lscb.example.org"
REVIEWER = "head.sqas@lscb.example.org"


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def fake(clock, monkeypatch):
    with FakeGraph(clock=clock, token_lifetime=900) as graph:
        monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(graph.ca_file))
        graph.box(BOARD)
        graph.box(REVIEWER)
        yield graph


def settings(fake: FakeGraph, **overrides) -> Graph:
    values = dict(tenant_id=fake.tenant, client_id=fake.client_id, client_secret=fake.client_secret,
                  endpoint=fake.endpoint, authority=fake.authority, timeout_seconds=5)
    values.update(overrides)
    return Graph(**values)


def backend(fake: FakeGraph, clock: FakeClock):
    """A fresh backend, as after a process restart."""
    return build_graph_backend(settings(fake), BOARD, clock=clock, sleep=clock.sleep, rng=random.Random(11))


def mime(n: int) -> bytes:
    return (f"From: sw{n}@agency.example\r\nTo: {BOARD}\r\nSubject: Referral {n}\r\n"
            f"Message-ID: <ref{n}@agency.example>\r\n\r\nReferral body {n}\r\n").encode()


def letter(key: str, attachments=()) -> OutgoingMessage:
    return OutgoingMessage(key=key, sender=BOARD, to=("ceo@agency.example",), subject="Notice of rapid review",
                           text="Dear colleague", html="<p>Dear colleague</p>", attachments=attachments,
                           headers={"Auto-Submitted": "auto-generated"})


def test_read_file_send_and_meet_through_throttling_resets_and_token_expiry(fake, clock):
    mailbox, calendar = backend(fake, clock)
    first = fake.deliver(BOARD, mime(1))
    second = fake.deliver(BOARD, mime(2))
    fake.inject("GET", r"/messages/delta$", status=429, retry_after=4, times=2)
    fake.inject("GET", r"/\$value$", reset=True)

    batch = mailbox.read_new(None)

    assert sorted(m.id for m in batch.messages) == sorted([first, second])
    assert {m.raw for m in batch.messages} == {mime(1), mime(2)}
    assert clock.sleeps[:2] == [4.0, 4.0]

    # File both; the category and the move are idempotent.
    for m in batch.messages:
        mailbox.mark_handled(m.id, Disposition.PROCESSED, category="Referral")
    mailbox.mark_handled(first, Disposition.PROCESSED, category="Referral")
    box = fake.box(BOARD)
    processed = [f["id"] for f in box.folders.values() if f["displayName"] == "Processed"]
    assert len(processed) == 1
    assert all(box.messages[i]["parentFolderId"] == processed[0] for i in (first, second))
    assert box.messages[first]["categories"] == ["Referral"]

    # The token runs out (900 s lifetime) before the letter goes: a new one is fetched first.
    tokens_before = fake.token_requests
    clock.advance(800)
    big = Attachment("chronology.pdf", "application/pdf", b"%PDF" + bytes(4 * 1024 * 1024))
    small = Attachment("notice.pdf", "application/pdf", b"%PDF small")
    fake.inject("POST", r"/messages/[^/]+/send$", status=429, retry_after=3, times=2)
    fake.inject("PUT", r"^/upload/", status=503, retry_after=1)

    receipt = mailbox.send(letter("outbox-1", (small, big)))

    assert fake.token_requests == tokens_before + 1
    assert [addr for addr, _ in fake.sent] == [BOARD]
    sent = fake.sent[0][1]
    assert sorted(a["name"] for a in sent["attachments"]) == ["chronology.pdf", "notice.pdf"]
    assert next(a for a in sent["attachments"] if a["name"] == "chronology.pdf")["size"] == len(big.data)
    assert {h["name"] for h in sent["internetMessageHeaders"]} == {"X-Review-Clerk-Key",
                                                                   "X-Review-Clerk-Auto-Submitted"}
    assert mailbox.send(letter("outbox-1", (small, big))).already_sent  # a retry by the outbox
    assert len(fake.sent) == 1 and receipt.provider_id == sent["id"]

    # A panel meeting: 503 then created once, with a Teams link; a repeat is a no-op.
    fake.inject("POST", r"/events$", status=503, retry_after=2)
    spec = EventSpec(key="panel-ESCB-2026-001", organizer=BOARD, subject="Rapid review panel",
                     body_text="Panel meeting.", start=datetime(2026, 2, 3, 10, tzinfo=timezone.utc),
                     end=datetime(2026, 2, 3, 11, tzinfo=timezone.utc),
                     attendees=(Attendee("police@agency.example"), Attendee(REVIEWER, required=False)))
    ref = calendar.upsert_event(spec)
    again = calendar.upsert_event(spec, ref.provider_id)
    assert again == ref and ref.online_meeting_url.startswith("https://teams.example.test/")
    events = fake.box(BOARD).events
    assert list(events) == [ref.provider_id] and events[ref.provider_id]["isOnlineMeeting"] is True
    assert events[ref.provider_id]["start"] == {"dateTime": "2026-02-03T10:00:00", "timeZone": "GMT Standard Time"}
    assert "_updates" not in events[ref.provider_id]  # no update notice sent to attendees

    fake.set_response(BOARD, ref.provider_id, "police@agency.example", "accepted")
    assert calendar.responses(spec, ref.provider_id)["police@agency.example"].value == "accepted"

    day = datetime(2026, 2, 3, tzinfo=timezone.utc)
    fake.set_busy("police@agency.example", [(day + timedelta(hours=9), day + timedelta(hours=10), "busy")])
    busy = calendar.free_busy(["police@agency.example", "stranger@elsewhere.example"], day, day + timedelta(days=1))
    assert [(b.start.hour, b.end.hour) for b in busy["police@agency.example"]] == [(9, 10)]
    assert busy["stranger@elsewhere.example"] == []

    calendar.cancel_event(spec, ref.provider_id, "Rescheduled")
    calendar.cancel_event(spec, ref.provider_id, "Rescheduled")
    assert fake.box(BOARD).cancelled[ref.provider_id]["_cancel_comment"] == "Rescheduled"


def test_a_restart_resumes_from_the_cursor_and_an_expired_token_forces_a_full_resync(fake, clock):
    mailbox, _ = backend(fake, clock)
    for n in range(3):
        fake.deliver(BOARD, mime(n))
    first = mailbox.read_new(None)
    assert len(first.messages) == 3
    mailbox.mark_handled(first.messages[0].id, Disposition.NOT_REFERRAL)

    newest = fake.deliver(BOARD, mime(9))
    restarted, _ = backend(fake, clock)
    resumed = restarted.read_new(first.cursor)
    assert [m.id for m in resumed.messages] == [newest]  # nothing old re-read; the moved one is "@removed"

    fake.expire_delta_tokens(BOARD)
    resynced = restarted.read_new(resumed.cursor)
    # Everything still in the inbox comes again; the service de-duplicates by id / internetMessageId.
    assert sorted(m.id for m in resynced.messages) == sorted([m.id for m in first.messages[1:]] + [newest])


def test_a_crash_after_the_draft_and_one_after_the_send_each_end_with_one_message(fake, clock):
    mailbox, _ = backend(fake, clock)
    # Crash 1: the draft exists, the process dies before sending (the send never arrives).
    fake.inject("POST", r"/messages/[^/]+/send$", reset=True, times=10)
    with pytest.raises(TransportError):
        mailbox.send(letter("outbox-7"))
    fake.faults.clear()
    assert fake.sent == []
    restarted, _ = backend(fake, clock)
    assert not restarted.send(letter("outbox-7")).already_sent
    assert len(fake.sent) == 1

    # Crash 2: the send went through, but its answer was lost and the process died.
    fake.inject("POST", r"/messages/[^/]+/send$", after=True, reset=True)
    fake.inject("GET", r"/messages/[^/]+$", reset=True, times=10)  # and the check after it failed too
    with pytest.raises(TransportError):
        restarted.send(letter("outbox-8"))
    fake.faults.clear()
    assert len(fake.sent) == 2
    again, _ = backend(fake, clock)
    assert again.send(letter("outbox-8")).already_sent
    assert [m["singleValueExtendedProperties"][0]["value"] for _, m in fake.sent] == ["outbox-7", "outbox-8"]


def test_a_review_draft_is_seen_as_draft_then_sent(fake, clock):
    mailbox, _ = backend(fake, clock)
    provider_id = mailbox.create_draft(letter("review-3"), REVIEWER)
    assert mailbox.create_draft(letter("review-3"), REVIEWER) == provider_id
    assert mailbox.draft_state("review-3", provider_id) is DraftState.DRAFT

    graph_id = provider_id.split("|")[0]
    fake.box(REVIEWER).messages[graph_id].update(isDraft=False)  # the reviewer pressed Send in Outlook
    assert mailbox.draft_state("review-3", provider_id) is DraftState.SENT


def test_the_doctor_passes_against_the_fake(fake, clock):
    checks = run_doctor(settings(fake, secret_expires="2027-01-01"), BOARD, clock=clock, sleep=clock.sleep)
    failing = [(c.name, c.detail) for c in checks if not c.ok]
    # The fake's Date header is real time while the test clock is 2026-01-01: only the clock check differs.
    assert [name for name, _ in failing] in ([], ["clock"])
    assert {c.name for c in checks} >= {"token", "permissions", "mailbox", "drafts", "calendar"}


def test_an_untrusted_tls_certificate_is_a_permanent_error_with_a_fix(fake, clock, monkeypatch):
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", certifi.where())  # public roots only: the fake is not trusted
    mailbox, _ = backend(fake, clock)
    with pytest.raises(TransportError) as info:
        mailbox.read_new(None)
    assert info.value.permanent and "REQUESTS_CA_BUNDLE" in str(info.value)
    assert clock.sleeps == []  # not retried


@pytest.mark.parametrize("lost_chunk", [0, 1], ids=["first-chunk", "last-chunk"])
def test_a_lost_upload_answer_never_attaches_the_file_twice(fake, clock, lost_chunk):
    mailbox, _ = backend(fake, clock)
    big = Attachment("minutes.docx", "application/octet-stream", bytes(range(256)) * (16 * 1024))  # 4 MiB
    fake.inject("PUT", r"^/upload/", reset=True, after=True, skip=lost_chunk)

    mailbox.send(letter("outbox-9", (big,)))

    (_, sent), = fake.sent
    assert [(a["name"], a["size"]) for a in sent["attachments"]] == [("minutes.docx", len(big.data))]
