"""Who is invited, who must come, the quorum, the invitation's contents and emailed replies."""

import email
import email.policy
from datetime import date, datetime, timezone
from pathlib import Path

import pytest

from service.config import load_settings
from service.domain.model import Case, Subject
from service.mailbox.ports import ResponseStatus
from service.meetings.invite import event_spec
from service.meetings.invitees import invitees, quorum, quorum_warnings
from service.meetings.kinds import UnknownKind, kind_for
from service.meetings.ical_reply import build_reply_email, parse_reply
from service.procedure.pack import default as _default_procedure

SCR_PROCEDURE = _default_procedure()

EXAMPLE = Path(__file__).resolve().parents[2] / "config" / "review-clerk.example.toml"
AT = datetime(2014, 5, 12, 9, tzinfo=timezone.utc)


def settings_from(tmp_path, text: str):
    cfg = tmp_path / "review-clerk.toml"
    cfg.write_text(text)
    return load_settings(cfg, environ={})


@pytest.fixture
def settings(tmp_path):
    return settings_from(tmp_path, EXAMPLE.read_text())


def case_with(*agencies: str) -> Case:
    case = Case.open("ESCB-2014-007", date(2014, 5, 12), AT, "test",
                     subjects=[Subject("Amelia Testchild", "child", "child", date(2010, 2, 3), "1 Example Road"),
                               Subject("Grace Testmother", "adult", "mother")], procedure=SCR_PROCEDURE)
    for a in agencies:
        case.add_agency(a, AT, "test")
    return case


def test_the_chair_the_standing_panel_and_each_involved_agency_are_invited_once(settings):
    people = invitees(settings, case_with("met-police", "beh-mht", "enfield-csc"), kind_for("extraordinary"))
    emails = [p.email for p in people]
    assert emails == ["sqas.head@enfield.example.org", "designated.doctor@nhs.example.org", "designated.nurse@nhs.example.org",
                      "public.protection@met-police.example.org", "education.safeguarding@enfield.example.org",
                      "safeguarding@beh-mht.example.org"]
    chair = people[0]
    assert chair.roles == ("chair", "social-care")  # also the panel member for children's social care
    assert settings.people.business_manager.email not in emails  # organiser, not attendee


def test_required_attendees_follow_the_meeting_kind(settings):
    case = case_with("met-police", "beh-mht")
    assert all(p.required for p in invitees(settings, case, kind_for("extraordinary")))
    progress = {p.email: p.required for p in invitees(settings, case, kind_for("progress"))}
    assert progress["education.safeguarding@enfield.example.org"] is False  # education is not needed for progress
    assert progress["safeguarding@beh-mht.example.org"] is True  # an involved agency's panel member


def test_an_unknown_kind_is_refused_with_the_list_of_kinds():
    with pytest.raises(UnknownKind, match="extraordinary, terms_of_reference, progress, draft_report, sign_off"):
        kind_for("coffee")


def test_the_quorum_is_lost_only_when_everyone_holding_a_role_has_declined():
    d, n, a = ResponseStatus.DECLINED, ResponseStatus.NONE, ResponseStatus.ACCEPTED
    roles = ["chair", "police", "health"]
    assert not quorum(roles, [(["chair"], a), (["police"], n), (["health"], d), (["health"], n)]).lost
    lost = quorum(roles, [(["chair"], a), (["police"], d), (["health"], d), (["health"], a)])
    assert lost.lost_roles == ("police",)


def test_a_role_nobody_holds_is_unfilled_rather_than_lost():
    q = quorum(["chair", "social-care"], [(["chair"], ResponseStatus.ACCEPTED)])
    assert not q.lost and q.unfilled_roles == ("social-care",)


def test_a_standing_member_holds_the_role_of_the_agency_they_sit_for_in_every_case(settings):
    for case in (case_with(), case_with("met-police"), case_with("enfield-csc")):
        chair = invitees(settings, case, kind_for("extraordinary"))[0]
        assert chair.email == "sqas.head@enfield.example.org" and chair.roles == ("chair", "social-care")


