"""GraphMailbox against stubbed Graph answers (``responses``): the call shapes and the failure paths."""

from __future__ import annotations

import base64
import logging

import pytest
import requests
import responses
from graph_stubs import ENDPOINT, MAILBOX, G, body_of, graph_calls, query_of

from service.m365.message_json import KEY_PROPERTY_ID
from service.mailbox.ports import Attachment, Disposition, DraftState, OutgoingMessage, TransportError

DELTA = f"{G}/mailFolders/inbox-id/messages/delta"
MIME = b"From: sw@agency.example\r\nSubject: Referral\r\nMessage-ID: <r1@agency.example>\r\n\r\nPlease review.\r\n"


def entry(mid: str, *, draft: bool = False) -> dict:
    return {"@odata.type": "#microsoft.graph.message", "id": mid, "internetMessageId": f"<{mid}@agency.example>",
            "receivedDateTime": "2026-01-05T09:30:00Z", "isDraft": draft}


def letter(**overrides) -> OutgoingMessage:
    values = dict(key="outbox-42", sender=MAILBOX, to=("chief.exec@agency.example",), subject="Rapid review notice",
                  text="Plain text", html="<p>HTML</p>", cc=("chair@lscb.example.org",),
                  reply_to=(MAILBOX,), headers={"Auto-Submitted": "auto-generated", "X-Auto-Response-Suppress": "All"},
                  message_id="<letter-42@lscb.example.org>", in_reply_to="<r1@agency.example>",
                  references=("<r0@agency.example>", "<r1@agency.example>"))
    values.update(overrides)
    return OutgoingMessage(**values)


def stub_inbox(rsps):
    rsps.add(responses.GET, f"{G}/mailFolders/inbox", json={"id": "inbox-id", "displayName": "Inbox"})


# Reading ------------------------------------------------------------------------

def test_it_reads_new_messages_with_a_delta_query_and_returns_their_raw_mime(rsps, make_backend):
    mailbox, _ = make_backend()
    stub_inbox(rsps)
    rsps.add(responses.GET, DELTA, json={"value": [entry("m1")], "@odata.deltaLink": f"{DELTA}?$deltatoken=t1"})
    rsps.add(responses.GET, f"{G}/messages/m1/$value", body=MIME, content_type="message/rfc822")

    batch = mailbox.read_new(None)

    assert [(m.id, m.raw, m.internet_message_id) for m in batch.messages] == [("m1", MIME, "<m1@agency.example>")]
    assert batch.messages[0].received_at.isoformat() == "2026-01-05T09:30:00+00:00"
    assert batch.cursor == f"{DELTA}?$deltatoken=t1"
    assert graph_calls(rsps) == [
        ("GET", f"users/{MAILBOX}/mailFolders/inbox"),
        ("GET", f"users/{MAILBOX}/mailFolders/inbox-id/messages/delta"),
        ("GET", f"users/{MAILBOX}/messages/m1/$value"),
    ]
    delta_call = rsps.calls[3]
    assert query_of(delta_call) == {"$select": "id,internetMessageId,receivedDateTime,isDraft"}
    assert delta_call.request.headers["Prefer"] == 'IdType="ImmutableId", odata.maxpagesize=50'
    assert delta_call.request.headers["Authorization"].startswith("Bearer ")


def test_it_follows_next_links_and_skips_removed_entries_and_drafts(rsps, make_backend):
    mailbox, _ = make_backend()
    stub_inbox(rsps)
    rsps.add(responses.GET, DELTA, json={"value": [entry("m1"), entry("d1", draft=True)],
                                         "@odata.nextLink": f"{DELTA}?$skiptoken=p2"})
    rsps.add(responses.GET, DELTA, json={"value": [{"id": "gone", "@removed": {"reason": "deleted"}}, entry("m2")],
                                         "@odata.deltaLink": f"{DELTA}?$deltatoken=t2"})
    for mid in ("m1", "m2"):
        rsps.add(responses.GET, f"{G}/messages/{mid}/$value", body=MIME)

    batch = mailbox.read_new(None)

    assert [m.id for m in batch.messages] == ["m1", "m2"]
    assert batch.cursor.endswith("$deltatoken=t2")
    assert query_of(rsps.calls[4]) == {"$skiptoken": "p2"}


