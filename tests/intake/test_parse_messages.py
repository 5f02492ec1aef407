"""Whole messages: what kind they are, limits, unreadable documents, replies, and never raising."""

from __future__ import annotations

import base64
import io
import json
import logging
import time
import zipfile
from email.message import EmailMessage

import pytest
from referral_schema import validator

from service.intake.parsing import Limits, extract_fields, parse_message

VALIDATOR = validator(check_formats=False)

FORM = """Child and adult names, dates of birth and address:
Child: Amy Lee, DOB 01/02/2010; Mother: Kim Lee, DOB 03/04/1985; Address: 1 High St, Enfield, EN1 1AA

Date: 05/03/2014

Summary:
Amy was admitted to hospital with a head injury.

Request/Recommendations to the LSCB:
Please convene the panel.

How the case meets the SCR criteria:
Serious harm; abuse suspected.

Name of SCR Panel Member of the referring agency: Jo Bloggs
Telephone: 020 7946 0000
Email: jo.bloggs@example.org
"""


def message(body: str = FORM, *, subject: str = "SCR referral", sender: str = "jo.bloggs@example.org",
            headers: dict[str, str] | None = None, attachments: list[tuple[str, bytes, str]] = ()) -> bytes:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = "lscb@example.gov.uk"
    msg["Subject"] = subject
    msg["Date"] = "Wed, 05 Mar 2014 09:00:00 +0000"
    msg["Message-ID"] = "<test@example.org>"
    for k, v in (headers or {}).items():
        msg[k] = v
    msg.set_content(body)
    for name, data, mime in attachments:
        maintype, subtype = mime.split("/")
        msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
    return msg.as_bytes()


def docx_bytes(paragraphs: list[str]) -> bytes:
    import docx

    doc = docx.Document()
    for p in paragraphs:
        doc.add_paragraph(p)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


# -- a referral in the body ------------------------------------------------------------------


def test_a_form_in_the_body_is_read_with_its_source():
    got = parse_message(message())
    assert got["kind"] == "referral" and got["layout"] == "text_body" and got["missing"] == []
    assert got["source"] == {"message_id": "<test@example.org>", "from": "jo.bloggs@example.org", "subject": "SCR referral",
                             "date": "2014-03-05T09:00:00+00:00", "found_in": "body"}
    assert got["referrer"]["email"] == "jo.bloggs@example.org"


def test_the_senders_address_is_not_the_forms_email():
    got = parse_message(message(FORM.replace("Email: jo.bloggs@example.org\n", "")))
    assert got["referrer"]["email"] is None and got["missing"] == ["referrer.email"]


def test_sender_address_is_reported_lower_case_without_display_name():
    got = parse_message(message(sender='"Bloggs, Jo" <Jo.Bloggs@Example.ORG>'))
    assert got["source"]["from"] == "jo.bloggs@example.org"


# -- what kind of message -------------------------------------------------------------------


@pytest.mark.parametrize("headers,subject,kind", [
    ({"Auto-Submitted": "auto-replied"}, "Re: SCR referral", "auto_reply"),
    ({"X-Autoreply": "yes"}, "Re: SCR referral", "auto_reply"),
    ({"Precedence": "auto_reply"}, "Re: SCR referral", "auto_reply"),
    ({}, "Automatic reply: SCR referral", "auto_reply"),
    ({}, "Out of Office: SCR referral", "auto_reply"),
    ({}, "Undeliverable: SCR referral", "delivery_failure"),
    ({"X-Failed-Recipients": "lscb@example.gov.uk"}, "Mail failure", "delivery_failure"),
    ({}, "Accepted: SCR panel", "meeting_response"),
    ({"X-Review-Clerk-Key": "ESCB-2014-001/ack"}, "Re: SCR referral", "own_message"),
    ({"X-Review-Clerk-Loop": "1"}, "Re: SCR referral", "own_message"),
])
def test_decisive_signals_win_even_over_a_quoted_form(headers, subject, kind):
    got = parse_message(message(headers=headers, subject=subject))
    assert (got["is_referral"], got["kind"], got["layout"], got["missing"]) == (False, kind, None, [])
    assert got["not_referral_reason"]


@pytest.mark.parametrize("headers,kind", [
    ({"Auto-Submitted": "auto-generated"}, "auto_reply"),
    ({"List-Id": "<news.example.org>"}, "mailing_list"),
    ({"List-Unsubscribe": "<mailto:x@example.org>"}, "mailing_list"),
    ({"Precedence": "bulk"}, "mailing_list"),
])
def test_machine_and_list_headers_make_a_note_without_a_form_a_non_referral(headers, kind):
    assert parse_message(message("Our newsletter about referrals.", headers=headers))["kind"] == kind


