"""JSON batching against the in-process fake Graph: fewer round trips, the same exactly-once sending.

The fake answers ``POST /$batch`` as Microsoft documents it (answers in any order, a 429 with its own
Retry-After per request, 424 for a request whose ``dependsOn`` failed, more than 4 requests that
could run at once against one mailbox throttled) and logs every request inside a batch on its own.
"""

from __future__ import annotations

import random

import pytest
from fake_graph import FakeGraph
from graph_stubs import FakeClock

from service.config import Graph
from service.m365 import build_graph_backend
from service.m365 import batch
from service.m365.batch import BatchRequest
from service.mailbox.ports import Disposition, OutgoingMessage, SendReceipt, TransportError

BOARD = "board@lscb.example.org"


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def fake(clock, monkeypatch):
    with FakeGraph(clock=clock, token_lifetime=3600) as graph:
        monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(graph.ca_file))
        graph.box(BOARD)
        yield graph


def backend(fake: FakeGraph, clock: FakeClock):
    settings = Graph(tenant_id=fake.tenant, client_id=fake.client_id, client_secret=fake.client_secret,
                     endpoint=fake.endpoint, authority=fake.authority, timeout_seconds=5)
    return build_graph_backend(settings, BOARD, clock=clock, sleep=clock.sleep, rng=random.Random(5))


def mime(n: int) -> bytes:
    return f"From: sw{n}@agency.example\r\nSubject: Referral {n}\r\nMessage-ID: <b{n}@agency.example>\r\n\r\n{n}\r\n".encode()


def letter(n: int) -> OutgoingMessage:
    return OutgoingMessage(key=f"outbox-{n}", sender=BOARD, to=(f"ceo{n}@agency.example",), subject="Notice",
                           text="Dear colleague", headers={"Auto-Submitted": "auto-generated"}, first_attempt=True)


def keys_sent(fake: FakeGraph) -> list[str]:
    return sorted(m["singleValueExtendedProperties"][0]["value"] for _, m in fake.sent)


def test_twenty_messages_are_sent_with_two_requests_each_in_two_round_trips(fake, clock):
    mailbox, _ = backend(fake, clock)
    mailbox.read_new(None)  # token and folders fetched: count the sending alone
    start = len(fake.log)

    receipts = mailbox.send_many([letter(n) for n in range(20)])

    assert all(isinstance(r, SendReceipt) and not r.already_sent for r in receipts)
    assert keys_sent(fake) == sorted(f"outbox-{n}" for n in range(20))
    by = fake.requests_by(start)
    assert by == {("POST", "/v1.0/users/{mailbox}/messages"): 20,
                  ("POST", "/v1.0/users/{mailbox}/messages/{draft}/send"): 20,
                  ("POST", "/v1.0/$batch"): 2}
    assert fake.batch_round_trips(start) == 2


def test_a_batch_runs_at_most_four_requests_at_once_against_a_mailbox(fake, clock):
    mailbox, _ = backend(fake, clock)
    ids = [fake.deliver(BOARD, mime(n)) for n in range(20)]

    read = mailbox.read_new(None)

    assert sorted(m.id for m in read.messages) == sorted(ids)
    # The fake throttles a fifth request that could run at once: none was, so no request went twice.
    assert fake.calls("GET", r"/\$value$") == 20 and fake.batches == [20]
    assert not any(status == 429 for _, _, status in fake.log)


def test_the_fake_throttles_a_batch_of_more_than_four_independent_requests_to_one_mailbox(fake, clock):
    mailbox, _ = backend(fake, clock)
    ids = [fake.deliver(BOARD, mime(n)) for n in range(6)]
    http = mailbox._http
    mailbox.read_new(None)
    # Without lanes (every request independent), as a careless client would send it:
    body = http.json("POST", "$batch", json={"requests": [
        {"id": str(n), "method": "GET", "url": f"/users/{BOARD}/messages/{mid}/$value"} for n, mid in enumerate(ids)]})
    statuses = sorted(r["status"] for r in body["responses"])
    assert statuses == [200, 200, 200, 200, 429, 429]
    assert all(r["headers"].get("Retry-After") for r in body["responses"] if r["status"] == 429)