def test_a_restart_resumes_from_the_stored_delta_link(rsps, make_backend):
    mailbox, _ = make_backend()  # a fresh process: no folder ids cached
    stored = f"{DELTA}?$deltatoken=t1"
    rsps.add(responses.GET, DELTA, json={"value": [entry("m3")], "@odata.deltaLink": f"{DELTA}?$deltatoken=t3"})
    rsps.add(responses.GET, f"{G}/messages/m3/$value", body=MIME)

    batch = mailbox.read_new(stored)

    assert [m.id for m in batch.messages] == ["m3"]
    assert batch.cursor.endswith("t3")
    first_graph_call = next(c for c in rsps.calls if c.request.url.startswith(ENDPOINT))
    assert first_graph_call.request.url == stored  # no folder lookup, no full sync


def test_an_expired_delta_token_410_restarts_a_full_sync(rsps, make_backend):
    mailbox, _ = make_backend()
    rsps.add(responses.GET, DELTA, status=410,
             json={"error": {"code": "SyncStateNotFound", "message": "The sync state generation is not found."}})
    stub_inbox(rsps)
    rsps.add(responses.GET, DELTA, json={"value": [entry("m1"), entry("m2")],
                                         "@odata.deltaLink": f"{DELTA}?$deltatoken=fresh"})
    for mid in ("m1", "m2"):
        rsps.add(responses.GET, f"{G}/messages/{mid}/$value", body=MIME)

    batch = mailbox.read_new(f"{DELTA}?$deltatoken=old")

    assert [m.id for m in batch.messages] == ["m1", "m2"]  # the service de-duplicates what it already has
    assert batch.cursor.endswith("fresh")
    assert [c for c in graph_calls(rsps)][:3] == [
        ("GET", f"users/{MAILBOX}/mailFolders/inbox-id/messages/delta"),
        ("GET", f"users/{MAILBOX}/mailFolders/inbox"),
        ("GET", f"users/{MAILBOX}/mailFolders/inbox-id/messages/delta"),
    ]


def test_a_cursor_for_another_host_is_not_followed_and_a_full_sync_starts(rsps, make_backend):
    mailbox, _ = make_backend()
    stub_inbox(rsps)
    rsps.add(responses.GET, DELTA, json={"value": [], "@odata.deltaLink": f"{DELTA}?$deltatoken=t1"})

    batch = mailbox.read_new("https://evil.example/v1.0/users/x/mailFolders/y/messages/delta?$deltatoken=z")

    assert batch.messages == [] and batch.cursor.endswith("t1")
    assert not any("evil.example" in c.request.url for c in rsps.calls)


def test_it_resolves_a_configured_folder_path_below_the_inbox(rsps, make_backend):
    mailbox, _ = make_backend(inbox_folder="Inbox/Referrals")
    stub_inbox(rsps)
    rsps.add(responses.GET, f"{G}/mailFolders/inbox-id/childFolders",
             json={"value": [{"id": "ref-id", "displayName": "Referrals"}]})
    rsps.add(responses.GET, f"{G}/mailFolders/ref-id/messages/delta",
             json={"value": [], "@odata.deltaLink": f"{G}/mailFolders/ref-id/messages/delta?$deltatoken=a"})

    mailbox.read_new(None)

    assert query_of(rsps.calls[3]) == {"$filter": "displayName eq 'Referrals'", "$select": "id,displayName"}


def test_one_batch_is_bounded_and_the_next_link_becomes_the_cursor(rsps, make_backend):
    mailbox, _ = make_backend(batch_limit=1)
    stub_inbox(rsps)
    rsps.add(responses.GET, DELTA, json={"value": [entry("m1")], "@odata.nextLink": f"{DELTA}?$skiptoken=p2"})
    rsps.add(responses.GET, f"{G}/messages/m1/$value", body=MIME)

    batch = mailbox.read_new(None)

    assert [m.id for m in batch.messages] == ["m1"]
    assert batch.cursor == f"{DELTA}?$skiptoken=p2"


