"""Mail the parser could not read in full goes to a person; small defects of real mail do not.

A referral must never be filed away as "not a referral" because part of the message was skipped
(forwards nested past the limit, too many parts) or lost to a broken MIME structure. But agency
mail is often a little malformed (no MIME-Version, no closing boundary), and that is read as usual.
Reasons given to a person never hold the child's or family's details.
"""

from __future__ import annotations

import base64
import time
from pathlib import Path

from test_parse_messages import FORM

from service.intake.parsing import parse_message
from service.intake.parsing.limits import MAX_NESTING
from service.intake.parsing.mime_reader import decode_bytes

HERE = Path(__file__).resolve().parent
FUZZ = HERE / "fuzz_corpus"

# What must never appear in a reason: the people of FORM and of the fuzz corpus (tests/intake/corpus).
PERSONAL = ("Amy", "Lee", "01/02/2010", "03/04/1985", "High St", "EN1", "Jayden", "Okoro", "Blessing", "Dunn",
            "21/11/2010", "Chase Side", "EN2")

HEAD = (b"From: jo.bloggs@example.org\nTo: lscb@example.gov.uk\nSubject: SCR referral\n"
        b"Date: Wed, 05 Mar 2014 09:00:00 +0000\nMessage-ID: <t@example.org>\n")


def plain(body: str, *, head: bytes = HEAD, charset: str = "utf-8") -> bytes:
    return head + b"MIME-Version: 1.0\nContent-Type: text/plain; charset=" + charset.encode() + b"\n\n" + body.encode()


def forwarded(raw: bytes, times: int, *, extra_headers: bytes = b"") -> bytes:
    """``raw`` attached (message/rfc822) to a forward, ``times`` over."""
    for i in range(times):
        raw = (b"From: duty.desk@example.nhs.uk\nSubject: FW: referral\n" + extra_headers +
               b"MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=n%d\n\n"
               b"--n%d\nContent-Type: text/plain\n\nForwarded.\n--n%d\nContent-Type: message/rfc822\n\n" % (i, i, i)
               ) + raw + b"\n--n%d--\n" % i
    return raw


def assert_goes_to_a_person(got: dict, phrase: str) -> None:
    assert got["is_referral"] is True and got["kind"] == "referral", got
    assert got["needs_person"] and phrase in got["needs_person"], got["needs_person"]
    assert not [p for p in PERSONAL if p in got["needs_person"]], got["needs_person"]
    assert not [p for u in got["unreadable"] for p in PERSONAL if p in u["reason"]], got["unreadable"]
    assert any(phrase in u["reason"] for u in got["unreadable"]), got["unreadable"]


def assert_read_normally(got: dict) -> None:
    assert got["kind"] == "referral" and got["needs_person"] is None, got["needs_person"]
    assert [s["name"] for s in got["subjects"]][:1] == ["Amy Lee"] and got["missing"] == []
    assert got["summary"].startswith("Amy was admitted")


# -- forwards nested past the limit, and other parts skipped at a limit ---------------------------------


def test_referral_nested_deeper_than_the_limit_goes_to_a_person():
    got = parse_message(forwarded(plain(FORM), MAX_NESTING + 1))
    assert_goes_to_a_person(got, "nested too deeply")
    assert got["subjects"] == []  # nothing half-read is passed off as the referral


def test_referral_nested_as_deep_as_the_limit_is_read():
    got = parse_message(forwarded(plain(FORM), MAX_NESTING))
    assert_read_normally(got)
    assert got["layout"] == "forward_eml"


def test_a_referral_forwarded_five_levels_deep_is_read_like_the_original():
    got = parse_message((FUZZ / "nested-forward-5-deep.eml").read_bytes())
    assert got["kind"] == "referral" and got["needs_person"] is None and got["layout"] == "forward_eml"
    assert got["subjects"][0]["name"] == "Jayden Okoro"


def test_a_forward_nested_a_hundred_deep_is_bounded_and_goes_to_a_person():
    started = time.perf_counter()
    got = parse_message((FUZZ / "nested-forward-100-deep.eml").read_bytes())
    assert time.perf_counter() - started < 5
    assert_goes_to_a_person(got, "nested too deeply")


