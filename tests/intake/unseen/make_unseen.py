"""Generate the red-team set: referral emails written unlike the shared samples and the corpus.

Run from the repository root::

    .venv/bin/python tests/intake/unseen/make_unseen.py

Writes ``<case>.eml`` and ``<case>.json`` beside this script, in the corpus's
format (schema fields plus ``kind`` / ``layout``; an optional ``_expect``), so
that ``bench/parse_accuracy.py`` scores this directory as its own line.

The emails imitate what other agencies send: NHS trusts, GP practices,
schools, police, probation, housing, youth offending, other LSCBs and
children's social care, with their banners, secure-mail wrappers and legal
footers; other label wordings and layouts (questions, numbered sections,
forename/surname fields, horizontal tables, several children, household
tables); other date styles; other encodings.

Expected values are what a careful person would extract from each form,
written here by hand - never copied from the parser's output. Where a form
leaves something open ("same address", "as above") the expected value is
what the form plainly means. All people, addresses and numbers are invented;
phone numbers use Ofcom's drama ranges.
"""

from __future__ import annotations

import functools
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))  # tests/intake: what the generated sets share

import redteam_mail as R  # noqa: E402
from redteam_mail import C, Case, S, esc, expect, html_only, needs_person, not_referral, plain  # noqa: E402

BOARD = "escb.business.manager@example.gov.uk"
hdr = functools.partial(R.headers, BOARD, "unseen.example")
multipart = functools.partial(R.multipart, mime_version=False)  # this set's multiparts carry no MIME-Version


def hard_wrap(text: str, width: int = 72, prefix: str = "") -> str:
    out = []
    for line in text.split("\n"):
        chunks = C.wrap(line, width - len(prefix)) or [""]
        out.extend(prefix + c if c or not prefix else prefix.rstrip() for c in chunks)
    return "\n".join(out)


NHS_FOOTER = """
********************************************************************************************************************
This message may contain confidential information. If you are not the intended recipient please inform the
sender that you have received the message in error before deleting it.
Please do not disclose, copy or distribute information in this e-mail or take any action in relation to its contents. To do so is strictly prohibited and may be unlawful. Thank you for your co-operation.

NHSmail is the secure email and directory service available for all NHS staff in England. NHSmail is approved for exchanging patient data and other sensitive information with NHSmail and other accredited email services.

For more information and to find out how you can switch, https://portal.nhs.net/help/joiningnhsmail
********************************************************************************************************************
"""

COUNCIL_FOOTER = """
--
Enfield Council, Civic Centre, Silver Street, Enfield EN1 3XA
Switchboard: 020 7946 0000  www.example.gov.uk

The information in this email may be confidential and is intended only for the person to whom it is addressed. If you have received this email in error, please notify the sender and delete it. Any views expressed are those of the author and not necessarily those of the Council. Emails sent to and from the Council may be monitored and may be disclosed under the Freedom of Information Act 2000.
This email has been scanned for viruses and malware by Mimecast Ltd.
"""

POLICE_FOOTER = """
Total Policing is the Met's commitment to be on the streets and in your communities to catch offenders, prevent crime and support victims.

NOTICE - This email and any attachments may be confidential, subject to copyright and/or legal privilege and are intended solely for the use of the intended recipient. If you have received this email in error, please notify the sender and delete it from your system. To avoid incurring legal liabilities, you must not distribute or copy the information in this email without the permission of the sender. MPS communication systems are monitored to the extent permitted by law. Consequently, any email and/or attachments may be read by monitoring staff. Only specified personnel are authorised to conclude any binding agreement on behalf of the MPS by email. The MPS accepts no responsibility for unauthorised agreements reached with other employees or agents. The security of this email and any attachments cannot be guaranteed. Email messages are routinely scanned but malicious software infection and corruption of content can still occur during transmission over the Internet. Any views or opinions expressed in this communication are solely those of the author and do not necessarily represent those of the Metropolitan Police Service (MPS).

Find us at:
Facebook: Facebook.com/metpoliceuk
Twitter: @metpoliceuk
"""

SCANNED = "\nThis email has been scanned by the Symantec Email Security.cloud service.\nFor more information please visit http://www.symanteccloud.com\n"

EXTERNAL_BANNER = ("CAUTION: This email originated from outside of the organisation. Do not click links or open "
                   "attachments unless you recognise the sender and know the content is safe.\n\n")


