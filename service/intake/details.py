"""Referral details a person gives for a message the service could not read by itself. Pure.

The Business Manager prints what the service read from a stored message
(``review-clerk inbox show ID --json``: the same fields as ``review-clerk parse``),
corrects or completes it in an editor, and opens the case with it
(``review-clerk inbox open ID --details FILE``). :func:`apply_details` checks what
was given and lays it over what was read; a field left out keeps what was read.
Errors name the field, never its value (values are personal data).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from service.domain.calendar import parse_date

FIELDS = ("referral_date", "subjects", "summary", "request", "criteria_statement", "referrer")
REFERRER_FIELDS = ("name", "agency", "telephone", "email")
SUBJECT_FIELDS = ("name", "role", "relationship", "date_of_birth", "address")
ROLES = ("child", "adult", "unknown")
MISSING_KEYS = ("referral_date", "subjects", "summary", "request", "criteria_statement", "referrer.name",
                "referrer.telephone", "referrer.email")


class DetailsProblem(ValueError):
    """The details cannot be used as given; the message says which field and what is expected."""


def apply_details(parsed: dict[str, Any], details: dict[str, Any], today: date | None = None) -> dict[str, Any]:
    """``parsed`` with ``details`` laid over it, checked; ``missing`` recomputed; a referral either way.
    With ``today`` (the board's day), no date given may lie after it."""
    if not isinstance(details, dict):
        raise DetailsProblem("the details must be an object with fields such as subjects, summary, referrer")
    unknown = sorted(set(details) - set(FIELDS) - {"is_referral", "kind", "missing", "layout", "unreadable",
                                                   "needs_person", "source", "not_referral_reason",
                                                   "confirm", "confidence"})
    if unknown:
        raise DetailsProblem(f"unknown field(s) {', '.join(unknown)}; the fields are {', '.join(FIELDS)}")
    out = dict(parsed)
    if "referral_date" in details:
        out["referral_date"] = _date(details["referral_date"], "referral_date", today)
    for field in ("summary", "request", "criteria_statement"):
        if field in details:
            out[field] = _text(details[field], field)
    if "referrer" in details:
        given = details["referrer"]
        if not isinstance(given, dict):
            raise DetailsProblem("referrer must be an object with name, agency, telephone, email")
        bad = sorted(set(given) - set(REFERRER_FIELDS))
        if bad:
            raise DetailsProblem(f"referrer: unknown field(s) {', '.join(bad)}")
        referrer = dict(out.get("referrer") or {})
        for field in REFERRER_FIELDS:
            if field in given:
                referrer[field] = _text(given[field], f"referrer.{field}", one_line=True)
        out["referrer"] = referrer
    if "subjects" in details:
        out["subjects"] = [_subject(s, i, today) for i, s in enumerate(_list(details["subjects"], "subjects"), 1)]
    out["is_referral"] = True
    out["kind"] = "referral"
    out["needs_person"] = None
    out["confirm"] = []  # a person gave the details: nothing read is left to confirm
    out["not_referral_reason"] = None
    out["missing"] = [key for key in MISSING_KEYS if not _present(out, key)]
    return out


def _present(record: dict[str, Any], key: str) -> bool:
    if key.startswith("referrer."):
        return bool((record.get("referrer") or {}).get(key.split(".", 1)[1]))
    return bool(record.get(key))


def _subject(value: Any, n: int, today: date | None = None) -> dict[str, Any]:
    where = f"subjects[{n}]"
    if not isinstance(value, dict):
        raise DetailsProblem(f"{where} must be an object with {', '.join(SUBJECT_FIELDS)}")
    bad = sorted(set(value) - set(SUBJECT_FIELDS))
    if bad:
        raise DetailsProblem(f"{where}: unknown field(s) {', '.join(bad)}")
    name = _text(value.get("name"), f"{where}.name", one_line=True)
    if not name:
        raise DetailsProblem(f"{where}.name is required")
    role = value.get("role") or "unknown"
    if role not in ROLES:
        raise DetailsProblem(f"{where}.role must be one of {', '.join(ROLES)}")
    return {"name": name, "role": role,
            "relationship": _text(value.get("relationship"), f"{where}.relationship", one_line=True),
            "date_of_birth": _date(value.get("date_of_birth"), f"{where}.date_of_birth", today,
                                   "an unborn baby's expected date is not a date of birth: leave it empty"),
            "address": _text(value.get("address"), f"{where}.address")}


def _list(value: Any, where: str) -> list[Any]:
    if not isinstance(value, list):
        raise DetailsProblem(f"{where} must be a list")
    return value


def _text(value: Any, where: str, *, one_line: bool = False) -> str | None:
    """Text as given, trimmed; ``one_line`` fields (names, contact details) with their white space collapsed."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise DetailsProblem(f"{where} must be text")
    value = " ".join(value.split()) if one_line else value.strip()
    return value or None


def _date(value: Any, where: str, today: date | None = None, hint: str = "") -> str | None:
    if value in (None, ""):
        return None
    if not isinstance(value, str):
        raise DetailsProblem(f"{where} must be a date as text, e.g. 2014-05-12 or 12/05/2014")
    parsed = parse_date(value)
    if parsed is None or not date(1900, 1, 1) <= parsed <= date(2100, 1, 1):
        raise DetailsProblem(f"{where} is not a date: use 2014-05-12 or 12/05/2014")
    if today is not None and parsed > today:
        # The field, never the value: a date of birth is personal data.
        raise DetailsProblem(f"{where} is after today ({today.isoformat()}); nothing was opened"
                             + (f"; {hint}" if hint else ""))
    return parsed.isoformat()
