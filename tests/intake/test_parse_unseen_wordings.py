"""Wordings met after the parser was written: each is kept here so it stays read."""

from service.intake.parsing import parse_message

PLAIN = b"""From: Ann Jones <ann.jones@nhs.net>
To: escb.business.manager@enfield.gov.uk
Subject: Serious Case Review referral
Date: Wed, 05 Mar 2014 10:00:00 +0000
Message-ID: <p1@nhs.net>
Content-Type: text/plain; charset="windows-1252"
Content-Transfer-Encoding: 8bit

SCR REFERRAL FORM

Names, DOBs and address of child/adults:
Jayden SMITH (child) d.o.b. 4.3.2012
Kelly SMITH (mother) d.o.b. 12.11.1990
Both of 14 Park Avenue, Enfield EN1 2XX

Date of referral: Wednesday 5th March 2014

Case summary
Jayden was admitted to hospital with a fractured femur.

Recommendation to the Board: Undertake an SCR

Criteria: Child seriously harmed; concerns about how agencies worked together.

Referrer: Dr Ann Jones
Agency: Enfield CCG
Tel no. 020 8000 1111
Email address: ann.jones@nhs.net
"""


def test_a_household_address_introduced_by_both_of_applies_to_everyone_above_it():
    r = parse_message(PLAIN)
    assert [(s["name"], s["role"], s["date_of_birth"], s["address"]) for s in r["subjects"]] == [
        ("Jayden SMITH", "child", "2012-03-04", "14 Park Avenue, Enfield EN1 2XX"),
        ("Kelly SMITH", "adult", "1990-11-12", "14 Park Avenue, Enfield EN1 2XX"),
    ]
    assert r["referral_date"] == "2014-03-05" and r["missing"] == []
    assert r["referrer"] == {"name": "Dr Ann Jones", "agency": "Enfield CCG", "telephone": "020 8000 1111",
                             "email": "ann.jones@nhs.net"}


def test_all_at_flat_is_a_household_address_too():
    raw = PLAIN.replace(b"Both of 14 Park Avenue, Enfield EN1 2XX", b"All at Flat 2, 7 Mill Lane, Enfield EN2 3YY")
    assert {s["address"] for s in parse_message(raw)["subjects"]} == {"Flat 2, 7 Mill Lane, Enfield EN2 3YY"}