def test_a_quorum_role_only_some_agencies_panel_members_hold_is_warned_about(tmp_path):
    text = EXAMPLE.read_text()
    chair_for_csc = 'agency = "enfield-csc"\nrole = "chair"'
    assert chair_for_csc in text
    settings = settings_from(tmp_path, text.replace(chair_for_csc, 'role = "chair"'))  # the chair sits for no agency
    [warning] = quorum_warnings(settings)
    assert "quorum role 'social-care' is held by no standing panel member" in warning
    assert "only by the panel member of enfield-csc" in warning


def test_a_quorum_role_nobody_holds_is_warned_about(tmp_path):
    text = EXAMPLE.read_text()
    line = '# quorum_roles = ["chair", "police", "health", "social-care"]'
    assert line in text
    settings = settings_from(tmp_path, text.replace(line, line[2:-1] + ', "legal"]'))
    assert quorum_warnings(settings) == [
        "quorum role 'legal' is held by nobody configured, so no meeting can have it (set it as a [[panel]] role "
        "or in [meetings] agency_roles, or take it out of [meetings] quorum_roles)"]


def test_the_invitation_names_the_case_by_reference_only(settings):
    case = case_with("met-police")
    kind = kind_for("extraordinary")
    people = invitees(settings, case, kind)
    meeting = {"key": "ESCB-2014-007/meeting/extraordinary/1", "sequence": 0,
               "start": datetime(2014, 5, 14, 8, tzinfo=timezone.utc), "end": datetime(2014, 5, 14, 10,
                                                                                       tzinfo=timezone.utc)}
    spec = event_spec(settings, case.reference, kind, meeting,
                      [{"email": p.email, "name": p.name, "required": p.required} for p in people])
    assert spec.subject == "[ESCB-2014-007] Extraordinary panel meeting: referral for a serious case review"
    assert "Agenda\n1. Introductions and confidentiality" in spec.body_text
    assert spec.online_meeting and spec.organizer == settings.people.business_manager.email
    everything = " ".join([spec.subject, spec.body_text, spec.body_html or "", spec.location or ""])
    for word in ("Amelia", "Testchild", "Grace", "Testmother", "Example Road", "2010"):
        assert word not in everything


def test_an_emailed_reply_is_read_back():
    raw = build_reply_email(uid="ESCB-2014-007/meeting/extraordinary/1", attendee_email="DI@Met-Police.example.org",
                            attendee_name="Detective Inspector, Public Protection", status=ResponseStatus.DECLINED,
                            organizer="bm@enfield.example.org", subject="[ESCB-2014-007] Extraordinary panel meeting",
                            sequence=2)
    reply = parse_reply(raw)
    assert reply.uid == "ESCB-2014-007/meeting/extraordinary/1" and reply.sequence == 2
    assert [(r.email, r.status) for r in reply.attendees] == [("di@met-police.example.org", ResponseStatus.DECLINED)]
    sender = email.message_from_bytes(raw, policy=email.policy.default)["From"].addresses[0]
    assert sender.addr_spec == "DI@Met-Police.example.org" and sender.display_name == "Detective Inspector, Public Protection"


def test_a_message_without_a_calendar_reply_is_not_a_meeting_reply():
    assert parse_reply(b"From: a@b.org\r\nSubject: hello\r\n\r\nJust text.") is None
    invite = (b"From: a@b.org\r\nContent-Type: text/calendar; method=REQUEST\r\n\r\n"
              b"BEGIN:VCALENDAR\r\nMETHOD:REQUEST\r\nBEGIN:VEVENT\r\nUID:x\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n")
    assert parse_reply(invite) is None


def test_a_panel_member_who_is_not_standing_is_invited_only_when_their_agency_is_involved(tmp_path):
    text = EXAMPLE.read_text() + '''
[[panel]]
name = "Probation panel member"
email = "panel@probation.example.org"
agency = "probation"
standing = false
'''
    settings = settings_from(tmp_path, text)
    kind = kind_for("extraordinary")
    assert "panel@probation.example.org" not in [p.email for p in invitees(settings, case_with("met-police"), kind)]
    [member] = [p for p in invitees(settings, case_with("probation"), kind) if p.email == "panel@probation.example.org"]
    assert member.agency == "probation" and member.agency_member and member.required
