"""Replies to a person's combined chase message (``chase_summary``): which of its items a reply answers.

A reply names the messages it answers (In-Reply-To/References). When one of them is a combined message,
the reply answers the items it listed for the case the reply is about (the case its subject names, or
the only case the message listed): each item stands for the reminder or escalation it would have been,
sent when and to whom the combined message was. "done" is for the one deadline of that case the message
listed, or, where it listed several, the one whose key the subject names as well (the message says so
beside each: ``[ESCB-2014-001] ofsted_incident_notification``); it is never guessed.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from service.store.db import UnitOfWork

TEMPLATE = "chase_summary"


def answered(uow: "UnitOfWork", rows: list[dict[str, Any]], case_id: int | None) -> list[dict[str, Any]]:
    """``rows`` (messages we sent, as ``OutboxRepository.with_message_ids`` gives them) with, after each
    combined message, each item it listed for ``case_id``, as the reminder or escalation it stands for."""
    out: list[dict[str, Any]] = []
    for r in rows:
        out.append(r)
        if r["template"] != TEMPLATE or case_id is None:
            continue
        out += [{**r, "key": i["key"], "template": i["template"], "case_id": case_id,
                 "reference": i["key"].split("/")[0]}  # REF/deadline/step/recipient
                for i in uow.outbox.combined_in(r["key"]) if i["case_id"] == case_id]
    return out


def deadline_answered(uow: "UnitOfWork", rows: list[dict[str, Any]], case_id: int, subject: str) -> str | None:
    """The deadline of ``case_id`` that "done" in a reply to a combined message among ``rows`` is for: the
    one deadline of the case it listed, or the one of them the ``subject`` names; else None."""
    listed = {r["key"].split("/")[1] for r in answered(uow, [r for r in rows if r["template"] == TEMPLATE], case_id)
              if r["template"] in ("reminder", "escalation")}
    if len(listed) > 1:
        listed = {k for k in listed if re.search(rf"(?<![\w:-]){re.escape(k)}(?![\w:-])", subject)}
    return listed.pop() if len(listed) == 1 else None