def test_too_deep_a_referral_is_not_filed_as_a_mailing_list_because_of_its_headers():
    # Secure-mail gateways add list-like headers to real referrals: what was not read may be the form.
    got = parse_message(forwarded(plain(FORM), MAX_NESTING + 1, extra_headers=b"List-Id: <duty.example.nhs.uk>\n"))
    assert_goes_to_a_person(got, "nested too deeply")


def test_a_form_read_beside_a_forward_too_deep_to_read_is_kept_but_checked_by_a_person():
    inner = forwarded(plain("Earlier version attached."), MAX_NESTING)
    raw = (HEAD + b"MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=top\n\n--top\n"
           b"Content-Type: text/plain\n\n" + FORM.encode() + b"\n--top\nContent-Type: message/rfc822\n\n"
           + inner + b"\n--top--\n")
    got = parse_message(raw)
    assert [s["name"] for s in got["subjects"]][:1] == ["Amy Lee"]  # what was read is kept for the person
    assert got["needs_person"] and "nested too deeply" in got["needs_person"]


def test_a_message_without_referral_words_nested_too_deeply_still_goes_to_a_person():
    # The words "referral" may be only in the part that was not read.
    got = parse_message(forwarded(plain(FORM, head=b"From: a@example.org\nSubject: FW\n"), MAX_NESTING + 2))
    assert_goes_to_a_person(got, "nested too deeply")


def test_a_message_with_too_many_mime_parts_goes_to_a_person():
    parts = b"".join(b"--b\nContent-Type: text/plain\n\nnote %d\n" % i for i in range(600))
    raw = HEAD + b"MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=b\n\n" + parts + b"--b--\n"
    assert_goes_to_a_person(parse_message(raw), "too many MIME parts")


def test_too_many_attachments_with_list_headers_go_to_a_person_not_to_the_mailing_list_pile():
    # The attachments were not opened (a limit): one of them may be the form.
    parts = b"".join(b"--b\nContent-Type: application/octet-stream\nContent-Disposition: attachment; "
                     b"filename=a%d.bin\n\nx\n" % i for i in range(25))
    raw = (b"From: a@example.org\nSubject: Documents\nList-Id: <gateway.example.nhs.uk>\nMIME-Version: 1.0\n"
           b"Content-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: text/plain\n\nSee attached.\n"
           + parts + b"--b--\n")
    got = parse_message(raw)
    assert got["kind"] == "referral" and got["needs_person"].startswith("message has more than")


# -- broken MIME structure ----------------------------------------------------------------------------------


def test_an_empty_boundary_hiding_the_word_form_goes_to_a_person():
    got = parse_message((FUZZ / "boundary-empty-and-stray-parts.eml").read_bytes())
    assert_goes_to_a_person(got, "broken MIME structure")


def test_a_broken_boundary_goes_to_a_person_even_without_referral_words():
    raw = (b"From: a@example.org\nSubject: Question\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"\"\n\n"
           b"--b\nContent-Type: text/plain\n\n" + FORM.encode() + b"\n--b--\n")
    assert_goes_to_a_person(parse_message(raw), "broken MIME structure")


def test_a_multipart_without_a_boundary_goes_to_a_person():
    raw = (b"From: a@example.org\nSubject: Question\nMIME-Version: 1.0\nContent-Type: multipart/mixed\n\n"
           b"--b\nContent-Type: text/plain\n\nPlease see the form.\n--b--\n")
    assert_goes_to_a_person(parse_message(raw), "broken MIME structure")


def test_a_text_body_whose_base64_cannot_be_decoded_goes_to_a_person():
    body = base64.b64encode(b"Please see the referral, the form is in the next message.")[:-3]  # length broken
    raw = (b"From: a@example.org\nSubject: Hello\nMIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\n"
           b"Content-Transfer-Encoding: base64\n\n" + body + b"\n")
    assert_goes_to_a_person(parse_message(raw), "base64")


def test_a_form_read_despite_a_broken_part_elsewhere_is_filed_as_a_referral():
    # A confident referral was read: the broken part is listed, and nothing more is needed.
    raw = (HEAD + b"MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=top\n\n--top\n"
           b"Content-Type: text/plain\n\n" + FORM.encode() + b"\n--top\n"
           b"Content-Type: multipart/alternative; boundary=\"\"\n\n--alt\nContent-Type: text/plain\n\nsignature\n"
           b"--top--\n")
    got = parse_message(raw)
    assert_read_normally(got)
    assert any("broken MIME structure" in u["reason"] for u in got["unreadable"])


