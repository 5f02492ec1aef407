"""Generate the third red-team set: referrals written as letters, and enquiries that only talk about referrals.

Run from the repository root::

    .venv/bin/python tests/intake/unseen3/make_unseen3.py

Writes ``<case>.eml`` and ``<case>.json`` beside this script in the same format as the other sets
(schema fields plus ``kind`` / ``layout``), so that ``bench/parse_accuracy.py`` scores this
directory as its own line.

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
from redteam_mail import C, Case, S, expect, html_only, not_referral, plain  # noqa: E402

BOARD = "escb.business.manager@example.gov.uk"
U2 = load_script(HERE.parent / "unseen2" / "make_unseen2.py")  # Word body helpers


def hdr(sender: str, subject: str, date: str, mid: str) -> dict[str, str]:
    return R.headers(BOARD, "unseen3.example", sender, subject, date, mid)


def letter_pdf(lines: list[str]) -> bytes:
    """A one-page PDF letter, one text line per item (blank strings leave a gap)."""
    items, y = [], 800.0
    for line in lines:
        if line:
            items.append((56.0, y, "F1", 10.0, line))
        y -= 14.0
    return C.make_pdf([items])


def cases() -> list[Case]:
    out: list[Case] = []

    def add(name: str, eml: bytes, expected: dict) -> None:
        out.append(Case(name, eml, expected))

    # ------------------------------------------------------------------ 1
    # The brief's example: windows-1252 quoted-printable, curly apostrophes, "Child:" / "Mother:" lines.
    hh = "12 Acacia Avenue, Barnet EN5 2AB"
    summ = ("On 27 February 2026 Lily-Mae was brought to Barnet General with a fractured femur and bruising to her "
            "face. Explanations were inconsistent.")
    crit = ("We believe the criteria are met because abuse is suspected, the child has been seriously harmed and there "
            "are concerns about how agencies worked together.")
    body = f"""Dear Business Manager,

I am writing to refer the following case for consideration of a Serious Case Review.

Child: Lily-Mae O\u2019Connor (DOB 14/07/2021), {hh}
Mother: Chantelle O\u2019Connor, DOB 02/11/1999, same address
Mother\u2019s partner: Dean Fowler (DOB unknown), address unknown

{summ}

{crit}

We request that the Board considers an SCR.

Kind regards

Jo Bloggs
Safeguarding Lead Nurse
Barnet Hospital NHS Trust
Tel: 020 8216 4000
"""
    add("letter-child-mother-partner-lines-cp1252",
        plain(body, hdr('"Jo Bloggs" <jo.bloggs@barnet.example.gov.uk>', "RE: Urgent - SCR referral consideration",
                        "Tue, 3 Mar 2026 10:15:00 +0000", "l1"), charset="windows-1252"),
        expect("text_body", date=None, subjects=[
            S("Lily-Mae O\u2019Connor", "child", "child", "2021-07-14", hh),
            S("Chantelle O\u2019Connor", "adult", "mother", "1999-11-02", hh),
            # corrected after the first measurement to the sets' convention: a relationship's apostrophe is
            # written straight (it is a vocabulary word, not a name); the email was not read at all then
            S("Dean Fowler", "adult", "mother's partner", None, None),
        ], summary=summ, request="We request that the Board considers an SCR.", criteria=crit, name="Jo Bloggs",
            agency="Barnet Hospital NHS Trust", phone="020 8216 4000", email=None))

    # ------------------------------------------------------------------ 2
    # Prose person lines: "The child is X, born ..., of <address>." and "Her mother is ...".
    hh = "4 Hertford Road, Enfield EN3 5JG"
    summ = ("Amira was admitted to North Middlesex Hospital on 2 February 2026 weighing well below the second centile. "
            "She had missed three health appointments and the family had moved twice in a year.")
    body = f"""Dear Sir or Madam,

Referral for consideration of a Serious Case Review

The child is Amira Haddad, born 3 February 2010, of {hh}.
Her mother is Salma Haddad, born 19 June 1984, of the same address.

{summ}

We believe the criteria are met because neglect is suspected and Amira has been seriously harmed.

We ask the Board to consider whether a Serious Case Review should be undertaken.

Yours faithfully

