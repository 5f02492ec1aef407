"""Build the Word letter templates in this folder: ``python mail_templates/letters/make_templates.py``.

Each ``<name>.docx`` is an ordinary Word document with Jinja tags that the
service fills in (docxtpl): ``{{ letter.date | long_date }}``,
``{{ recipient.name }}``... and, on a paragraph of its own,
``{%p if ... %}`` / ``{%p endif %}`` to keep or drop the paragraphs between.
Staff may edit the .docx files in Word; the variables are listed in
``mail_templates/VARIABLES.md`` and every letter is rendered against a
sample case when the service starts, so a broken edit stops it with the
letter's name and paragraph. Running this script again overwrites edits:
it is the starting point, kept so the templates can be rebuilt.

Usage: make_templates.py [FOLDER]   (default: the folder this script is in)
"""

from __future__ import annotations

import sys
from datetime import datetime, timezone
from pathlib import Path

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

INK = RGBColor(0x00, 0x50, 0x6E)
GREY = RGBColor(0x55, 0x55, 0x55)
FIXED_TIME = datetime(2014, 1, 1, tzinfo=timezone.utc)

# A body is a list of items: a string is a paragraph; ("h", text) a heading; ("tag", "{%p ... %}") a
# control paragraph; ("subjects",) the list of the people named (letters with full details only).
SUBJECTS = [
    ("tag", "{%p for s in subjects %}"),
    ("bullet", "{{ s.name }} ({{ s.relationship }}), date of birth {{ s.date_of_birth | long_date }}"),
    ("tag", "{%p endfor %}"),
]
QUOTE = "Please quote our reference {{ letter.reference }} in any correspondence."
CONTACT = ("The Board's Business Manager, {{ contact.name }} ({{ contact.email }}), can give you any further "
           "information you need.")

