"""Issue 19: a referral the service could not be sure of opens its case as now, and a person is asked.

The daily report lists the case with the command to run; `case confirm` shows what was read with how
sure the service was, and takes it as read or corrected (audited, never the values); then nothing is
left to confirm.
"""

from __future__ import annotations

import json
from datetime import datetime

from service import cases
from service.intake.report import daily_report
from service.jobs import read_inbox

from test_intake_service import drop, form, mail, outbox_rows


def _doubtful_case(app) -> str:
    drop(app, "r.eml", mail(form(child_dob="not known"), msgid="<confirm-1@met.police.uk>"))
    read_inbox(app)
    [row] = cases.list_cases(app)
    return row["reference"]


def test_a_referral_with_a_subject_without_a_date_of_birth_opens_a_case_to_confirm(app):
    ref = _doubtful_case(app)
    shown = cases.show(app, ref)
    assert shown["to_confirm"] == ["subject 1 has no date of birth"]
    assert daily_report(app)
    [report] = [r for r in outbox_rows(app) if r["template"] == "intake_report"]
    assert f"{ref}: subject 1 has no date of birth" in report["text"]
    assert f"review-clerk case confirm {ref}" in report["text"]
    assert "Amelia" not in report["text"]  # the report names the case and the reason, never the child


def test_confirming_as_read_clears_it_and_is_audited(app):
    ref = _doubtful_case(app)
    assert cases.confirm_reading(app, ref, "business manager") == []
    assert cases.show(app, ref)["to_confirm"] == []
    history = cases.show(app, ref)["history"]
    assert history[-1]["action"] == "referral reading confirmed" and history[-1]["detail"]["corrected"] == []
    app.clock.set(datetime(2014, 5, 13, 9, 0, tzinfo=app.settings.tz))
    assert not daily_report(app)  # nothing left to ask about


def test_a_correction_replaces_the_subjects_and_the_audit_names_the_field_not_the_value(app):
    ref = _doubtful_case(app)
    read = cases.reading(app, ref)
    assert read["confidence"] and read["source_command"] == f"review-clerk inbox show {read['message']}"
    corrected = json.loads(json.dumps(read))
    corrected["subjects"][0]["date_of_birth"] = "03/02/2010"
    assert cases.confirm_reading(app, ref, "business manager", corrected) == ["subjects"]
    shown = cases.show(app, ref)
    assert shown["subjects"][0]["date_of_birth"] == "2010-02-03" and shown["to_confirm"] == []
    last = shown["history"][-1]
    assert last["detail"]["corrected"] == ["subjects"] and "2010" not in json.dumps(last["detail"])


def test_a_correction_with_a_date_of_birth_after_today_is_refused_naming_the_field(app):
    import pytest

    from service.intake.details import DetailsProblem

    ref = _doubtful_case(app)
    corrected = cases.reading(app, ref)
    corrected["subjects"][0]["date_of_birth"] = "2030-01-01"
    with pytest.raises(DetailsProblem, match=r"subjects\[1\]\.date_of_birth is after today"):
        cases.confirm_reading(app, ref, "business manager", corrected)
    assert cases.show(app, ref)["to_confirm"] == ["subject 1 has no date of birth"]
