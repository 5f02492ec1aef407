"""may_auto_reply: the service never answers auto-replies, bounces, lists or itself."""

from __future__ import annotations

from email import message_from_bytes, policy
from email.message import EmailMessage, Message

import pytest

from service.intake.loops import may_auto_reply

OWN = {"lscb@example.gov.uk", "Review.Clerk@Example.gov.uk"}


def msg(**headers: str) -> EmailMessage:
    m = EmailMessage()
    m["From"] = headers.pop("From", "jo.bloggs@example.org")
    m["Subject"] = "SCR referral"
    for name, value in headers.items():
        m[name.replace("_", "-")] = value
    m.set_content("Referral below.")
    return m


def test_an_ordinary_referral_may_be_answered():
    assert may_auto_reply(msg(), OWN) == (True, None)


@pytest.mark.parametrize("headers", [
    {"Auto_Submitted": "auto-replied"}, {"Auto_Submitted": "auto-generated"}, {"Auto_Submitted": "auto-notified; owner-email=x@y"},
    {"Precedence": "bulk"}, {"Precedence": "list"}, {"Precedence": "junk"}, {"Precedence": "auto_reply"}, {"Precedence": "BULK"},
    {"X_Auto_Response_Suppress": "All"}, {"X_Auto_Response_Suppress": "OOF"}, {"X_Auto_Response_Suppress": "AutoReply"},
    {"X_Auto_Response_Suppress": "DR, RN, NRN"}, {"X_Autoreply": "yes"}, {"X_Autorespond": "yes"},
    {"List_Id": "<news.example.org>"}, {"List_Unsubscribe": "<mailto:leave@example.org>"},
    {"X_Review_Clerk_Key": "ESCB-2014-001/ack"}, {"X_Review_Clerk_Loop": "1"},
    {"Return_Path": "<>"},
    {"From": "MAILER-DAEMON@mx.example.org"}, {"From": "postmaster@example.gov.uk"}, {"From": "no-reply@example.org"},
    {"From": "noreply@example.org"}, {"From": "do-not-reply@example.org"}, {"From": "DoNotReply@example.org"},
    {"From": "Review Clerk <review.clerk@example.gov.uk>"}, {"Sender": "lscb@example.gov.uk"},
    {"Return_Path": "<bounces+123@lists.example.org>"},
])
def test_automatic_replies_are_refused_with_a_reason(headers):
    allowed, reason = may_auto_reply(msg(**headers), OWN)
    assert allowed is False and reason


@pytest.mark.parametrize("headers", [{"Auto_Submitted": "no"}, {"Auto_Submitted": "No"}, {"X_Auto_Response_Suppress": "None"},
                                     {"Precedence": "normal"}, {"Return_Path": "<jo.bloggs@example.org>"}])
def test_headers_that_do_not_suppress_replies_are_allowed(headers):
    assert may_auto_reply(msg(**headers), OWN) == (True, None)


def test_delivery_reports_are_refused():
    m = Message()
    m["From"] = "mx@example.org"
    m["Content-Type"] = 'multipart/report; report-type=delivery-status; boundary="b"'
    assert may_auto_reply(m, OWN)[0] is False


def test_malformed_headers_do_not_raise():
    raw = b"From: =?utf-8?B?broken\nReturn-Path: <<<\nAuto-Submitted:\n\nbody"
    allowed, reason = may_auto_reply(message_from_bytes(raw, policy=policy.default), OWN)
    assert allowed is False and "Auto-Submitted" in reason
    assert may_auto_reply(message_from_bytes(b"From: ???\n\nx"), set()) == (True, None)