def test_a_per_request_429_is_retried_alone_after_its_retry_after(fake, clock):
    mailbox, _ = backend(fake, clock)
    ids = [fake.deliver(BOARD, mime(n)) for n in range(3)]
    fake.inject("GET", rf"/messages/{ids[1]}/\$value$", status=429, retry_after=6)

    read = mailbox.read_new(None)

    assert sorted(m.raw for m in read.messages) == sorted(mime(n) for n in range(3))
    assert 6.0 in clock.sleeps  # waited for that request's own Retry-After, then sent it alone
    assert fake.batches == [3, 1]
    assert fake.calls("GET", rf"/messages/{ids[0]}/\$value$") == 1  # the others were not repeated
    assert fake.calls("GET", rf"/messages/{ids[1]}/\$value$") == 2


def test_a_request_after_one_that_failed_answers_424_and_is_not_run(fake, clock):
    mailbox, _ = backend(fake, clock)
    mailbox.read_new(None)
    gone = "msg-does-not-exist"
    answers = batch.run(mailbox._http, [
        BatchRequest("PATCH", f"users/{BOARD}/messages/{gone}", body={"categories": ["x"]}),
        BatchRequest("POST", f"users/{BOARD}/messages/{gone}/move", body={"destinationId": "inbox"},
                     replay_safe=True),
    ], mailbox=BOARD, groups=[[0, 1]])
    assert [a.status for a in answers] == [404, 424]
    assert fake.calls("POST", r"/move$") == 1  # logged as answered 424, never handled
    assert next(s for m, p, s in fake.log if p.endswith("/move")) == 424


def test_filing_many_sets_categories_and_moves_each_in_one_round_trip(fake, clock):
    mailbox, _ = backend(fake, clock)
    ids = [fake.deliver(BOARD, mime(n)) for n in range(5)]
    mailbox.read_new(None)
    mailbox.folders(BOARD).resolve("Review Clerk/Processed", create=True)
    mailbox.folders(BOARD).resolve("Review Clerk/Quarantine", create=True)
    start = len(fake.log)

    errors = mailbox.mark_handled_many([(i, Disposition.PROCESSED, "Review Clerk: duplicate") for i in ids[:3]]
                                       + [(i, Disposition.QUARANTINE, None) for i in ids[3:]])

    assert errors == [None] * 5
    box = fake.box(BOARD)
    folder = {f["displayName"]: f["id"] for f in box.folders.values()}
    assert [box.messages[i]["parentFolderId"] for i in ids] == [folder["Processed"]] * 3 + [folder["Quarantine"]] * 2
    assert [box.messages[i]["categories"] for i in ids] == [["Review Clerk: duplicate"]] * 3 + [[]] * 2
    assert fake.batch_round_trips(start) == 1 and len(fake.log) - start == 3 + 5 + 1  # 3 PATCH, 5 moves, batch


def test_a_lost_batch_answer_after_the_sends_ends_with_each_message_sent_once(fake, clock):
    mailbox, _ = backend(fake, clock)
    mailbox.read_new(None)
    # The send batch is handled, then its connection drops: the answers are lost.
    fake.inject("POST", r"/messages/[^/]+/send$", reset=True, after=True)

    receipts = mailbox.send_many([letter(n) for n in range(5)])

    assert all(isinstance(r, SendReceipt) for r in receipts)
    assert keys_sent(fake) == [f"outbox-{n}" for n in range(5)]  # once each: found by key, not sent again
    assert all(r.already_sent for r in receipts)


