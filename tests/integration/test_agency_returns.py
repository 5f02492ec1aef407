"""Agency returns by email (service/intake/agency_returns.py): what cannot be placed goes to the Business
Manager and is never dropped; a second version replaces the first for use and both are kept; an IMR and
a chronology in one message meet both deadlines. And the publication check as a gate: the
pre-publication notice waits while the last check of the report found anything, until a clean check
or a person's recorded acceptance."""

from __future__ import annotations

import io
import json
from datetime import date, datetime
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from service import cases
from service.chronology.publication import accept, case_identifiers, record_check
from service.chronology.report_check import check_report
from service.domain.model import Case, DomainError, Referrer, Subject
from service.domain.model_types import EventKind, Outcome
from service.jobs import read_inbox, send_outbox
from service.procedure.pack import default as default_procedure
from service.store import tables as t

LONDON = ZoneInfo("Europe/London")
REF = "ESCB-2014-001"
BM = "escb.business.manager@enfield.example.org"
POLICE = "public.protection@met-police.example.org"
FIXTURES = Path(__file__).resolve().parents[1] / "chronology" / "fixtures"
DOCX = ("application", "vnd.openxmlformats-officedocument.wordprocessingml.document")


def outbox(app, template: str | None = None) -> list[dict]:
    q = select(t.outbox).order_by(t.outbox.c.id)
    if template:
        q = q.where(t.outbox.c.template == template)
    with app.db.engine.connect() as conn:
        return [dict(r) for r in conn.execute(q).mappings()]


def inbox(app) -> list[dict]:
    with app.db.engine.connect() as conn:
        return [dict(r) for r in conn.execute(select(t.inbound_messages).order_by(t.inbound_messages.c.id))
                .mappings()]


def returns(app) -> list[dict]:
    with app.db.unit_of_work() as uow:
        return uow.returns.for_case(uow.cases.id_of(REF))


def states(app) -> dict[str, dict]:
    return {d["key"]: d for d in cases.show(app, REF)["deadlines"]}


def open_case(app, *agencies: str) -> None:
    case = Case.open(REF, date(2014, 5, 12), app.clock.now(), "test",
                     subjects=[Subject("Kai Jordan Mellor", "child", "child", date(2019, 2, 14),
                                       "Flat 3, 27 Larchwood Road, Enfield, EN3 7QX"),
                               Subject("Tanya Mellor", "mother", "mother", None, None)],
                     referrer=Referrer("Karen Sample", "Metropolitan Police Service", None,
                                       "karen.sample@met-police.example.org"), procedure=default_procedure())
    for a in agencies:
        case.add_agency(a, app.clock.now(), "test")
    with app.db.unit_of_work() as uow:
        uow.cases.add(case, 2014, 1)
        uow.commit()


def word(heading: str, rows: list[tuple[str, str, str]] | None = None) -> bytes:
    """A Word document with a heading and, given rows (date, what happened, outcome), a chronology table."""
    from docx import Document

    doc = Document()
    doc.add_heading(heading, 1)
    doc.add_paragraph("Prepared for the serious case review panel.")
    if rows is not None:
        table = doc.add_table(rows=1, cols=3)
        for cell, text in zip(table.rows[0].cells, ("Date", "What happened", "Action/outcome")):
            cell.text = text
        for row in rows:
            for cell, text in zip(table.add_row().cells, row):
                cell.text = text
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def send(app, n: int, sender: str, files: dict[str, bytes], subject: str = f"[{REF}] Our return") -> dict:
    m = EmailMessage()
    m["From"], m["To"], m["Subject"] = sender, BM, subject
    m["Date"] = format_datetime(app.clock.now())
    m["Message-ID"] = f"<return-{n}@agency.example.org>"
    m.set_content("Attached, for the review.")
    for name, data in files.items():
        m.add_attachment(data, maintype=DOCX[0], subtype=DOCX[1], filename=name)
    (app.settings.data_dir / "mail" / "inbox" / f"return-{n}.eml").write_bytes(bytes(m))
    read_inbox(app)
    return inbox(app)[-1]


@pytest.fixture
def case(app):
    open_case(app, "met-police", "enfield-ccg")
    cases.set_due(app, REF, "chronology", "met-police", date(2014, 7, 31), "bm")
    cases.set_due(app, REF, "imr", "met-police", date(2014, 8, 29), "bm")
    app.clock.set(datetime(2014, 6, 2, 10, tzinfo=LONDON))
    return REF


