"""Build this pack's Word letters: ``python procedures/sar-care-act-2014/templates/letters/make_templates.py``.

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
    "sar_information_request": {
        "heading": "Safeguarding adults review: request for information (Care Act 2014, section 45)",
        "body": [
            "I am writing, as Chair of {{ board.name }}, to tell you that on {{ case.decided_on | long_date }} the "
            "Board decided to hold a safeguarding adults review under section 44 of the Care Act 2014, and that "
            "{{ imr.agency }} has been identified as an agency involved with the adult.",
            ("h", "The adult"),
            *SUBJECTS,
            ("h", "What the Board asks of your agency"),
            "Section 44(5) of the Act requires each member of the Board to co-operate in and contribute to the "
            "review, and section 45 allows the Board to request the information it needs from any person whose "
            "functions or activities are relevant. I therefore ask your agency for a report of its involvement "
            "with the adult, with a chronology, and for the name of the person who will lead for your agency.",
            ("tag", "{%p if imr.due %}"),
            "Your agency's report and chronology are due by {{ imr.due | long_date }}.",
            ("tag", "{%p else %}"),
            "The review panel will set the date by which your agency's report and chronology are due; the "
            "Business Manager will confirm it to you.",
            ("tag", "{%p endif %}"),
            CONTACT + " " + QUOTE,
        ],
    },
    "sar_family_letter": {
        "heading": "A safeguarding adults review: an invitation to take part",
        "addressee": "{{ recipient.organisation or 'The family' }}",
        "salutation": "Dear {{ recipient.organisation or 'Sir or Madam' }},",
        "body": [
            "I am writing, as Chair of {{ board.name }}, to let you know that the Board is holding a safeguarding "
            "adults review. A review looks at how the organisations involved worked together, so that lessons "
            "can be learnt and put into practice. It does not decide who is to blame.",
            "Your views matter to the review. If you would like to, we would welcome the chance to hear from you, "
            "in whatever way suits you: a meeting, a telephone call or in writing, with a friend, an advocate or "
            "someone else with you if you wish. You are free to say no, and can change your mind at any time.",
            "Before the report is published, we will tell you when it will be, and offer to share it with you.",
            "{{ contact.name }}, the Board's Business Manager ({{ contact.email }}), will be glad to answer any "
            "questions you have. " + QUOTE,
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