Dr Peter Quinn
Named Doctor for Safeguarding Children
North Middlesex University Hospital
Telephone: 020 7946 0311
Email: peter.quinn@example.nhs.uk
"""
    add("letter-the-child-is-born-prose",
        plain(body, hdr("Peter Quinn <peter.quinn@example.nhs.uk>", "Referral - serious case review",
                        "Mon, 9 Feb 2026 09:12:00 +0000", "l2")),
        expect("text_body", date=None, subjects=[
            S("Amira Haddad", "child", "child", "2010-02-03", hh),
            S("Salma Haddad", "adult", "mother", "1984-06-19", hh),
        ], summary=summ, request="We ask the Board to consider whether a Serious Case Review should be undertaken.",
            criteria="We believe the criteria are met because neglect is suspected and Amira has been seriously harmed.",
            name="Dr Peter Quinn", agency="North Middlesex University Hospital", phone="020 7946 0311",
            email="peter.quinn@example.nhs.uk"))

    # ------------------------------------------------------------------ 3
    # "Subjects: X (4), Y (mother, 29)" - ages, no dates of birth; a dated letter.
    summ = ("Tommy was found alone in the flat by police on 14 January 2026 after neighbours reported a child crying "
            "for several hours. His mother was later found intoxicated in a nearby park.")
    body = f"""20 January 2026

Dear Business Manager,

I would like to refer the following family to the Board.

Subjects: Tommy Reid (4), Sarah Reid (mother, 29)

{summ}

I would like the Board to consider an SCR.

Regards,
PC Amanda Lowe
Child Abuse Investigation Team, Metropolitan Police
Tel 020 7946 0712
"""
    add("letter-subjects-line-ages-dated",
        plain(body, hdr("Amanda Lowe <amanda.lowe@example.police.uk>", "Referral",
                        "Tue, 20 Jan 2026 16:40:00 +0000", "l3")),
        expect("text_body", date="2026-01-20", subjects=[
            S("Tommy Reid", "child", None, None, None),
            S("Sarah Reid", "adult", "mother", None, None),
        ], summary=summ, request="I would like the Board to consider an SCR.", criteria=None,
            name="PC Amanda Lowe", agency="Child Abuse Investigation Team, Metropolitan Police",
            phone="020 7946 0712", email=None))

    # ------------------------------------------------------------------ 4
    # Two narrative paragraphs; "criteria are met as"; father and sibling lines.
    hh = "Flat 3, 27 Fore Street, London N18 2SZ"
    p1 = ("Kai died at home on 8 December 2025. The post-mortem found a head injury consistent with being shaken; "
          "both parents have been arrested.")
    p2 = ("Kai had been seen by the health visitor six times and by the GP twice in his first year. The family "
          "was known to children's social care because of domestic abuse between the parents.")
    body = f"""Dear Chair,

We are writing to refer the death of a baby for a Serious Case Review.

Child: Kai Mensah, DOB 30/09/2024, {hh}
Sibling: Ama Mensah, DOB 11/04/2019, same address
Mother: Efua Mensah, DOB 07/03/1995, same address
Father: Kwame Mensah, DOB 21/12/1992, same address

{p1}

{p2}

The criteria are met as the child has died and abuse is known or suspected.

We request that the Board undertakes a Serious Case Review.

Yours sincerely,

Helen Okoro
Head of Safeguarding
Enfield Children's Social Care
Tel: 020 7946 0455
helen.okoro@example.gov.uk
"""
    add("letter-two-paragraphs-siblings-criteria-as",
        plain(body, hdr("Helen Okoro <helen.okoro@example.gov.uk>", "SCR referral - baby death",
                        "Wed, 10 Dec 2025 11:05:00 +0000", "l4")),
        expect("text_body", date=None, subjects=[
            S("Kai Mensah", "child", "child", "2024-09-30", hh),
            S("Ama Mensah", "child", "sibling", "2019-04-11", hh),
            S("Efua Mensah", "adult", "mother", "1995-03-07", hh),
            S("Kwame Mensah", "adult", "father", "1992-12-21", hh),
        ], summary=f"{p1}\n\n{p2}", request="We request that the Board undertakes a Serious Case Review.",
            criteria="The criteria are met as the child has died and abuse is known or suspected.",
            name="Helen Okoro", agency="Enfield Children's Social Care", phone="020 7946 0455",
            email="helen.okoro@example.gov.uk"))

    # ------------------------------------------------------------------ 5
    # HTML letter (paragraphs), child and mother lines, no criteria sentence.
    hh = "56 Windmill Hill, Enfield EN2 7AG"
    summ = ("Jake (14) was stabbed on 3 March 2026 near his school and remains in intensive care. He had been reported "
            "missing eleven times in the previous year and was thought to be exploited by a county lines network.")
    html = f"""<html><body>
