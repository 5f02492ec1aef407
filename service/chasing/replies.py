"""Replies to a person's combined chase message (``chase_summary``): which of its items a reply answers.

A reply names the messages it answers (In-Reply-To/References). When one of them is a combined message,
the reply answers the items it listed for the case the reply is about (the case its subject names, or
the only case the message listed): each item stands for the reminder or escalation it would have been,
sent when and to whom the combined message was. A case with more than one deadline in the message is
not guessed at: "done" then needs the command or the deadline's page, as the message says.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from service.store.db import UnitOfWork

TEMPLATE = "chase_summary"


def answered(uow: "UnitOfWork", rows: list[dict[str, Any]], case_id: int | None,
             every: bool = False) -> list[dict[str, Any]]:
    """``rows`` (messages we sent, as ``OutboxRepository.with_message_ids`` gives them) with, after each
    combined message, the item it listed for ``case_id`` when it listed exactly one deadline of it (what
    "done" answers); with ``every``, each item it listed for the case (whether the person was written to
    about the case at all)."""
    out: list[dict[str, Any]] = []
    for r in rows:
        out.append(r)
        if r["template"] != TEMPLATE or case_id is None:
            continue
        mine = [i for i in uow.outbox.combined_in(r["key"]) if i["case_id"] == case_id]
        if not every and len({i["key"].split("/")[1] for i in mine}) != 1:  # REF/deadline/step/recipient
            continue  # several of its deadlines: which one "done" is for is not guessed
        out += [{**r, "key": i["key"], "template": i["template"], "case_id": case_id,
                 "reference": i["key"].split("/")[0]} for i in mine]
    return out


def deadline_answered(uow: "UnitOfWork", rows: list[dict[str, Any]], case_id: int) -> str | None:
    """The deadline of ``case_id`` that a reply to a combined message among ``rows`` answers ("done"): the
    one deadline of the case it listed, else None."""
    for r in answered(uow, [r for r in rows if r["template"] == TEMPLATE], case_id):
        if r["template"] in ("reminder", "escalation"):
            return r["key"].split("/")[1]  # REF/deadline/step/recipient
    return None