def cases() -> list[Case]:
    out: list[Case] = []

    def add(name: str, eml: bytes, expected: dict) -> None:
        out.append(Case(name, eml, expected))

    # ------------------------------------------------------------------ 1
    # NHS trust, Egress wrapper and NHSmail footer; cp1252 quoted-printable with smart quotes and £;
    # "Name of child" / "D.O.B." / "Home address"; "(same address)"; incident date before referral date;
    # a question as the criteria label; "Referrer details" section with bare Name/Role/Agency.
    hh = "27 Elm Grove, Enfield, EN2 7QR"
    summary = [
        "Riley (aged 7 months) was brought to A&E by ambulance with a spiral fracture of the left humerus and bruising to the face. Mother\u2019s account (\u201che rolled off the sofa\u201d) was not consistent with the injuries.",
        "The family had been supported by the health visiting service; a \u00a350 hardship payment was made in December. Two previous attendances for minor injuries were not shared with the GP.",
    ]
    body = f"""This message has been sent securely using Egress Switch.
--------------------------------------------------------------
CONFIDENTIAL

Dear Business Manager,

Please see below our referral for consideration by the SCR Panel. I\u2019m happy to discuss.

Name of child: Riley Thompson
D.O.B.: 14/06/2014
Home address: {hh}
Mother: Kirsty Thompson, D.O.B. 02/11/1995 (same address)
Father: Jordan Ellis, D.O.B. 19/08/1993, 5 Brick Lane, Enfield, EN3 5BA

Date of incident: 18/01/2015
Date of referral: 03/02/2015

Brief summary of incident:
{summary[0]}
{summary[1]}

Recommendation to LSCB:
We recommend that the Chair convenes an extraordinary SCR Panel meeting.

How does this case meet the criteria for a Serious Case Review?
Abuse is suspected and the child has been seriously harmed; there is cause for concern about the way agencies worked together.

Referrer details
Name: Angela Whitmore
Role: Named Nurse Safeguarding Children
Agency: North Middlesex University Hospital NHS Trust
Contact tel: 020 7946 0172
Email: angela.whitmore@example.nhs.uk

Kind regards
Angela

Angela Whitmore | Named Nurse Safeguarding Children
North Middlesex University Hospital NHS Trust
Tel: 020 7946 0172
{NHS_FOOTER}"""
    add("nhs-egress-cp1252-name-of-child-same-address",
        plain(body, hdr("Safeguarding Children Team <safeguarding.children@example.nhs.uk>", "[EXTERNAL] SCR referral - RT",
                        "Tue, 03 Feb 2015 09:12:00 +0000", "u01"), charset="windows-1252"),
        expect("text_body", date="2015-02-03", subjects=[
            S("Riley Thompson", "child", "child", "2014-06-14", hh),
            S("Kirsty Thompson", "adult", "mother", "1995-11-02", hh),
            S("Jordan Ellis", "adult", "father", "1993-08-19", "5 Brick Lane, Enfield, EN3 5BA"),
        ], summary="\n\n".join(summary), request="We recommend that the Chair convenes an extraordinary SCR Panel meeting.",
            criteria="Abuse is suspected and the child has been seriously harmed; there is cause for concern about the way agencies worked together.",
            name="Angela Whitmore", agency="North Middlesex University Hospital NHS Trust", phone="020 7946 0172",
            email="angela.whitmore@example.nhs.uk"))

    # ------------------------------------------------------------------ 2
    # GP practice: plain text hard-wrapped at 72; "Child's full name", "DoB" with 2-digit years,
    # "Address (inc. postcode)", "Parent/carer"; "Reason for referral" is the summary here (the form has
    # a separate criteria field); "Your name/role/agency" on one line.
    addr = "Flat 6, Bramley Court, 88 Turkey Street, Enfield EN3 5TT"
    reason = ("Aaliyah was seen in surgery on 29 January 2015 with a burn to the back of her hand consistent with a "
              "cigarette burn. Mum's explanation changed during the consultation. Aaliyah had not been brought to "
              "three appointments in the previous year and her immunisations are incomplete.")
    ask = "Consider whether the case meets the threshold for a Serious Case Review or another type of review."
    crit = "Serious harm where abuse is suspected; repeated missed health appointments were not followed up by any agency."
    body = f"""Hi,

Please find below a referral from The Ridgeway Surgery regarding one of our younger patients. We have also informed the MASH.

Child's full name: Aaliyah Mensah-Brown
DoB: 3/2/10
Address (inc. postcode): {addr}
Parent/carer: Grace Mensah (mother), DoB 22/7/88, same address

Date: 3/2/15

Reason for referral:
{reason}

What we are asking the Board to do:
{ask}

Criteria:
{crit}

Your name/role/agency: Dr Priya Raman, GP Partner and Safeguarding Lead, The Ridgeway Surgery
Contact tel: 020 7946 0588
Secure email: priya.raman@example.nhs.net

Regards
Dr Priya Raman
"""
    add("gp-hard-wrapped-72-name-role-agency-line",
        plain(hard_wrap(body), hdr("RAMAN, Priya (THE RIDGEWAY SURGERY) <priya.raman@example.nhs.net>",
                                   "Safeguarding referral", "Tue, 03 Feb 2015 13:40:00 +0000", "u02"), cte="7bit"),
        expect("text_body", date="2015-02-03", subjects=[
            S("Aaliyah Mensah-Brown", "child", "child", "2010-02-03", addr),
            S("Grace Mensah", "adult", "mother", "1988-07-22", addr),
        ], summary=reason, request=ask, criteria=crit, name="Dr Priya Raman", agency="The Ridgeway Surgery",
            phone="020 7946 0588", email="priya.raman@example.nhs.net"))

    # ------------------------------------------------------------------ 3
    # School DSL: Outlook HTML only (MsoNormal, nested layout table, &nbsp;), label column on the left;
    # "Forename(s)" + "Surname" + "Known as"; "Date of birth (dd/mm/yyyy)"; "Address if different: Same";
    # weekday date; "Name of DSL" and "School".
    hh = "41 Chase Road, London, N14 4QY"
    concerns = ["On Friday 30 January Dami came to school with a black eye and a burn mark on his neck. He told his teacher that his mum\u2019s boyfriend had \u201cpunished\u201d him.",
                "School has made four referrals to children\u2019s social care since September 2013; each was closed without a visit."]
    rows = [
        ("CHILD DETAILS", None),
        ("Forename(s)", "Oluwadamilare"), ("Surname", "ADEYEMI"), ("Known as", "Dami"),
        ("Date of birth (dd/mm/yyyy)", "03/02/2008"), ("Year group", "Year 2"), ("Home address", hh),
        ("PARENT / CARER", None),
        ("Name", "Mrs Funmi Adeyemi"), ("Relationship to child", "Mother"), ("Date of birth", "17/10/1984"),
        ("Address if different", "Same"),
        ("REFERRAL", None),
        ("Date of referral", "Tuesday 3 February 2015"),
        ("Brief summary of concerns", concerns),
        ("What are you asking the LSCB to do?", ["Please consider this case for a Serious Case Review."]),
        ("Why do you think the case meets the SCR criteria?", ["The child has been seriously harmed and there are concerns about how agencies worked together."]),
        ("Name of DSL", "Mrs Helen Carr"), ("School", "St Mary\u2019s C of E Primary School"),
        ("Telephone", "020 7946 0234 ext 201"), ("Email", "h.carr@stmarys.example.sch.uk"),
    ]
    trs = []
    for label, value in rows:
        if value is None:
            trs.append(f"<tr><td colspan=2 style='background:#D9D9D9;padding:0cm 5.4pt'><p class=MsoNormal><b><span style='font-family:\"Arial\",sans-serif'>{esc(label)}<o:p></o:p></span></b></p></td></tr>")
            continue
        vals = value if isinstance(value, list) else [value]
        cell = "".join(f"<p class=MsoNormal><span style='font-family:\"Arial\",sans-serif'>{esc(v)}<o:p></o:p></span></p>" for v in vals)
        trs.append(f"<tr><td width=220 valign=top style='width:165pt;padding:0cm 5.4pt'><p class=MsoNormal><b><span style='font-family:\"Arial\",sans-serif'>{esc(label)}<o:p></o:p></span></b></p></td>"
                   f"<td width=400 valign=top style='padding:0cm 5.4pt'>{cell}</td></tr>")
    html = ("<html xmlns:o=\"urn:schemas-microsoft-com:office:office\"><head><meta http-equiv=Content-Type content=\"text/html; charset=utf-8\">"
            "<style><!-- p.MsoNormal, li.MsoNormal {margin:0cm;font-size:11.0pt;font-family:\"Calibri\",sans-serif;} --></style></head>"
            "<body lang=EN-GB link=\"#0563C1\"><div class=WordSection1><p class=MsoNormal>Dear Business Manager,<o:p></o:p></p>"
            "<p class=MsoNormal><o:p>&nbsp;</o:p></p><p class=MsoNormal>Please find our referral below.<o:p></o:p></p><p class=MsoNormal><o:p>&nbsp;</o:p></p>"
            "<table class=MsoNormalTable border=0 cellspacing=0 cellpadding=0><tr><td style='padding:0cm'>"
            "<table class=MsoTableGrid border=1 cellspacing=0 cellpadding=0 style='border-collapse:collapse;border:none'>"
            + "".join(trs) + "</table></td></tr></table><p class=MsoNormal><o:p>&nbsp;</o:p></p>"
            "<p class=MsoNormal>Kind regards,<o:p></o:p></p><p class=MsoNormal><b>Helen Carr<o:p></o:p></b></p>"
            "<p class=MsoNormal>Deputy Headteacher &amp; Designated Safeguarding Lead<o:p></o:p></p>"
            "<p class=MsoNormal>St Mary\u2019s C of E Primary School<o:p></o:p></p></div></body></html>")
    add("school-outlook-html-forename-surname-known-as",
        html_only(html, hdr("Helen Carr <h.carr@stmarys.example.sch.uk>", "Referral for SCR consideration",
                            "Tue, 03 Feb 2015 15:05:00 +0000", "u03")),
        expect("html_table", date="2015-02-03", subjects=[
            S("Oluwadamilare ADEYEMI", "child", None, "2008-02-03", hh),
            S("Mrs Funmi Adeyemi", "adult", "mother", "1984-10-17", hh),
        ], summary="\n\n".join(concerns), request="Please consider this case for a Serious Case Review.",
            criteria="The child has been seriously harmed and there are concerns about how agencies worked together.",
            name="Mrs Helen Carr", agency="St Mary\u2019s C of E Primary School", phone="020 7946 0234 ext 201",
            email="h.carr@stmarys.example.sch.uk"))

    # ------------------------------------------------------------------ 4
    # Police public protection unit: OFFICIAL-SENSITIVE banner; HTML people table "Surname | Forename(s) |
    # DOB | Relationship | Address" with 03-Feb-2010 dates; then a horizontal table (labels as a header row,
    # values in the row below) for the referral date and the referrer.
    hh = "112 Great Cambridge Road, Enfield, EN1 1UU"
    summ = ["On 27 January 2015 officers attended the home address following a 999 call from a neighbour. Jade (aged 4) was found with extensive bruising and was taken to hospital under police protection.",
            "Police had attended the address on six occasions in 2014 for domestic abuse; MARAC referrals were made twice."]
    people = [("SMITH", "Jade", "03-Feb-2010", "Subject child", hh), ("SMITH", "Leanne", "11-Sep-1991", "Mother", "As above"),
              ("O'BRIEN", "Dean", "28-May-1986", "Mother's partner", "No fixed abode")]
    prow = "".join(f"<tr><td>{esc(a)}</td><td>{esc(b)}</td><td>{c}</td><td>{esc(d)}</td><td>{esc(e)}</td></tr>" for a, b, c, d, e in people)
    html = (f"<html><body><p><b>OFFICIAL - SENSITIVE</b></p><p>Good morning,</p><p>Please find below a referral from the Enfield Public Protection Unit.</p>"
            f"<p><b>Persons</b></p><table border=1><tr><th>Surname</th><th>Forename(s)</th><th>DOB</th><th>Relationship</th><th>Address</th></tr>{prow}</table>"
            "<p>&nbsp;</p><table border=1><tr><th>Date of referral</th><th>Referring officer</th><th>Agency/Unit</th><th>Telephone</th><th>Email</th></tr>"
            "<tr><td>03-Feb-2015</td><td>DS Mark Phillips</td><td>Metropolitan Police - Enfield CAIT</td><td>07700 900781</td><td>mark.phillips@example.police.uk</td></tr></table>"
            f"<p><b>Summary</b></p><p>{esc(summ[0])}</p><p>{esc(summ[1])}</p>"
            "<p><b>Request to LSCB</b></p><p>That the LSCB considers a Serious Case Review.</p>"
            "<p><b>SCR criteria</b></p><p>Abuse is known and the child has been seriously harmed; there are concerns about information sharing between police and children\u2019s social care.</p>"
            "<p>Regards</p><p>DS Mark Phillips</p>"
            f"<p>{esc(POLICE_FOOTER).replace(chr(10), '<br>')}</p></body></html>")
    add("police-ppu-people-columns-horizontal-referrer-table",
        html_only(html, hdr("Phillips Mark DS - SC&O <mark.phillips@example.police.uk>", "OFFICIAL-SENSITIVE: SCR referral",
                            "Tue, 03 Feb 2015 08:30:00 +0000", "u04")),
        expect("html_table", date="2015-02-03", subjects=[
            S("Jade SMITH", "child", "subject child", "2010-02-03", hh),
            S("Leanne SMITH", "adult", "mother", "1991-09-11", hh),
            S("Dean O'BRIEN", "adult", "mother's partner", "1986-05-28", None),
        ], summary="\n\n".join(summ), request="That the LSCB considers a Serious Case Review.",
            criteria="Abuse is known and the child has been seriously harmed; there are concerns about information sharing between police and children\u2019s social care.",
            name="DS Mark Phillips", agency="Metropolitan Police - Enfield CAIT", phone="07700 900781",
            email="mark.phillips@example.police.uk"))

    # ------------------------------------------------------------------ 5
    # Probation: base64 UTF-8; en dash after labels; Irish and Polish names; US written month date;
    # "3rd February 2009"; "Mother’s partner"; agency label "Agency –".
    hh = "3 Ordnance Road, Enfield, EN3 6HD"
    summ = "Siobh\u00e1n (aged 5) disclosed to her teacher that \u0141ukasz had hit her with a belt. \u0141ukasz is subject to supervision following a conviction for assault; the probation officer was not told that he had moved into the household."
    body = f"""Good afternoon

Please see referral below.

Child\u2019s name \u2013 Siobh\u00e1n O\u2019Connell
Date of birth \u2013 3rd February 2009
Address \u2013 {hh}
Mother \u2013 Aoife O\u2019Connell, DOB 12 Mar 1985, same address
Mother\u2019s partner \u2013 \u0141ukasz Nowicki, DOB 1 Sep 1982, 19 Nags Head Road, Enfield, EN3 7AA

Date of referral \u2013 Feb 3, 2015

Summary \u2013
{summ}

Request to the LSCB \u2013
We ask the Board to consider a Serious Case Review or a multi-agency learning review.

Criteria \u2013
Abuse is known and the child has been seriously harmed; information about a risky adult was not shared.

Name of referrer \u2013 Ciara Byrne
Agency \u2013 National Probation Service, London Division
Tel \u2013 020 7946 0917
Email \u2013 ciara.byrne@example.probation.gsi.gov.uk

Many thanks
Ciara
"""
    add("probation-base64-utf8-en-dash-labels-us-date",
        plain(body, hdr("Ciara Byrne <ciara.byrne@example.probation.gsi.gov.uk>", "SCR Referral", "Tue, 03 Feb 2015 14:00:00 +0000", "u05"),
              cte="base64"),
        expect("text_body", date="2015-02-03", subjects=[
            S("Siobh\u00e1n O\u2019Connell", "child", "child", "2009-02-03", hh),
            S("Aoife O\u2019Connell", "adult", "mother", "1985-03-12", hh),
            S("\u0141ukasz Nowicki", "adult", "mother's partner", "1982-09-01", "19 Nags Head Road, Enfield, EN3 7AA"),
        ], summary=summ, request="We ask the Board to consider a Serious Case Review or a multi-agency learning review.",
            criteria="Abuse is known and the child has been seriously harmed; information about a risky adult was not shared.",
            name="Ciara Byrne", agency="National Probation Service, London Division", phone="020 7946 0917",
            email="ciara.byrne@example.probation.gsi.gov.uk"))

    # ------------------------------------------------------------------ 6
    # Housing: Gmail HTML (div/br); labels without a colon, value on the next line; household members with
    # ages ("4 yrs", "aged 9 months") and an unknown DOB ("DOB N/K"); agency from the signature.
    addr = "Room 14, Nightingale House, 2 Station Road, Enfield EN1 3PJ"
    summ = "Jamal (4 yrs) was admitted to hospital with severe malnutrition. The family had been in one room of temporary accommodation for eleven months; the room was found to be damp and without cooking facilities."
    divs = ["Hi,", "", "Referral below as discussed on the phone.", "",
            "Family members", "Jamal Ahmed (son), 4 yrs", "Hana Ahmed (daughter), aged 9 months", "Samira Ahmed (mum), DOB N/K", "",
            "Current address", addr, "",
            "Date", "3 Feb 2015", "",
            "Summary", summ, "",
            "Recommendation", "Review of how housing, health and children's services shared information about the family.", "",
            "How the case meets the criteria", "The child has been seriously harmed and neglect is suspected.", "",
            "Referrer", "Tom Fielding", "",
            "Phone", "07700 900264", "",
            "Email", "tom.fielding@example.gov.uk", "",
            "Thanks,", "Tom", "", "Tom Fielding", "Tenancy Sustainment Officer", "Enfield Council Housing Services"]
    html = '<div dir="ltr">' + "".join(f"<div>{esc(d)}</div>" if d else "<div><br></div>" for d in divs) + "</div>"
    add("housing-gmail-divs-ages-not-dob",
        html_only(html, hdr("Tom Fielding <tom.fielding@example.gov.uk>", "Referral - Ahmed family", "Tue, 03 Feb 2015 11:00:00 +0000", "u06")),
        expect("html_body", date="2015-02-03", subjects=[
            S("Jamal Ahmed", "child", "son", None, addr),
            S("Hana Ahmed", "child", "daughter", None, addr),
            S("Samira Ahmed", "adult", "mum", None, addr),
        ], summary=summ, request="Review of how housing, health and children's services shared information about the family.",
            criteria="The child has been seriously harmed and neglect is suspected.", name="Tom Fielding",
            agency="Enfield Council Housing Services", phone="07700 900264", email="tom.fielding@example.gov.uk"))

    # ------------------------------------------------------------------ 7
    # Youth offending: numbered sections and sub-labels ("1a Name:"); ISO dates; "Father: not known".
    hh = "4 Hertford Road, Enfield EN3 5AB"
    summ = "Tyrese was stabbed outside a youth club on 24 January 2015 and remains in intensive care. He had been reported missing nine times in 2014 and was known to be at risk of criminal exploitation."
    body = f"""Dear colleague

1. Child details
1a Name: Tyrese JOHNSON
1b DOB: 2000-02-03
1c Address: {hh}

2. Family
2a Mother: Donna Johnson (DOB 1978-06-30), same address
2b Father: not known

3. Referral
3a Date of referral: 2015-02-03
3b Summary of incident:
{summ}
3c Request to the LSCB:
Consider a Serious Case Review.
3d How the case meets the criteria:
The child has been seriously harmed and there are concerns about how agencies worked together to protect him from exploitation.

4. Referrer
4a Name: Marcus Bell
4b Role: YOT Case Manager
4c Agency: Enfield Youth Offending Service
4d Tel: 020 7946 0345
4e Email: marcus.bell@example.gov.uk
{COUNCIL_FOOTER}"""
    add("yot-numbered-sections-iso-dates",
        plain(body, hdr("Marcus Bell <marcus.bell@example.gov.uk>", "SCR referral TJ", "Tue, 03 Feb 2015 16:20:00 +0000", "u07")),
        expect("text_body", date="2015-02-03", subjects=[
            S("Tyrese JOHNSON", "child", None, "2000-02-03", hh),
            S("Donna Johnson", "adult", "mother", "1978-06-30", hh),
        ], summary=summ, request="Consider a Serious Case Review.",
            criteria="The child has been seriously harmed and there are concerns about how agencies worked together to protect him from exploitation.",
            name="Marcus Bell", agency="Enfield Youth Offending Service", phone="020 7946 0345", email="marcus.bell@example.gov.uk"))

    # ------------------------------------------------------------------ 8
    # Neighbouring LSCB forwards an agency's referral as a reply: the form quoted with "> ", hard-wrapped.
    hh = "8 Cecil Road, Enfield, EN2 6TG"
    summ = "Mason died on 25 January 2015 after being found unresponsive at his father's flat in Cheshunt. He lived with his mother in Enfield and stayed with his father at weekends."
    form = f"""Child and adult names, dates of birth and address:
Mason Clarke (child), DOB 06/04/2013, {hh}
Natalie Clarke (mother), DOB 15/12/1992, {hh}
Ryan Clarke (father), DOB 02/02/1990, 77 Turners Hill, Cheshunt, EN8 8LE

Date: 2 February 2015

Summary:
{summ}

Request/Recommendations to the LSCB:
A joint review with Hertfordshire Safeguarding Children Board.

How the case meets the SCR criteria:
A child has died and abuse or neglect is suspected.

Name of SCR Panel Member of the referring agency: Jo Reid
Telephone: 01632 960123
Email: jo.reid@example.herts.nhs.uk"""
    quoted = "\n".join("> " + line if line else ">" for line in form.split("\n"))
    body = ("Dear colleague,\n\nPlease see referral below, which relates to a child who lived in your area. We would welcome a "
            "discussion about a joint review.\n\nBest wishes\nPaula Kent\nBusiness Manager, Hertfordshire Safeguarding Children Board\n\n"
            f"On 2 Feb 2015, at 16:40, Jo Reid <jo.reid@example.herts.nhs.uk> wrote:\n\n{quoted}\n")
    add("neighbouring-lscb-reply-quoting-referral",
        plain(body, hdr("Paula Kent <paula.kent@example-hscb.gov.uk>", "Re: SCR referral - Mason C (Enfield resident)",
                        "Tue, 03 Feb 2015 10:00:00 +0000", "u08")),
        expect("text_body", date="2015-02-02", subjects=[
            S("Mason Clarke", "child", "child", "2013-04-06", hh),
            S("Natalie Clarke", "adult", "mother", "1992-12-15", hh),
            S("Ryan Clarke", "adult", "father", "1990-02-02", "77 Turners Hill, Cheshunt, EN8 8LE"),
        ], summary=summ, request="A joint review with Hertfordshire Safeguarding Children Board.",
            criteria="A child has died and abuse or neglect is suspected.", name="Jo Reid", agency=None,
            phone="01632 960123", email="jo.reid@example.herts.nhs.uk"))

    # ------------------------------------------------------------------ 9
    # Children's social care: questions as labels (bold, HTML paragraphs); two parents in one answer;
    # the referrer's name, role and agency in one answer; phone and email in one answer.
    hh = "15 Windmill Hill, Enfield, EN2 7AF"
    what = ["Ethan was taken to North Middlesex Hospital on 31 January 2015 with a skull fracture. Both parents say he fell from his high chair.",
            "Ethan has been subject to a child protection plan for neglect since June 2014."]
    qa = [("What is the child\u2019s name?", ["Ethan Price"]), ("What is their date of birth?", ["03.02.2013"]),
          ("Where does the child live?", [hh]),
          ("Who has parental responsibility?", ["Lauren Price (mother), DOB 20.08.1993", "Craig Price (father), DOB 07.01.1991"]),
          ("Date of this referral", ["03.02.2015"]), ("What happened?", what),
          ("What would you like the Board to do?", ["Convene the SCR Panel to consider a Serious Case Review."]),
          ("Why do you think this meets the criteria for a Serious Case Review?", ["Serious harm to a child subject to a child protection plan, where abuse is suspected."]),
          ("Who is making this referral?", ["Sarah Quinn, Team Manager, Enfield Children\u2019s Social Care"]),
          ("How can we contact you?", ["020 7946 0456 / sarah.quinn@example.gov.uk"])]
    paras = "".join(f"<p><b>{esc(q)}</b></p>" + "".join(f"<p>{esc(a)}</p>" for a in ans) for q, ans in qa)
    html = f"<html><body><p>Hello,</p><p>Our referral is below.</p>{paras}<p>Sarah</p></body></html>"
    add("csc-questions-as-labels",
        html_only(html, hdr("Sarah Quinn <sarah.quinn@example.gov.uk>", "Referral to the SCR Panel", "Tue, 03 Feb 2015 17:00:00 +0000", "u09")),
        expect("html_body", date="2015-02-03", subjects=[
            S("Ethan Price", "child", "child", "2013-02-03", hh),
            S("Lauren Price", "adult", "mother", "1993-08-20", None),
            S("Craig Price", "adult", "father", "1991-01-07", None),
        ], summary="\n\n".join(what), request="Convene the SCR Panel to consider a Serious Case Review.",
            criteria="Serious harm to a child subject to a child protection plan, where abuse is suspected.",
            name="Sarah Quinn", agency="Enfield Children\u2019s Social Care", phone="020 7946 0456", email="sarah.quinn@example.gov.uk"))

    # ------------------------------------------------------------------ 10
    # Capital labels with " - " separators; dotted dates; value of narrative fields on the next lines.
    hh = "60 Lancaster Road, Enfield, EN2 0BY"
    summ = "Kayden was found wandering alone on the A10 at 2am on 29 January 2015 in his pyjamas. Mother was found intoxicated at home. Kayden has a diagnosis of autism and is non-verbal."
    body = f"""CHILD'S NAME - Kayden WHITE
DOB - 03.02.2012
ADDRESS - {hh}
MOTHER - Chantelle WHITE DOB 03.02.1994
DATE OF REFERRAL - 03.02.2015
SUMMARY -
{summ}
REQUEST TO LSCB -
Consider whether a review is needed.
SCR CRITERIA -
Neglect suspected; the child was placed at serious risk. Concerns about agencies working together.
REFERRER - Dawn Fisher, Enfield MASH
TEL - 020 7946 0600
EMAIL - dawn.fisher@example.gov.uk
"""
    add("caps-labels-with-dash-separators",
        plain(body, hdr("Dawn Fisher <dawn.fisher@example.gov.uk>", "SCR REFERRAL", "Tue, 03 Feb 2015 12:00:00 +0000", "u10")),
        expect("text_body", date="2015-02-03", subjects=[
            S("Kayden WHITE", "child", "child", "2012-02-03", hh),
            S("Chantelle WHITE", "adult", "mother", "1994-02-03", hh),
        ], summary=summ, request="Consider whether a review is needed.",
            criteria="Neglect suspected; the child was placed at serious risk. Concerns about agencies working together.",
            name="Dawn Fisher", agency="Enfield MASH", phone="020 7946 0600", email="dawn.fisher@example.gov.uk"))

    # ------------------------------------------------------------------ 11
    # CJK and right-to-left names (with the bidi marks Outlook puts round them), in a pipe table in text.
    hh = "22 Queen Anne's Gardens, Enfield, EN1 2JN"
    summ = "Jiayi (aged 6) was admitted with a fractured wrist and old rib fractures. An interpreter was not used at two earlier health appointments."
    body = f"""Please find the referral below.

Subjects:
Name | Relationship | DOB | Address
Jiayi Chen | child | 03/02/2009 | {hh}
\u9648\u7f8e\u534e | mother | 12/05/1986 | {hh}
\u200f\u0645\u062d\u0645\u062f \u0631\u0636\u0627\u200f | mother's partner | 30/11/1980 | {hh}

Date: 03/02/2015

Summary:
{summ}

Request/Recommendations to the LSCB:
Serious Case Review.

How the case meets the SCR criteria:
Serious harm, abuse suspected; language barriers affected how agencies worked with the family.

Referring panel member: Nadia Osman
Telephone: 020 7946 0733
Email: nadia.osman@example.nhs.uk
"""
    add("cjk-and-rtl-names-pipe-table",
        plain(body, hdr("Nadia Osman <nadia.osman@example.nhs.uk>", "SCR referral", "Tue, 03 Feb 2015 09:00:00 +0000", "u11")),
        expect("text_body", date="2015-02-03", subjects=[
            S("Jiayi Chen", "child", "child", "2009-02-03", hh),
            S("\u9648\u7f8e\u534e", "adult", "mother", "1986-05-12", hh),
            S("\u0645\u062d\u0645\u062f \u0631\u0636\u0627", "adult", "mother's partner", "1980-11-30", hh),
        ], summary=summ, request="Serious Case Review.",
            criteria="Serious harm, abuse suspected; language barriers affected how agencies worked with the family.",
            name="Nadia Osman", agency=None, phone="020 7946 0733", email="nadia.osman@example.nhs.uk"))

    # ------------------------------------------------------------------ 12
    # Several children: CHILD 1 / CHILD 2 / CHILD 3 headings with Name/DOB; "Address for all children";
    # parents' address "as above".
    hh = "9 Lavender Hill, Enfield EN2 0QT"
    summ = "All three children were removed under police protection on 30 January 2015 after being found in a home with no heating, food or working toilet. Ava (aged 5) had untreated head lice and dental abscesses."
    body = f"""Referral - Robinson children

CHILD 1
Name: Ava Robinson
DOB: 03/02/2009

CHILD 2
Name: Noah Robinson
DOB: 15/08/2011

CHILD 3
Name: Isla Robinson
DOB: 21/12/2013

Address for all children: {hh}

PARENTS / CARERS
Mother: Stacey Robinson, DOB 09/04/1990
Stepfather: Wayne Mills, DOB 14/01/1987
Address: as above

Date of referral: 03/02/2015

Summary:
{summ}

Recommendation:
Serious Case Review.

Reason for referral:
Neglect is known and the children have been seriously harmed; three agencies had recorded concerns without a referral being made.

Referrer: Jenny Walsh
Agency: Enfield Community Services (Health Visiting)
Telephone: 020 7946 0811
Email: jenny.walsh@example.nhs.uk
"""
    add("siblings-child-1-2-3-address-as-above",
        plain(body, hdr("Jenny Walsh <jenny.walsh@example.nhs.uk>", "SCR referral - Robinson children", "Tue, 03 Feb 2015 10:30:00 +0000", "u12")),
        expect("text_body", date="2015-02-03", subjects=[
            S("Ava Robinson", "child", "child", "2009-02-03", hh),
            S("Noah Robinson", "child", "child", "2011-08-15", hh),
            S("Isla Robinson", "child", "child", "2013-12-21", hh),
            S("Stacey Robinson", "adult", "mother", "1990-04-09", hh),
            S("Wayne Mills", "adult", "stepfather", "1987-01-14", hh),
        ], summary=summ, request="Serious Case Review.",
            criteria="Neglect is known and the children have been seriously harmed; three agencies had recorded concerns without a referral being made.",
            name="Jenny Walsh", agency="Enfield Community Services (Health Visiting)", phone="020 7946 0811", email="jenny.walsh@example.nhs.uk"))

    # ------------------------------------------------------------------ 13
    # Household members table pasted from Word as tab-separated text; "Relationship to child"; "As above";
    # an unknown DOB written "Unknown"; "Date form completed".
    hh = "31 Bush Hill Road, London, N21 2DJ"
    summ = "Lily-Rose (aged 2) was admitted with a subdural haemorrhage. Her mother's new partner was caring for her alone at the time."
    body = f"""Referral for SCR Panel

Household members:
Name\tRelationship to child\tDOB\tAddress
Lily-Rose Palmer\tSubject\t03/02/2012\t{hh}
Gemma Palmer\tMother\t19/09/1989\tAs above
Liam Foster\tMother's partner\tUnknown\tAs above

Date form completed: 03/02/2015

Case summary:
{summ}

Recommendation:
That the Board commissions a Serious Case Review.

Criteria:
Abuse is suspected and the child has been seriously harmed.

Completed by: Rachel Green, Named Nurse
Tel: 020 7946 0290
E-mail: rachel.green@example.nhs.uk
"""
    add("household-members-tab-table-as-above-unknown-dob",
        plain(body, hdr("Rachel Green <rachel.green@example.nhs.uk>", "SCR referral LP", "Tue, 03 Feb 2015 09:45:00 +0000", "u13")),
        expect("text_body", date="2015-02-03", subjects=[
            S("Lily-Rose Palmer", "child", "subject", "2012-02-03", hh),
            S("Gemma Palmer", "adult", "mother", "1989-09-19", hh),
            S("Liam Foster", "adult", "mother's partner", None, hh),
        ], summary=summ, request="That the Board commissions a Serious Case Review.",
            criteria="Abuse is suspected and the child has been seriously harmed.",
            name="Rachel Green", agency=None, phone="020 7946 0290", email="rachel.green@example.nhs.uk"))

    # ------------------------------------------------------------------ 14
    # Only a "Date of incident" on the form: the referral date is not given.
    hh = "2 Clarence Road, Enfield, EN3 4BW"
    summ = "Poppy (aged 14) was found hanged at home on 26 January 2015 and died the following day. She had been referred to CAMHS twice and was on a waiting list."
    body = f"""Child and adult names, dates of birth and address:
Poppy Evans (child), born 03/02/2000, {hh}
Claire Evans (mother), born 30/07/1972, {hh}

Date of incident: 26/01/2015

Summary:
{summ}

Request/Recommendations to the LSCB:
Please consider whether this meets the criteria for a Serious Case Review.

How the case meets the SCR criteria:
The child has died; it is not yet known whether abuse or neglect was a factor.

Name of SCR Panel Member of the referring agency: Dr Imran Qureshi
Telephone: 020 7946 0955
Email: imran.qureshi@example.nhs.uk
"""
    add("incident-date-only-no-referral-date",
        plain(body, hdr("Imran Qureshi <imran.qureshi@example.nhs.uk>", "SCR referral", "Tue, 03 Feb 2015 09:00:00 +0000", "u14")),
        expect("text_body", date=None, subjects=[
            S("Poppy Evans", "child", "child", "2000-02-03", hh),
            S("Claire Evans", "adult", "mother", "1972-07-30", hh),
        ], summary=summ, request="Please consider whether this meets the criteria for a Serious Case Review.",
            criteria="The child has died; it is not yet known whether abuse or neglect was a factor.",
            name="Dr Imran Qureshi", agency=None, phone="020 7946 0955", email="imran.qureshi@example.nhs.uk"))

    # ------------------------------------------------------------------ 15
    # ISO-8859-1 everywhere: encoded-word Subject and From, latin-1 quoted-printable body, Spanish names;
    # "Date of referral (dd/mm/yyyy)".
    hh = "5 Ridge Avenue, London, N21 2RJ"
    summ = "José (aged 8) disclosed that his father had burned him with a hot iron. Injuries to his back were confirmed at a child protection medical on 30 January 2015."
    body = f"""Estimados colegas / Dear colleagues,

Name of child: Jos\u00e9 Fern\u00e1ndez
Date of birth: 03/02/2006
Address: {hh}
Mother: In\u00e9s Fern\u00e1ndez, DOB 14/03/1980
Father: Andr\u00e9s Fern\u00e1ndez, DOB 22/10/1977

Date of referral (dd/mm/yyyy): 03/02/2015

Summary:
{summ}

Request to the LSCB:
Serious Case Review.

Criteria:
Abuse is known; the child has been seriously harmed.

Referrer: Marta Ruiz
Organisation: Enfield Children's Services - Child Protection
Tel: 020 7946 0444
Email: marta.ruiz@example.gov.uk
"""
    add("latin-1-encoded-word-headers-and-body",
        plain(body, hdr("=?ISO-8859-1?Q?Marta_Ruiz_Garc=EDa?= <marta.ruiz@example.gov.uk>",
                        "=?ISO-8859-1?Q?Referral_-_Jos=E9_F_(SCR)?=", "Tue, 03 Feb 2015 09:00:00 +0000", "u15"),
              charset="iso-8859-1"),
        expect("text_body", date="2015-02-03", subjects=[
            S("Jos\u00e9 Fern\u00e1ndez", "child", "child", "2006-02-03", hh),
            S("In\u00e9s Fern\u00e1ndez", "adult", "mother", "1980-03-14", hh),
            S("Andr\u00e9s Fern\u00e1ndez", "adult", "father", "1977-10-22", hh),
        ], summary=summ, request="Serious Case Review.", criteria="Abuse is known; the child has been seriously harmed.",
            name="Marta Ruiz", agency="Enfield Children's Services - Child Protection", phone="020 7946 0444",
            email="marta.ruiz@example.gov.uk"))

    # ------------------------------------------------------------------ 16
    # A secure-mail notification: the referral itself is behind a link. Nothing to read, but not an enquiry.
    body = """You have received a secure email

Jo Reid (jo.reid@example.herts.nhs.uk) has sent you a secure email with the subject "SCR Referral - Child M".

To read this email, click the link below or copy it into your web browser:
https://switch.egress.com/ui/#/read/00000000-0000-0000-0000-000000000000

This message was sent using Egress Switch. Need help? Visit https://www.egress.com/support

Egress Software Technologies Ltd, White Collar Factory, 1 Old Street Yard, London EC1Y 8AF
"""
    add("egress-secure-mail-notification",
        plain(body, hdr("Jo Reid via Egress Switch <noreply@egress.example.com>", "Egress Switch: Secure email - SCR Referral - Child M",
                        "Tue, 03 Feb 2015 09:00:00 +0000", "u16", Reply_To="jo.reid@example.herts.nhs.uk")),
        needs_person("secure"))

    # ------------------------------------------------------------------ 17
    # "Person with parental responsibility" and a multi-line address block under "Home address".
    summ = "Ruby (aged 11) was found to be the victim of sexual exploitation by a group of adult men. She had been reported missing from home twenty times in 2014."
    body = """Child's name: Ruby Marsh
DOB: 03/02/2003
Home address:
12 Cedar Road
Enfield
Middlesex
EN2 0TH

Person with parental responsibility: Tracey Marsh (mother), DOB 05/05/1975, same address

Date: 03/02/2015

Summary of concerns:
""" + summ + """

Recommendations:
Serious Case Review into multi-agency responses to child sexual exploitation.

Criteria met:
Abuse is known and the child has been seriously harmed.

Referrer name: Chris Adams
Referring agency: Enfield Police Sexual Exploitation Team
Tel no: 07700 900118
Email: chris.adams@example.police.uk
"""
    addr = "12 Cedar Road, Enfield, Middlesex, EN2 0TH"
    add("parental-responsibility-multiline-address",
        plain(body, hdr("Chris Adams <chris.adams@example.police.uk>", "Referral", "Tue, 03 Feb 2015 09:00:00 +0000", "u17")),
        expect("text_body", date="2015-02-03", subjects=[
            S("Ruby Marsh", "child", "child", "2003-02-03", addr),
            S("Tracey Marsh", "adult", "mother", "1975-05-05", addr),
        ], summary=summ, request="Serious Case Review into multi-agency responses to child sexual exploitation.",
            criteria="Abuse is known and the child has been seriously harmed.", name="Chris Adams",
            agency="Enfield Police Sexual Exploitation Team", phone="07700 900118", email="chris.adams@example.police.uk"))

    # ------------------------------------------------------------------ 18
    # Outlook multipart/alternative from children's social care: the HTML has a layout table round a
    # form table, &nbsp; everywhere and labels without colons; text part is Outlook's own rendering.
    hh = "70 Carterhatch Road, Enfield, EN3 5LY"
    summ = ["Kai (aged 9 weeks) died on 28 January 2015. The post-mortem found fractures of different ages.",
            "The family were known to children\u2019s social care because of the mother\u2019s learning disability; the case was closed in November 2014."]
    rows = [("Child\u2019s name", ["Kai Bennett"]), ("DOB", ["25/11/2014"]), ("Address", [hh]),
            ("Mother", ["Sophie Bennett, DOB 14/02/1996"]), ("Father", ["Aaron Hughes, DOB 01/10/1994"]),
            ("Date of referral", ["03/02/2015"]), ("Summary", summ),
            ("Request / recommendation", ["Serious Case Review."]),
            ("How the case meets the criteria", ["A child has died and abuse is suspected."]),
            ("Referrer", ["Paul Nolan, Head of Service, Enfield Children\u2019s Social Care"]),
            ("Telephone", ["020 7946 0111"]), ("Email", ["paul.nolan@example.gov.uk"])]
    trs = "".join(
        f"<tr><td style='padding:0cm 5.4pt'><p class=MsoNormal><span style='color:#1F497D'>{esc(k)}&nbsp;<o:p></o:p></span></p></td>"
        f"<td style='padding:0cm 5.4pt'>" + "".join(f"<p class=MsoNormal>{esc(v)}&nbsp;<o:p></o:p></p>" for v in vals) + "</td></tr>"
        for k, vals in rows)
    html = ("<html><body lang=EN-GB><div class=WordSection1><p class=MsoNormal>Hi all,<o:p></o:p></p><p class=MsoNormal><o:p>&nbsp;</o:p></p>"
            f"<table border=0 cellpadding=0><tr><td><table class=MsoTableGrid border=1 cellspacing=0>{trs}</table></td></tr></table>"
            "<p class=MsoNormal><o:p>&nbsp;</o:p></p><p class=MsoNormal>Regards<o:p></o:p></p><p class=MsoNormal>Paul<o:p></o:p></p></div></body></html>")
    text = "Hi all,\n\n\n\n" + "\n\n".join(f"{k}\n\n{chr(10).join(v)}" for k, v in rows) + "\n\n\n\nRegards\n\nPaul\n"
    add("csc-outlook-alternative-nbsp-layout-table",
        multipart([C.text_part(text), C.html_part(html)], hdr("Paul Nolan <paul.nolan@example.gov.uk>", "SCR referral KB",
                                                              "Tue, 03 Feb 2015 09:00:00 +0000", "u18"), subtype="alternative", boundary="u18"),
        expect("html_table", date="2015-02-03", subjects=[
            S("Kai Bennett", "child", "child", "2014-11-25", hh),
            S("Sophie Bennett", "adult", "mother", "1996-02-14", hh),
            S("Aaron Hughes", "adult", "father", "1994-10-01", hh),
        ], summary="\n\n".join(summ), request="Serious Case Review.", criteria="A child has died and abuse is suspected.",
            name="Paul Nolan", agency="Enfield Children\u2019s Social Care", phone="020 7946 0111", email="paul.nolan@example.gov.uk"))

    # ------------------------------------------------------------------ 19
    # [EXTERNAL] tag, "CAUTION" banner at the top, Symantec "scanned" footer; DoB with age in brackets.
    hh = "19 Main Avenue, Enfield, EN1 1DU"
    summ = "Harvey was admitted on 1 February 2015 with a fractured skull. Father said Harvey fell down the stairs; there were older bruises to his ears."
    body = EXTERNAL_BANNER + f"""Hello,

Referral for the SCR Panel:

Child: Harvey Doyle, DoB 03/02/2011 (4 yrs)
Mother: Jodie Doyle, DoB 08/08/1988 (26 yrs)
Father: Sean Doyle, DoB 12/12/1985 (29 yrs)
All living at: {hh}

Date of referral: 03/02/2015

Summary:
{summ}

Request:
Serious Case Review.

Criteria:
Abuse suspected, serious harm.

Panel member: Lorraine Hart
Contact number: 020 7946 0822
Email: lorraine.hart@example.nhs.uk

Lorraine Hart
Designated Nurse for Safeguarding Children
Enfield Clinical Commissioning Group
{SCANNED}"""
    add("external-tag-caution-banner-scanned-footer-dob-with-age",
        plain(body, hdr("Lorraine Hart <lorraine.hart@example.nhs.uk>", "[EXTERNAL] SCR referral - HD", "Tue, 03 Feb 2015 09:00:00 +0000", "u19")),
        expect("text_body", date="2015-02-03", subjects=[
            S("Harvey Doyle", "child", "child", "2011-02-03", hh),
            S("Jodie Doyle", "adult", "mother", "1988-08-08", hh),
            S("Sean Doyle", "adult", "father", "1985-12-12", hh),
        ], summary=summ, request="Serious Case Review.", criteria="Abuse suspected, serious harm.", name="Lorraine Hart",
            agency="Enfield Clinical Commissioning Group", phone="020 7946 0822", email="lorraine.hart@example.nhs.uk"))

    # ------------------------------------------------------------------ 20
    # Word form from a school: a table with Forename / Surname / DOB / Known as per row (people header),
    # and a horizontal referrer table (header row of labels, values in the row below).
    import docx as _docx

    doc = _docx.Document()
    C._bold_para(doc, "SAFEGUARDING REFERRAL TO THE LSCB")
    C._bold_para(doc, "Children and family")
    t = doc.add_table(rows=1, cols=5)
    for i, head in enumerate(["Forename", "Surname", "Known as", "Date of birth", "Relationship"]):
        t.cell(0, i).text = head
    fam = [("Amelia", "Novak", "Millie", "03/02/2007", "Pupil"), ("Oskar", "Novak", "", "19/06/2010", "Brother"),
           ("Kasia", "Novak", "", "07/07/1983", "Mother")]
    for row in fam:
        cells = t.add_row().cells
        for i, v in enumerate(row):
            cells[i].text = v
    hh = "6 Slades Hill, Enfield, EN2 7EE"
    doc.add_paragraph(f"Family address: {hh}")
    C._bold_para(doc, "Date of referral")
    doc.add_paragraph("03/02/2015")
    C._bold_para(doc, "Summary")
    s1 = "Millie told her form tutor that her mother\u2019s ex-partner had been visiting the home at night and had assaulted her. Police are investigating."
    doc.add_paragraph(s1)
    C._bold_para(doc, "Recommendation")
    doc.add_paragraph("That the LSCB considers a Serious Case Review.")
    C._bold_para(doc, "How the case meets the SCR criteria")
    doc.add_paragraph("Abuse is known and the child has been seriously harmed.")
    C._bold_para(doc, "Referrer details")
    t2 = doc.add_table(rows=2, cols=4)
    for i, (k, v) in enumerate([("Name", "Mr Daniel Okafor"), ("School", "Highlands School"), ("Telephone", "020 7946 0370"),
                                ("Email", "d.okafor@example.sch.uk")]):
        t2.cell(0, i).text = k
        t2.cell(1, i).text = v
    docx_bytes = C._docx_bytes(doc)
    add("school-docx-forename-surname-table-horizontal-referrer",
        multipart([C.text_part("Dear Sir/Madam,\n\nPlease find attached a referral from Highlands School.\n\nYours faithfully\n\nDaniel Okafor\nDesignated Safeguarding Lead\nHighlands School\n"),
                   C.attachment(docx_bytes, "LSCB referral AN.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document")],
                  hdr("Daniel Okafor <d.okafor@example.sch.uk>", "Referral", "Tue, 03 Feb 2015 09:00:00 +0000", "u20"), boundary="u20"),
        expect("docx_paragraphs", date="2015-02-03", subjects=[
            S("Amelia Novak", "child", "pupil", "2007-02-03", hh),
            S("Oskar Novak", "child", "brother", "2010-06-19", hh),
            S("Kasia Novak", "adult", "mother", "1983-07-07", hh),
        ], summary=s1, request="That the LSCB considers a Serious Case Review.",
            criteria="Abuse is known and the child has been seriously harmed.", name="Mr Daniel Okafor",
            agency="Highlands School", phone="020 7946 0370", email="d.okafor@example.sch.uk"))

    # ------------------------------------------------------------------ 21
    # Weekday dates and ISO dates of birth; "Date of referral" after "Date of death".
    hh = "13 Willow Road, Enfield, EN1 3NJ"
    summ = "Freddie was found dead in his cot on 24 January 2015 after co-sleeping with his father, who was intoxicated. There had been three previous warnings about unsafe sleeping."
    body = f"""Names, dates of birth and addresses:
Freddie Shaw (child), DOB 2014-09-03, {hh}
Kelly Shaw (mother), DOB 1992-01-15, {hh}
Lee Shaw (father), DOB 1989-05-04, {hh}

Date of death: Saturday 24 January 2015
Date of referral: Tuesday 3 February 2015

Summary:
{summ}

Recommendation:
Management review or SCR.

Criteria:
A child has died and neglect is suspected.

Referred by: Sue Barker (Health Visitor)
Phone: 020 7946 0160
Email: sue.barker@example.nhs.uk
"""
    add("weekday-dates-iso-dobs-date-of-death",
        plain(body, hdr("Sue Barker <sue.barker@example.nhs.uk>", "SCR referral FS", "Tue, 03 Feb 2015 09:00:00 +0000", "u21")),
        expect("text_body", date="2015-02-03", subjects=[
            S("Freddie Shaw", "child", "child", "2014-09-03", hh),
            S("Kelly Shaw", "adult", "mother", "1992-01-15", hh),
            S("Lee Shaw", "adult", "father", "1989-05-04", hh),
        ], summary=summ, request="Management review or SCR.", criteria="A child has died and neglect is suspected.",
            name="Sue Barker", agency=None, phone="020 7946 0160", email="sue.barker@example.nhs.uk"))

    # ------------------------------------------------------------------ 22
    # A covering note, then the form forwarded from the MASH inbox as a reply; referrer details first,
    # child details after.
    hh = "88 Lincoln Road, Enfield, EN1 1LB"
    summ = "Aisha (aged 13) was assaulted by her father after refusing to travel abroad for a marriage arranged by the family. She is in foster care."
    body = f"""REFERRER DETAILS
Referrer name: Helen Baptiste
Agency: Enfield Multi-Agency Safeguarding Hub (MASH)
Telephone: 020 7946 0505
Email: helen.baptiste@example.gov.uk
Date: 03/02/2015

CHILD DETAILS
Child's name: Aisha Rahman
DOB: 03/02/2001
Address: {hh}

PARENTS
Father: Abdul Rahman, DOB 10/10/1970
Mother: Farida Rahman, DOB 05/06/1975
(both at the child's address)

SUMMARY
{summ}

REQUEST
Consider a Serious Case Review.

CRITERIA
Abuse (forced marriage, honour-based violence) is known and the child has been seriously harmed.
"""
    add("referrer-details-first-then-child",
        plain(body, hdr("Helen Baptiste <helen.baptiste@example.gov.uk>", "SCR referral", "Tue, 03 Feb 2015 09:00:00 +0000", "u22")),
        expect("text_body", date="2015-02-03", subjects=[
            S("Aisha Rahman", "child", "child", "2001-02-03", hh),
            S("Abdul Rahman", "adult", "father", "1970-10-10", hh),
            S("Farida Rahman", "adult", "mother", "1975-06-05", hh),
        ], summary=summ, request="Consider a Serious Case Review.",
            criteria="Abuse (forced marriage, honour-based violence) is known and the child has been seriously harmed.",
            name="Helen Baptiste", agency="Enfield Multi-Agency Safeguarding Hub (MASH)", phone="020 7946 0505",
            email="helen.baptiste@example.gov.uk"))

    # ------------------------------------------------------------------ 23
    # DOB unknowns in a people table ("N/K", "TBC"), role from the relationship; a US-style written month
    # for a date of birth ("February 3, 2011").
    hh = "47 Churchbury Lane, Enfield, EN1 3TY"
    summ = "Maya (aged 3) was admitted with a fractured femur. An uncle who was staying with the family has left the country."
    body = f"""Child and adult names, dates of birth and address:
Name\tRelationship\tDate of birth
Maya Patel\tChild\tFebruary 3, 2011
Anjali Patel\tMother\tN/K
Raj Patel\tUncle\tTBC
Address: {hh}

Date: 3 February 2015

Summary:
{summ}

Request/Recommendations to the LSCB:
SCR.

How the case meets the SCR criteria:
Serious harm, abuse suspected.

Name of SCR Panel Member of the referring agency: Farah Ali
Telephone: 020 7946 0677
Email: farah.ali@example.nhs.uk
"""
    add("people-table-unknown-dobs-us-written-dob",
        plain(body, hdr("Farah Ali <farah.ali@example.nhs.uk>", "SCR referral", "Tue, 03 Feb 2015 09:00:00 +0000", "u23")),
        expect("text_body", date="2015-02-03", subjects=[
            S("Maya Patel", "child", "child", "2011-02-03", hh),
            S("Anjali Patel", "adult", "mother", None, hh),
            S("Raj Patel", "adult", "uncle", None, hh),
        ], summary=summ, request="SCR.", criteria="Serious harm, abuse suspected.", name="Farah Ali", agency=None,
            phone="020 7946 0677", email="farah.ali@example.nhs.uk"))

    # ------------------------------------------------------------------ 24
    # Gmail plain-text alternative with *bold* labels (how Gmail renders bold), HTML with <b> labels.
    hh = "3 Gordon Road, Enfield, EN2 0PZ"
    summ = "Charlie (aged 12) was found with injuries consistent with a dog attack; the dog had been reported to the council as dangerous twice."
    text = f"""Hi,

*Name of child:* Charlie Webb
*DOB:* 03/02/2002
*Address:* {hh}
*Father:* Gary Webb, DOB 16/03/1976

*Date of referral:* 03/02/2015

*Summary:*
{summ}

*Request:*
A learning review.

*Criteria:*
The child has been seriously harmed; neglect suspected.

*Referrer:* Amy Cole
*Tel:* 07700 900555
*Email:* amy.cole@example.org.uk

Amy
"""
    html = "<div dir=\"ltr\">" + "".join(
        ("<div><br></div>" if not line else
         f"<div><b>{esc(line.split('*')[1])}</b>{esc(line.split('*', 2)[2])}</div>" if line.startswith("*") else f"<div>{esc(line)}</div>")
        for line in text.split("\n")) + "</div>"
    add("gmail-alternative-star-bold-labels",
        multipart([C.text_part(text), C.html_part(html)], hdr("Amy Cole <amy.cole@example.org.uk>", "referral", "Tue, 03 Feb 2015 09:00:00 +0000", "u24"),
                  subtype="alternative", boundary="u24"),
        expect("text_body", date="2015-02-03", subjects=[
            S("Charlie Webb", "child", "child", "2002-02-03", hh),
            S("Gary Webb", "adult", "father", "1976-03-16", hh),
        ], summary=summ, request="A learning review.", criteria="The child has been seriously harmed; neglect suspected.",
            name="Amy Cole", agency=None, phone="07700 900555", email="amy.cole@example.org.uk"))

    # ------------------------------------------------------------------ 25
    # PDF form: label beside value, "Date of birth (dd/mm/yyyy)" and "Forename(s)"/"Surname" as fields.
    items = []
    y = 800.0
    hh = "10 Park Crescent, Enfield, EN2 6HT"
    pdf_rows = [("Forename(s):", "Noah James"), ("Surname:", "Turner"), ("Date of birth (dd/mm/yyyy):", "03/02/2013"),
                ("Address:", hh), ("Mother:", "Laura Turner, DOB 11/11/1992"), ("Date of referral:", "03/02/2015")]
    items.append((40, y, "F2", 12, "Referral to the Local Safeguarding Children Board"))
    y -= 30
    for label, value in pdf_rows:
        items.append((40, y, "F2", 10, label))
        items.append((230, y, "F1", 10, value))
        y -= 16
    summ = "Noah (aged 23 months) ingested his mother\u2019s methadone and was admitted to intensive care. He had been seen by six professionals in the month before."
    for label, paras in [("Summary:", [summ]), ("Recommendation:", ["Serious Case Review."]),
                         ("Criteria:", ["Serious harm; neglect suspected; concerns about multi-agency working."])]:
        items.append((40, y, "F2", 10, label))
        y -= 14
        for p in paras:
            for line in C.wrap(p, 95):
                items.append((40, y, "F1", 10, line))
                y -= 13
        y -= 6
    for label, value in [("Referrer:", "Kate Mills"), ("Agency:", "Enfield Drug and Alcohol Action Team"), ("Telephone:", "020 7946 0999"),
                         ("Email:", "kate.mills@example.gov.uk")]:
        items.append((40, y, "F2", 10, label))
        items.append((230, y, "F1", 10, value))
        y -= 16
    add("pdf-forename-surname-dob-hint",
        multipart([C.text_part("Please see attached referral.\n\nKate Mills\n"),
                   C.attachment(C.make_pdf([items]), "LSCB referral.pdf", "application/pdf")],
                  hdr("Kate Mills <kate.mills@example.gov.uk>", "LSCB referral", "Tue, 03 Feb 2015 09:00:00 +0000", "u25"), boundary="u25"),
        expect("pdf", date="2015-02-03", subjects=[
            S("Noah James Turner", "child", None, "2013-02-03", hh),
            S("Laura Turner", "adult", "mother", "1992-11-11", hh),
        ], summary=summ, request="Serious Case Review.",
            criteria="Serious harm; neglect suspected; concerns about multi-agency working.", name="Kate Mills",
            agency="Enfield Drug and Alcohol Action Team", phone="020 7946 0999", email="kate.mills@example.gov.uk"))

    # ------------------------------------------------------------------ 26
    # Outlook forward (FW:) of a GP referral, with "Known as" and "Mum:"; the forwarder's signature holds
    # a different phone number.
    hh = "29 Hoe Lane, Enfield, EN1 4HE"
    summ = "Tommy (aged 7) told his GP that his mum locks him in his bedroom for days. He is underweight and has not been at school since October."
    body = f"""Please log - referral from Dr Kemp below.

Thanks
Beverley Sands
LSCB Administrator
Tel: 020 7946 0001

From: Kemp, Oliver (Dr) <oliver.kemp@example.nhs.net>
Sent: 02 February 2015 18:22
To: Sands, Beverley <beverley.sands@example.gov.uk>
Subject: Referral - child T

Child's full name: Thomas Reilly
Known as: Tommy
DoB: 03.02.2008
Home address: {hh}
Mum: Nicola Reilly, DoB 21.04.1986

Date of referral: 02.02.2015

Brief summary of incident:
{summ}

Recommendations:
Review by the SCR Panel.

Reason for referral:
Neglect and emotional abuse suspected; the child has been seriously harmed.

Name of referrer: Dr Oliver Kemp
Agency: Hoe Lane Medical Centre
Contact tel: 020 7946 0620
Email: oliver.kemp@example.nhs.net
"""
    add("outlook-forward-gp-known-as-mum",
        plain(body, hdr("Beverley Sands <beverley.sands@example.gov.uk>", "FW: Referral - child T", "Tue, 03 Feb 2015 09:00:00 +0000", "u26")),
        expect("forward_text", date="2015-02-02", subjects=[
            S("Thomas Reilly", "child", "child", "2008-02-03", hh),
            S("Nicola Reilly", "adult", "mum", "1986-04-21", hh),
        ], summary=summ, request="Review by the SCR Panel.",
            criteria="Neglect and emotional abuse suspected; the child has been seriously harmed.", name="Dr Oliver Kemp",
            agency="Hoe Lane Medical Centre", phone="020 7946 0620", email="oliver.kemp@example.nhs.net"))

    # ------------------------------------------------------------------ 27
    # Council footer with its own address, phone and dates; labels separated by many spaces (aligned).
    hh = "55 Enfield Road, Enfield, EN2 7HR"
    summ = "Layla (aged 16) gave birth at home alone and the baby died. Layla had concealed the pregnancy; she was known to the leaving-care team."
    body = f"""Name of child:          Layla Morris
D.O.B:                  03/02/1998
Address:                {hh}

Date:                   03/02/2015

Summary:
{summ}

Recommendations:
Serious Case Review.

Criteria:
A child has died.

Name:                   Anne Cooper
Job title:              Service Manager, Looked After Children
Tel:                    020 7946 0707
Email:                  anne.cooper@example.gov.uk
{SCANNED}"""
    add("aligned-spaces-council-footer",
        plain(body, hdr("Anne Cooper <anne.cooper@example.gov.uk>", "SCR referral LM", "Tue, 03 Feb 2015 09:00:00 +0000", "u27")),
        expect("text_body", date="2015-02-03", subjects=[
            S("Layla Morris", "child", "child", "1998-02-03", hh),
        ], summary=summ, request="Serious Case Review.", criteria="A child has died.", name="Anne Cooper", agency=None,
            phone="020 7946 0707", email="anne.cooper@example.gov.uk"))

    # ------------------------------------------------------------------ 28
    # Hard-wrapped reply with "> " quoting (72 columns): "please see referral below" above it.
    hh = "17 Bury Street, London, N9 7JU"
    summ = ("Sami (aged 10) was found by police at a cannabis farm in a flat in Edmonton on 27 January 2015. He "
            "had been missing from home for two weeks. He had been excluded from school in November and no "
            "education was arranged.")
    form = f"""Child and adult names, dates of birth and address:
Sami Hoxha (child), DOB 03/02/2004, {hh}
Drita Hoxha (mother), DOB 22/02/1979, {hh}

Date: 02/02/2015

Summary:
{summ}

Request/Recommendations to the LSCB:
Serious Case Review, or a multi-agency audit if the criteria are not met.

How the case meets the SCR criteria:
The child has been seriously harmed and there are concerns about how agencies worked together.

Name of SCR Panel Member of the referring agency: Gill Porter
Telephone: 020 7946 0388
Email: gill.porter@example.gov.uk"""
    quoted = hard_wrap(form, 72, "> ")
    body = ("Hi,\n\nPlease see referral below, received in the MASH inbox yesterday.\n\nMark\n\n"
            "On Mon, Feb 2, 2015 at 4:10 PM, Gill Porter <gill.porter@example.gov.uk>\nwrote:\n\n" + quoted + "\n")
    add("reply-quoted-hard-wrapped-form",
        plain(body, hdr("Mark Evans <mark.evans@example.gov.uk>", "Re: SCR referral", "Tue, 03 Feb 2015 09:00:00 +0000", "u28"), cte="7bit"),
        expect("text_body", date="2015-02-02", subjects=[
            S("Sami Hoxha", "child", "child", "2004-02-03", hh),
            S("Drita Hoxha", "adult", "mother", "1979-02-22", hh),
        ], summary=summ, request="Serious Case Review, or a multi-agency audit if the criteria are not met.",
            criteria="The child has been seriously harmed and there are concerns about how agencies worked together.",
            name="Gill Porter", agency=None, phone="020 7946 0388", email="gill.porter@example.gov.uk"))

    # ------------------------------------------------------------------ 29
    # HTML: label and value in one paragraph separated by &nbsp; runs; <br> line breaks inside one <p>.
    hh = "4 Brigadier Hill, Enfield, EN2 0NL"
    summ = "Evie (aged 1) was admitted with a fractured skull and retinal haemorrhages. Father was the sole carer at the time."
    lines = [("Name of child:", "Evie Hall"), ("DOB:", "03/02/2014"), ("Address:", hh), ("Father:", "Jack Hall, DOB 09/09/1990"),
             ("Mother:", "Holly Hall, DOB 12/03/1993"), ("Date of referral:", "3rd February 2015"), ("Summary:", summ),
             ("Request:", "Serious Case Review."), ("Criteria:", "Serious harm; abuse suspected."),
             ("Referrer:", "Dr Fiona Grant"), ("Agency:", "Royal Free London NHS Foundation Trust"),
             ("Telephone:", "020 7946 0141"), ("Email:", "fiona.grant@example.nhs.net")]
    html = ("<html><body><p class=MsoNormal>Dear Business Manager,</p><p class=MsoNormal>"
            + "<br>".join(f"<b>{esc(k)}</b>&nbsp;&nbsp;&nbsp;{esc(v)}" for k, v in lines) + "</p><p>Kind regards,<br>Fiona</p></body></html>")
    add("html-br-lines-nbsp-separated",
        html_only(html, hdr("Fiona Grant <fiona.grant@example.nhs.net>", "SCR referral", "Tue, 03 Feb 2015 09:00:00 +0000", "u29")),
        expect("html_body", date="2015-02-03", subjects=[
            S("Evie Hall", "child", "child", "2014-02-03", hh),
            S("Jack Hall", "adult", "father", "1990-09-09", hh),
            S("Holly Hall", "adult", "mother", "1993-03-12", hh),
        ], summary=summ, request="Serious Case Review.", criteria="Serious harm; abuse suspected.", name="Dr Fiona Grant",
            agency="Royal Free London NHS Foundation Trust", phone="020 7946 0141", email="fiona.grant@example.nhs.net"))

    # ------------------------------------------------------------------ 30
    # Date of incident and date of referral both present, incident second; "D.O.B." in a bracket after the name.
    hh = "21 Baker Street, Enfield, EN1 3EU"
    summ = "Zara (aged 15) was raped by an adult she met online. She had told her social worker about him in December."
    body = f"""Subjects of the referral:
Zara Khan (D.O.B. 03/02/1999) - child
Yasmin Khan (D.O.B. 17/07/1978) - mother
Both at {hh}

Date of referral: 3 February 2015
Date of incident: 30 January 2015

Summary:
{summ}

Recommendation:
Serious Case Review.

Criteria:
Abuse is known; serious harm; information shared but not acted upon.

Referrer: Nikki Shah
Agency: Enfield Children's Social Care
Tel: 020 7946 0234
Email: nikki.shah@example.gov.uk
"""
    add("referral-date-before-incident-date",
        plain(body, hdr("Nikki Shah <nikki.shah@example.gov.uk>", "Referral", "Tue, 03 Feb 2015 09:00:00 +0000", "u30")),
        expect("text_body", date="2015-02-03", subjects=[
            S("Zara Khan", "child", "child", "1999-02-03", hh),
            S("Yasmin Khan", "adult", "mother", "1978-07-17", hh),
        ], summary=summ, request="Serious Case Review.",
            criteria="Abuse is known; serious harm; information shared but not acted upon.", name="Nikki Shah",
            agency="Enfield Children's Social Care", phone="020 7946 0234", email="nikki.shah@example.gov.uk"))

    # ------------------------------------------------------------------ 31
    # Word form with "Name of child" / "D.O.B." paragraph labels without colons (bold), values below;
    # "3 Feb 2015" dates; "Mother" and "Mother's partner" keyed lines.
    doc = _docx.Document()
    C._bold_para(doc, "Referral to the Serious Case Review Panel")
    hh = "90 Ordnance Road, Enfield, EN3 6AB"
    summ = "Ben (aged 2) was admitted with burns to both feet consistent with immersion in hot water."
    for label, values in [("Name of child", ["Ben Carter"]), ("D.O.B.", ["3 Feb 2013"]), ("Home address", [hh]),
                          ("Mother", ["Jess Carter, DOB 1 Apr 1994"]), ("Mother's partner", ["Kyle Grant, DOB 15 Dec 1990"]),
                          ("Date of referral", ["3 Feb 2015"]), ("Summary", [summ]), ("Request to the LSCB", ["SCR."]),
                          ("Criteria", ["Serious harm; abuse suspected."]), ("Referrer", ["Emma Lowe"]),
                          ("Organisation", ["Barnet, Enfield and Haringey Mental Health NHS Trust"]), ("Tel", ["020 7946 0161"]),
                          ("Email", ["emma.lowe@example.nhs.uk"])]:
        C._bold_para(doc, label)
        for v in values:
            doc.add_paragraph(v)
    add("docx-bold-label-paragraphs-keyed-parents",
        multipart([C.text_part("See attached.\n\nEmma\n"), C.attachment(C._docx_bytes(doc), "referral.docx")],
                  hdr("Emma Lowe <emma.lowe@example.nhs.uk>", "SCR", "Tue, 03 Feb 2015 09:00:00 +0000", "u31"), boundary="u31"),
        expect("docx_paragraphs", date="2015-02-03", subjects=[
            S("Ben Carter", "child", "child", "2013-02-03", hh),
            S("Jess Carter", "adult", "mother", "1994-04-01", hh),
            S("Kyle Grant", "adult", "mother's partner", "1990-12-15", hh),
        ], summary=summ, request="SCR.", criteria="Serious harm; abuse suspected.", name="Emma Lowe",
            agency="Barnet, Enfield and Haringey Mental Health NHS Trust", phone="020 7946 0161", email="emma.lowe@example.nhs.uk"))

    # ------------------------------------------------------------------ 32
    # HTML horizontal tables: the child's details as a header row over a values row, then the mother's.
    hh = "36 Hertford Road, Enfield, EN3 5AX"
    summ = "Ellie-May (aged 6) was admitted with a broken arm and a history of unexplained bruising reported by school."
    html = ("<html><body><p>Dear colleague,</p>"
            "<table border=1><tr><th>Child's name</th><th>DOB</th><th>Address</th></tr>"
            f"<tr><td>Ellie-May Ward</td><td>03/02/2009</td><td>{hh}</td></tr></table><p>&nbsp;</p>"
            "<table border=1><tr><th>Mother's name</th><th>DOB</th><th>Address</th></tr>"
            f"<tr><td>Kerry Ward</td><td>27/06/1987</td><td>{hh}</td></tr></table><p>&nbsp;</p>"
            "<table border=1><tr><td><b>Date of referral</b></td><td>03/02/2015</td></tr>"
            f"<tr><td><b>Summary</b></td><td>{esc(summ)}</td></tr>"
            "<tr><td><b>Recommendation</b></td><td>Serious Case Review.</td></tr>"
            "<tr><td><b>Criteria</b></td><td>Abuse suspected; serious harm.</td></tr>"
            "<tr><td><b>Referrer</b></td><td>Joanne Price</td></tr>"
            "<tr><td><b>Agency</b></td><td>Enfield Education Welfare Service</td></tr>"
            "<tr><td><b>Tel</b></td><td>020 7946 0313</td></tr>"
            "<tr><td><b>Email</b></td><td>joanne.price@example.gov.uk</td></tr></table></body></html>")
    add("html-horizontal-child-and-mother-tables",
        html_only(html, hdr("Joanne Price <joanne.price@example.gov.uk>", "SCR referral", "Tue, 03 Feb 2015 09:00:00 +0000", "u32")),
        expect("html_table", date="2015-02-03", subjects=[
            S("Ellie-May Ward", "child", "child", "2009-02-03", hh),
            S("Kerry Ward", "adult", "mother", "1987-06-27", hh),
        ], summary=summ, request="Serious Case Review.", criteria="Abuse suspected; serious harm.", name="Joanne Price",
            agency="Enfield Education Welfare Service", phone="020 7946 0313", email="joanne.price@example.gov.uk"))

    # ------------------------------------------------------------------ 33
    # Questions as labels in plain text, each followed by its answer on the same line after "?".
    hh = "11 Church Street, Enfield, EN2 6AF"
    summ = "Jacob (aged 13) took his own life on 22 January 2015. He had been bullied at school and had self-harmed; his mother had asked for help from three services."
    body = f"""Who is the referral about? Jacob Stone (child), DOB 03/02/2001, and his mother Rebecca Stone, DOB 14/10/1976
Where do they live? {hh}
When was the referral made? 03/02/2015
What happened? {summ}
What do you want the Board to do? Consider a Serious Case Review.
Why does this case meet the criteria for a review? A child has died and there are concerns about how agencies worked together.
Who is referring? Diane Holt, Enfield CAMHS
Phone? 020 7946 0828
Email? diane.holt@example.nhs.uk
"""
    add("plain-questions-answers-on-same-line",
        plain(body, hdr("Diane Holt <diane.holt@example.nhs.uk>", "Referral", "Tue, 03 Feb 2015 09:00:00 +0000", "u33")),
        expect("text_body", date="2015-02-03", subjects=[
            S("Jacob Stone", "child", "child", "2001-02-03", hh),
            S("Rebecca Stone", "adult", "mother", "1976-10-14", hh),
        ], summary=summ, request="Consider a Serious Case Review.",
            criteria="A child has died and there are concerns about how agencies worked together.", name="Diane Holt",
            agency="Enfield CAMHS", phone="020 7946 0828", email="diane.holt@example.nhs.uk"))

    # ------------------------------------------------------------------ 34
    # Two-digit years with dots and slashes mixed; a young parent (DOB says 19); "Partner".
    hh = "Flat 3, 102 Fore Street, London, N18 2XA"
    summ = "Baby Lucas (aged 6 weeks) was admitted with a fractured skull and rib fractures."
    body = f"""Names, DOBs and address:
Lucas Wright - child - DOB 20.12.14
Chloe Wright - mother - DOB 5/6/95
Connor Lee - partner - DOB 5.6.93
Address: {hh}

Date: 3.2.15

Summary:
{summ}

Request:
SCR.

Criteria:
Serious harm, abuse suspected.

Referrer: Ian Hunt
Tel: 020 7946 0119
Email: ian.hunt@example.nhs.uk
"""
    add("two-digit-years-dots-slashes-dash-separated-people",
        plain(body, hdr("Ian Hunt <ian.hunt@example.nhs.uk>", "SCR referral", "Tue, 03 Feb 2015 09:00:00 +0000", "u34")),
        expect("text_body", date="2015-02-03", subjects=[
            S("Lucas Wright", "child", "child", "2014-12-20", hh),
            S("Chloe Wright", "adult", "mother", "1995-06-05", hh),
            S("Connor Lee", "adult", "partner", "1993-06-05", hh),
        ], summary=summ, request="SCR.", criteria="Serious harm, abuse suspected.", name="Ian Hunt", agency=None,
            phone="020 7946 0119", email="ian.hunt@example.nhs.uk"))

    # ------------------------------------------------------------------ 35
    # Label ends without a colon, value on the next line; headings in caps; "DATE OF REFERRAL" as a heading.
    hh = "6 Green Street, Enfield, EN3 7HY"
    summ = "Ryan (aged 17) was found dead in a hostel room; he had been placed there by children's services after leaving care."
    body = f"""NAME OF CHILD
Ryan Doherty

DATE OF BIRTH
03/02/1997

ADDRESS
{hh}

DATE OF REFERRAL
03/02/2015

SUMMARY
{summ}

RECOMMENDATION
Serious Case Review.

CRITERIA
A child has died; there are concerns about how agencies worked together.

REFERRER
Sandra Bloom

AGENCY
Enfield Leaving Care Service

TELEPHONE
020 7946 0500

EMAIL
sandra.bloom@example.gov.uk
"""
    add("caps-headings-values-below",
        plain(body, hdr("Sandra Bloom <sandra.bloom@example.gov.uk>", "SCR REFERRAL - RD", "Tue, 03 Feb 2015 09:00:00 +0000", "u35")),
        expect("text_body", date="2015-02-03", subjects=[
            S("Ryan Doherty", "child", "child", "1997-02-03", hh),
        ], summary=summ, request="Serious Case Review.", criteria="A child has died; there are concerns about how agencies worked together.",
            name="Sandra Bloom", agency="Enfield Leaving Care Service", phone="020 7946 0500", email="sandra.bloom@example.gov.uk"))

    # ------------------------------------------------------------------ 36
    # Police plain text with OFFICIAL-SENSITIVE markings top and bottom; "Officer in case"; "03-Feb-15".
    hh = "2 Albany Road, Enfield, EN3 5UD"
    summ = "Officers found Archie (aged 2) alone in a flat with his mother, who had died of an overdose some days before."
    body = f"""OFFICIAL - SENSITIVE

SCR REFERRAL - ENFIELD PPU

Subject child: Archie Lane, DOB 14-Jan-13
Mother (deceased): Shannon Lane, DOB 30-Mar-90
Address: {hh}

Date of referral: 03-Feb-15

Circumstances:
{summ}

Recommendation:
Serious Case Review.

Reason for referral:
Neglect suspected; serious harm to the child; the mother's death.

Officer in case: DC Ravi Sharma
Referring officer: DI Claire Holmes
Unit: Enfield Public Protection Unit, Metropolitan Police Service
Tel: 020 7946 0999
Email: claire.holmes@example.police.uk

OFFICIAL - SENSITIVE
{POLICE_FOOTER}"""
    add("police-official-sensitive-officer-in-case",
        plain(body, hdr("Holmes Claire DI - SC&O <claire.holmes@example.police.uk>", "OFFICIAL-SENSITIVE SCR referral",
                        "Tue, 03 Feb 2015 09:00:00 +0000", "u36")),
        expect("text_body", date="2015-02-03", subjects=[
            S("Archie Lane", "child", "subject child", "2013-01-14", hh),
            S("Shannon Lane", "adult", "mother", "1990-03-30", hh),
        ], summary=summ, request="Serious Case Review.", criteria="Neglect suspected; serious harm to the child; the mother's death.",
            name="DI Claire Holmes", agency="Enfield Public Protection Unit, Metropolitan Police Service", phone="020 7946 0999",
            email="claire.holmes@example.police.uk"))

    # ------------------------------------------------------------------ 37
    # Probation: adult subject of supervision listed first; children after; "Address (inc. postcode)".
    hh = "58 Nightingale Road, London, N9 8AT"
    summ = "Mr Green, who is supervised for offences against children, was found living with Ms Adams and her two children. The children\u2019s social worker was not told."
    body = f"""Names, DOBs and addresses of children and adults:
Adult: Terry Green, DOB 04/04/1968 (subject to probation supervision)
Partner: Michelle Adams, DOB 11/11/1985
Child: Ruby Adams, DOB 03/02/2008
Child: Finn Adams, DOB 27/09/2011
Address (inc. postcode): {hh}

Date: 03/02/2015

Summary:
{summ}

Request/Recommendations to the LSCB:
Multi-agency review of information sharing about risky adults.

Criteria:
Abuse is suspected; concerns about agencies working together.

Referrer: Lisa Quinn, Senior Probation Officer
Agency: London Community Rehabilitation Company
Tel: 020 7946 0620
Email: lisa.quinn@example.crc.gov.uk
"""
    add("probation-adult-first-children-after",
        plain(body, hdr("Lisa Quinn <lisa.quinn@example.crc.gov.uk>", "SCR referral", "Tue, 03 Feb 2015 09:00:00 +0000", "u37")),
        expect("text_body", date="2015-02-03", subjects=[
            S("Terry Green", "adult", "adult", "1968-04-04", hh),
            S("Michelle Adams", "adult", "partner", "1985-11-11", hh),
            S("Ruby Adams", "child", "child", "2008-02-03", hh),
            S("Finn Adams", "child", "child", "2011-09-27", hh),
        ], summary=summ, request="Multi-agency review of information sharing about risky adults.",
            criteria="Abuse is suspected; concerns about agencies working together.", name="Lisa Quinn",
            agency="London Community Rehabilitation Company", phone="020 7946 0620", email="lisa.quinn@example.crc.gov.uk"))

    # ------------------------------------------------------------------ 38
    # Not a referral: an agency asks about a referral it sent; long NHS footer with "Date" and "Tel" lines.
    body = f"""Hello,

Could you confirm whether our referral dated 3 February about child RT has been received and when the panel will meet?

Date of birth and address details were in the original email.

Many thanks
Angela Whitmore
Named Nurse Safeguarding Children
Tel: 020 7946 0172
{NHS_FOOTER}"""
    add("not-referral-status-enquiry-with-footer",
        plain(body, hdr("Angela Whitmore <angela.whitmore@example.nhs.uk>", "Referral - RT - received?", "Fri, 06 Feb 2015 09:00:00 +0000", "u38")),
        not_referral("enquiry"))

    # ------------------------------------------------------------------ 39
    # Word table from a neighbouring LSCB's template: "Child 1", "Child 2" row blocks and
    # "Address (inc. postcode)" rows; "Date of referral" and "Date of incident" rows.
    doc = _docx.Document()
    C._bold_para(doc, "Haringey LSCB - referral to neighbouring board")
    t = doc.add_table(rows=0, cols=2)

    def row(k, v):
        cells = t.add_row().cells
        cells[0].text, cells[1].text = k, v
    hh = "14 Lordship Lane, London, N17 6NU"
    summ = "Both children were found in a house fire started deliberately by their father; Leo (aged 8) died and Mia (aged 5) has severe burns. The family moved from Enfield in December."
    for k, v in [("Child 1 name", "Leo Barnes"), ("Child 1 DOB", "03/02/2006"), ("Child 2 name", "Mia Barnes"), ("Child 2 DOB", "09/09/2009"),
                 ("Father's name", "Steven Barnes"), ("Father's DOB", "12/01/1980"), ("Address (inc. postcode)", hh),
                 ("Date of incident", "25/01/2015"), ("Date of referral", "03/02/2015"), ("Summary", summ),
                 ("Request to the LSCB", "A joint Serious Case Review with Haringey LSCB."),
                 ("SCR criteria", "A child has died and abuse is known."), ("Referrer", "Maxine Doyle"),
                 ("Agency", "Haringey Local Safeguarding Children Board"), ("Telephone", "020 7946 0919"), ("Email", "maxine.doyle@example-lscb.org.uk")]:
        row(k, v)
    add("neighbouring-lscb-docx-child-1-child-2-rows",
        multipart([C.text_part("Dear colleague,\n\nPlease see the attached referral, which we think needs a joint review.\n\nMaxine Doyle\nBusiness Manager\nHaringey Local Safeguarding Children Board\n"),
                   C.attachment(C._docx_bytes(doc), "Referral to Enfield LSCB.docx")],
                  hdr("Maxine Doyle <maxine.doyle@example-lscb.org.uk>", "Referral - Barnes children", "Tue, 03 Feb 2015 09:00:00 +0000", "u39"),
                  boundary="u39"),
        expect("docx_table", date="2015-02-03", subjects=[
            S("Leo Barnes", "child", "child", "2006-02-03", hh),
            S("Mia Barnes", "child", "child", "2009-09-09", hh),
            S("Steven Barnes", "adult", "father", "1980-01-12", hh),
        ], summary=summ, request="A joint Serious Case Review with Haringey LSCB.", criteria="A child has died and abuse is known.",
            name="Maxine Doyle", agency="Haringey Local Safeguarding Children Board", phone="020 7946 0919",
            email="maxine.doyle@example-lscb.org.uk"))

    # ------------------------------------------------------------------ 40
    # A form with the label "Child(ren)'s full name(s)", then "DOB(s)" with several dates in the order given.
    hh = "3 Fir Tree Walk, Enfield, EN1 3TZ"
    summ = "The twins were admitted with failure to thrive; Grace (aged 8 months) has a brain injury consistent with shaking."
    body = f"""Child(ren)'s full name(s): Grace Obi and Hope Obi
DOB(s): 03/06/2014
Address: {hh}
Mother: Chioma Obi, DOB 14/02/1990
Father: Emeka Obi, DOB 28/08/1987

Date of referral: 03/02/2015

Summary: {summ}

Request: Serious Case Review.

Criteria: Serious harm to a child where abuse is suspected.

Referrer: Dr Helen Moss
Agency: North Middlesex University Hospital NHS Trust
Tel: 020 7946 0176
Email: helen.moss@example.nhs.uk
"""
    add("twins-on-one-line",
        plain(body, hdr("Helen Moss <helen.moss@example.nhs.uk>", "SCR referral", "Tue, 03 Feb 2015 09:00:00 +0000", "u40")),
        expect("text_body", date="2015-02-03", subjects=[
            S("Grace Obi", "child", "child", "2014-06-03", hh),
            S("Hope Obi", "child", "child", "2014-06-03", hh),
            S("Chioma Obi", "adult", "mother", "1990-02-14", hh),
            S("Emeka Obi", "adult", "father", "1987-08-28", hh),
        ], summary=summ, request="Serious Case Review.", criteria="Serious harm to a child where abuse is suspected.",
            name="Dr Helen Moss", agency="North Middlesex University Hospital NHS Trust", phone="020 7946 0176",
            email="helen.moss@example.nhs.uk"))

    # ------------------------------------------------------------------ 41
    # "Date of birth" written "3rd of February 2011"; "Telephone no." / "E-mail address:"; agency in the
    # sign-off block only; a secure-mail line at the top ("This email was sent via Egress").
    hh = "71 Chase Side, London, N14 5BP"
    summ = "Ollie (aged 3) was taken to A&E with a bite mark and cigarette burns. Mother's partner has previous convictions for violence."
    body = f"""[This email was sent securely via Egress Switch]

Hi,

Child's name: Oliver Day
Date of birth: 3rd of February 2011
Address: {hh}
Mother: Jade Day, date of birth 1st of May 1991
Mother's partner: Reece Walker, date of birth 9th of July 1989

Date: 3rd of February 2015

Summary:
{summ}

Request/Recommendations to the LSCB:
Serious Case Review.

How the case meets the SCR criteria:
Abuse is suspected and the child has been seriously harmed.

Name of SCR Panel Member of the referring agency: Karen Walsh
Telephone no.: 020 7946 0727
E-mail address: karen.walsh@example.nhs.uk

Kind regards

Karen Walsh
Named Nurse for Safeguarding Children
Whittington Health NHS Trust
"""
    add("egress-banner-ordinal-of-dates-agency-in-signature",
        plain(body, hdr("Karen Walsh <karen.walsh@example.nhs.uk>", "SCR referral OD", "Tue, 03 Feb 2015 09:00:00 +0000", "u41")),
        expect("text_body", date="2015-02-03", subjects=[
            S("Oliver Day", "child", "child", "2011-02-03", hh),
            S("Jade Day", "adult", "mother", "1991-05-01", hh),
            S("Reece Walker", "adult", "mother's partner", "1989-07-09", hh),
        ], summary=summ, request="Serious Case Review.", criteria="Abuse is suspected and the child has been seriously harmed.",
            name="Karen Walsh", agency="Whittington Health NHS Trust", phone="020 7946 0727", email="karen.walsh@example.nhs.uk"))

    # ------------------------------------------------------------------ 42
    # Forename(s) / Surname as separate text lines for child and mother, each under a heading.
    hh = "24 Bush Hill, London, N21 2BT"
    summ = "Harry was admitted with a head injury after his mother, who has bipolar disorder, threw him against a wall during a psychotic episode."
    body = f"""CHILD
Forename(s): Harry George
Surname: PEARCE
DOB: 03/02/2012
Address: {hh}

MOTHER
Forename(s): Lucy
Surname: PEARCE
DOB: 28/02/1988
Address: same as child

Date of referral: 03/02/2015

Summary:
{summ}

Recommendation:
Serious Case Review.

Criteria:
Serious harm, abuse known.

Referrer: Mike Dean
Agency: Barnet, Enfield and Haringey Mental Health NHS Trust
Tel: 020 7946 0190
Email: mike.dean@example.nhs.uk
"""
    add("forename-surname-lines-under-headings",
        plain(body, hdr("Mike Dean <mike.dean@example.nhs.uk>", "SCR referral", "Tue, 03 Feb 2015 09:00:00 +0000", "u42")),
        expect("text_body", date="2015-02-03", subjects=[
            S("Harry George PEARCE", "child", "child", "2012-02-03", hh),
            S("Lucy PEARCE", "adult", "mother", "1988-02-28", hh),
        ], summary=summ, request="Serious Case Review.", criteria="Serious harm, abuse known.", name="Mike Dean",
            agency="Barnet, Enfield and Haringey Mental Health NHS Trust", phone="020 7946 0190", email="mike.dean@example.nhs.uk"))

    # ------------------------------------------------------------------ 43
    # Secure-mail (Egress) notification from an NHS address whose subject names a referral, HTML only.
    html = ("<html><body><table width=600><tr><td><img src='cid:egress-logo' alt='Egress'></td></tr>"
            "<tr><td><h2>You've received a secure message</h2><p>Kirsty Lamb (kirsty.lamb@example.nhs.uk) has sent you a message "
            "protected by Egress.</p><p><a href='https://switch.egress.com/ui/#/read/1'>Read secure message</a></p>"
            "<p>Subject: SCR referral form - baby L</p><p>Attachments: 1 (SCR referral form.docx)</p></td></tr></table></body></html>")
    add("egress-secure-message-html-notification",
        html_only(html, hdr("Kirsty Lamb <noreply@switch.egress.example.com>", "Secure message: SCR referral form - baby L",
                            "Tue, 03 Feb 2015 09:00:00 +0000", "u43")),
        needs_person("secure"))

    # ------------------------------------------------------------------ 44
    # "Address:" given in the child's block, then "Parents:" block with "Address: As child".
    hh = "9 Chase Green Avenue, Enfield, EN2 8EB"
    summ = "Sophia (aged 10) disclosed sexual abuse by her stepfather over three years."
    body = f"""Details of child
Name: Sophia Martin
DOB: 03/02/2005
Address: {hh}

Details of parents/carers
Name: Dawn Martin (mother)
DOB: 07/07/1980
Name: Neil Baker (stepfather)
DOB: 02/02/1978
Address: as child

Date of referral: 03/02/2015

Summary:
{summ}

Request:
Serious Case Review.

Criteria:
Abuse is known and the child has been seriously harmed.

Referrer details
Name: Jackie Rowe
Agency: Enfield Early Help
Tel: 020 7946 0331
Email: jackie.rowe@example.gov.uk
"""
    add("details-of-child-and-parents-bare-name-keys",
        plain(body, hdr("Jackie Rowe <jackie.rowe@example.gov.uk>", "SCR referral", "Tue, 03 Feb 2015 09:00:00 +0000", "u44")),
        expect("text_body", date="2015-02-03", subjects=[
            S("Sophia Martin", "child", None, "2005-02-03", hh),
            S("Dawn Martin", "adult", "mother", "1980-07-07", hh),
            S("Neil Baker", "adult", "stepfather", "1978-02-02", hh),
        ], summary=summ, request="Serious Case Review.", criteria="Abuse is known and the child has been seriously harmed.",
            name="Jackie Rowe", agency="Enfield Early Help", phone="020 7946 0331", email="jackie.rowe@example.gov.uk"))

    return out


if __name__ == "__main__":
    sys.exit(R.write_set(HERE, cases()))
