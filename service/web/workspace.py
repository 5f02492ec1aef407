"""What the pages show that no single use case gives, and the one action the command line lacks.

Reads go through the use cases' views (:mod:`service.cases`, :mod:`service.meetings.service`,
:mod:`service.letters.commands`) and the repositories the command line reads (the inbox as
``review-clerk inbox list`` does, drafts waiting for review as the sender job does). Approving a
letter left for review sends it the way the sender job sends any letter (``Mailbox.send``, exactly
once per key) and records it sent with the after-send hook (``mark_sent``): the same path as a
reviewer sending the draft from Outlook, which the sender job notices.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from service.domain.model import AuditEvent, DomainError

if TYPE_CHECKING:
    from service.bootstrap import App

ATTENTION_STATUSES = ("held", "quarantined", "failed", "refused", "not_referral")


def dashboard(app: "App", references: set[str] | None = None) -> dict[str, Any]:
    """Overdue deadlines, those due within a week, and what needs a person.

    ``references``: only these cases (a panel member's); None for all.
    """
    from service.cases import deadlines_across
    from service.meetings.service import list_meetings

    today = app.today()
    week = today + timedelta(days=7)
    rows = [r for r in deadlines_across(app, today) if references is None or r["reference"] in references]
    overdue = [r for r in rows if r["state"] == "missed"]
    soon = [r for r in rows if r["state"] != "missed" and r["state"] != "paused"
            and today <= date.fromisoformat(r["due"]) <= week]
    meetings = [m for m in list_meetings(app) if m["quorum_lost"] and m["state"] not in ("cancelled", "held")
                and (references is None or m["reference"] in references)]
    attention: dict[str, Any] = {"meetings_without_quorum": meetings}
    if references is None:
        with app.db.unit_of_work() as uow:
            mail = uow.inbox.by_status(["held", "quarantined", "failed"])
            drafts = uow.outbox.awaiting_review()
            to_confirm = uow.cases.to_confirm()
        attention.update(
            mail={s: sum(1 for m in mail if m["status"] == s) for s in ("held", "quarantined", "failed")},
            drafts=[{"id": d["id"], "template": d["template"], "reviewer": d["reviewer"],
                     "created_at": d["created_at"]} for d in drafts],
            to_confirm=[c["reference"] for c in to_confirm])
    return {"today": today, "overdue": overdue, "due_this_week": soon, "attention": attention}


def mail_needing_attention(app: "App") -> list[dict[str, Any]]:
    """Held, quarantined, failed, refused and not-a-referral messages, newest first (as `inbox list`)."""
    with app.db.unit_of_work() as uow:
        rows = uow.inbox.by_status(list(ATTENTION_STATUSES))
    view = [{"id": r["id"], "received": r["stored_at"], "from": r["sender"], "status": r["status"],
             "kind": r["kind"], "outcome": r["outcome"]} for r in rows]
    return sorted(view, key=lambda r: r["id"], reverse=True)


def letter(app: "App", outbox_id: int) -> dict[str, Any]:
    """One message of a case as it will go (or went): the stored row's recipients, subject and text."""
    from service.store.repositories.common import NotFound

    with app.db.unit_of_work() as uow:
        try:
            row = uow.outbox.get(outbox_id)
        except Exception as exc:  # noqa: BLE001 - NoResultFound: no such letter
            raise NotFound(f"no letter {outbox_id}") from exc
        reference = uow.cases.get_by_id(row["case_id"]).reference if row["case_id"] else None
    return {"id": row["id"], "key": row["key"], "template": row["template"], "to": list(row["to"]),
            "cc": list(row["cc"] or []), "subject": row["subject"], "text": row["text"], "status": row["status"],
            "mode": row["mode"], "reviewer": row["reviewer"], "sent_at": row["sent_at"],
            "created_at": row["created_at"], "last_error": row["last_error"], "reference": reference,
            "attachments": [a["filename"] for a in row["attachments"] or []]}


def approve_letter(app: "App", outbox_id: int, actor: str) -> dict[str, Any]:
    """Send a letter left for review, as its reviewer would: exactly once (the key), then recorded sent
    with what it meets (the after-send hook), audited with ``actor``. Raises DomainError when the letter
    is not waiting for review (already sent, withdrawn, failed)."""
    from service.letters.delivery import mark_sent, to_message
    from service.mailbox.ports import TransportError

    with app.db.unit_of_work() as uow:
        row = uow.outbox.get(outbox_id)
    if row["status"] != "awaiting_review":
        raise DomainError(f"this letter is {row['status'].replace('_', ' ')}: only a letter waiting for review "
                          f"can be approved")
    try:
        receipt = app.mailbox.send(to_message(row))
    except TransportError as exc:
        raise DomainError(f"the letter could not be sent now ({exc}); try again later") from None
    with app.db.unit_of_work() as uow:
        reference = uow.cases.get_by_id(row["case_id"]).reference if row["case_id"] else None
        if not mark_sent(uow, app, row, "awaiting_review", receipt.provider_id):
            raise DomainError("this letter was sent or changed meanwhile: reload the page")
        uow.audit.append(row["case_id"], reference, [AuditEvent(
            at=app.clock.now(), actor=actor, action="letter approved and sent",
            detail={"template": row["template"], "key": row["key"], "by": "web"})])
        uow.commit()
    return {"reference": reference, "template": row["template"]}


def edit_letter(app: "App", outbox_id: int, subject: str, text: str, actor: str) -> dict[str, Any]:
    """Change the subject and text of a letter left for review, before it is approved (the attachments stay as
    they are; the edited letter goes as plain text). Audited with ``actor`` and which fields changed, never
    the text. Raises DomainError for a letter no longer waiting for review, or an empty subject or text."""
    subject = " ".join(subject.split())
    text = text.replace("\r\n", "\n").strip() + "\n"
    if not subject or not text.strip():
        raise DomainError("a letter needs a subject and a text")
    with app.db.unit_of_work() as uow:
        row = uow.outbox.get(outbox_id)
        changed = [f for f, new in (("subject", subject), ("text", text)) if (row[f] or "").strip() != new.strip()]
        if not changed:
            return {"reference": None, "changed": []}
        if not uow.outbox.transition(outbox_id, "awaiting_review", subject=subject, text=text, html=None):
            raise DomainError(f"this letter is {row['status'].replace('_', ' ')}: only a letter waiting for review "
                              f"can be edited")
        reference = uow.cases.get_by_id(row["case_id"]).reference if row["case_id"] else None
        uow.audit.append(row["case_id"], reference, [AuditEvent(
            at=app.clock.now(), actor=actor, action="letter edited before sending",
            detail={"template": row["template"], "key": row["key"], "changed": changed, "by": "web"})])
        uow.commit()
    return {"reference": reference, "changed": changed}