# What cannot be placed -----------------------------------------------------------------------
def test_a_chronology_from_an_agency_not_involved_is_held_for_the_business_manager_with_what_was_read(app, case):
    msg = send(app, 1, "safeguarding@beh-mht.example.org",
               {"chronology.docx": (FIXTURES / "police_word_standard.docx").read_bytes()})
    assert msg["status"] == "held" and "not recorded as involved" in msg["outcome"]
    assert returns(app) == [] and outbox(app, "agency_return_received") == []
    [told] = outbox(app, "agency_return_unplaced")
    assert told["to"] == [BM] and told["case_id"] is not None
    text = told["text"]
    assert "Barnet, Enfield and Haringey Mental Health NHS Trust (the sender's mail domain) is not recorded as " \
           "involved in ESCB-2014-001" in text
    assert "6 chronology rows read" in text and "Chronology (from the file's name)" in text
    assert f"review-clerk case add-agency {REF} AGENCY" in text
    assert "chronology.docx" not in text  # no file name: it may name the family


def test_a_return_for_no_known_case_is_held_for_the_business_manager(app, case):
    msg = send(app, 1, POLICE, {"IMR.docx": word("Individual Management Review")},
               subject="IMR for ESCB-2014-099")
    assert msg["status"] == "held" and msg["kind"] == "agency_return"
    [told] = outbox(app, "agency_return_unplaced")
    assert "Case:      none found" in told["text"] and "no case matches it" in told["text"]
    assert "Individual management review (agency report) (from the file's name)" in told["text"]
    assert "Metropolitan Police Service (from the sender's mail domain)" in told["text"]


def test_a_document_whose_kind_cannot_be_told_is_held_for_the_business_manager(app, case):
    msg = send(app, 1, POLICE, {"notes.docx": word("Notes of our meeting")})
    assert msg["status"] == "held"
    [told] = outbox(app, "agency_return_unplaced")
    assert "what kind of return it is could not be told" in told["text"]
    assert returns(app) == [] and states(app)["imr:met-police"]["state"] == "open"


def test_an_ordinary_reply_with_an_attachment_from_someone_who_is_no_agency_is_filed_as_a_reply(app, case):
    msg = send(app, 1, "someone@example.com", {"notes.docx": word("Notes")})
    assert msg["status"] == "reply" and outbox(app, "agency_return_unplaced") == []


# Versions and kinds --------------------------------------------------------------------------
def test_a_second_version_replaces_the_first_for_use_and_both_are_kept(app, case):
    first = send(app, 1, POLICE, {"Police chronology.docx": (FIXTURES / "police_word_standard.docx").read_bytes()})
    assert first["status"] == "reply"
    app.clock.set(datetime(2014, 6, 9, 10, tzinfo=LONDON))
    corrected = word("Chronology: Metropolitan Police Service", [("06/03/2023", "Domestic incident", "MASH"),
                                                                 ("14/03/2023", "Strategy meeting", "S47")])
    second = send(app, 2, POLICE, {"Police chronology (corrected).docx": corrected})
    assert second["status"] == "reply" and "chronology v2" in second["outcome"]

    kept = returns(app)
    assert [(r["kind"], r["version"], r["rows_read"]) for r in kept] == [("chronology", 1, 6), ("chronology", 2, 2)]
    with app.db.unit_of_work() as uow:
        [current] = uow.returns.current(uow.cases.id_of(REF), "chronology")
    assert current["version"] == 2
    # The deadline was met by the first; the second does not move it.
    assert str(states(app)["chronology:met-police"]["met_on"]) == "2014-06-02"
    thanks = outbox(app, "agency_return_received")
    assert len(thanks) == 2 and "version 2: it replaces the earlier one, which is kept" in thanks[1]["text"]
    drafts = outbox(app, "chronology_for_review")
    assert [d["subject"].rsplit(": ", 1)[1] for d in drafts] == ["1 agencies, 6 rows", "1 agencies, 2 rows"]
    send_outbox(app)
    read_inbox(app)
    assert len(outbox(app, "chronology_for_review")) == 2  # once per set of versions


def test_an_imr_and_a_chronology_in_one_message_meet_both_deadlines_and_thank_once(app, case):
    msg = send(app, 1, POLICE, {"Appendix A.docx": word("Individual Management Review: Metropolitan Police"),
                                "Appendix B.docx": (FIXTURES / "police_word_standard.docx").read_bytes()})
    assert msg["status"] == "reply"
    kinds = {(r["kind"], r["how"]["kind"]) for r in returns(app)}
    assert kinds == {("imr", "the document's heading"), ("chronology", "the document's heading")}
    assert states(app)["imr:met-police"]["state"] == "met" and states(app)["chronology:met-police"]["state"] == "met"
    [thanks] = outbox(app, "agency_return_received")
    assert thanks["to"] == [POLICE] and thanks["in_reply_to"] == "<return-1@agency.example.org>"


def test_the_agency_a_document_names_wins_over_the_senders_domain(app, case):
    """A return forwarded by the police on behalf of the CCG: the document's heading names the CCG."""
    msg = send(app, 1, POLICE, {"IMR.docx": word("Enfield Clinical Commissioning Group: agency report")})
    assert msg["status"] == "reply"
    [filed] = returns(app)
    assert (filed["agency"], filed["kind"], filed["how"]["agency"]) == ("enfield-ccg", "imr", "the document's heading")


