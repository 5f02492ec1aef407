"""Generate the third red-team set: referrals written as letters, and enquiries that only talk about referrals.

Run from the repository root::

    .venv/bin/python tests/intake/unseen3/make_unseen3.py

Writes ``<case>.eml`` and ``<case>.json`` beside this script in the same format as the other sets
(schema fields plus ``kind`` / ``layout``), so that ``bench/parse_accuracy.py`` scores this
directory as its own line. The letters and enquiries that are one text or HTML message are the
table ``cases.toml`` (read by ``redteam_mail.table_cases``); the attached PDF and Word letters
and the anonymised letter are built here.

A letter has few labels or none: the people are given in lines such as "Child: X (DOB ...)",
"The child is X, born ...", "Subjects: X (4), Y (mother, 29)"; what happened is told in one or
more paragraphs; the request is a sentence ("We ask the Board to ...") and so is the criteria
statement ("We believe the criteria are met because ..."); the referrer is the signature. Three
messages are genuine enquiries that mention SCRs and referrals and must stay enquiries.

Conventions (following the samples): the referral date is a date the letter itself carries (a
dated letter, a "Date:" line), never the email's; a letter with none has it null and missing.
The referrer's email is an address written in the letter (signature), not the sender's. The
summary is the narrative paragraph(s), not the opening "I am writing to refer ..." sentence or
the people lines. The request and criteria are the sentences as written. A child's relationship
is "child" where the letter says "Child:" / "the child is"; nothing stated is null.

Expected values were written by hand before the parser was changed, never copied from its output.
All people, addresses and numbers are invented; phone numbers use Ofcom's drama ranges.
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))  # tests/intake: what the generated sets share

import redteam_mail as R  # noqa: E402
from generated_sets import load_script  # noqa: E402
from redteam_mail import C, Case, S, expect, plain  # noqa: E402

BOARD = "escb.business.manager@example.gov.uk"
DOMAIN = "unseen3.example"
U2 = load_script(HERE.parent / "unseen2" / "make_unseen2.py")  # Word body helpers


def hdr(sender: str, subject: str, date: str, mid: str) -> dict[str, str]:
    return R.headers(BOARD, DOMAIN, sender, subject, date, mid)


def letter_pdf(lines: list[str]) -> bytes:
    """A one-page PDF letter, one text line per item (blank strings leave a gap)."""
    items, y = [], 800.0
    for line in lines:
        if line:
            items.append((56.0, y, "F1", 10.0, line))
        y -= 14.0
    return C.make_pdf([items])


def cases() -> list[Case]:
    out: list[Case] = R.table_cases(HERE / "cases.toml", BOARD, DOMAIN)

    def add(name: str, eml: bytes, expected: dict) -> None:
        out.append(Case(name, eml, expected))

    # ------------------------------------------------------------------ 7
    # A referral letter in an attached PDF; a one-line covering note.
    hh = "31 Bury Street West, London N9 9JY"
    summ = ("Reece, who is looked after, was found unresponsive in his placement on 22 January 2026 and died in "
            "hospital two days later. A toxicology report is awaited.")
    crit = "We believe the criteria are met because Reece has died and neglect is suspected."
    pdf = letter_pdf([
        "Enfield Clinical Commissioning Group", "", "27 January 2026", "", "Dear Business Manager,", "",
        "I write to refer the following case to the Board for a Serious Case Review.", "",
        f"Child: Reece Adams (DOB 09/08/2009), {hh}",
        "Mother: Leanne Adams (DOB 30/01/1990), address not known", "",
        summ[:86], summ[86:], "",
        crit, "",
        "We ask the Board to consider an SCR.", "",
        "Yours sincerely,", "", "Dr Nadia Rahman", "Designated Nurse for Looked After Children",
        "Enfield Clinical Commissioning Group", "Tel: 020 7946 0270", "Email: nadia.rahman@example.nhs.uk",
    ])
    add("pdf-letter-attached",
        U2._cover("Please find attached our referral letter.\n\nNadia\n", hdr("Nadia Rahman <nadia.rahman@example.nhs.uk>",
                  "SCR referral letter", "Tue, 27 Jan 2026 12:00:00 +0000", "l7"),
                  [(pdf, "SCR referral letter.pdf", "application/pdf")], boundary="b7"),
        expect("pdf", date="2026-01-27", subjects=[
            S("Reece Adams", "child", "child", "2009-08-09", hh),
            S("Leanne Adams", "adult", "mother", "1990-01-30", None),
        ], summary=summ, request="We ask the Board to consider an SCR.", criteria=crit, name="Dr Nadia Rahman",
            agency="Enfield Clinical Commissioning Group", phone="020 7946 0270", email="nadia.rahman@example.nhs.uk"))

    # ------------------------------------------------------------------ 9
    # Clearly a referral, but the people are not named (anonymised): a referral with subjects missing.
    body = """Dear Business Manager,