def test_a_message_deleted_before_its_mime_is_read_is_skipped(rsps, make_backend):
    mailbox, _ = make_backend()
    stub_inbox(rsps)
    rsps.add(responses.GET, DELTA, json={"value": [entry("m1"), entry("m2")],
                                         "@odata.deltaLink": f"{DELTA}?$deltatoken=t"})
    rsps.add(responses.GET, f"{G}/messages/m1/$value", status=404,
             json={"error": {"code": "ErrorItemNotFound", "message": "The specified object was not found."}})
    rsps.add(responses.GET, f"{G}/messages/m2/$value", body=MIME)

    assert [m.id for m in mailbox.read_new(None).messages] == ["m2"]


def test_it_retries_reads_after_429_honouring_retry_after(rsps, make_backend, clock):
    mailbox, _ = make_backend()
    stub_inbox(rsps)
    for _ in range(3):
        rsps.add(responses.GET, DELTA, status=429, headers={"Retry-After": "7"},
                 json={"error": {"code": "ApplicationThrottled", "message": "Too many requests"}})
    rsps.add(responses.GET, DELTA, json={"value": [entry("m1")], "@odata.deltaLink": f"{DELTA}?$deltatoken=t"})
    rsps.add(responses.GET, f"{G}/messages/m1/$value", status=429, headers={"Retry-After": "2"})
    rsps.add(responses.GET, f"{G}/messages/m1/$value", body=MIME)

    batch = mailbox.read_new(None)

    assert [m.id for m in batch.messages] == ["m1"]
    assert clock.sleeps == [7.0, 7.0, 7.0, 2.0]


def test_it_backs_off_on_503_and_connection_resets_when_reading(rsps, make_backend, clock):
    mailbox, _ = make_backend()
    stub_inbox(rsps)
    rsps.add(responses.GET, DELTA, status=503)
    rsps.add(responses.GET, DELTA, body=requests.exceptions.ConnectionError("Connection reset by peer"))
    rsps.add(responses.GET, DELTA, json={"value": [entry("m1")], "@odata.deltaLink": f"{DELTA}?$deltatoken=t"})
    rsps.add(responses.GET, f"{G}/messages/m1/$value", body=requests.exceptions.ConnectionError("reset"))
    rsps.add(responses.GET, f"{G}/messages/m1/$value", body=MIME)

    batch = mailbox.read_new(None)

    assert [m.raw for m in batch.messages] == [MIME]
    assert len(clock.sleeps) == 3 and all(0 < s <= 4 for s in clock.sleeps)  # jittered exponential back-off


# Filing -------------------------------------------------------------------------