# -- charsets -----------------------------------------------------------------------------------------------


def test_an_ascii_body_declared_utf16_is_read_as_the_text_it_is():
    got = parse_message((FUZZ / "charset-utf-16-on-ascii-body.eml").read_bytes())
    assert got["kind"] == "referral" and got["needs_person"] is None and got["layout"] == "text_body"
    assert got["subjects"][0]["name"] == "Jayden Okoro"


def test_an_ascii_form_declared_utf16_or_utf32_is_read_normally():
    for charset in ("utf-16", "utf-16-le", "utf-16-be", "utf-32"):
        assert_read_normally(parse_message(plain(FORM, charset=charset)))


def test_a_real_utf16_body_without_a_byte_order_mark_is_still_read_as_utf16():
    raw = (HEAD + b"MIME-Version: 1.0\nContent-Type: text/plain; charset=utf-16\nContent-Transfer-Encoding: base64\n\n"
           + base64.encodebytes(FORM.encode("utf-16-le")))
    assert_read_normally(parse_message(raw))


def test_text_really_in_utf16_is_not_taken_for_8bit_text():
    chinese = "中文测试，这是一个转介。儿童受伤了。" * 5
    assert decode_bytes(chinese.encode("utf-16-le"), "utf-16-le") == chinese
    assert decode_bytes(("中文\r\n测试 ok" * 20).encode("utf-16-le"), "utf-16") == "中文\r\n测试 ok" * 20
    assert decode_bytes("Summary: a café".encode(), "utf-16") == "Summary: a café"


# -- small defects are not a reason to bother a person ----------------------------------------------------


def test_well_formed_mail_with_minor_defects_is_read_normally():
    # No MIME-Version, no closing boundary, a stray line before the first part: common, and harmless.
    raw = (HEAD + b"Content-Type: multipart/mixed; boundary=b\n\nThis is a multi-part message.\n--b\n"
           b"Content-Type: text/plain; charset=utf-8\n\n" + FORM.encode() + b"\n")
    got = parse_message(raw)
    assert_read_normally(got)
    assert got["unreadable"] == []


def test_an_enquiry_with_minor_defects_is_still_an_enquiry():
    raw = (b"From: a@example.org\nSubject: Panel dates\nContent-Type: multipart/alternative; boundary=b\n\n--b\n"
           b"Content-Type: text/plain\n\nWhen does the panel next meet?\n")
    got = parse_message(raw)
    assert got["kind"] == "enquiry" and got["needs_person"] is None and got["unreadable"] == []


def test_a_multipart_message_with_nothing_in_it_is_not_sent_to_a_person():
    raw = b"From: a@example.org\nSubject: \nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=b\n\n\n"
    got = parse_message(raw)
    assert got["is_referral"] is False and got["needs_person"] is None and got["unreadable"] == []


# -- text past the parser's reading limit ----------------------------------------------------------------

def test_a_body_longer_than_the_parser_reads_with_no_form_found_goes_to_a_person():
    from service.intake.parsing.limits import MAX_TEXT_CHARS

    body = "Please see the referral for Amy Lee below, after our notes.\n" + "Note line of padding.\n" * (
        MAX_TEXT_CHARS // 20)
    assert_goes_to_a_person(parse_message(plain(body)), "longer than the parser reads")


def test_a_text_attachment_longer_than_the_parser_reads_goes_to_a_person():
    from service.intake.parsing.limits import MAX_TEXT_CHARS

    text = ("Padding line.\n" * (MAX_TEXT_CHARS // 12)).encode()
    raw = (HEAD + b"MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: text/plain\n\n"
           b"Referral attached.\n--b\nContent-Type: text/plain\nContent-Disposition: attachment; filename=notes.txt\n"
           b"Content-Transfer-Encoding: base64\n\n" + base64.encodebytes(text) + b"\n--b--\n")
    assert_goes_to_a_person(parse_message(raw), "longer than the parser reads")
