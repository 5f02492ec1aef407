"""Sample contexts for the agency-return templates (thanks, a return not placed, the integrated
chronology for review), checked at start-up with every other template.

:func:`service.letters.samples.sample_contexts` collects them from here (``sample_contexts(app) -> dict``).
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
    return {
        "agency_return_received": base_context(
            app, None, "panel.member@example.org", case=case, agency={"key": "sample", "name": "Sample Agency"},
            documents=[{"kind_label": "Chronology", "version": 2, "replaces": True, "rows": 42},
                       {"kind_label": "Individual management review (agency report)", "version": 1,
                        "replaces": False, "rows": None}],
            deadlines_met=[{"what": "Chronology from the agency", "due": date(2014, 6, 30), "on": date(2014, 6, 27)}]),
        "agency_return_unplaced": base_context(app, bm.name, bm.email, case=case, returned={
            "message_id": 42, "sender": "someone@example.org", "received_on": date(2014, 6, 27),
            "reference": case.reference, "quarantine_folder": app.quarantine_folder_name,
            "documents": [{"number": 1, "format": "Word", "size_kb": 24, "kind": "Chronology",
                           "kind_how": "the file's name", "agency": "Sample Agency",
                           "agency_how": "the sender's mail domain", "rows": 12, "read_problem": None,
                           "why_not": "Sample Agency is not recorded as involved in the case"},
                          {"number": 2, "format": "PDF", "size_kb": 310, "kind": "not told", "kind_how": "-",
                           "agency": "not found", "agency_how": "-", "rows": None,
                           "read_problem": "the PDF has no text layer (a scan?)",
                           "why_not": "what kind of return it is could not be told"}],
            "fix": f"add the agency (review-clerk case add-agency {case.reference} AGENCY) and ask it to send the "
                   f"document again in reply to its letter"}),
        "chronology_for_review": base_context(app, bm.name, bm.email, case=case, chronology={
            "sources": [{"agency": "Sample Agency", "version": 1, "rows": 40, "received_on": date(2014, 6, 27)},
                        {"agency": "Other Agency", "version": 2, "rows": 25, "received_on": date(2014, 6, 30)}],
            "rows": 65, "to_check": 2, "groups": 3,
            "agencies": [{"agency": "Sample Agency", "rows": 40, "first": date(2013, 1, 4), "last": date(2014, 3, 1)},
                         {"agency": "Other Agency", "rows": 25, "first": None, "last": None}],
            "lead_reviewer_on_file": False}),
    }
