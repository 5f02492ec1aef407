"""The shipped configuration fills its own quorum (issue 12 item 7).

Every "Arranged" mail in the demo said "nobody invited holds the quorum
role(s) social-care": the quorum asks for social care, and the Head of SQAS,
chair and children's services' panel member, held that role only in cases
that named children's services as involved. `init` and the demo copy the
example configuration, so this is their configuration too.
"""

from datetime import date
from zoneinfo import ZoneInfo

from service.domain.model import Case, Referrer, Subject
from service.mailbox.local import safe_name
from service.meetings import service as meetings
from service.meetings.invitees import quorum_warnings
from service.meetings.kinds import default_kind_names
from service.procedure.pack import default as _default_procedure

SCR_PROCEDURE = _default_procedure()

LONDON = ZoneInfo("Europe/London")
DOCTOR = "designated.doctor@nhs.example.org"
AGENCY_SETS = ((), ("met-police",), ("enfield-ccg", "beh-mht", "probation", "enfield-education"), ("enfield-csc",))


def open_case(app, seq: int, agencies: tuple[str, ...]) -> str:
    reference = f"ESCB-2014-{seq:03d}"
    now = app.clock.now()
    case = Case.open(reference, date(2014, 5, 12), now, "test", subjects=[Subject(f"Child{seq} Testname", "child")],
                     referrer=Referrer("Karen Sample", "Metropolitan Police Service", "020", "karen@met-police.example.org"), procedure=SCR_PROCEDURE)
    for a in agencies:
        case.add_agency(a, now, "test")
    with app.db.unit_of_work() as uow:
        uow.cases.add(case, 2014, seq)
        uow.commit()
    return reference


def away_all_summer(app, email: str) -> None:
    """Somebody required is busy throughout, so every meeting's "Arranged" report goes to the Business Manager."""
    (app.settings.data_dir / "calendar" / "busy" / f"leave-{safe_name(email)}.ics").write_bytes(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VEVENT\r\nUID:leave\r\n"
        "DTSTAMP:20140501T000000Z\r\nDTSTART:20140501T000000\r\nDTEND:20140930T000000\r\nSUMMARY:leave\r\n"
        f"ATTENDEE:mailto:{email}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n".encode())


def test_the_shipped_configuration_leaves_no_quorum_role_to_chance(settings):
    assert quorum_warnings(settings) == []


def test_every_meeting_kind_is_arranged_without_a_quorum_warning_with_the_shipped_configuration(app):
    away_all_summer(app, DOCTOR)
    arranged = {}
    for seq, agencies in enumerate(AGENCY_SETS, start=1):
        reference = open_case(app, seq, agencies)
        for kind in default_kind_names():
            view = meetings.schedule(app, reference, kind)
            assert view["state"] == "scheduled", (kind, agencies)
            assert [n for n in view["notes"] if "quorum" in n] == [], (kind, agencies)
            arranged[(reference, kind)] = view["key"]
    with app.db.unit_of_work() as uow:
        texts = {r["key"]: uow.outbox.get(r["id"])["text"] for reference in {ref for ref, _ in arranged}
                 for r in uow.outbox.for_case(uow.cases.id_of(reference), ["meeting_report"])}
    for (reference, kind), key in arranged.items():
        text = texts[f"{key}/report/arranged/0"]  # rendered for the Business Manager: the doctor is away
        assert "Designated Doctor" in text
        assert "quorum" not in text, (reference, kind, text)