def test_mark_handled_creates_the_folders_sets_the_category_and_moves_the_message_in_one_batch(
        rsps, make_backend, batches):
    mailbox, _ = make_backend()
    rsps.add(responses.GET, f"{G}/mailFolders", json={"value": []})
    rsps.add(responses.POST, f"{G}/mailFolders", status=201, json={"id": "rc-id", "displayName": "Review Clerk"})
    rsps.add(responses.GET, f"{G}/mailFolders/rc-id/childFolders", json={"value": []})
    rsps.add(responses.POST, f"{G}/mailFolders/rc-id/childFolders", status=201,
             json={"id": "processed-id", "displayName": "Processed"})
    rsps.add(responses.PATCH, f"{G}/messages/m1", json={"id": "m1"})
    rsps.add(responses.POST, f"{G}/messages/m1/move", status=201, json={"id": "m1", "parentFolderId": "processed-id"})

    mailbox.mark_handled("m1", Disposition.PROCESSED, category="Referral ESCB-2026-001")

    calls = graph_calls(rsps)
    assert calls == [
        ("GET", f"users/{MAILBOX}/mailFolders"),
        ("POST", f"users/{MAILBOX}/mailFolders"),
        ("GET", f"users/{MAILBOX}/mailFolders/rc-id/childFolders"),
        ("POST", f"users/{MAILBOX}/mailFolders/rc-id/childFolders"),
        ("PATCH", f"users/{MAILBOX}/messages/m1"),
        ("POST", f"users/{MAILBOX}/messages/m1/move"),
    ]
    graph = [c for c in rsps.calls if c.request.url.startswith(ENDPOINT)]
    assert query_of(graph[0])["$filter"] == "displayName eq 'Review Clerk'"
    assert body_of(graph[1]) == {"displayName": "Review Clerk"}
    assert body_of(graph[3]) == {"displayName": "Processed"}
    # The message is not read first: the category and the move go together, the move after the category.
    assert len(batches.batches) == 1
    patch, move = batches.batches[0]
    assert (patch["method"], patch["url"], patch["body"]) == (
        "PATCH", f"/users/{MAILBOX}/messages/m1", {"categories": ["Referral ESCB-2026-001"]})
    assert (move["method"], move["url"], move["body"]) == (
        "POST", f"/users/{MAILBOX}/messages/m1/move", {"destinationId": "processed-id"})
    assert move["dependsOn"] == [patch["id"]]
    assert patch["headers"]["Prefer"] == 'IdType="ImmutableId"'
    assert patch["headers"]["Content-Type"] == "application/json"


def test_mark_handled_is_idempotent_when_the_message_is_already_filed(rsps, make_backend):
    mailbox, _ = make_backend()
    rsps.add(responses.GET, f"{G}/mailFolders", json={"value": [{"id": "rc-id", "displayName": "Review Clerk"}]})
    rsps.add(responses.GET, f"{G}/mailFolders/rc-id/childFolders",
             json={"value": [{"id": "q-id", "displayName": "Quarantine"}]})
    rsps.add(responses.PATCH, f"{G}/messages/m1", json={"id": "m1", "categories": ["Held"]})
    rsps.add(responses.POST, f"{G}/messages/m1/move", status=201, json={"id": "m1", "parentFolderId": "q-id"})

    mailbox.mark_handled("m1", Disposition.QUARANTINE, category="Held")
    mailbox.mark_handled("m1", Disposition.QUARANTINE, category="Held")

    # Folders once (cached); then the same category and the same move twice: filing again changes nothing.
    assert [m for m, _ in graph_calls(rsps)] == ["GET", "GET", "PATCH", "POST", "PATCH", "POST"]


def test_mark_handled_succeeds_when_the_move_finds_the_message_gone(rsps, make_backend, caplog):
    mailbox, _ = make_backend()
    rsps.add(responses.GET, f"{G}/mailFolders", json={"value": [{"id": "rc-id", "displayName": "Review Clerk"}]})
    rsps.add(responses.GET, f"{G}/mailFolders/rc-id/childFolders",
             json={"value": [{"id": "nr-id", "displayName": "Not a referral"}]})
    rsps.add(responses.POST, f"{G}/messages/m1/move", status=404, json={"error": {"code": "ErrorItemNotFound"}})

    with caplog.at_level(logging.WARNING, logger="review_clerk.m365"):
        mailbox.mark_handled("m1", Disposition.NOT_REFERRAL)  # no exception

    assert graph_calls(rsps) == [
        ("GET", f"users/{MAILBOX}/mailFolders"),
        ("GET", f"users/{MAILBOX}/mailFolders/rc-id/childFolders"),
        ("POST", f"users/{MAILBOX}/messages/m1/move"),  # the move was tried, once, and its 404 taken as done
    ]
    assert body_of([c for c in rsps.calls if c.request.url.startswith(ENDPOINT)][2]) == {"destinationId": "nr-id"}
    assert "no longer in" in caplog.text


# Sending ------------------------------------------------------------------------

def stub_lookup(rsps, *results, mailbox=MAILBOX):
    for value in results:
        rsps.add(responses.GET, f"{ENDPOINT}users/{mailbox}/messages", json={"value": value})


