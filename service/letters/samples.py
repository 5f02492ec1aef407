"""A realistic sample case, used to check every template at start-up and for previews."""

from __future__ import annotations

from datetime import date, datetime, timezone
from typing import TYPE_CHECKING, Any

from service.domain.model import Case, Referrer, Subject

from .outbox import base_context

if TYPE_CHECKING:
    from service.bootstrap import App


def sample_case() -> Case:
    return Case.open(
        "ESCB-2014-007", date(2014, 5, 9), datetime(2014, 5, 9, 9, tzinfo=timezone.utc), "sample",
        subjects=[Subject("Sample Child", "child", "child", date(2008, 1, 1), "1 Sample Street"),
                  Subject("Sample Parent", "adult", "mother", date(1985, 1, 1), "1 Sample Street")],
        referrer=Referrer("Sam Referrer", "Sample Agency", "020 0000 0000", "sam.referrer@example.org"))


def sample_contexts(app: "App") -> dict[str, dict[str, Any]]:
    case = sample_case()
    bm = app.settings.people.business_manager
    d = case.deadlines["decision"]
    deadline = {"key": d.key, "what": d.what, "due": d.due, "rule": d.rule, "days_left": 5, "days_overdue": 2,
                "owner_name": app.settings.people.chair.name}
    item = {"id": 1, "stored_at": "2014-05-09 09:00", "sender": "someone@example.org", "status": "quarantined",
            "outcome": "attachment could not be read: encrypted PDF", "message_id": "<x@example.org>"}
    referrer = (case.referrer.name, case.referrer.email)
    return {
        "acknowledgement": base_context(app, *referrer, case=case),
        "missing_information": base_context(app, *referrer, case=case, missing=["Telephone", "Email address"]),
        "intake_report": base_context(app, bm.name, bm.email, items=[item],
                                      quarantine_folder=app.quarantine_folder_name),
        "reminder": base_context(app, bm.name, bm.email, case=case, deadline=deadline),
        "escalation": base_context(app, bm.name, bm.email, case=case, deadline=deadline),
    }