<p>Dear Business Manager,</p>
<p>I am referring the case below for consideration of a serious case review.</p>
<p>Child: Jake Turner, date of birth 02/05/2011, {hh}<br>
Mother: Donna Turner, date of birth 15/08/1980, same address</p>
<p>{summ}</p>
<p>We ask the Board to consider a Serious Case Review and, if the criteria are not met, a learning review.</p>
<p>Best wishes</p>
<p>Marcus Bell<br>Youth Offending Service Manager<br>Enfield Youth Justice Service<br>Tel: 020 7946 0588</p>
</body></html>"""
    add("html-letter-no-criteria-sentence",
        html_only(html, hdr("Marcus Bell <marcus.bell@example.gov.uk>", "Serious case review referral",
                               "Thu, 5 Mar 2026 14:20:00 +0000", "l5")),
        expect("html_body", date=None, subjects=[
            S("Jake Turner", "child", "child", "2011-05-02", hh),
            S("Donna Turner", "adult", "mother", "1980-08-15", hh),
        ], summary=summ,
            request="We ask the Board to consider a Serious Case Review and, if the criteria are not met, a learning review.",
            criteria=None, name="Marcus Bell", agency="Enfield Youth Justice Service", phone="020 7946 0588",
            email=None))

    # ------------------------------------------------------------------ 6
    # Bulleted people with "born" and relationships after a dash; dated letter with a Date: line.
    hh = "9 Carterhatch Lane, Enfield EN1 4JY"
    summ = ("Maya disclosed to her teacher that her stepfather had sexually abused her over two years. The school had "
            "raised concerns about her attendance and self-harm with three agencies since 2024.")
    crit = ("In our view the criteria are met because abuse is known, Maya has been seriously harmed and there is "
            "cause for concern about how the agencies worked together.")
    body = f"""Date: 16 February 2026

Dear Colleague,

Re: referral for a Serious Case Review

The family is:
- Maya Patel, born 22 October 2012 - child
- Priya Patel, born 5 May 1986 - mother
- Gary Hughes, born 1 January 1979 - stepfather
All live at {hh}.

{summ}

{crit}

We would ask the Board to commission a Serious Case Review.

Kind regards,
Sian Roberts
Designated Safeguarding Lead, Highlands Secondary School
020 7946 0901
"""
    add("letter-bulleted-people-born-household-after",
        plain(body, hdr("Sian Roberts <s.roberts@example.sch.uk>", "Referral for SCR",
                        "Mon, 16 Feb 2026 08:55:00 +0000", "l6")),
        expect("text_body", date="2026-02-16", subjects=[
            S("Maya Patel", "child", "child", "2012-10-22", hh),
            S("Priya Patel", "adult", "mother", "1986-05-05", hh),
            S("Gary Hughes", "adult", "stepfather", "1979-01-01", hh),
        ], summary=summ, request="We would ask the Board to commission a Serious Case Review.", criteria=crit,
            name="Sian Roberts", agency="Highlands Secondary School", phone="020 7946 0901", email=None))

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

    # ------------------------------------------------------------------ 8
    # Name then "(dob ...)" and relationship in brackets; signature with a pipe line.
    hh = "77 Hoe Lane, Enfield EN1 4QA"
    summ = ("On 1 March 2026 Ruby (aged 7) was taken to hospital with burns to both hands. She told staff her mother's "
            "boyfriend had held her hands under the hot tap.")
    body = f"""Hello,

Please accept this email as a referral to the Board for consideration of a serious case review.

