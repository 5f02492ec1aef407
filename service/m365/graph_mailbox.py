"""``ports.Mailbox`` on Microsoft Graph: delta reads, filing, exactly-once sending, review drafts.

Reading. ``read_new`` runs a delta query on the configured inbox folder and
returns the ``@odata.deltaLink`` as the cursor. Each new message's full MIME
comes from ``GET …/messages/{id}/$value``, 20 to a JSON batch (``batch``). Removed entries and drafts are
skipped. An expired or unusable delta token (410 Gone, ``syncStateNotFound``,
``resyncRequired``) restarts a full sync: the service de-duplicates on the id
and on ``internetMessageId``, so a resync re-delivers but never doubles. A
delta also reports messages that merely changed (read, flagged) while still
in the folder; they are delivered again and de-duplicated the same way. One
call returns at most ``batch_limit`` messages (rounded up to a whole page);
the cursor is then the ``@odata.nextLink``, which Graph accepts to resume.

Ids are immutable ids (``Prefer: IdType="ImmutableId"`` on every request):
they survive moves between folders, and a sent draft keeps its id.

Sending exactly once (``send``). Look the key up first
(``$filter`` on our extended property across the mailbox):

* a non-draft carries the key → it was sent: ``SendReceipt(already_sent=True)``;
* a draft carries it → finish its attachments if a crash cut them short,
  then send it;
* nothing → create the draft (``POST /users/{sender}/messages``), add the
  attachments that did not fit the create request, and ``POST …/send``.

``send_many`` does the same for many messages in two HTTP round trips per 20
(the drafts, then their sends); anything without a clear answer there goes
through ``send`` with the key looked up first. Filing (``mark_handled_many``)
is the category (when given) and the move, chained, without reading the
message first.

``sendMail`` is never used: it returns no id and cannot be checked. A create
or send whose outcome is unknown (the connection dropped after the request
left) is never blindly repeated: the draft's state is read back first.

Review mode. ``create_draft`` leaves the same draft in the reviewer's
mailbox. Its provider id is ``"{graph id}|{reviewer}"`` because
``draft_state`` is not told the mailbox (Graph ids are base64url and never
contain ``|``); a plain id means the service mailbox.
"""

from __future__ import annotations

import logging
import threading
from collections import Counter
from dataclasses import replace
from typing import Any
from urllib.parse import urlencode, urlsplit

from service.mailbox.ports import (
    Attachment,
    Disposition,
    DraftState,
    InboundBatch,
    InboundMessage,
    OutgoingMessage,
    SendReceipt,
    TransportError,
)

from .message_json import (
    INLINE_MAX,
    AttachmentPlan,
    UPLOAD_CHUNK,
    draft_payload,
    file_attachment,
    internet_headers,
    key_filter,
    plan_attachments,
)
from . import batch
from .batch import BatchRequest
from .errors import GraphError, OutcomeUnknown
from .folders import MailFolders
from .formats import parse_graph_time, seg
from .http import GraphHttp
from .subscriptions import GraphSubscriptions

log = logging.getLogger("review_clerk.m365")

HANDLED_ROOT = "Review Clerk"
HANDLED_FOLDERS = {
    Disposition.PROCESSED: f"{HANDLED_ROOT}/Processed",
    Disposition.QUARANTINE: f"{HANDLED_ROOT}/Quarantine",
    Disposition.NOT_REFERRAL: f"{HANDLED_ROOT}/Not a referral",
}
DELTA_SELECT = "id,internetMessageId,receivedDateTime,isDraft"
DELTA_PAGE_SIZE = 50
RESYNC_CODES = ("syncStateNotFound", "syncStateInvalid", "resyncRequired")
# How many times one send() re-checks and retries after an unknown outcome.
SEND_ROUNDS = 3