def test_send_looks_up_the_key_creates_a_keyed_draft_and_sends_it(rsps, make_backend):
    mailbox, _ = make_backend()
    stub_lookup(rsps, [])
    rsps.add(responses.POST, f"{G}/messages", status=201, json={"id": "draft-1", "isDraft": True})
    rsps.add(responses.POST, f"{G}/messages/draft-1/send", status=202)
    att = Attachment("notice.pdf", "application/pdf", b"%PDF-1.7 small")

    receipt = mailbox.send(letter(attachments=(att,)))

    assert receipt.provider_id == "draft-1" and not receipt.already_sent
    assert graph_calls(rsps) == [("GET", f"users/{MAILBOX}/messages"), ("POST", f"users/{MAILBOX}/messages"),
                                 ("POST", f"users/{MAILBOX}/messages/draft-1/send")]
    graph = [c for c in rsps.calls if c.request.url.startswith(ENDPOINT)]
    assert query_of(graph[0]) == {
        "$filter": f"singleValueExtendedProperties/Any(ep: ep/id eq '{KEY_PROPERTY_ID}' and ep/value eq 'outbox-42')",
        "$select": "id,isDraft,parentFolderId,createdDateTime", "$top": "10"}
    draft = body_of(graph[1])
    assert draft["subject"] == "Rapid review notice"
    assert draft["body"] == {"contentType": "HTML", "content": "<p>HTML</p>"}
    assert draft["toRecipients"] == [{"emailAddress": {"address": "chief.exec@agency.example"}}]
    assert draft["ccRecipients"] == [{"emailAddress": {"address": "chair@lscb.example.org"}}]
    assert draft["replyTo"] == [{"emailAddress": {"address": MAILBOX}}]
    assert draft["internetMessageId"] == "<letter-42@lscb.example.org>"
    assert draft["singleValueExtendedProperties"] == [{"id": KEY_PROPERTY_ID, "value": "outbox-42"}]
    assert draft["internetMessageHeaders"] == [
        {"name": "X-Review-Clerk-Key", "value": "outbox-42"},
        {"name": "X-Review-Clerk-In-Reply-To", "value": "<r1@agency.example>"},
        {"name": "X-Review-Clerk-References", "value": "<r0@agency.example> <r1@agency.example>"},
        {"name": "X-Review-Clerk-Auto-Submitted", "value": "auto-generated"},
        {"name": "X-Auto-Response-Suppress", "value": "All"},
    ]
    assert draft["attachments"] == [{"@odata.type": "#microsoft.graph.fileAttachment", "name": "notice.pdf",
                                     "contentType": "application/pdf",
                                     "contentBytes": base64.b64encode(b"%PDF-1.7 small").decode()}]
    assert graph[2].request.body in (None, b"", "")


def test_a_plain_text_letter_goes_as_text_and_extra_headers_beyond_five_are_dropped(rsps, make_backend, caplog):
    mailbox, _ = make_backend()
    stub_lookup(rsps, [])
    rsps.add(responses.POST, f"{G}/messages", status=201, json={"id": "draft-1"})
    rsps.add(responses.POST, f"{G}/messages/draft-1/send", status=202)
    headers = {f"X-Extra-{n}": "v" for n in range(6)}

    with caplog.at_level(logging.WARNING, logger="review_clerk.m365"):
        mailbox.send(letter(html=None, headers=headers, in_reply_to=None, references=()))

    draft = body_of(rsps.calls[3])
    assert draft["body"] == {"contentType": "Text", "content": "Plain text"}
    assert [h["name"] for h in draft["internetMessageHeaders"]] == [
        "X-Review-Clerk-Key", "X-Extra-0", "X-Extra-1", "X-Extra-2", "X-Extra-3"]
    assert "X-Extra-4, X-Extra-5" in caplog.text


