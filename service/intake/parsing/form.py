"""From labelled fields to the referral's values: dates, people, texts, referrer, missing."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from . import labels as L
from . import referrer as R
from .dates import parse_date
from .fields import Split
from .people import parse_subjects
from .text import Line, Wrap, is_placeholder, paragraphs

MISSING_ORDER = (
    "referral_date", "subjects", "summary", "request", "criteria_statement",
    "referrer.name", "referrer.telephone", "referrer.email",
)


def text_field(lines: Sequence[Line] | None, wrap: Wrap | None) -> str | None:
    """Paragraphs joined by a blank line; None when empty or only a placeholder ("N/A", "TBC")."""
    paras = [p for p in paragraphs(lines or (), wrap) if not is_placeholder(p)]
    return "\n\n".join(paras) or None


def values(split: Split, wrap: Wrap | None, message_date: date | None) -> dict:
    """The referral's fields from a split form. Agency is only what the form states."""
    f = split.fields
    # A form's own date can be a little after the message's (typed for the next day).
    referral_date = parse_date(R.first_value(f.get(L.REFERRAL_DATE)), message_date, allow_future_days=366)
    ref = referral_date or message_date
    contact = f.get(L.CONTACT)
    reason = text_field(f.get(L.REASON), wrap)
    referrer_name, name_line_agency = R.name_and_agency(f.get(L.NAME))
    out = {
        "referral_date": referral_date.isoformat() if referral_date else None,
        "subjects": parse_subjects(f.get(L.SUBJECTS, []), ref, wrap),
        "summary": text_field(f.get(L.SUMMARY), wrap),
        "request": text_field(f.get(L.REQUEST), wrap),
        "criteria_statement": text_field(f.get(L.CRITERIA), wrap),
        "referrer": {
            "name": referrer_name,
            "agency": R.agency(f.get(L.AGENCY)) or name_line_agency,
            "telephone": R.telephone(f.get(L.TELEPHONE)) or R.in_lines(R.telephone, contact),
            "email": R.email(f.get(L.EMAIL)) or R.in_lines(R.email, contact),
        },
    }
    # "Reason for referral" answers the criteria question unless the form asks that separately;
    # then it is the account of what happened.
    if reason and not out["criteria_statement"] and L.CRITERIA not in f:
        out["criteria_statement"] = reason
    elif reason and not out["summary"]:
        out["summary"] = reason
    out["missing"] = missing(out)
    return out


def missing(fields: dict) -> list[str]:
    """Which of the expected values are absent, in the fixed order."""
    ref = fields["referrer"]
    have = {
        "referral_date": fields["referral_date"],
        "subjects": fields["subjects"],
        "summary": fields["summary"],
        "request": fields["request"],
        "criteria_statement": fields["criteria_statement"],
        "referrer.name": ref["name"],
        "referrer.telephone": ref["telephone"],
        "referrer.email": ref["email"],
    }
    return [key for key in MISSING_ORDER if not have[key]]


def empty(*, missing_all: bool) -> dict:
    """Every field absent: for a referral that needs a person (``missing_all``, every field
    named in ``missing``) or for a message that is no referral (``missing`` empty)."""
    return {
        "referral_date": None,
        "subjects": [],
        "summary": None,
        "request": None,
        "criteria_statement": None,
        "referrer": {"name": None, "agency": None, "telephone": None, "email": None},
        "missing": list(MISSING_ORDER) if missing_all else [],
    }
