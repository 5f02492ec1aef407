"""Sample context for the digest template, checked at start-up with every other template."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from service.letters.queueing import base_context

if TYPE_CHECKING:
    from service.bootstrap import App


def sample_contexts(app: "App") -> dict[str, dict[str, Any]]:
    bm = app.settings.people.business_manager
    item = {"reference": "ESCB-2014-007", "key": "decision", "what": "Decide whether a serious case review is "
            "required", "agency": None, "due": date(2014, 6, 9), "owner": "chair", "days_overdue": 3}
    digest = {"week_of": date(2014, 6, 9), "stages": [{"stage": "Referral received", "count": 2}], "open_cases": 2,
              "overdue": [item], "this_week": [item], "next_week": [item],
              "agency_reports": [{"reference": "ESCB-2014-007", "agency": "met-police", "what": "Individual "
                                  "Management Review from the agency", "due": date(2014, 7, 31), "state": "due"}],
              "meetings": [{"reference": "ESCB-2014-007", "kind": "extraordinary", "start": "Wed 14 May 2014 10:00",
                            "waiting": 2}],
              "quarantined": [{"id": 4, "status": "quarantined", "outcome": "encrypted PDF",
                               "sender": "someone@example.org"}]}
    from service.letters.samples import sample_case

    case = sample_case(app.procedure)
    d = case.deadlines.get("decision") or next(iter(case.deadlines.values()))  # any pack's first
    deadline = {"key": d.key, "what": d.what, "due": d.due, "rule": d.rule, "days_left": 0, "days_overdue": 2,
                "owner_name": app.settings.people.chair.name}
    from service.letters.queueing import case_context

    items = [{"case": case_context(case), "deadline": deadline, "escalation": True, "several": True},
             {"case": case_context(case), "deadline": {**deadline, "key": "ofsted_incident_notification",
                                                        "days_left": 1, "days_overdue": 0}, "escalation": False,
              "several": True}]
    return {"digest": base_context(app, bm.name, bm.email, digest=digest),
            "chase_summary": base_context(app, bm.name, bm.email, items=items, overdue=1, due_soon=1,
                                          web_url=app.settings.web.public_url.rstrip("/"))}
