"""The vocabulary of the process: stages, events, decision outcomes, roles."""

from __future__ import annotations

import enum


class Stage(enum.StrEnum):
    """PROCESS.md "Stages, in order"."""

    REFERRAL_RECEIVED = "referral_received"  # 1
    INCIDENT_NOTIFIED = "incident_notified"  # 2
    PANEL_CONSIDERING = "panel_considering"  # 3
    DECIDED = "decided"  # 4, when the decision is not an SCR (management, alternative or no review)
    SCR_INITIATED = "scr_initiated"  # 4 and 5: decided that an SCR takes place; one-working-day tasks
    CASE_PANEL = "case_panel"  # 6
    REVIEW = "review"  # 7
    COMPLETION = "completion"  # 8
    PUBLICATION = "publication"  # 9
    LEARNING = "learning"  # 10
    CLOSED = "closed"  # decided not to hold an SCR, or learning followed up

    @property
    def label(self) -> str:
        return _STAGE_LABELS[self]

    @property
    def number(self) -> int:
        return list(Stage).index(self) + 1


_STAGE_LABELS = {
    Stage.REFERRAL_RECEIVED: "Referral received",
    Stage.INCIDENT_NOTIFIED: "Serious incident notified",
    Stage.PANEL_CONSIDERING: "Panel considers the case",
    Stage.DECIDED: "Decided: no SCR",
    Stage.SCR_INITIATED: "SCR decided: initial tasks",
    Stage.CASE_PANEL: "Case panel",
    Stage.REVIEW: "Review",
    Stage.COMPLETION: "Completion",
    Stage.PUBLICATION: "Publication",
    Stage.LEARNING: "Learning",
    Stage.CLOSED: "Closed",
}


class Outcome(enum.StrEnum):
    """The Chair's four possible decisions (PROCESS.md stage 4)."""

    SCR = "scr"
    MANAGEMENT_REVIEW = "management-review"
    ALTERNATIVE_REVIEW = "alternative-review"
    NONE = "none"

    @property
    def label(self) -> str:
        return {
            Outcome.SCR: "Serious case review",
            Outcome.MANAGEMENT_REVIEW: "Management review",
            Outcome.ALTERNATIVE_REVIEW: "Alternative review",
            Outcome.NONE: "No review",
        }[self]


class Role(enum.StrEnum):
    CHAIR = "chair"
    BUSINESS_MANAGER = "business_manager"
    HEAD_OF_SQAS = "head_of_sqas"
    DIRECTOR_CHILDRENS_SERVICES = "director_childrens_services"
    HEAD_OF_CIN = "head_of_cin"
    AGENCY = "agency"  # the agency's panel member; escalation to its chief executive


class EventKind(enum.StrEnum):
    """Dated events in a case. Deadlines start from some and are met by others."""

    REFERRAL_RECEIVED = "referral_received"
    CHAIR_AWARE = "chair_aware"
    CHAIR_SQAS_DISCUSSED = "chair_sqas_discussed"
    OFSTED_NOTIFIED = "ofsted_notified"
    PANEL_CONSIDERED = "panel_considered"
    DECIDED = "decided"
    DECISION_NOTIFIED = "decision_notified"
    SQAS_TASKS_DONE = "sqas_tasks_done"
    IMR_LETTERS_SENT = "imr_letters_sent"
    BOARD_MEMBERS_TOLD = "board_members_told"
    TERMS_OF_REFERENCE_AGREED = "terms_of_reference_agreed"
    LEAD_REVIEWER_APPOINTED = "lead_reviewer_appointed"
    REVIEWER_NOTIFIED = "reviewer_notified"
    REPORT_SIGNED_OFF = "report_signed_off"
    PUBLICATION_PLANNED = "publication_planned"
    PUBLICATION_NOTICE_SENT = "publication_notice_sent"
    PUBLISHED = "published"
    LEARNING_EVENT_HELD = "learning_event_held"
    CLOSED = "closed"

    @property
    def label(self) -> str:
        return _EVENT_LABELS.get(self, self.value.replace("_", " "))


_EVENT_LABELS = {
    EventKind.REFERRAL_RECEIVED: "the referral being received",
    EventKind.CHAIR_AWARE: "the case coming to the Chair's attention",
    EventKind.OFSTED_NOTIFIED: "the notification to Ofsted",
    EventKind.DECIDED: "the decision",
    EventKind.LEAD_REVIEWER_APPOINTED: "the lead reviewer's appointment",
    EventKind.PUBLICATION_PLANNED: "the planned publication date",
}
