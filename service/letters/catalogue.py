"""Every communication of the process (PROCESS.md, "What gets sent"), one entry each.

An entry says what the communication is, what makes the service send it,
to whom, whether a Word letter goes with the email, whose signature it
carries, and which event of the case is recorded once every message of
that kind for the case has been sent (the event that meets its deadline).
Pure data: nothing here reads settings, a database or a template.

The weekly digest for the Business Manager (chasing) and the invitation to
the extraordinary panel meeting (meetings) are sent by those capabilities.
"""

from __future__ import annotations

from dataclasses import dataclass

from service.domain.model_types import EventKind

# The stage events that call for communications, as passed to
# service.letters.triggers.queue_for_event. Most are EventKind values.
CASE_OPENED = "case_opened"
DECIDED = EventKind.DECIDED.value
AGENCY_ADDED = "agency_added"
DATE_CORRECTED = "date_corrected"
LEAD_REVIEWER_APPOINTED = EventKind.LEAD_REVIEWER_APPOINTED.value
PUBLICATION_PLANNED = EventKind.PUBLICATION_PLANNED.value


@dataclass(frozen=True)
class Communication:
    name: str  # the template folder under mail_templates/ (and letters/<name>.docx)
    title: str  # what a person calls it
    trigger: str  # what makes the service send it
    recipients: str  # to whom, in words
    letter: bool = False  # a Word letter (mail_templates/letters/<name>.docx) is attached
    signatory: str = "chair"  # chair | business_manager
    meets: EventKind | None = None  # recorded when every message of this kind for a case is sent
    review_by_default: str | None = None  # role whose address checks and sends it unless configured
    full_details: bool = False  # the attached letter may carry names and dates of birth
    on_command: bool = False  # `review-clerk letters send REF NAME` may queue it

    @property
    def attachments(self) -> list[str]:
        out = [f"{self.name}.docx (the letter)"] if self.letter else []
        if self.name == "imr_letter":
            out.append("chronology template (.docx)")
        return out


CATALOGUE: dict[str, Communication] = {c.name: c for c in (
    Communication("acknowledgement", "Acknowledgement to the referrer",
                  "a referral opens a case (intake)", "the referrer", signatory="business_manager"),
    Communication("missing_information", "Request for missing information",
                  "a referral opens a case with details missing (intake)", "the referrer",
                  signatory="business_manager"),
    Communication("intake_report", "Mail needing attention",
                  "daily, when messages were quarantined, held or refused, or were enquiries (intake)",
                  "the Business Manager",
                  signatory="business_manager"),
    Communication("instruction_result", "Answer to an instruction by email",
                  "staff replied 'Decision: ...' about a case, or 'done' to a reminder (intake)",
                  "the member of staff who sent it", signatory="business_manager"),
    Communication("decision_by_email", "Confirmation of a decision taken by email",
                  "the Chair's decision is recorded from an email (at once; again if it is undone)",
                  "the Chair and the Business Manager", signatory="business_manager"),
    Communication("incident_notification", "Serious incident notification to Ofsted",
                  "a case opens; or on command", "Ofsted (notifications.ofsted)", letter=True,
                  meets=EventKind.OFSTED_NOTIFIED, review_by_default="chair", full_details=True,
                  on_command=True),
    Communication("decision_notification", "Decision to Ofsted and the National Panel",
                  "the Chair's decision is recorded", "Ofsted and the National Panel (notifications.*)",
                  letter=True, meets=EventKind.DECISION_NOTIFIED, on_command=True),
    Communication("decision_outcome", "Outcome to the referrer", "the Chair's decision is recorded",
                  "the referrer", signatory="business_manager", on_command=True),
    Communication("imr_letter", "Chair's letter to an agency's chief executive (IMR duty)",
                  "an SCR is decided; an agency is added to an SCR; or on command",
                  "the chief executive of each involved agency (agencies.chief_executive)", letter=True,
                  meets=EventKind.IMR_LETTERS_SENT, full_details=True, on_command=True),
    Communication("board_members_letter", "Chair's letter to Board members",
                  "an SCR is decided; or on command", "each Board member (board_members)", letter=True,
                  meets=EventKind.BOARD_MEMBERS_TOLD, on_command=True),
    Communication("other_lscb", "Request to another LSCB for agency contacts",
                  "on command: letters send REF other_lscb --to ADDRESS", "the address given", letter=True,
                  on_command=True),
    Communication("reviewer_notification", "Lead reviewer's name to the National Panel",
                  "lead_reviewer_appointed is recorded (the name as --reason); or on command with --name",
                  "the National Panel (notifications.national_panel)", letter=True,
                  meets=EventKind.REVIEWER_NOTIFIED, on_command=True),
    Communication("reminder", "Reminder before a deadline", "5 and 1 working days before, and on the day (sweep)",
                  "the deadline's owner", signatory="business_manager"),
    Communication("escalation", "Escalation after a missed deadline", "the working day after, then weekly (sweep)",
                  "the owner, the Business Manager; the Chair from 3 days overdue", signatory="business_manager"),
    Communication("prepublication_notice", "Pre-publication notice to the National Panel",
                  "publication_planned is recorded (or its date corrected); due 7 days before publication",
                  "the National Panel (notifications.national_panel)", letter=True,
                  meets=EventKind.PUBLICATION_NOTICE_SENT, on_command=True),
    Communication("not_sent", "A message that could not be sent",
                  "a recipient is not on file, a send failed for good, or a draft was deleted",
                  "the Business Manager", signatory="business_manager"),
)}

# What each stage event calls for (conditions on the case are in triggers.templates_for).
EVENT_TEMPLATES: dict[str, tuple[str, ...]] = {
    CASE_OPENED: ("incident_notification",),
    DECIDED: ("decision_notification", "decision_outcome", "imr_letter", "board_members_letter"),
    AGENCY_ADDED: ("imr_letter",),
    LEAD_REVIEWER_APPOINTED: ("reviewer_notification",),
    PUBLICATION_PLANNED: ("prepublication_notice",),
    DATE_CORRECTED: ("prepublication_notice",),
}

SCR_ONLY = frozenset({"imr_letter", "board_members_letter", "reviewer_notification", "prepublication_notice"})
