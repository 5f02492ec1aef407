"""The meetings demo the lead's `review-clerk demo` calls: arranged, answered by REPLY emails, moved."""

import email
import email.policy
import io
from datetime import date

from rich.console import Console

from service.domain.model import Case, Subject
from service.mailbox.ports import Disposition
from service.meetings.demo import demo_meetings
from service.meetings.responses import file_meeting_reply
from service.meetings.service import on_case_opened
from service.procedure.pack import default as _default_procedure

SCR_PROCEDURE = _default_procedure()


def file_replies_from_the_inbox(app) -> None:
    """What intake does with a meeting reply: hand it to file_meeting_reply, then file the message."""
    for msg in app.mailbox.read_new(None).messages:
        sender = email.message_from_bytes(msg.raw, policy=email.policy.default)["From"].addresses[0].addr_spec
        with app.db.unit_of_work() as uow:
            file_meeting_reply(uow, app, {"raw": msg.raw, "sender": sender.lower()})
            uow.commit()
        app.mailbox.mark_handled(msg.id, Disposition.PROCESSED)


def test_the_demo_arranges_the_meeting_records_the_replies_and_moves_it(app):
    now = app.clock.now()
    case = Case.open("ESCB-2014-001", date(2014, 5, 12), now, "intake", subjects=[Subject("Amelia Demo", "child")], procedure=SCR_PROCEDURE)
    case.add_agency("met-police", now, "intake")
    case.add_agency("enfield-csc", now, "intake")
    with app.db.unit_of_work() as uow:
        on_case_opened(uow, app, case, uow.cases.add(case, 2014, 1))
        uow.commit()
    out = Console(file=io.StringIO(), width=200)

    steps = demo_meetings(app, out, "ESCB-2014-001", read_inbox=file_replies_from_the_inbox)

    assert steps["arranged"]["when"] == "Thursday 15 May 2014, 09:00 to 11:00"  # police in court on Wednesday
    assert steps["answered"]["responses"] == {"accepted": 3, "tentative": 1, "declined": 1, "none": 0}
    assert steps["answered"]["quorum_lost"] == ["police"]
    assert steps["answered"]["proposed"] == "Thursday 15 May 2014, 11:00 to 13:00"
    assert steps["moved"]["when"] == "Thursday 15 May 2014, 11:00 to 13:00" and steps["moved"]["sequence"] == 1
    assert len(list((app.settings.data_dir / "calendar").glob("*.ics"))) == 1
    text = out.file.getvalue()
    assert "quorum lost" in text and "Amelia" not in text