def test_send_after_a_crash_that_left_the_draft_unsent_sends_that_draft_once(rsps, make_backend):
    mailbox, _ = make_backend()
    stub_lookup(rsps, [{"id": "draft-1", "isDraft": True, "parentFolderId": "drafts"}])
    rsps.add(responses.POST, f"{G}/messages/draft-1/send", status=202)

    receipt = mailbox.send(letter())

    assert receipt.provider_id == "draft-1" and not receipt.already_sent
    assert [m for m, _ in graph_calls(rsps)] == ["GET", "POST"]  # no second draft


def test_send_after_a_crash_after_sending_reports_already_sent_and_sends_nothing(rsps, make_backend):
    mailbox, _ = make_backend()
    stub_lookup(rsps, [{"id": "draft-1", "isDraft": False, "parentFolderId": "sentitems"}])

    receipt = mailbox.send(letter())

    assert receipt.provider_id == "draft-1" and receipt.already_sent
    assert graph_calls(rsps) == [("GET", f"users/{MAILBOX}/messages")]


def test_it_retries_send_after_429_and_sends_once(rsps, make_backend, clock):
    mailbox, _ = make_backend()
    stub_lookup(rsps, [])
    rsps.add(responses.POST, f"{G}/messages", status=429, headers={"Retry-After": "5"})
    rsps.add(responses.POST, f"{G}/messages", status=201, json={"id": "draft-1"})
    for _ in range(3):
        rsps.add(responses.POST, f"{G}/messages/draft-1/send", status=429, headers={"Retry-After": "2"})
    rsps.add(responses.POST, f"{G}/messages/draft-1/send", status=202)

    receipt = mailbox.send(letter())

    assert receipt.provider_id == "draft-1"
    assert clock.sleeps == [5.0, 2.0, 2.0, 2.0]
    statuses = [c.response.status_code for c in rsps.calls if c.request.url.endswith("/send")]
    assert statuses == [429, 429, 429, 202]  # exactly one accepted send


def test_a_send_whose_answer_was_lost_is_checked_before_any_retry(rsps, make_backend):
    mailbox, _ = make_backend()
    stub_lookup(rsps, [])
    rsps.add(responses.POST, f"{G}/messages", status=201, json={"id": "draft-1"})
    rsps.add(responses.POST, f"{G}/messages/draft-1/send", body=requests.exceptions.ConnectionError("reset"))
    rsps.add(responses.GET, f"{G}/messages/draft-1", json={"id": "draft-1", "isDraft": False})

    receipt = mailbox.send(letter())

    assert receipt.provider_id == "draft-1"
    assert sum(1 for m, p in graph_calls(rsps) if p.endswith("/send")) == 1  # it went; not sent again


def test_a_send_that_did_not_go_through_is_sent_again_after_the_check(rsps, make_backend):
    mailbox, _ = make_backend()
    stub_lookup(rsps, [])
    rsps.add(responses.POST, f"{G}/messages", status=201, json={"id": "draft-1"})
    rsps.add(responses.POST, f"{G}/messages/draft-1/send", status=504)
    rsps.add(responses.POST, f"{G}/messages/draft-1/send", status=202)
    rsps.add(responses.GET, f"{G}/messages/draft-1", json={"id": "draft-1", "isDraft": True})

    mailbox.send(letter())

    assert [p for _, p in graph_calls(rsps)][-3:] == [f"users/{MAILBOX}/messages/draft-1/send",
                                                      f"users/{MAILBOX}/messages/draft-1",
                                                      f"users/{MAILBOX}/messages/draft-1/send"]


def test_a_draft_create_whose_answer_was_lost_is_found_by_key_not_created_twice(rsps, make_backend):
    mailbox, _ = make_backend()
    stub_lookup(rsps, [], [{"id": "draft-1", "isDraft": True}])
    rsps.add(responses.POST, f"{G}/messages", body=requests.exceptions.ReadTimeout("read timed out"))
    rsps.add(responses.POST, f"{G}/messages/draft-1/send", status=202)

    assert mailbox.send(letter()).provider_id == "draft-1"
    assert sum(1 for m, p in graph_calls(rsps) if (m, p) == ("POST", f"users/{MAILBOX}/messages")) == 1


