"""Sample contexts for the meeting templates, checked at start-up with every other template.

:func:`service.letters.samples.sample_contexts` collects them from here
(``sample_contexts(app) -> dict``).
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from service.letters.queueing import base_context

if TYPE_CHECKING:
    from service.bootstrap import App


def sample_contexts(app: "App") -> dict[str, dict[str, Any]]:
    from service.letters.samples import sample_case

    case = sample_case(getattr(app, "procedure", None))
    bm = app.settings.people.business_manager
    meeting = {"title": "Extraordinary panel meeting: referral for a serious case review", "kind": "extraordinary",
               "reference": case.reference, "when": "Wednesday 14 May 2014, 10:00 to 12:00",
               "where": "Microsoft Teams (link in the invitation)", "online_url": None}
    report = {"what": "quorum_lost", "person": "Designated Nurse <designated.nurse@example.org>",
              "lost_roles": ["police"], "proposal": "Thursday 15 May 2014, 14:00 to 16:00",
              "cannot_come": ["Designated Doctor <designated.doctor@example.org>"],
              "notes": ["the window (within 10 working days of the referral on 2014-05-12) has passed; the first "
                        "possible time is offered"], "error": None,
              "command": f"review-clerk meeting reschedule {case.reference} extraordinary"}
    return {
        "agency_report_request": base_context(app, "Agency Panel Member", "panel.member@example.org", case=case,
                                              meeting=meeting, agency={"key": "sample", "name": "Sample Agency"},
                                              report_due=date(2014, 5, 12)),
        "meeting_reminder": base_context(app, "Panel Member", "panel.member@example.org", case=case,
                                         meeting=meeting),
        "meeting_report": base_context(app, bm.name, bm.email, case=case, meeting=meeting, report=report),
    }