I am writing to refer a case for consideration of a Serious Case Review. The family's details will follow by secure email.

A three-year-old girl was admitted to hospital on 5 March 2026 with multiple fractures of different ages. Her parents have given no explanation.

We believe the criteria are met because abuse is suspected and the child has been seriously harmed.

We request that the Board considers an SCR.

Kind regards

Olu Adeyemi
Consultant Paediatrician, Chase Farm Hospital
Tel: 020 7946 0822
"""
    add("letter-anonymised-no-people",
        plain(body, hdr("Olu Adeyemi <olu.adeyemi@example.nhs.uk>", "SCR referral",
                        "Fri, 6 Mar 2026 09:00:00 +0000", "l9")),
        {"is_referral": True, "kind": "referral", "subjects": []})

    # ------------------------------------------------------------------ 15
    # Letter as a Word document (paragraphs), covering note in the body.
    hh = "5 Grove Road, London N11 1LX"
    summ = ("Daniel (aged 16) died by suicide on 15 February 2026. He had been excluded from school in December and "
            "his referral to CAMHS was closed after two missed appointments.")
    crit = "We believe the criteria are met because Daniel has died and there are concerns about how agencies worked together."
    body_xml = (U2.paras("Enfield Schools Safeguarding Team\n20 February 2026\n\nDear Business Manager,\n\n"
                         "We are writing to refer the following case for consideration of a Serious Case Review.\n\n"
                         f"Child: Daniel Morris, DOB 25/11/2009, {hh}\n"
                         f"Mother: Julie Morris, DOB 14/04/1978, {hh}\n\n"
                         f"{summ}\n\n{crit}\n\nWe ask the Board to consider a Serious Case Review.\n\n"
                         "Yours sincerely\n\nKatherine Doyle\nSafeguarding Officer\nEnfield Schools Safeguarding Team\n"
                         "Telephone: 020 7946 0255"))
    docx = U2.docx_from_body(body_xml)
    add("docx-letter-attached",
        U2._cover("Dear all,\n\nPlease see the attached letter.\n\nKatherine Doyle\n",
                  hdr("Katherine Doyle <katherine.doyle@example.gov.uk>", "Referral letter", "Fri, 20 Feb 2026 11:00:00 +0000", "l15"),
                  [(docx, "Referral letter.docx", U2.DOCX_MIME)], boundary="b15"),
        expect("docx_paragraphs", date="2026-02-20", subjects=[
            S("Daniel Morris", "child", "child", "2009-11-25", hh),
            S("Julie Morris", "adult", "mother", "1978-04-14", hh),
        ], summary=summ, request="We ask the Board to consider a Serious Case Review.", criteria=crit,
            name="Katherine Doyle", agency="Enfield Schools Safeguarding Team", phone="020 7946 0255", email=None))

    return out


if __name__ == "__main__":
    sys.exit(R.write_set(HERE, cases()))