def test_an_attachment_over_3_mb_goes_through_an_upload_session(rsps, make_backend):
    mailbox, _ = make_backend()
    big = bytes(range(256)) * (4 * 1024 * 4)  # 4 MiB
    upload_url = "https://outlook.office.com/api/v2.0/Users('x')/Messages('draft-1')/AttachmentSessions('s1')?authtoken=t"
    stub_lookup(rsps, [])
    rsps.add(responses.POST, f"{G}/messages", status=201, json={"id": "draft-1"})
    rsps.add(responses.POST, f"{G}/messages/draft-1/attachments/createUploadSession", status=201,
             json={"uploadUrl": upload_url, "expirationDateTime": "2026-01-01T01:00:00Z",
                   "nextExpectedRanges": ["0-"]})
    rsps.add(responses.PUT, upload_url.split("?")[0], json={"nextExpectedRanges": [f"{9 * 320 * 1024}-"]})
    rsps.add(responses.PUT, upload_url.split("?")[0], status=201)
    rsps.add(responses.POST, f"{G}/messages/draft-1/send", status=202)

    mailbox.send(letter(attachments=(Attachment("report.pdf", "application/pdf", big),)))

    assert "attachments" not in body_of(rsps.calls[3])  # not inline in the create request
    session = next(c for c in rsps.calls if c.request.url.endswith("createUploadSession"))
    assert body_of(session) == {"AttachmentItem": {"attachmentType": "file", "name": "report.pdf",
                                                   "size": len(big), "contentType": "application/pdf"}}
    puts = [c for c in rsps.calls if c.request.method == "PUT"]
    chunk = 9 * 320 * 1024
    assert [c.request.headers["Content-Range"] for c in puts] == [
        f"bytes 0-{chunk - 1}/{len(big)}", f"bytes {chunk}-{len(big) - 1}/{len(big)}"]
    assert all("Authorization" not in c.request.headers for c in puts)
    assert b"".join(c.request.body for c in puts) == big
    assert graph_calls(rsps)[-1] == ("POST", f"users/{MAILBOX}/messages/draft-1/send")


def test_a_found_draft_missing_a_late_attachment_gets_it_before_sending(rsps, make_backend):
    mailbox, _ = make_backend()
    small = b"x" * (2 * 1024 * 1024)  # 2 MiB each: the second does not fit the inline budget
    stub_lookup(rsps, [{"id": "draft-1", "isDraft": True}])
    rsps.add(responses.GET, f"{G}/messages/draft-1/attachments", json={"value": [{"id": "a1", "name": "one.pdf"}]})
    rsps.add(responses.POST, f"{G}/messages/draft-1/attachments", status=201, json={"id": "a2"})
    rsps.add(responses.POST, f"{G}/messages/draft-1/send", status=202)

    mailbox.send(letter(attachments=(Attachment("one.pdf", "application/pdf", small),
                                     Attachment("two.pdf", "application/pdf", small))))

    added = [c for c in rsps.calls if c.request.method == "POST" and c.request.url.endswith("/attachments")]
    assert [body_of(c)["name"] for c in added] == ["two.pdf"]


def test_send_creates_the_draft_in_the_senders_mailbox(rsps, make_backend):
    mailbox, _ = make_backend()
    other = "chair@lscb.example.org"
    stub_lookup(rsps, [], mailbox=other)
    rsps.add(responses.POST, f"{ENDPOINT}users/{other}/messages", status=201, json={"id": "d9"})
    rsps.add(responses.POST, f"{ENDPOINT}users/{other}/messages/d9/send", status=202)

    mailbox.send(letter(sender=other))

    assert {p.split("/")[1] for _, p in graph_calls(rsps)} == {other}


def test_a_refused_send_is_a_permanent_error_naming_mail_send(rsps, make_backend):
    mailbox, _ = make_backend()
    stub_lookup(rsps, [])
    rsps.add(responses.POST, f"{G}/messages", status=201, json={"id": "draft-1"})
    rsps.add(responses.POST, f"{G}/messages/draft-1/send", status=403,
             json={"error": {"code": "ErrorAccessDenied", "message": "Access is denied. Check credentials and try again."}})

    with pytest.raises(TransportError) as info:
        mailbox.send(letter())

    assert info.value.permanent
    assert "Mail.Send" in str(info.value) and "New-ManagementRoleAssignment" in str(info.value)