# The publication check as a gate -------------------------------------------------------------
def plan_publication(app) -> None:
    cases.decide(app, REF, Outcome.SCR, date(2014, 5, 12), "criteria met", "chair")
    app.clock.set(datetime(2014, 6, 16, 10, tzinfo=LONDON))
    cases.record(app, REF, EventKind.LEAD_REVIEWER_APPOINTED, date(2014, 6, 16), "bm", "Jane Reviewer")
    app.clock.set(datetime(2014, 11, 3, 10, tzinfo=LONDON))
    cases.record(app, REF, "report_quality_assured", date(2014, 10, 27), "bm")
    cases.record(app, REF, EventKind.REPORT_SIGNED_OFF, date(2014, 11, 3), "bm")


def check(app, fixture: str) -> list:
    data = (FIXTURES / fixture).read_bytes()
    with app.db.unit_of_work() as uow:
        ids = case_identifiers(uow.cases.get(REF), json.loads((FIXTURES / "identifiers.json").read_text()))
    findings = check_report(data, ids)
    record_check(app, REF, fixture, data, findings, "bm")
    return findings


def test_the_prepublication_notice_waits_while_the_last_check_found_identifiers_and_goes_after_a_clean_one(app):
    open_case(app, "met-police")
    plan_publication(app)
    assert check(app, "report_planted.docx")
    cases.record(app, REF, EventKind.PUBLICATION_PLANNED, date(2014, 12, 1), "bm")
    assert outbox(app, "prepublication_notice") == []
    [held] = outbox(app, "not_sent")
    assert held["key"] == f"not_sent/{REF}/prepublication_notice/2014-12-01"
    assert "the last publication check of the report" in held["text"]
    assert f"review-clerk report accept {REF} --reason" in held["text"]
    assert states(app)["prepublication_notice"]["state"] != "met"

    assert check(app, "report_planted.pdf")  # still identifiers: still held
    assert outbox(app, "prepublication_notice") == []
    assert check(app, "report_clean.docx") == []
    [notice] = outbox(app, "prepublication_notice")
    assert notice["key"] == f"{REF}/prepublication_notice/2014-12-01"
    send_outbox(app)
    assert states(app)["prepublication_notice"]["state"] == "met"


def test_a_recorded_acceptance_lets_the_notice_go_and_is_audited(app):
    open_case(app, "met-police")
    plan_publication(app)
    found = check(app, "report_planted.docx")
    cases.record(app, REF, EventKind.PUBLICATION_PLANNED, date(2014, 12, 1), "bm")
    assert outbox(app, "prepublication_notice") == []
    with pytest.raises(DomainError, match="needs the reason"):
        accept(app, REF, "  ", "chair")
    done = accept(app, REF, "the names are the family's chosen pseudonyms", "chair")
    assert done.found == len(found) and done.notice_queued == [f"{REF}/prepublication_notice/2014-12-01"]
    with pytest.raises(DomainError, match="accepted already"):
        accept(app, REF, "again", "chair")
    with app.db.unit_of_work() as uow:
        audit = uow.audit.for_case(uow.cases.id_of(REF))
        assert uow.audit.verify()[1] == []
    accepted = [a for a in audit if a.action == "report check findings accepted"]
    assert len(accepted) == 1 and accepted[0].actor == "chair" and "pseudonyms" in accepted[0].reason
    checked = [a for a in audit if a.action == "report checked for identifiers"]
    assert checked and checked[0].detail["found"] == len(found)
    assert all("Mellor" not in json.dumps(a.detail) for a in checked)  # counts, never a value found


def test_no_check_recorded_leaves_the_notice_as_it_was(app):
    open_case(app, "met-police")
    plan_publication(app)
    cases.record(app, REF, EventKind.PUBLICATION_PLANNED, date(2014, 12, 1), "bm")
    assert len(outbox(app, "prepublication_notice")) == 1


def test_a_return_the_business_manager_forwards_is_the_agency_its_heading_names_and_is_not_answered(app, case):
    msg = send(app, 1, BM, {"Fwd chronology.docx": word("Chronology: Metropolitan Police Service",
                                                         [("06/03/2023", "Domestic incident", "MASH")])},
               subject=f"FW: [{REF}] chronology")
    assert msg["status"] == "reply"
    [filed] = returns(app)
    assert (filed["agency"], filed["how"]["agency"]) == ("met-police", "the document's heading")
    assert outbox(app, "agency_return_received") == []  # staff are not thanked for their own forwarding
    assert states(app)["chronology:met-police"]["state"] == "met"