Ruby Walsh (child), dob 12/06/2018, {hh}
Kerry Walsh (mother), dob 23/02/1991, same address
Liam Doyle (mother's boyfriend), dob 17/07/1988, address unknown

{summ}

We believe the criteria for a serious case review are met because abuse is suspected and Ruby has been seriously harmed.

We ask the Board to consider whether to hold a Serious Case Review.

Thanks
Gemma Price | Duty Social Worker | Enfield MASH | 020 7946 0366
"""
    add("letter-bracketed-relationships-pipe-signature",
        plain(body, hdr("Gemma Price <gemma.price@example.gov.uk>", "Referral - Ruby",
                        "Mon, 2 Mar 2026 17:30:00 +0000", "l8")),
        expect("text_body", date=None, subjects=[
            S("Ruby Walsh", "child", "child", "2018-06-12", hh),
            S("Kerry Walsh", "adult", "mother", "1991-02-23", hh),
            S("Liam Doyle", "adult", "mother's boyfriend", "1988-07-17", None),
        ], summary=summ, request="We ask the Board to consider whether to hold a Serious Case Review.",
            criteria="We believe the criteria for a serious case review are met because abuse is suspected and Ruby has been seriously harmed.",
            name="Gemma Price", agency="Enfield MASH", phone="020 7946 0366", email=None))

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

    # ------------------------------------------------------------------ 10
    # Newer wording: rapid review / the partnership; "Young person:" line; "Carer:".
    hh = "Willow House children's home, 3 Gentleman's Row, Enfield EN2 6PT"
    summ = ("Chloe was sexually exploited by adult men over several months while living in the children's home. She "
            "was reported missing 23 times; a return interview was held only once.")
    crit = ("We consider the criteria are met because abuse is known, Chloe has been seriously harmed and there are "
            "concerns about how agencies worked together to safeguard her.")
    body = f"""Dear Safeguarding Partnership,

I am writing to notify and refer a serious child safeguarding incident.

Young person: Chloe Simmons (DOB 04/04/2009), {hh}
Carer: Deborah King (registered manager), address as above

{summ}

{crit}

We ask the Partnership to convene a rapid review and consider a Child Safeguarding Practice Review.

With thanks,

Tariq Aziz
Service Manager, Children in Care
London Borough of Enfield
Tel: 020 7946 0640
Email: tariq.aziz@example.gov.uk
"""
    add("letter-young-person-rapid-review-partnership",
        plain(body, hdr("Tariq Aziz <tariq.aziz@example.gov.uk>", "Serious incident notification and referral",
                        "Wed, 4 Mar 2026 13:10:00 +0000", "l10")),
        expect("text_body", date=None, subjects=[
            S("Chloe Simmons", "child", "young person", "2009-04-04", hh),
            S("Deborah King", "adult", "carer", None, hh),
        ], summary=summ,
            request="We ask the Partnership to convene a rapid review and consider a Child Safeguarding Practice Review.",
            criteria=crit, name="Tariq Aziz", agency="London Borough of Enfield", phone="020 7946 0640",
            email="tariq.aziz@example.gov.uk"))

    # ------------------------------------------------------------------ 11
    # A reply in a thread: the letter on top, the board's earlier reply quoted below.
    hh = "18 Palmerston Crescent, London N13 4UA"
    summ = ("Oscar (aged 9) was admitted with a fractured skull after a fall from a first-floor window on 10 February "
            "2026. Police found the home in very poor condition and Oscar had not attended school since November.")
    body = f"""Dear Jane,

Thank you for your reply. As discussed, I am now formally referring this case for consideration of an SCR.

Child: Oscar Lindqvist, DOB 18/03/2016
Father: Erik Lindqvist, DOB 05/09/1975
Both at {hh}

{summ}

We believe the criteria are met because neglect is suspected and Oscar has been seriously harmed.

I would be grateful if the Board would consider an SCR.

Many thanks
Rachel Green
Education Welfare Officer
Enfield Education Welfare Service
Tel: 020 7946 0177

-----Original Message-----
From: Jane Harris <{BOARD}>
Sent: 11 February 2026 15:02
To: Rachel Green <rachel.green@example.gov.uk>
Subject: RE: possible SCR referral

Dear Rachel,

Thank you for your call. If you wish to refer, please set out the names and dates of birth of the family, what happened and why you think the criteria are met.

Jane Harris
Business Manager
"""
    add("letter-reply-above-quoted-board-advice",
        plain(body, hdr("Rachel Green <rachel.green@example.gov.uk>", "RE: possible SCR referral",
                        "Thu, 12 Feb 2026 10:30:00 +0000", "l11")),
        expect("text_body", date=None, subjects=[
            S("Oscar Lindqvist", "child", "child", "2016-03-18", hh),
            S("Erik Lindqvist", "adult", "father", "1975-09-05", hh),
        ], summary=summ, request="I would be grateful if the Board would consider an SCR.",
            criteria="We believe the criteria are met because neglect is suspected and Oscar has been seriously harmed.",
            name="Rachel Green", agency="Enfield Education Welfare Service", phone="020 7946 0177", email=None))

    # ------------------------------------------------------------------ 12
    # "Re: name, DOB" line as the only child line; partner named in prose only (not a subject line).
    hh = "2 Lavender Hill, Enfield EN2 0RB"
    summ = ("Grace, aged 15, was admitted after taking an overdose on 20 February 2026. She has disclosed long-term "
            "emotional abuse at home and had been referred to CAMHS three times without being seen.")
    body = f"""Dear Business Manager,

Re: Grace Adebayo, DOB 08/01/2011, {hh}

I am writing to refer Grace for consideration of a Serious Case Review.

{summ}

We believe the criteria are met because abuse is known, Grace has been seriously harmed and there are concerns about inter-agency working.

We would like the Board to consider a Serious Case Review.

Yours sincerely
Dr Femi Ola
Consultant Psychiatrist
Barnet, Enfield and Haringey Mental Health NHS Trust
020 7946 0199
"""
    add("letter-re-line-child",
        plain(body, hdr("Femi Ola <femi.ola@example.nhs.uk>", "Referral", "Mon, 23 Feb 2026 12:45:00 +0000", "l12")),
        expect("text_body", date=None, subjects=[
            S("Grace Adebayo", "child", None, "2011-01-08", hh),
        ], summary=summ, request="We would like the Board to consider a Serious Case Review.",
            criteria="We believe the criteria are met because abuse is known, Grace has been seriously harmed and there are concerns about inter-agency working.",
            name="Dr Femi Ola", agency="Barnet, Enfield and Haringey Mental Health NHS Trust", phone="020 7946 0199",
            email=None))

    # ------------------------------------------------------------------ 13
    # Date of birth in words after "born on", relationship then name: "Mother - X".
    hh = "40 Southbury Road, Enfield EN1 1YB"
    summ = ("Archie's mother was found to have been giving him unprescribed medication for over a year, and he "
            "underwent two unnecessary operations. Concerns raised by a ward nurse in 2024 were not followed up.")
    body = f"""Dear Chair,

I wish to refer the following case for a Serious Case Review.

Child - Archie Bennett, born on 14 March 2017
Mother - Claire Bennett, born on 2 September 1987
Address - {hh}

{summ}

We believe the criteria are met as abuse is known, Archie has been seriously harmed and agencies did not work together effectively.

We ask the Board to consider an SCR.

Regards
Simon Ashby
Named Nurse Safeguarding Children
Royal Free London NHS Foundation Trust
T: 020 7946 0433
E: simon.ashby@example.nhs.uk
"""
    add("letter-dash-separated-people-born-on",
        plain(body, hdr("Simon Ashby <simon.ashby@example.nhs.uk>", "SCR referral", "Tue, 17 Feb 2026 09:30:00 +0000", "l13")),
        expect("text_body", date=None, subjects=[
            S("Archie Bennett", "child", "child", "2017-03-14", hh),
            S("Claire Bennett", "adult", "mother", "1987-09-02", hh),
        ], summary=summ, request="We ask the Board to consider an SCR.",
            criteria="We believe the criteria are met as abuse is known, Archie has been seriously harmed and agencies did not work together effectively.",
            name="Simon Ashby", agency="Royal Free London NHS Foundation Trust", phone="020 7946 0433",
            email="simon.ashby@example.nhs.uk"))

    # ------------------------------------------------------------------ 14
    # Short letter, hard-wrapped at 72 columns; twins on separate lines; no request sentence.
    hh = "11 Churchbury Lane, Enfield EN1 3TU"
    summ = ("Both twins were admitted on 28 January 2026 severely malnourished and dehydrated. The family had "
            "refused all home visits since the twins' birth.")
    body = f"""Dear Business Manager,

I am writing to refer the following children for consideration of a
Serious Case Review.

Child: Noah Silva, DOB 01/06/2025, {hh}
Child: Nina Silva, DOB 01/06/2025, {hh}
Mother: Ana Silva, DOB 13/10/1993, same address

Both twins were admitted on 28 January 2026 severely malnourished and
dehydrated. The family had refused all home visits since the twins'
birth.

We believe the criteria are met because neglect is suspected and both
children have been seriously harmed.

Kind regards,
Laura Finch
Health Visitor Team Leader
Enfield Community Services
Tel: 020 7946 0345
"""
    add("letter-hard-wrapped-twins-no-request",
        plain(body, hdr("Laura Finch <laura.finch@example.nhs.uk>", "Referral for SCR consideration",
                        "Fri, 30 Jan 2026 15:15:00 +0000", "l14")),
        expect("text_body", date=None, subjects=[
            S("Noah Silva", "child", "child", "2025-06-01", hh),
            S("Nina Silva", "child", "child", "2025-06-01", hh),
            S("Ana Silva", "adult", "mother", "1993-10-13", hh),
        ], summary=summ, request=None,
            criteria="We believe the criteria are met because neglect is suspected and both children have been seriously harmed.",
            name="Laura Finch", agency="Enfield Community Services", phone="020 7946 0345", email=None))

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

    # ------------------------------------------------------------------ 16
    # "Name, aged N, DOB" with the relationship in words after: "X, DOB ..., is the child's grandmother".
    hh = "63 Green Street, Enfield EN3 7SH"
    summ = ("Leo has been living with his grandmother under an informal arrangement. On 12 February 2026 he was found "
            "with extensive bruising to his back and legs; he said his grandmother's partner hit him with a belt.")
    body = f"""Dear Business Manager,

I am writing to refer Leo for consideration of a Serious Case Review.

Child: Leo Grant (DOB 19/05/2015)
Grandmother: Patricia Grant (DOB 30/11/1962)
Grandmother's partner: Raymond Lewis (DOB 08/08/1960)
Address for all: {hh}

{summ}

We believe the criteria are met because abuse is known and Leo has been seriously harmed.

We request that the Board considers an SCR.

Kind regards

Dev Sharma
Detective Sergeant, Child Abuse Investigation Team
Metropolitan Police Service
Tel: 020 7946 0733
"""
    add("letter-grandmother-address-for-all",
        plain(body, hdr("Dev Sharma <dev.sharma@example.police.uk>", "SCR referral - Leo",
                        "Fri, 13 Feb 2026 10:10:00 +0000", "l16")),
        expect("text_body", date=None, subjects=[
            S("Leo Grant", "child", "child", "2015-05-19", hh),
            S("Patricia Grant", "adult", "grandmother", "1962-11-30", hh),
            S("Raymond Lewis", "adult", "grandmother's partner", "1960-08-08", hh),
        ], summary=summ, request="We request that the Board considers an SCR.",
            criteria="We believe the criteria are met because abuse is known and Leo has been seriously harmed.",
            name="Dev Sharma", agency="Metropolitan Police Service", phone="020 7946 0733", email=None))

    # ------------------------------------------------------------------ E1
    # Enquiry: the status of a referral already sent, naming the child with a date of birth.
    body = """Dear Business Manager,

I referred Child K (Kayden Price, DOB 04/02/2019) for consideration of a Serious Case Review on 3 February 2026. Could you let me know the status of the referral? We have not yet had an acknowledgement and my manager has asked whether the Board has decided.

Kind regards

Paula Evans
Safeguarding Adviser
Enfield Community Services
Tel: 020 7946 0349
"""
    add("enquiry-status-of-referral-names-child",
        plain(body, hdr("Paula Evans <paula.evans@example.nhs.uk>", "SCR referral - status?",
                        "Tue, 24 Feb 2026 10:00:00 +0000", "e1")),
        not_referral("enquiry"))

    # ------------------------------------------------------------------ E2
    # Enquiry: asking for the referral form, describing the case in outline.
    body = """Hi,

We may need to refer a case for a serious case review next week: a baby was admitted with a head injury and the police are involved. Could you please send me the current referral form and tell me whether we should attach a chronology?

I would like to know who to ask if the Board needs more information.

Many thanks,
Ben Carter
Team Manager, Edmonton Locality Team
London Borough of Enfield
020 7946 0512
"""
    add("enquiry-asks-for-referral-form",
        plain(body, hdr("Ben Carter <ben.carter@example.gov.uk>", "SCR referral form please",
                        "Wed, 25 Feb 2026 16:00:00 +0000", "e2")),
        not_referral("enquiry"))

    # ------------------------------------------------------------------ E3
    # Enquiry: meeting dates for the panel, mentions a referral to be presented.
    body = """Dear Business Manager,

When is the next meeting of the SCR Sub-Committee? We would like to present our referral in person and I need to know whether the 19 March date is confirmed, and whether the Board would consider the case at that meeting.

Could you also confirm the deadline for papers?

Best wishes

Sarah Khan
Head of Safeguarding
North Middlesex University Hospital
Tel: 020 7946 0319
"""
    add("enquiry-panel-meeting-dates",
        plain(body, hdr("Sarah Khan <sarah.khan@example.nhs.uk>", "SCR panel meeting dates",
                        "Thu, 26 Feb 2026 09:20:00 +0000", "e3")),
        not_referral("enquiry"))

    return out


if __name__ == "__main__":
    sys.exit(R.write_set(HERE, cases()))