# Review drafts ----------------------------------------------------------------------

REVIEWER = "head.sqas@lscb.example.org"


def test_create_draft_leaves_a_keyed_draft_in_the_reviewers_mailbox_once(rsps, make_backend):
    mailbox, _ = make_backend()
    stub_lookup(rsps, [], [{"id": "rd-1", "isDraft": True}], mailbox=REVIEWER)
    rsps.add(responses.POST, f"{ENDPOINT}users/{REVIEWER}/messages", status=201, json={"id": "rd-1"})

    first = mailbox.create_draft(letter(), REVIEWER)
    second = mailbox.create_draft(letter(), REVIEWER)

    assert first == second == f"rd-1|{REVIEWER}"
    assert sum(1 for m, _ in graph_calls(rsps) if m == "POST") == 1
    assert not any(p.endswith("/send") for _, p in graph_calls(rsps))


def test_draft_state_tells_draft_sent_and_missing_apart(rsps, make_backend):
    mailbox, _ = make_backend()
    base = f"{ENDPOINT}users/{REVIEWER}"
    rsps.add(responses.GET, f"{base}/messages/rd-1", json={"id": "rd-1", "isDraft": True, "parentFolderId": "drafts-id"})
    rsps.add(responses.GET, f"{base}/mailFolders/deleteditems", json={"id": "deleted-id"})
    rsps.add(responses.GET, f"{base}/messages/rd-2", json={"id": "rd-2", "isDraft": False, "parentFolderId": "sent"})
    rsps.add(responses.GET, f"{base}/messages/rd-3", json={"id": "rd-3", "isDraft": True, "parentFolderId": "deleted-id"})
    rsps.add(responses.GET, f"{base}/messages/rd-4", status=404, json={"error": {"code": "ErrorItemNotFound"}})
    rsps.add(responses.GET, f"{base}/messages", json={"value": []})

    assert mailbox.draft_state("k1", f"rd-1|{REVIEWER}") is DraftState.DRAFT
    assert mailbox.draft_state("k2", f"rd-2|{REVIEWER}") is DraftState.SENT
    assert mailbox.draft_state("k3", f"rd-3|{REVIEWER}") is DraftState.MISSING  # deleted unsent
    assert mailbox.draft_state("k4", f"rd-4|{REVIEWER}") is DraftState.MISSING


def test_draft_state_finds_a_sent_copy_by_key_when_the_id_is_gone(rsps, make_backend):
    mailbox, _ = make_backend()
    rsps.add(responses.GET, f"{G}/messages/rd-1", status=404, json={"error": {"code": "ErrorItemNotFound"}})
    stub_lookup(rsps, [{"id": "copy", "isDraft": False}])

    assert mailbox.draft_state("k1", "rd-1") is DraftState.SENT  # a plain id means the service mailbox


def test_duplicate_drafts_left_by_a_lost_create_answer_are_deleted_and_one_is_sent(rsps, make_backend):
    mailbox, _ = make_backend()
    stub_lookup(rsps, [{"id": "draft-1", "isDraft": True, "createdDateTime": "2026-01-01T10:00:00Z"},
                       {"id": "draft-2", "isDraft": True, "createdDateTime": "2026-01-01T10:00:05Z"}])
    rsps.add(responses.DELETE, f"{G}/messages/draft-2", status=204)
    rsps.add(responses.POST, f"{G}/messages/draft-1/send", status=202)

    assert mailbox.send(letter()).provider_id == "draft-1"
    assert graph_calls(rsps) == [("GET", f"users/{MAILBOX}/messages"),
                                 ("DELETE", f"users/{MAILBOX}/messages/draft-2"),
                                 ("POST", f"users/{MAILBOX}/messages/draft-1/send")]