def test_a_returned_document_is_sealed_and_resealed_when_the_keys_rotate(app, settings, case):
    from service.store.keys import rotate

    data = (FIXTURES / "police_word_standard.docx").read_bytes()
    send(app, 1, POLICE, {"Police chronology.docx": data})
    with app.db.engine.connect() as conn:
        stored = conn.exec_driver_sql("SELECT data FROM agency_returns").scalar_one()
    assert bytes(stored) != data and b"word/document.xml" not in bytes(stored)
    counts = rotate(settings, app.db)
    assert counts["agency_returns"] == 1
    with app.db.engine.connect() as conn:
        assert bytes(conn.exec_driver_sql("SELECT data FROM agency_returns").scalar_one()) != bytes(stored)
    with app.db.unit_of_work() as uow:
        assert uow.returns.document(returns(app)[0]["id"]) == data


def test_a_held_return_is_filed_by_releasing_it_once_the_agency_is_added(app, case):
    """What the Business Manager is told to do with a return from an agency not yet involved: add the agency,
    then release the held message (no need to ask the agency to send it again)."""
    from service.intake.by_hand import release_held

    msg = send(app, 1, "safeguarding@beh-mht.example.org",
               {"chronology.docx": (FIXTURES / "police_word_standard.docx").read_bytes()})
    assert msg["status"] == "held"
    [told] = outbox(app, "agency_return_unplaced")
    assert f"review-clerk inbox release {msg['id']}" in told["text"]
    cases.add_agency(app, REF, "beh-mht", "bm")
    cases.set_due(app, REF, "chronology", "beh-mht", date(2014, 7, 31), "bm")

    outcome = release_held(app, msg["id"], "bm")

    assert outcome.status == "reply" and "beh-mht chronology v1" in outcome.reason, outcome
    [filed] = returns(app)
    assert filed["agency"] == "beh-mht" and filed["kind"] == "chronology" and filed["version"] == 1
    assert states(app)["chronology:beh-mht"]["state"] == "met"
    assert len(outbox(app, "agency_return_received")) == 1
    assert len(outbox(app, "agency_return_unplaced")) == 1  # told once, not again
    assert inbox(app)[-1]["status"] == "reply" and "released by bm" in inbox(app)[-1]["outcome"]


def test_releasing_a_return_that_still_cannot_be_placed_leaves_it_held(app, case):
    from service.intake.by_hand import release_held

    msg = send(app, 1, "safeguarding@beh-mht.example.org",
               {"chronology.docx": (FIXTURES / "police_word_standard.docx").read_bytes()})
    outcome = release_held(app, msg["id"], "bm")
    assert outcome.status == "held" and "not recorded as involved" in outcome.reason
    assert inbox(app)[-1]["status"] == "held" and returns(app) == []
    assert len(outbox(app, "agency_return_unplaced")) == 1


def test_a_held_return_naming_no_known_case_is_filed_against_the_case_a_person_gives(app, case):
    from service.intake.by_hand import release_held

    msg = send(app, 1, POLICE, {"IMR.docx": word("Individual Management Review")}, subject="Our IMR, as asked")
    assert msg["status"] == "held" and msg["kind"] == "agency_return"
    [told] = outbox(app, "agency_return_unplaced")
    assert f"review-clerk inbox release {msg['id']} --case REFERENCE" in told["text"]
    with pytest.raises(LookupError):
        release_held(app, msg["id"], "bm", case_reference="ESCB-2014-099")
    assert inbox(app)[-1]["status"] == "held"  # nothing changed by the refusal

    outcome = release_held(app, msg["id"], "bm", case_reference=REF.lower())

    assert outcome.status == "reply" and outcome.reference == REF, outcome
    [filed] = returns(app)
    assert filed["agency"] == "met-police" and filed["kind"] == "imr"
    assert states(app)["imr:met-police"]["state"] == "met"
    assert len(outbox(app, "agency_return_received")) == 1 and len(outbox(app, "agency_return_unplaced")) == 1


def test_a_case_is_given_only_to_file_a_held_return(app, case):
    from service.intake.by_hand import release_held

    m = EmailMessage()
    m["From"], m["To"], m["Subject"] = "someone@gmail.example.com", BM, "Serious case review referral"
    m["Date"], m["Message-ID"] = format_datetime(app.clock.now()), "<held-referral@gmail.example.com>"
    m.set_content("Child's name: Test Child\nDate of birth: 01/02/2015\nWhat happened: injured.")
    (app.settings.data_dir / "mail" / "inbox" / "held.eml").write_bytes(bytes(m))
    read_inbox(app)
    held = inbox(app)[-1]
    assert (held["status"], held["kind"]) == ("held", "referral")  # from a domain that is no partner's
    with pytest.raises(ValueError, match="a case is given only to file a return"):
        release_held(app, held["id"], "bm", case_reference=REF)