def test_a_batch_dropped_before_the_drafts_are_made_creates_and_sends_each_once(fake, clock):
    mailbox, _ = backend(fake, clock)
    mailbox.read_new(None)
    fake.inject("POST", r"/users/[^/]+/messages$", reset=True)  # the create batch never arrives

    receipts = mailbox.send_many([letter(n) for n in range(4)])

    assert all(isinstance(r, SendReceipt) and not r.already_sent for r in receipts)
    assert keys_sent(fake) == [f"outbox-{n}" for n in range(4)]
    drafts_left = [m for m in fake.box(BOARD).messages.values() if m["isDraft"]]
    assert drafts_left == []


def test_a_lost_answer_to_the_create_batch_does_not_make_a_second_draft(fake, clock):
    mailbox, _ = backend(fake, clock)
    mailbox.read_new(None)
    fake.inject("POST", r"/users/[^/]+/messages$", reset=True, after=True)  # drafts made, answers lost

    receipts = mailbox.send_many([letter(n) for n in range(3)])

    assert all(isinstance(r, SendReceipt) for r in receipts)
    assert keys_sent(fake) == [f"outbox-{n}" for n in range(3)]
    assert len(fake.box(BOARD).messages) == 3  # the drafts found by key were sent; none made twice


def test_a_throttled_send_inside_a_batch_waits_and_goes_once(fake, clock):
    mailbox, _ = backend(fake, clock)
    mailbox.read_new(None)
    fake.inject("POST", r"/messages/[^/]+/send$", status=429, retry_after=9, skip=2)

    receipts = mailbox.send_many([letter(n) for n in range(4)])

    assert all(isinstance(r, SendReceipt) for r in receipts)
    assert keys_sent(fake) == [f"outbox-{n}" for n in range(4)]
    assert 9.0 in clock.sleeps


def test_a_message_refused_by_graph_fails_alone_and_the_rest_go(fake, clock):
    mailbox, _ = backend(fake, clock)
    mailbox.read_new(None)
    fake.inject("POST", r"/users/[^/]+/messages$", status=400, skip=1,  # Graph refuses the second draft
                body={"error": {"code": "ErrorInvalidRequest", "message": "refused"}})

    results = mailbox.send_many([letter(0), letter(1), letter(2)])

    assert isinstance(results[0], SendReceipt) and isinstance(results[2], SendReceipt)
    assert isinstance(results[1], TransportError) and results[1].permanent
    assert keys_sent(fake) == ["outbox-0", "outbox-2"]


def test_responses_of_many_meetings_are_read_in_one_round_trip(fake, clock):
    from datetime import datetime, timezone

    from service.mailbox.ports import Attendee, EventSpec

    _, calendar = backend(fake, clock)
    specs = [EventSpec(key=f"panel-{n}", organizer=BOARD, subject="Panel", body_text="Panel meeting.",
                       start=datetime(2026, 2, 3, 10 + n % 5, tzinfo=timezone.utc),
                       end=datetime(2026, 2, 3, 11 + n % 5, tzinfo=timezone.utc),
                       attendees=(Attendee(f"police{n}@agency.example"),)) for n in range(8)]
    refs = [calendar.upsert_event(s) for s in specs]
    fake.set_response(BOARD, refs[3].provider_id, "police3@agency.example", "declined")
    start = len(fake.log)

    found = calendar.responses_many([(s, r.provider_id) for s, r in zip(specs, refs)])

    assert found[3]["police3@agency.example"].value == "declined"
    assert all(f[f"police{n}@agency.example"].value == "none" for n, f in enumerate(found) if n != 3)
    assert fake.batch_round_trips(start) == 1 and fake.calls("GET", r"/events/") == 8


def test_an_attachment_over_graphs_limit_fails_its_message_alone(fake, clock):
    from service.mailbox.ports import Attachment

    mailbox, _ = backend(fake, clock)
    mailbox.read_new(None)
    huge = OutgoingMessage(**{**letter(1).__dict__, "attachments": (
        Attachment("huge.bin", "application/octet-stream", bytes(151 * 1024 * 1024)),)})

    results = mailbox.send_many([letter(0), huge, letter(2)])

    assert isinstance(results[1], TransportError) and results[1].permanent
    assert keys_sent(fake) == ["outbox-0", "outbox-2"]