@pytest.mark.parametrize("headers", [{"Auto-Submitted": "auto-generated"}, {"List-Id": "<gateway.example.org>"}])
def test_a_full_form_through_a_gateway_that_adds_list_or_generated_headers_is_still_a_referral(headers):
    assert parse_message(message(headers=headers))["kind"] == "referral"


def test_mail_from_postmaster_that_is_a_question_is_an_enquiry_not_a_bounce():
    got = parse_message(message("Could you tell me when the panel meets?", sender="postmaster@example.gov.uk"))
    assert got["kind"] == "enquiry"


def test_a_bounce_from_mailer_daemon_is_recognised_by_its_content():
    got = parse_message(message("Your message could not be delivered: 550 5.1.1 user unknown",
                                subject="failure", sender="MAILER-DAEMON@example.org"))
    assert got["kind"] == "delivery_failure"


def test_a_calendar_reply_is_a_meeting_response():
    msg = EmailMessage()
    msg["From"], msg["Subject"] = "a@example.org", "Panel meeting"
    msg.set_content("BEGIN:VCALENDAR\nMETHOD:REPLY\nEND:VCALENDAR\n", subtype="calendar")
    assert parse_message(msg.as_bytes())["kind"] == "meeting_response"


def test_empty_and_blank_messages_are_empty():
    assert parse_message(b"")["kind"] == "empty"
    assert parse_message(b"Subject: hello\n\n   \n")["kind"] == "empty"


# -- attachments --------------------------------------------------------------------------


def test_an_attached_form_wins_over_the_covering_note():
    cover = "Summary: attached\nTelephone: 020 7946 0999\n\nKind regards\nJo Bloggs\nEnfield Council Children's Services"
    raw = message(cover, attachments=[("form.docx", docx_bytes(FORM.split("\n")), "application/octet-stream")])
    got = parse_message(raw)
    assert got["layout"] == "docx_paragraphs" and got["source"]["found_in"] == "attachment: form.docx"
    assert got["referrer"]["telephone"] == "020 7946 0000"
    assert got["referrer"]["agency"] == "Enfield Council Children's Services"


def test_a_form_in_the_body_wins_over_an_unrelated_attachment():
    raw = message(attachments=[("notes.docx", docx_bytes(["Notes of a meeting."]), "application/octet-stream")])
    assert parse_message(raw)["layout"] == "text_body"


def test_a_legacy_word_document_goes_to_a_person_with_every_field_missing():
    legacy = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 200 + "WordDocument".encode("utf-16-le") + b"\0" * 200
    got = parse_message(message("Referral attached.", attachments=[("ref.doc", legacy, "application/msword")]))
    assert got["is_referral"] and got["kind"] == "referral" and got["needs_person"]
    [unreadable] = got["unreadable"]
    assert unreadable["part"] == "attachment: ref.doc"
    # Said plainly: the file named .doc is not a Word document that can be read (no content quoted).
    assert "Word" in unreadable["reason"] and "not a Word document" in unreadable["reason"]
    assert unreadable["reason"] in got["needs_person"]
    assert len(got["missing"]) == 8 and got["subjects"] == []