LETTERS: dict[str, dict] = {
    "incident_notification": {
        "heading": "Notification of a serious incident",
        "body": [
            "I am writing, as Independent Chair of {{ board.name }}, to notify Ofsted of a serious incident "
            "concerning a child in our area, as section 4.1 of the Board's serious case review procedure and "
            "Working Together to Safeguard Children require.",
            ("h", "The child and family"),
            *SUBJECTS,
            ("h", "The referral"),
            "The case was referred to the Board by {{ case.referrer_agency or 'a partner agency' }} and received "
            "on {{ case.received_on | long_date }}. I will decide whether a serious case review is required by "
            "{{ case.decision_due | long_date }}, and will let Ofsted and the National Panel of Independent "
            "Experts know my decision.",
            CONTACT + " " + QUOTE,
        ],
    },
    "decision_notification": {
        "heading": "Decision on whether to hold a serious case review",
        "body": [
            "I am writing to tell you of my decision, made on {{ case.decided_on | long_date }}, on the case "
            "referred to {{ board.name }} on {{ case.received_on | long_date }} (child's initials: "
            "{{ case.child_initials | join(', ') or 'not known' }}).",
            ("tag", "{%p if case.is_scr %}"),
            ("h", "Decision: a serious case review will be held"),
            "I have decided that a serious case review will be held. This letter confirms to Ofsted and the "
            "National Panel of Independent Experts that the incident is the subject of a serious case review "
            "(procedure, section 4.3).",
            "The reasons for my decision are: {{ case.decision_reason }}",
            "The case panel will now agree the terms of reference and scope of the review and commission a lead "
            "reviewer, whose name we will send to the National Panel. The review is to be completed within six "
            "months of the notification to Ofsted{% if case.completion_due %}, that is by "
            "{{ case.completion_due | long_date }}{% endif %}.",
            ("tag", "{%p else %}"),
            ("h", "Decision: {{ case.outcome }}"),
            "I have decided that a serious case review is not required. My decision is: {{ case.outcome }}.",
            "My reasons are: {{ case.decision_reason }}",
            "If the Panel would like to discuss this decision or needs more information, I should be glad to "
            "hear from you.",
            ("tag", "{%p endif %}"),
            CONTACT + " " + QUOTE,
        ],
    },
    "imr_letter": {
        "heading": "Serious case review: Individual Management Review by {{ imr.agency }}",
        "body": [
            "I am writing to let you know that on {{ case.decided_on | long_date }} I decided that a serious case "
            "review will be held in respect of the child named below, and that {{ imr.agency }} has been "
            "identified as an agency that was involved with the child and family.",
            *SUBJECTS,
            ("h", "Your agency's duty"),
            "Under section 4.3 of the Board's serious case review procedure and Working Together to Safeguard "
            "Children 2013, your agency is required to undertake an Individual Management Review (IMR) of its "
            "involvement with the child and family, with a chronology, as its contribution to the overall "
            "review. I should be grateful if you would commission the IMR from a senior manager who has had no "
            "direct involvement with the case.",
            ("h", "Scope"),
            "The review will examine how agencies, including yours, worked with the child and family, so that "
            "lessons can be learned. The case panel will agree the terms of reference and the period the review "
            "covers at its first meeting, and will send them to your agency's representative. The reasons for "
            "holding the review are: {{ case.decision_reason }}",
            ("h", "What to send, and when"),
            ("tag", "{%p if imr.due %}"),
            "Please send your agency's IMR and completed chronology to the Board's Business Manager by "
            "{{ imr.due | long_date }}{% if imr.chronology_due and imr.chronology_due != imr.due %} (the "
            "chronology by {{ imr.chronology_due | long_date }}){% endif %}.",
            ("tag", "{%p else %}"),
            "The case panel will set the date by which your agency's IMR and chronology are due; the Business "
            "Manager will confirm it to you in writing.",
            ("tag", "{%p endif %}"),
            "The chronology template enclosed with this letter follows the Board's procedure. Please make sure "
            "it notes each occasion on which the child was seen, whether the child was seen alone, and whether "
            "the child's wishes and feelings were sought or expressed.",
            "Please confirm to the Business Manager, {{ contact.name }} ({{ contact.email }}), that your agency "
            "will produce an IMR, with the names of the IMR author and of your agency's representative on the "
            "case panel. The Business Manager will support your agency through the review. " + QUOTE,
        ],
        "enclosures": "Enc. Chronology template",
    },
    "board_members_letter": {
        "heading": "A serious case review will take place",
        "body": [
            "I am writing to let you know, as a member of {{ board.name }}, that on "
            "{{ case.decided_on | long_date }} I decided that a serious case review will take place. The case "
            "concerns a child (initials {{ case.child_initials | join(', ') or 'not known' }}) referred to the "
            "Board on {{ case.received_on | long_date }}.",
            ("tag", "{%p if involved_agencies %}"),
            "The agencies identified as involved are: {{ involved_agencies | join('; ') }}. I have written to "
            "the chief executive of each, asking for an Individual Management Review and chronology, and for a "
            "representative to sit on the case panel.",
            ("tag", "{%p endif %}"),
            "Ofsted and the National Panel of Independent Experts have been told of the decision."
            "{% if case.completion_due %} The review is due to be completed by "
            "{{ case.completion_due | long_date }}.{% endif %} I will keep the Board informed of its progress, "
            "and the report will come to the Board for sign-off before it is published.",
            "Please treat this information as confidential. " + QUOTE,
        ],
    },
    "other_lscb": {
        "heading": "Serious case review: contact details of agencies in your area",
        "body": [
            "I am writing as Independent Chair of {{ board.name }}. On {{ case.decided_on | long_date }} I "
            "decided that a serious case review will be held concerning a child (initials "
            "{{ case.child_initials | join(', ') or 'not known' }}) referred to our Board on "
            "{{ case.received_on | long_date }}.",
            "We understand that agencies in the area of {{ lscb.name or 'your Board' }} were involved with the "
            "child or family. I should be grateful if you would send the Board's Business Manager, "
            "{{ contact.name }} ({{ contact.email }}), the contact details of those agencies, so that we can ask "
            "them to contribute to the review.",
            QUOTE,
        ],
    },
    "reviewer_notification": {
        "heading": "Serious case review: lead reviewer",
        "body": [
            "Further to our notification that {{ board.name }} is holding a serious case review (decision of "
            "{{ case.decided_on | long_date }}), I am writing to tell the Panel that {{ reviewer.name }} was "
            "appointed lead reviewer on {{ reviewer.appointed_on | long_date }}.",
            ("tag", "{%p if case.completion_due %}"),
            "The review is due to be completed by {{ case.completion_due | long_date }}.",
            ("tag", "{%p endif %}"),
            CONTACT + " " + QUOTE,
        ],
    },
    "prepublication_notice": {
        "heading": "Serious case review: notice of publication",
        "body": [
            "In line with section 5.3.3 of the Board's serious case review procedure and Working Together to "
            "Safeguard Children, I am writing to advise the Panel, at least one week in advance, that "
            "{{ board.name }} intends to publish the report of this serious case review on "
            "{{ publication.date | long_date }}.",
            "The report will be published on the Board's website{% if board.website %} "
            "({{ board.website }}){% endif %} and will remain available there for at least 12 months.",
            "If the Panel wishes to advise the Board before publication, please contact the Business Manager, "
            "{{ contact.name }} ({{ contact.email }}). " + QUOTE,
        ],
    },
}


