"""The Business Manager's commands on stored mail: release a held referral, show what a message
reads as, open the case for one the service did not take by itself (``review-clerk inbox``)."""

from __future__ import annotations

import email
import email.policy
import logging
from typing import TYPE_CHECKING, Any

from service.domain.model import AuditEvent
from service.store.db import Lock

from .outcome import Outcome, limits_for
from .parsing import parse_message
from .triage import handle_message, open_case, referral_fingerprint

if TYPE_CHECKING:
    from datetime import date

    from service.bootstrap import App
    from service.store.db import UnitOfWork

log = logging.getLogger("review_clerk.intake")


def release_held(app: "App", inbound_id: int, actor: str, case_reference: str | None = None) -> Outcome:
    """The Business Manager confirms a held referral from an unknown sender: open its case now. A held agency
    return is read again the same way: filed if what stopped it has been put right (its agency added to the
    case), else held as before (the Business Manager is not told a second time). ``case_reference``: the case
    a held return is for, when the message itself names none the service knows (a person found it)."""
    with app.db.unit_of_work() as uow:
        row = uow.inbox.get(inbound_id)
        if row["status"] != "held":
            raise ValueError(f"message {inbound_id} is {row['status']}, not held")
        if case_reference is not None:
            if row["kind"] != "agency_return":
                raise ValueError(f"message {inbound_id} is a held {row['kind'] or 'message'}, not an agency's "
                                 f"return: a case is given only to file a return")
            row["case_reference"] = uow.cases.get(case_reference).reference  # LookupError: no such case
        row["released"] = True
        outcome = handle_message(uow, app, row)
        uow.inbox.finish(inbound_id, outcome.status, outcome.reason + f" (released by {actor})", outcome.kind,
                         outcome.case_id)
        uow.inbox.mark_unfiled(inbound_id)  # out of the quarantine folder
        uow.commit()
    return outcome


OPENABLE = ("quarantined", "not_referral", "failed", "held")


def read_stored(app: "App", inbound_id: int) -> dict[str, Any]:
    """What the service reads from a stored message now (the fields of ``review-clerk parse``), with the
    message's recorded outcome. For ``inbox show``: a person checks it, corrects it, opens the case."""
    with app.db.unit_of_work() as uow:
        row = _stored(uow, inbound_id)
    parsed = parse_message(row["raw"], limits_for(app)) if row["raw"] else {}
    return {"id": row["id"], "status": row["status"], "outcome": row["outcome"], "kind": row["kind"],
            "sender": row["sender"], "case_id": row["case_id"], "referral": parsed}


def open_by_hand(app: "App", inbound_id: int, actor: str, details: dict[str, Any] | None = None,
                 acknowledge: bool = True, procedure: str | None = None) -> Outcome:
    """Open the case for a message a person has read and judged a referral, though the service did not
    take it as one (quarantined, filed as not a referral, failed, or held). What the service can read
    from it is used, with ``details`` (corrections, the fields it could not read) laid over it.
    ``procedure``: the id of the pack in use to open it under (None: as its wording says, else the default).
    Raises LookupError for a pack not in use."""
    from .details import apply_details

    chosen = app.procedure_named(procedure) if procedure is not None else None

    with app.db.unit_of_work() as uow:
        row = _stored(uow, inbound_id)
        if row["status"] not in OPENABLE:
            hint = f"; see it with: review-clerk case show {row['case_id']}" if row["case_id"] else ""
            raise ValueError(f"message {inbound_id} is {row['status']}: only a message that is "
                             f"{', '.join(OPENABLE)} can be opened as a case{hint}")
        if not row["raw"]:
            raise ValueError(f"message {inbound_id} was emptied under the retention policy")
        parsed = parse_message(row["raw"], limits_for(app))
        parsed = apply_details(parsed, details or {}, today=app.today())
        uow.serialise(Lock.REFERRALS)
        fingerprint = referral_fingerprint(parsed)
        existing = uow.cases.find_by_fingerprint(fingerprint) if fingerprint else None
        if existing:
            raise ValueError(f"message {inbound_id} holds the same referral as case {existing}; nothing opened")
        msg = email.message_from_bytes(row["raw"][:1024 * 1024], policy=email.policy.compat32)
        outcome = open_case(uow, app, row, msg, parsed, fingerprint, actor=actor, acknowledge=acknowledge,
                            procedure=chosen)
        uow.audit.append(outcome.case_id, outcome.reference, [AuditEvent(
            at=app.clock.now(), actor=actor, action="case opened by hand from a message",
            detail={"inbound_id": inbound_id, "was": row["status"], "details_given": sorted(details or {}),
                    **({"procedure": chosen.key} if chosen is not None else {})},
            reason=None)])
        uow.inbox.finish(inbound_id, "processed", f"{outcome.reason} by hand by {actor} (was {row['status']})",
                         "referral", outcome.case_id)
        uow.inbox.mark_unfiled(inbound_id)  # to the processed folder
        uow.commit()
    log.info("case opened by hand", extra={"inbound_id": inbound_id, "case": outcome.reference})
    return outcome


def open_without_message(app: "App", details: dict[str, Any], actor: str, procedure: str | None = None,
                         received: "date | None" = None) -> Outcome:
    """Open a case for a referral that came by no email (a telephone call, a letter by post): ``details``
    are its fields (as ``inbox show ID --json`` prints a referral's), ``received`` the day it came (today
    by default). No acknowledgement goes: whoever took it answers the referrer. Audited."""
    from datetime import datetime, time

    from .details import apply_details

    chosen = app.procedure_named(procedure)
    day = received or app.today()
    parsed = apply_details({"is_referral": True, "subjects": [], "missing": []}, details, today=app.today())
    if not parsed.get("subjects"):
        raise ValueError("the details name no child or family member (subjects): a case needs at least one")
    row = {"id": None, "sender": None, "internet_message_id": None,
           "received_at": datetime.combine(day, time(12, 0), tzinfo=app.settings.tz)}
    with app.db.unit_of_work() as uow:
        uow.serialise(Lock.REFERRALS)
        fingerprint = referral_fingerprint(parsed)
        existing = uow.cases.find_by_fingerprint(fingerprint) if fingerprint else None
        if existing:
            raise ValueError(f"case {existing} holds the same referral; nothing opened")
        outcome = open_case(uow, app, row, None, parsed, fingerprint, actor=actor, acknowledge=False,
                            procedure=chosen)
        uow.audit.append(outcome.case_id, outcome.reference, [AuditEvent(
            at=app.clock.now(), actor=actor, action="case opened by hand (no message)",
            detail={"procedure": chosen.key, "received": day.isoformat(), "details_given": sorted(details)},
            reason=None)])
        uow.commit()
    log.info("case opened by hand", extra={"case": outcome.reference})
    return outcome


def _stored(uow: "UnitOfWork", inbound_id: int) -> dict[str, Any]:
    row = uow.inbox.find(inbound_id)
    if row is None:
        raise LookupError(f"no message {inbound_id} in the inbox record (see: review-clerk inbox list)")
    return row