def test_an_unreadable_extra_attachment_is_listed_but_the_form_is_read():
    got = parse_message(message(attachments=[("chronology.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "application/msword")]))
    assert got["kind"] == "referral" and got["needs_person"] is None and len(got["unreadable"]) == 1


def test_a_zip_bomb_is_refused_before_it_is_expanded():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("word/document.xml", b"\0" * (8 * 1024 * 1024))
    started = time.perf_counter()
    got = parse_message(message("Referral attached.", attachments=[("form.docx", out.getvalue(), "application/octet-stream")]),
                        Limits(max_expanded_bytes=1024 * 1024))
    assert time.perf_counter() - started < 2
    assert got["needs_person"] and "zip bomb" in got["unreadable"][0]["reason"]


def test_a_message_over_the_size_limit_goes_to_a_person_unparsed():
    got = parse_message(message(), Limits(max_message_bytes=100))
    assert got["kind"] == "referral" and got["needs_person"].startswith("message is larger") and got["subjects"] == []
    assert got["source"]["subject"] == "SCR referral"


def test_an_oversized_bounce_is_still_recognised_from_its_headers():
    raw = message("x" * 1000, subject="Undeliverable: SCR referral")
    assert parse_message(raw, Limits(max_message_bytes=100))["kind"] == "delivery_failure"


def test_a_message_with_too_many_attachments_goes_to_a_person_without_opening_them():
    atts = [(f"a{i}.docx", docx_bytes(FORM.split("\n")), "application/octet-stream") for i in range(4)]
    got = parse_message(message("See attached.", attachments=atts), Limits(max_attachments=3))
    assert got["needs_person"] == "message has more than 3 attachments" and got["subjects"] == []


def test_a_form_in_the_body_is_still_read_when_there_are_too_many_attachments():
    atts = [(f"a{i}.txt", b"x", "text/plain") for i in range(4)]
    got = parse_message(message(attachments=atts), Limits(max_attachments=3))
    assert got["layout"] == "text_body" and got["needs_person"] and got["subjects"]


def test_only_the_first_pdf_pages_are_read():
    from pypdf import PdfWriter

    writer = PdfWriter()
    for _ in range(5):
        writer.add_blank_page(100, 100)
    buf = io.BytesIO()
    writer.write(buf)
    got = parse_message(message("Referral attached", attachments=[("f.pdf", buf.getvalue(), "application/pdf")]),
                        Limits(max_pdf_pages=2))
    assert "no text layer" in got["unreadable"][0]["reason"]


def test_a_forwarded_outlook_message_is_searched_like_an_attached_email(monkeypatch):
    import extract_msg

    class FakeAttachment:
        def __init__(self, name, data):
            self.longFilename, self.data, self.mimetype, self.hidden = name, data, "application/octet-stream", False

    class FakeMsg:
        subject, sender, date, messageId, htmlBody = "SCR referral", "Jo Bloggs <jo.bloggs@example.org>", None, "<m@x>", None
        body = "Please see attached.\n\nRegards\nJo Bloggs\nEnfield Council Children's Services\n"
        attachments = (FakeAttachment("form.docx", docx_bytes(FORM.split("\n"))),)

        def close(self):
            pass

    monkeypatch.setattr(extract_msg, "openMsg", lambda data, **kw: FakeMsg())
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + "__substg1.0_".encode("utf-16-le")
    got = parse_message(message("FYI", attachments=[("original.msg", ole, "application/vnd.ms-outlook")]))
    assert got["layout"] == "forward_msg" and got["referrer"]["agency"] == "Enfield Council Children's Services"
    assert got["source"]["found_in"] == "forwarded message (original.msg) > attachment: form.docx"


# -- replies (extract_fields) -----------------------------------------------------------------


def test_a_reply_gives_only_the_fields_in_its_new_text():
    body = ("Telephone: 020 7946 1234\nDate of referral: 6/3/2014\n\nOn Wed, 5 Mar 2014 at 09:00, LSCB <lscb@example.gov.uk> wrote:\n"
            + "\n".join("> " + line for line in FORM.split("\n")))
    got = extract_fields(message(body, subject="Re: missing information"))
    assert got["referrer"] == {"name": None, "agency": None, "telephone": "020 7946 1234", "email": None}
    assert got["referral_date"] == "2014-03-06" and got["subjects"] == [] and got["summary"] is None
    assert "referrer.telephone" not in got["missing"] and "summary" in got["missing"]


def test_a_reply_stops_at_an_outlook_header_block_and_original_message_line():
    for separator in ("-----Original Message-----\nFrom: LSCB\nSent: 05 March 2014\nTo: Jo\nSubject: SCR",
                      "From: LSCB <lscb@example.gov.uk>\nSent: 05 March 2014 09:00\nTo: Jo\nSubject: SCR"):
        got = extract_fields(message("Email: jo@example.org\n\n" + separator + "\n\n" + FORM))
        assert got["referrer"]["email"] == "jo@example.org" and got["summary"] is None


def test_a_reply_ignores_attachments_and_html_quotes():
    msg = EmailMessage()
    msg["From"], msg["Subject"] = "jo@example.org", "Re: SCR"
    msg.set_content("Mobile: 07700 900123")
    msg.add_alternative("<p>Mobile: 07700 900123</p><blockquote><p>Summary: quoted</p></blockquote>", subtype="html")
    msg.add_attachment(docx_bytes(FORM.split("\n")), maintype="application", subtype="octet-stream", filename="f.docx")
    got = extract_fields(msg.as_bytes())
    assert got["referrer"]["telephone"] == "07700 900123" and got["summary"] is None and got["subjects"] == []


def test_a_reply_can_give_people():
    got = extract_fields(message("The dates of birth are:\nChild: Amy Lee, DOB 01/02/2010\nMother: Kim Lee, DOB 03/04/1985\n"))
    assert [p["name"] for p in got["subjects"]] == ["Amy Lee", "Kim Lee"]


# -- never raising, never logging ----------------------------------------------------------------


@pytest.mark.parametrize("raw", [
    b"\xff\xfe\x00garbage" * 100,
    b"Content-Type: multipart/mixed; boundary=x\n\n--x\nContent-Transfer-Encoding: base64\n\n!!!not base64!!!\n--x--",
    b"Content-Type: text/plain; charset=no-such-charset\n\nSummary: caf\xe9",
    b"Subject: =?utf-8?B?broken?=\nContent-Type: text/plain; charset=utf-8\n\n\xc3\x28",
    b"Content-Type: message/rfc822\n\n" * 50,
    b"Content-Type: multipart/mixed; boundary=a\n\n--a\nContent-Type: application/pdf\nContent-Disposition: attachment; filename=x.pdf\n\n%PDF-1.4 broken",
    b"Content-Type: multipart/mixed; boundary=a\n\n--a\nContent-Disposition: attachment; filename*=utf-8''%E2%82%AC%ZZ.docx\n\nPK\x03\x04broken",
])
def test_malformed_input_never_raises_and_fits_the_schema(raw):
    got = parse_message(raw)
    json.dumps(got)
    VALIDATOR.validate(got)


def _forwarded(raw: bytes, times: int) -> bytes:
    for i in range(times):
        raw = (b"From: a@example.org\nSubject: FW\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=n%d\n\n"
               b"--n%d\nContent-Type: text/plain\n\nfw\n--n%d\nContent-Type: message/rfc822\n\n" % (i, i, i)) + raw + b"\n--n%d--\n" % i
    return raw


def test_a_form_forwarded_as_an_attachment_inside_a_forward_is_found():
    got = parse_message(_forwarded(message(), 3))
    assert got["layout"] == "forward_eml" and got["missing"] == []


def test_deeply_nested_forwards_are_bounded():
    started = time.perf_counter()
    got = parse_message(_forwarded(message(), 40))
    assert time.perf_counter() - started < 5
    assert got["kind"] in ("enquiry", "referral") and got["subjects"] == []


def test_unknown_input_types_do_not_raise():
    assert parse_message("Subject: text given as str\n\nhello")["kind"] == "enquiry"
    assert parse_message(None)["needs_person"]  # type: ignore[arg-type]
    assert extract_fields(None)["missing"]  # type: ignore[arg-type]


def test_parsing_logs_nothing_not_even_from_document_libraries(caplog):
    import re

    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(100, 100)
    buf = io.BytesIO()
    writer.write(buf)
    damaged = re.sub(rb"startxref\s+\d+", b"startxref\n9", buf.getvalue())  # pypdf warns, then recovers
    with caplog.at_level(logging.DEBUG):
        parse_message(message("Referral attached", attachments=[("x.pdf", damaged, "application/pdf")]))
    assert caplog.records == []
    with caplog.at_level(logging.DEBUG):  # nor afterwards, read by other code (a chronology, an agency's return)
        from pypdf import PdfReader

        PdfReader(io.BytesIO(damaged), strict=False)
        logging.getLogger("review_clerk.intake").info("the service's own loggers still speak")
    assert [r.name for r in caplog.records] == ["review_clerk.intake"]


def test_base64_and_rfc2047_rfc2231_names_are_decoded():
    data = docx_bytes(FORM.split("\n"))
    raw = (b"From: a@example.org\nSubject: =?utf-8?B?" + base64.b64encode("Référral".encode()) + b"?=\nMIME-Version: 1.0\n"
           b"Content-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: text/plain\n\nSee attached\n--b\n"
           b"Content-Type: application/octet-stream\nContent-Transfer-Encoding: base64\n"
           b"Content-Disposition: attachment; filename*=utf-8''R%C3%A9f%C3%A9rral.docx\n\n" + base64.encodebytes(data) + b"\n--b--\n")
    got = parse_message(raw)
    assert got["source"]["subject"] == "Référral" and got["source"]["found_in"] == "attachment: Référral.docx"


def test_a_memo_style_form_heading_is_not_taken_for_a_forwarded_header():
    memo = "From: Jo Bloggs, Enfield MASH\nTo: LSCB Business Manager\nDate: 05/03/2014\n\n" + FORM.split("\n\nDate:")[0] + \
        "\n\nSummary:\nAmy was hurt.\n\nRequest/Recommendations to the LSCB:\nReview."
    got = parse_message(message(memo))
    assert got["layout"] == "text_body" and got["referral_date"] == "2014-03-05"