def build(name: str, spec: dict) -> Document:
    doc = Document()
    sec = doc.sections[0]
    sec.page_width, sec.page_height = Cm(21.0), Cm(29.7)
    sec.left_margin = sec.right_margin = Cm(2.5)
    sec.top_margin, sec.bottom_margin = Cm(1.6), Cm(1.8)
    sec.header_distance = sec.footer_distance = Cm(1.0)
    normal = doc.styles["Normal"]
    normal.font.name = "Arial"
    normal.font.size = Pt(10.5)
    normal.element.rPr.rFonts.set(qn("w:eastAsia"), "Arial")
    normal.paragraph_format.space_after = Pt(5)
    normal.paragraph_format.line_spacing = 1.08

    marking = sec.header.paragraphs[0]
    run = marking.add_run("OFFICIAL-SENSITIVE")
    run.bold, run.font.size, run.font.color.rgb = True, Pt(8), GREY
    marking.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    foot = sec.footer.paragraphs[0]
    foot.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _small(foot.add_run("{{ board.name }} - our reference {{ letter.reference }} - page "), 8)
    _page_field(foot)

    # Letterhead
    p = doc.add_paragraph()
    _styled(p.add_run("{{ board.name }}"), 17, bold=True, colour=INK)
    p.paragraph_format.space_after = Pt(0)
    p = doc.add_paragraph()
    _styled(p.add_run("{{ board.address or '' }}"), 9, colour=GREY)
    p.paragraph_format.space_after = Pt(0)
    p = doc.add_paragraph()
    _styled(p.add_run("{{ board.mailbox }}{% if board.website %}  |  {{ board.website }}{% endif %}"), 9,
            colour=GREY)
    _rule_below(p)
    p.paragraph_format.space_after = Pt(12)

    # Reference and date, then the addressee
    for text in ("Our reference: {{ letter.reference }}", "{{ letter.date | long_date }}"):
        p = doc.add_paragraph(text)
        p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        p.paragraph_format.space_after = Pt(0)
    p = doc.add_paragraph()
    p.add_run("{{ recipient.name }}").bold = True
    p.paragraph_format.space_after = Pt(0)
    _tag(doc, "{%p if recipient.organisation %}")
    p = doc.add_paragraph("{{ recipient.organisation }}")
    p.paragraph_format.space_after = Pt(0)
    _tag(doc, "{%p endif %}")
    p = doc.add_paragraph("By email: {{ recipient.email }}")
    p.paragraph_format.space_after = Pt(14)

    doc.add_paragraph("Dear {{ recipient.salutation }},")
    p = doc.add_paragraph()
    _styled(p.add_run(spec["heading"]), 11, bold=True)
    p.paragraph_format.space_before = Pt(6)

    for item in spec["body"]:
        if isinstance(item, str):
            doc.add_paragraph(item)
        elif item[0] == "h":
            p = doc.add_paragraph()
            _styled(p.add_run(item[1]), 11, bold=True, colour=INK)
            p.paragraph_format.space_before = Pt(8)
            p.paragraph_format.space_after = Pt(3)
            p.paragraph_format.keep_with_next = True
        elif item[0] == "bullet":
            doc.add_paragraph(item[1], style="List Bullet")
        elif item[0] == "tag":
            _tag(doc, item[1])

    # The sign-off is one paragraph (line breaks, kept together) so it never splits across pages.
    p = doc.add_paragraph()
    p.paragraph_format.space_before = Pt(10)
    p.paragraph_format.keep_together = True
    p.paragraph_format.keep_with_next = bool(spec.get("enclosures"))
    run = p.add_run("{{ letter.sign_off }}")
    for _ in range(3):  # room for a signature
        run.add_break()
    p.add_run("{{ signatory.name }}").bold = True
    p.runs[-1].add_break()
    p.add_run("{{ signatory.title }}")
    if spec.get("enclosures"):
        p = doc.add_paragraph()
        _styled(p.add_run(spec["enclosures"]), 10)
        p.paragraph_format.space_before = Pt(12)

    props = doc.core_properties
    props.title = spec["heading"].split("{{")[0].strip(" :") or name
    props.subject = "{{ letter.reference }}"
    props.author = "{{ board.name }}"
    props.comments = f"Review Clerk letter template '{name}'; variables: mail_templates/VARIABLES.md"
    props.created = props.modified = FIXED_TIME
    props.last_modified_by = "make_templates.py"
    props.revision = 1
    return doc


def _styled(run, size: float, bold: bool = False, colour: RGBColor | None = None) -> None:
    run.font.size = Pt(size)
    run.bold = bold
    if colour is not None:
        run.font.color.rgb = colour


def _small(run, size: float) -> None:
    _styled(run, size, colour=GREY)


def _tag(doc, text: str) -> None:
    """A control tag: docxtpl removes the whole paragraph it sits in."""
    p = doc.add_paragraph()
    _styled(p.add_run(text), 8, colour=GREY)
    p.paragraph_format.space_after = Pt(0)


def _rule_below(paragraph) -> None:
    ppr = paragraph._p.get_or_add_pPr()
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for k, v in (("w:val", "single"), ("w:sz", "18"), ("w:space", "4"), ("w:color", "00506E")):
        bottom.set(qn(k), v)
    borders.append(bottom)
    ppr.append(borders)


def _page_field(paragraph) -> None:
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), "PAGE")
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    field.append(run)
    paragraph._p.append(field)


def main(folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, spec in LETTERS.items():
        path = folder / f"{name}.docx"
        build(name, spec).save(str(path))
        written.append(path)
    return written


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parent
    for p in main(target):
        print(f"wrote {p}")
