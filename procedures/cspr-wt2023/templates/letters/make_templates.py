"""Build this pack's Word letters: ``python procedures/cspr-wt2023/templates/letters/make_templates.py [FOLDER]``.

The letters use the service's own letterhead and layout (``mail_templates/letters/make_templates.py``'s
``build``, imported by file path), so a partnership's letters look like the rest. The variables are those
of mail_templates/VARIABLES.md (plus ``case.due.<deadline>``, ``case.on.<event>``). Running this script
again overwrites edits made in Word: it is the starting point, kept so the letters can be rebuilt.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
SHARED = HERE.parents[3] / "mail_templates" / "letters" / "make_templates.py"


def _shared():
    spec = importlib.util.spec_from_file_location("review_clerk_letters_make_templates", SHARED)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


SUBJECTS = [
    ("tag", "{%p for s in subjects %}"),
    ("bullet", "{{ s.name }} ({{ s.relationship }}), date of birth {{ s.date_of_birth | long_date }}"
               "{% if s.address %}, {{ s.address }}{% endif %}"),
    ("tag", "{%p endfor %}"),
]
QUOTE = "Please quote our reference {{ letter.reference }} in any correspondence."
CONTACT = ("The partnership's business manager, {{ contact.name }} ({{ contact.email }}), can give you any further "
           "information you need.")
SIGNED = ("The rapid review and this decision were signed by the local authority on "
          "{{ case.on.la_partner_signed | long_date }}, the police on {{ case.on.police_partner_signed | long_date }} "
          "and the integrated care board on {{ case.on.icb_partner_signed | long_date }}.")

LETTERS: dict[str, dict] = {
    "serious_incident_notification": {
        "heading": "Notification of a serious child safeguarding incident",
        "body": [
            "I am writing on behalf of the local authority to notify the Child Safeguarding Practice Review Panel "
            "(and Ofsted) of a serious child safeguarding incident, as section 16C(1) of the Children Act 2004 "
            "and chapter 5 of Working Together to Safeguard Children 2023 require.",
            ("h", "The child and family"),
            *SUBJECTS,
            ("h", "The incident"),
            "The local authority became aware of the incident on {{ case.on.la_aware | long_date }}; it was "
            "referred to the safeguarding partnership by {{ case.referrer_agency or 'a partner agency' }} and "
            "received on {{ case.received_on | long_date }}.",
            "The safeguarding partners will complete a rapid review by {{ case.due.rapid_review | long_date }} and "
            "send it to the Panel with their decision on whether a local child safeguarding practice review is "
            "appropriate.",
            CONTACT + " " + QUOTE,
        ],
    },
    "looked_after_notification": {
        "heading": "Notification: a looked-after child or care leaver",
        "body": [
            "I am writing on behalf of the local authority, as chapter 5 of Working Together to Safeguard "
            "Children 2023 asks, to tell the Secretary of State and Ofsted of a serious incident concerning a "
            "child who was looked after by the local authority, or was a care leaver. This notification is made "
            "whether or not abuse or neglect is known or suspected.",
            ("h", "The child and family"),
            *SUBJECTS,
            "The local authority became aware of the incident on {{ case.on.la_aware | long_date }}.",
            CONTACT + " " + QUOTE,
        ],
    },
    "rapid_review_outcome": {
        "heading": "Rapid review and the safeguarding partners' decision",
        "body": [
            "Further to our serious incident notification of {{ case.on.panel_notified | long_date }}, please find "
            "enclosed the rapid review, completed under chapter 5 of Working Together to Safeguard Children 2023.",
            ("h", "The decision"),
            "On {{ case.on.local_review_decided | long_date }} the safeguarding partners decided: {{ case.outcome }}.",
            SIGNED,
            "We would be grateful for the Panel's response. " + CONTACT + " " + QUOTE,
        ],
        "enclosures": "Enclosure: the rapid review report",
    },
    "reviewer_commission": {
        "heading": "Commission: local child safeguarding practice review",
        # The reviewer is named when lead_reviewer_appointed is recorded (the service's `reviewer` variable);
        # the letter goes to the address given with `letters send ... --to`.
        "addressee": "{{ reviewer.name }}",
        "body": [
            "On behalf of the safeguarding partners of {{ board.name }} (the local authority, the police and the "
            "integrated care board), I am writing to commission you to carry out the local child safeguarding "
            "practice review of this case, which the partners decided to hold on {{ case.on.local_review_decided | long_date }}.",
            ("h", "Terms of reference"),
            ("tag", "{%p if case.on.terms_of_reference_agreed %}"),
            "The terms of reference, agreed on {{ case.on.terms_of_reference_agreed | long_date }}, are enclosed.",
            ("tag", "{%p else %}"),
            "The terms of reference will follow once the partners have agreed them.",
            ("tag", "{%p endif %}"),
            ("h", "Timescale and oversight"),
            "The partners expect the final report in time to publish it by {{ case.due.publication | long_date }}. "
            "As regulation 14 of the Child Safeguarding Practice Review and Relevant Agency (England) Regulations "
            "2018 provides, they will monitor the time taken and the quality of the review and may ask you in "
            "writing for specified information or a draft report.",
            CONTACT + " " + QUOTE,
        ],
        "enclosures": "Enclosure: terms of reference",
    },
    "cspr_prepublication_notice": {
        "heading": "Local child safeguarding practice review: the final report before publication",
        "body": [
            "As chapter 5 of Working Together to Safeguard Children 2023 asks, I enclose the final report of the "
            "local child safeguarding practice review of this case, which the safeguarding partners approved on "
            "{{ case.on.final_report_approved | long_date }} and intend to publish on "
            "{{ publication.date | long_date }}.",
            "The report will be published on the partnership's website{% if board.website %} "
            "({{ board.website }}){% endif %}.",
            "If you wish to comment before publication, please contact the business manager, {{ contact.name }} "
            "({{ contact.email }}). " + QUOTE,
        ],
        "enclosures": "Enclosure: the final report",
    },
}


def _addressed_to(doc, who: str) -> None:
    """Name the addressee (and greet them) with ``who`` instead of the recipient on file."""
    for p in doc.paragraphs:
        for run in p.runs:
            if run.text == "{{ recipient.name }}":
                run.text = who
            elif run.text == "Dear {{ recipient.salutation }},":
                run.text = f"Dear {who},"


def main(folder: Path) -> list[Path]:
    build = _shared().build
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, spec in LETTERS.items():
        path = folder / f"{name}.docx"
        doc = build(name, spec)
        if spec.get("addressee"):
            _addressed_to(doc, spec["addressee"])
        doc.save(str(path))
        written.append(path)
    return written


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else HERE
    for p in main(target):
        print(f"wrote {p}")
