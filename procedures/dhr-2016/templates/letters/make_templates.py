"""Build this pack's Word letters: ``python procedures/dhr-2016/templates/letters/make_templates.py``.

Each ``<name>.docx`` is built with the service's own letter layout (``build`` in
mail_templates/letters/make_templates.py, loaded by file path), so the pack's letters look like the
board's others. Staff may edit the .docx files in Word; running this again overwrites the edits.
Variables: mail_templates/VARIABLES.md and this pack's README.md.

Usage: make_templates.py [FOLDER]   (default: the folder this script is in)
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
SHARED = HERE.parents[3] / "mail_templates" / "letters" / "make_templates.py"


def shared():
    spec = importlib.util.spec_from_file_location("review_clerk_letter_layout", SHARED)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


QUOTE = "Please quote our reference {{ letter.reference }} in any correspondence."
CONTACT = ("The Board's Business Manager, {{ contact.name }} ({{ contact.email }}), can give you any further "
           "information you need.")
SUBJECTS = [
    ("tag", "{%p for s in subjects %}"),
    ("bullet", "{{ s.name }}{% if s.date_of_birth %}, date of birth {{ s.date_of_birth | long_date }}{% endif %}"),
    ("tag", "{%p endfor %}"),
]

LETTERS: dict[str, dict] = {
    "dhr_decision_to_home_office": {
        "heading": "Domestic homicide review: the Community Safety Partnership's decision",
        "body": [
            "I am writing, as Chair of the Community Safety Partnership, to tell the Home Office of the "
            "Partnership's decision on the death notified to it by the police on {{ case.received_on | long_date }} "
            "(initials: {{ case.subject_initials | join(', ') or 'not known' }}).",
            ("tag", "{%p if case.outcome_code == 'dhr' %}"),
            ("h", "Decision: a domestic homicide review will be held"),
            "On {{ case.decided_on | long_date }} the Partnership decided to hold a domestic homicide review under "
            "section 9 of the Domestic Violence, Crime and Victims Act 2004. We are appointing an independent "
            "chair and will send the overview report and executive summary to the Home Office quality assurance "
            "panel before publication. The review is to be completed by {{ case.completion_due | long_date }}.",
            ("tag", "{%p else %}"),
            ("h", "Decision: a domestic homicide review will not be held"),
            "On {{ case.decided_on | long_date }} the Partnership decided that a domestic homicide review will not "
            "be held. The reasons are: {{ case.decision_reason }}",
            ("tag", "{%p endif %}"),
            CONTACT + " " + QUOTE,
        ],
    },
    "dhr_imr_request": {
        "heading": "Domestic homicide review: request for an individual management review",
        "body": [
            "I am writing, as Chair of the Community Safety Partnership, to tell you that on "
            "{{ case.decided_on | long_date }} the Partnership decided to hold a domestic homicide review under "
            "section 9 of the Domestic Violence, Crime and Victims Act 2004, and that {{ imr.agency }} has been "
            "identified as an agency that had contact with the people named below.",
            ("h", "The people named in the notification"),
            *SUBJECTS,
            ("h", "What the Partnership asks of your agency"),
            "Your agency is asked, as the statutory guidance sets out, for an individual management review (IMR) "
            "of its involvement, written by someone independent of the case and its line management, with a "
            "chronology, and for a senior representative on the review panel.",
            ("tag", "{%p if imr.due %}"),
            "Your agency's IMR and chronology are due by {{ imr.due | long_date }}.",
            ("tag", "{%p else %}"),
            "The review panel will set the date by which your agency's IMR and chronology are due; the Business "
            "Manager will confirm it to you.",
            ("tag", "{%p endif %}"),
            "Please secure your agency's records of the victim and the perpetrator now.",
            CONTACT + " " + QUOTE,
        ],
    },
    "dhr_family_letter": {
        "heading": "A domestic homicide review: an invitation to take part",
        "addressee": "{{ recipient.organisation or 'The family' }}",
        "salutation": "Dear {{ recipient.organisation or 'Sir or Madam' }},",
        "body": [
            "I am the independent chair of the domestic homicide review that the Community Safety Partnership "
            "is holding, and I am very sorry for your loss. A review looks at how local organisations worked with "
            "your family member, so that lessons can be learnt and other deaths prevented. It does not decide who "
            "is to blame: that is for the courts and the coroner.",
            "Your knowledge of your family member matters to the review more than anything else. If you would "
            "like to, I would welcome the chance to meet you, or to hear from you in whatever way suits you, with "
            "a friend, a specialist advocate or someone else with you if you wish. You are free to say no, and can "
            "change your mind at any time.",
            "You will be able to read the report before it is sent to the Home Office, and we will tell you when "
            "it is to be published.",
            "{{ contact.name }}, the Business Manager ({{ contact.email }}), will be glad to answer any questions "
            "you have. " + QUOTE,
        ],
    },
    "dhr_qa_submission": {
        "heading": "Domestic homicide review: overview report for the quality assurance panel",
        "body": [
            "I am writing, as Chair of the Community Safety Partnership, to submit the overview report and "
            "executive summary of the domestic homicide review (our reference {{ letter.reference }}), with its "
            "action plan, to the Home Office quality assurance panel.",
            "The Partnership approved the report on {{ case.on.get('report_approved') | long_date }}. It will not "
            "be published until the panel has cleared it, and will then be published with the panel's letter.",
            CONTACT + " " + QUOTE,
        ],
    },
    "dhr_s9a_report": {
        "heading": "Domestic homicide review: a copy of the report (section 9A, Domestic Violence, Crime and Victims Act 2004)",
        "body": [
            "I am writing, as Chair of the Community Safety Partnership, to send you, as section 9A(4) of the "
            "Domestic Violence, Crime and Victims Act 2004 requires, a copy of the report setting out the "
            "conclusions of the domestic homicide review (our reference {{ letter.reference }}), completed on "
            "{{ case.on.get('report_approved') | long_date }}.",
            CONTACT + " " + QUOTE,
        ],
    },
}


def build(name: str, spec: dict, layout=None):
    layout = layout or shared()
    doc = layout.build(name, spec)
    if "addressee" in spec or "salutation" in spec:
        _readdress(doc, spec)
    return doc


def _readdress(doc, spec: dict) -> None:
    """A letter to a person, not an office: the addressee line (and the salutation) as the spec gives them."""
    paragraphs = list(doc.paragraphs)
    for n, p in enumerate(paragraphs):
        if p.text == "{{ recipient.name }}" and "addressee" in spec:
            p.runs[0].text = spec["addressee"]
            for q in paragraphs[n + 1:n + 4]:  # the organisation line and its two control tags
                q._p.getparent().remove(q._p)
        elif p.text == "Dear {{ recipient.salutation }}," and "salutation" in spec:
            p.runs[0].text = spec["salutation"]


def main(folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    layout = shared()
    written = []
    for name, spec in LETTERS.items():
        path = folder / f"{name}.docx"
        build(name, spec, layout).save(str(path))
        written.append(path)
    return written


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else HERE
    for p in main(target):
        print(f"wrote {p}")