class GraphMailbox:
    """Implements :class:`service.mailbox.ports.Mailbox`. Thread-safe."""

    def __init__(self, http: GraphHttp, mailbox: str, *, inbox_folder: str = "Inbox",
                 send_as: str | None = None, batch_limit: int = 100):
        self._http = http
        self.mailbox = mailbox.lower()
        self._inbox_folder = inbox_folder
        self._send_as = send_as.lower() if send_as else None
        self._batch_limit = max(1, batch_limit)
        self._folders: dict[str, MailFolders] = {}
        self._lock = threading.Lock()

    # Reading ----------------------------------------------------------------
    def read_new(self, cursor: str | None) -> InboundBatch:
        """New messages since ``cursor`` (a delta or next link), all of them when None."""
        start = cursor if cursor and self._is_own_link(cursor) else None
        if cursor and start is None:
            log.warning("stored mail cursor does not belong to %s; starting a full sync", self._http.origin)
        url = start or self._initial_delta_url()
        resynced = False
        found: dict[str, dict[str, Any]] = {}  # id -> delta entry, in arrival order
        next_cursor: str
        more = False
        while True:
            try:
                page = self._http.json("GET", url, prefer=[f"odata.maxpagesize={DELTA_PAGE_SIZE}"])
            except GraphError as exc:
                if not resynced and (exc.status == 410 or exc.code_is(*RESYNC_CODES)):
                    log.warning("delta token for %s no longer valid (%s); full resync", self.mailbox,
                                exc.code or exc.status)
                    resynced = True
                    found.clear()
                    url = self._initial_delta_url()
                    continue
                raise
            for item in page.get("value", []):
                if "@removed" in item or item.get("isDraft") or not item.get("id"):
                    continue
                found[item["id"]] = item
            if page.get("@odata.deltaLink"):
                next_cursor = page["@odata.deltaLink"]
                break
            next_link = page.get("@odata.nextLink")
            if not next_link:
                raise GraphError("delta page without @odata.nextLink or @odata.deltaLink", status=200,
                                 permanent=False)
            if len(found) >= self._batch_limit:
                next_cursor = next_link  # resume here next time; keeps one batch bounded
                more = True
                break
            url = next_link

        mimes = self._mimes(list(found))
        messages = []
        for message_id, item in found.items():
            raw = mimes.get(message_id)
            if raw is None:
                continue
            messages.append(InboundMessage(
                id=message_id, raw=raw, internet_message_id=item.get("internetMessageId"),
                received_at=parse_graph_time(item.get("receivedDateTime"))))
        log.info("read %d new message(s) from %s", len(messages), self.mailbox)
        return InboundBatch(messages=messages, cursor=next_cursor, more=more)

    def _initial_delta_url(self) -> str:
        folder_id = self.folders(self.mailbox).resolve(self._inbox_folder)
        query = urlencode({"$select": DELTA_SELECT}, safe="$,")
        return self._http.url(f"users/{seg(self.mailbox)}/mailFolders/{seg(folder_id)}/messages/delta?{query}")

    def _is_own_link(self, link: str) -> bool:
        parts = urlsplit(link)
        return f"{parts.scheme}://{parts.netloc}" == self._http.origin and "delta" in parts.path.lower()

    def _mimes(self, message_ids: list[str]) -> dict[str, bytes]:
        """The MIME of each message, 20 to a batch; a message deleted meanwhile is left out."""
        if not message_ids:
            return {}
        answers = batch.run(self._http, [
            BatchRequest("GET", f"users/{seg(self.mailbox)}/messages/{seg(mid)}/$value", headers={"Accept": "*/*"})
            for mid in message_ids], mailbox=self.mailbox)
        out: dict[str, bytes] = {}
        for mid, answer in zip(message_ids, answers):
            if answer.ok:
                out[mid] = answer.body if isinstance(answer.body, bytes) else b""
            elif answer.status == 404:  # deleted or moved out by a person since the delta ran
                log.info("message vanished before its MIME was read; skipped")
            else:
                # Nothing of this read is stored and the cursor stays: the next run reads them again.
                raise answer.error()
        return out

    # Filing -----------------------------------------------------------------
    def mark_handled(self, message_id: str, disposition: Disposition, category: str | None = None) -> None:
        """Categorise the message and move it to the disposition's folder. Idempotent."""
        error = self.mark_handled_many([(message_id, disposition, category)])[0]
        if error is not None:
            raise error

    def mark_handled_many(self, items: list[tuple[str, Disposition, str | None]]) -> list[TransportError | None]:
        """File several messages in as few batches as fit: per message, the category and then the move.

        No look-up first: the category is set to ours (PATCH replaces a message's categories), and a
        move to the folder the message is already in changes nothing (with immutable ids it keeps its
        id), so filing twice is harmless. Returns, per item, None when filed (or gone from the
        mailbox: nothing to do) or the error that stopped it.
        """
        requests: list[BatchRequest] = []
        groups: list[list[int]] = []
        for message_id, disposition, category in items:
            target = self.folders(self.mailbox).resolve(HANDLED_FOLDERS[Disposition(disposition)], create=True)
            path = f"users/{seg(self.mailbox)}/messages/{seg(message_id)}"
            group = []
            if category:
                group.append(len(requests))
                requests.append(BatchRequest("PATCH", path, body={"categories": [category]}))
            group.append(len(requests))
            requests.append(BatchRequest("POST", f"{path}/move", body={"destinationId": target}, replay_safe=True))
            groups.append(group)
        answers = batch.run(self._http, requests, mailbox=self.mailbox, groups=groups)
        out: list[TransportError | None] = []
        for (_, disposition, _), group in zip(items, groups):
            failed = [answers[i] for i in group if not answers[i].ok]
            if not failed:
                out.append(None)
            elif failed[0].status == 404:
                log.warning("message to file as %s is no longer in %s; nothing to do",
                            Disposition(disposition).value, self.mailbox)
                out.append(None)
            else:
                out.append(failed[0].error())
        return out

    # Sending ----------------------------------------------------------------
    def send(self, message: OutgoingMessage) -> SendReceipt:
        """Send ``message`` exactly once per ``message.key``."""
        mailbox = self._sender_mailbox(message)
        plan = plan_attachments(message.attachments)
        # The key lookup finds what an earlier attempt left; on a first attempt there is none to find.
        found = [] if message.first_attempt else self._find_by_key(mailbox, message.key)
        sent = [m for m in found if not m.get("isDraft")]
        if sent:
            log.info("message key already sent from %s; not sending again", mailbox)
            return SendReceipt(provider_id=sent[0]["id"], already_sent=True)
        if found:
            draft_id = found[0]["id"]
            self._discard_duplicates(mailbox, found[1:])
            self._add_attachments(mailbox, draft_id, plan.later, check_existing=True)
        else:
            draft_id = self._create_draft(mailbox, message, plan)
        return self._send_draft(mailbox, message.key, draft_id)

    def send_many(self, messages: list[OutgoingMessage]) -> list[SendReceipt | TransportError]:
        """Send each message exactly once per key, in as few HTTP round trips as fit.

        A first attempt whose attachments all fit the create request goes by batch: one batch (of up
        to 20) creates the keyed drafts, the next sends them; two requests per message. Anything
        else, and any message whose create or send did not get a clear answer (the batch's answer
        was lost, a 5xx, a draft that vanished), goes through :meth:`send` with the key looked up
        first, so a draft that was made, or a message that went, is found and never doubled.
        Returns, per message, its receipt or the error that stopped it.
        """
        results: list[SendReceipt | TransportError | None] = [None] * len(messages)
        by_sender: dict[str, list[int]] = {}
        plans: dict[int, AttachmentPlan] = {}
        for n, message in enumerate(messages):
            try:
                plan = plan_attachments(message.attachments)
            except TransportError as exc:  # an attachment over Graph's limit: this message fails alone
                results[n] = exc
                continue
            if message.first_attempt and not plan.later:
                plans[n] = plan
                by_sender.setdefault(self._sender_mailbox(message), []).append(n)
        checked: list[int] = [n for n in range(len(messages)) if n not in plans and results[n] is None]
        for mailbox, indexes in by_sender.items():
            payloads = []
            for n in indexes:
                _, dropped = internet_headers(messages[n])
                if dropped:
                    log.warning("Graph takes at most 5 custom headers; not set: %s", ", ".join(dropped))
                payloads.append(draft_payload(messages[n], plans[n].inline))
            created = batch.run(self._http, [
                BatchRequest("POST", f"users/{seg(mailbox)}/messages", body=p, replay_safe=False) for p in payloads],
                mailbox=mailbox)
            drafts: list[tuple[int, str]] = []
            for n, answer in zip(indexes, created):
                if answer.ok and answer.json().get("id"):
                    drafts.append((n, answer.json()["id"]))
                elif answer.status in (0, 408) or answer.status >= 500:
                    checked.append(n)  # the draft may exist: look for it by key before anything else
                else:
                    results[n] = answer.error()
            sent = batch.run(self._http, [
                BatchRequest("POST", f"users/{seg(mailbox)}/messages/{seg(draft_id)}/send", replay_safe=False)
                for _, draft_id in drafts], mailbox=mailbox) if drafts else []
            for (n, draft_id), answer in zip(drafts, sent):
                if answer.ok:
                    log.info("sent message from %s", mailbox)
                    results[n] = SendReceipt(provider_id=draft_id, already_sent=False)
                elif answer.status in (0, 404, 408) or answer.status >= 500 or answer.status in (429, 424):
                    checked.append(n)  # sent or not: the key says which
                else:
                    results[n] = answer.error()
        for n in sorted(checked):
            message = messages[n]
            if n in plans:
                message = replace(message, first_attempt=False)
            try:
                results[n] = self.send(message)
            except TransportError as exc:
                results[n] = exc
        return [r if r is not None else TransportError("not attempted", permanent=False) for r in results]

    def create_draft(self, message: OutgoingMessage, reviewer: str) -> str:
        """Leave ``message`` as a draft in ``reviewer``'s mailbox; idempotent on the key."""
        mailbox = reviewer.lower()
        plan = plan_attachments(message.attachments)
        found = [] if message.first_attempt else self._find_by_key(mailbox, message.key)
        if found:
            sent = [m for m in found if not m.get("isDraft")]
            chosen = sent[0] if sent else found[0]
            if not sent:
                self._discard_duplicates(mailbox, found[1:])
                self._add_attachments(mailbox, chosen["id"], plan.later, check_existing=True)
            return f"{chosen['id']}|{mailbox}"
        return f"{self._create_draft(mailbox, message, plan)}|{mailbox}"

    def draft_state(self, key: str, provider_id: str) -> DraftState:
        """DRAFT while the review draft is unsent, SENT once it went, MISSING if deleted unsent."""
        graph_id, _, mailbox = provider_id.partition("|")
        mailbox = (mailbox or self.mailbox).lower()
        try:
            msg = self._http.json("GET", f"users/{seg(mailbox)}/messages/{seg(graph_id)}",
                                  params={"$select": "id,isDraft,parentFolderId"})
        except GraphError as exc:
            if exc.status != 404:
                raise
            found = self._find_by_key(mailbox, key)
            return DraftState.SENT if any(not m.get("isDraft") for m in found) else DraftState.MISSING
        if not msg.get("isDraft"):
            return DraftState.SENT
        if msg.get("parentFolderId") == self.folders(mailbox).resolve("deleteditems"):
            return DraftState.MISSING
        return DraftState.DRAFT

    # Change notifications ---------------------------------------------------
    def subscriptions(self) -> GraphSubscriptions:
        """Subscriptions to new messages in the folder ``read_new`` reads."""
        folder = "inbox" if self._inbox_folder.strip().lower() == "inbox" else \
            self.folders(self.mailbox).resolve(self._inbox_folder)
        return GraphSubscriptions(self._http, self.mailbox, folder)

    # Internals --------------------------------------------------------------
    def folders(self, mailbox: str) -> MailFolders:
        with self._lock:
            if mailbox not in self._folders:
                self._folders[mailbox] = MailFolders(self._http, mailbox)
            return self._folders[mailbox]

    def _sender_mailbox(self, message: OutgoingMessage) -> str:
        # The draft lives in, and is sent from, the sender's own mailbox.
        return (message.sender or self._send_as or self.mailbox).strip().lower()

    def _find_by_key(self, mailbox: str, key: str) -> list[dict[str, Any]]:
        """Messages anywhere in ``mailbox`` carrying ``key``, sent ones first."""
        body = self._http.json("GET", f"users/{seg(mailbox)}/messages", params={
            "$filter": key_filter(key), "$select": "id,isDraft,parentFolderId,createdDateTime", "$top": "10"})
        items = [m for m in body.get("value", []) if m.get("id")]
        items.sort(key=lambda m: (bool(m.get("isDraft")), str(m.get("createdDateTime") or "")))
        return items

    def _create_draft(self, mailbox: str, message: OutgoingMessage, plan: AttachmentPlan) -> str:
        """Create the keyed draft with all its attachments; returns its id."""
        _, dropped = internet_headers(message)
        if dropped:
            log.warning("Graph takes at most 5 custom headers; not set: %s", ", ".join(dropped))
        payload = draft_payload(message, plan.inline)
        for _ in range(SEND_ROUNDS):
            try:
                body = self._http.json("POST", f"users/{seg(mailbox)}/messages", json=payload, replay_safe=False)
            except OutcomeUnknown:
                # The draft may exist: look before creating another.
                found = self._find_by_key(mailbox, message.key)
                if found:
                    draft_id = found[0]["id"]
                    self._add_attachments(mailbox, draft_id, plan.later, check_existing=True)
                    return draft_id
                continue
            draft_id = body["id"]
            self._add_attachments(mailbox, draft_id, plan.later, check_existing=False)
            return draft_id
        raise TransportError("could not create the draft: the outcome stayed unknown", permanent=False)

    def _send_draft(self, mailbox: str, key: str, draft_id: str) -> SendReceipt:
        path = f"users/{seg(mailbox)}/messages/{seg(draft_id)}"
        for _ in range(SEND_ROUNDS):
            try:
                self._http.request("POST", f"{path}/send", replay_safe=False)
                log.info("sent message from %s", mailbox)
                return SendReceipt(provider_id=draft_id, already_sent=False)
            except (OutcomeUnknown, GraphError) as exc:
                if isinstance(exc, GraphError) and exc.status != 404:
                    raise
                log.warning("send outcome unknown (%s); checking before any retry", exc)
            # Re-check: with immutable ids the sent copy keeps the draft's id.
            state = self._draft_or_sent(mailbox, key, draft_id)
            if state is None:
                raise TransportError("the draft disappeared while being sent; will check again by key",
                                     permanent=False)
            draft_id, is_draft = state
            if not is_draft:
                return SendReceipt(provider_id=draft_id, already_sent=False)
            path = f"users/{seg(mailbox)}/messages/{seg(draft_id)}"
        raise TransportError("could not confirm that the message was sent; will check again by key",
                             permanent=False)

    def _draft_or_sent(self, mailbox: str, key: str, draft_id: str) -> tuple[str, bool] | None:
        """(id, isDraft) of our message after an unknown outcome, or None if it is nowhere."""
        try:
            msg = self._http.json("GET", f"users/{seg(mailbox)}/messages/{seg(draft_id)}",
                                  params={"$select": "id,isDraft"})
            return msg.get("id", draft_id), bool(msg.get("isDraft"))
        except GraphError as exc:
            if exc.status != 404:
                raise
        found = self._find_by_key(mailbox, key)
        if not found:
            return None
        return found[0]["id"], bool(found[0].get("isDraft"))

    def _discard_duplicates(self, mailbox: str, extras: list[dict[str, Any]]) -> None:
        """Delete extra drafts with our key (left by a create whose answer was lost)."""
        for extra in extras:
            if not extra.get("isDraft"):
                continue
            try:
                self._http.request("DELETE", f"users/{seg(mailbox)}/messages/{seg(extra['id'])}")
                log.info("deleted a duplicate draft in %s", mailbox)
            except GraphError as exc:
                if exc.status != 404:
                    raise

    def _add_attachments(self, mailbox: str, draft_id: str, attachments: tuple[Attachment, ...], *,
                         check_existing: bool) -> None:
        """Add the attachments that go after the create request, skipping those already there."""
        if not attachments:
            return
        present = self._attachment_names(mailbox, draft_id) if check_existing else Counter()
        for att in attachments:
            if present[att.filename] > 0:
                present[att.filename] -= 1
                continue
            self._add_one(mailbox, draft_id, att)

    def _attachment_names(self, mailbox: str, draft_id: str) -> Counter[str]:
        body = self._http.json("GET", f"users/{seg(mailbox)}/messages/{seg(draft_id)}/attachments",
                               params={"$select": "id,name,size"})
        return Counter(str(a.get("name")) for a in body.get("value", []))

    def _add_one(self, mailbox: str, draft_id: str, att: Attachment) -> None:
        base = f"users/{seg(mailbox)}/messages/{seg(draft_id)}/attachments"
        for _ in range(SEND_ROUNDS):
            try:
                if len(att.data) < INLINE_MAX:
                    self._http.request("POST", base, json=file_attachment(att), replay_safe=False)
                else:
                    self._upload(mailbox, base, att)
                return
            except OutcomeUnknown:
                pass
            except GraphError as exc:
                # An upload session that expired or lost track of its ranges is
                # started afresh; any other refusal is final.
                if len(att.data) < INLINE_MAX or exc.status not in (401, 404, 416):
                    raise
                log.warning("upload session failed (%s); starting a new one", exc.status)
            if self._attachment_names(mailbox, draft_id)[att.filename] > 0:
                return  # the lost answer was a success
        raise TransportError("could not attach a file to the draft; will try again", permanent=False)

    def _upload(self, mailbox: str, base: str, att: Attachment) -> None:
        """An attachment of 3 MB or more through an upload session (chunks of n × 320 KiB)."""
        session = self._http.json("POST", f"{base}/createUploadSession", json={"AttachmentItem": {
            "attachmentType": "file", "name": att.filename, "size": len(att.data),
            "contentType": att.content_type or "application/octet-stream"}}, replay_safe=True)
        upload_url = session["uploadUrl"]
        total = len(att.data)
        offset = 0
        while offset < total:
            end = min(offset + UPLOAD_CHUNK, total) - 1
            # The upload URL is pre-authenticated: no Authorization header.
            resp = self._http.request(
                "PUT", upload_url, auth=False, mailbox=mailbox, data=att.data[offset:end + 1],
                headers={"Content-Type": "application/octet-stream",
                         "Content-Range": f"bytes {offset}-{end}/{total}"},
                replay_safe=False)
            if resp.status_code == 201:
                return
            offset = end + 1
            try:
                ranges = resp.json().get("nextExpectedRanges") or []
            except ValueError:
                ranges = []
            if ranges:
                offset = int(str(ranges[0]).split("-")[0])
        log.info("uploaded a large attachment in %s", mailbox)
