"""Agency returns by email: an IMR, a chronology, a summary or an action plan an agency sends back.

A reply or a new message about a case (its reference, or In-Reply-To/References naming a message the
service sent; :func:`service.intake.case_replies.case_for_reply`) with a Word, Excel, OpenDocument or
PDF attachment is read as a return:

* **whose**: the agency the document names (its "Agency: ..." line, its agency column, its title),
  else the agency of the sender's mail domain (``[[agencies]] domains``); it must be involved in the
  case;
* **what**: the file's name, else the document's heading ("Individual Management Review",
  "Chronology", "Summary", "Action plan"), else a chronology when :mod:`service.chronology` reads
  rows from it;
* filed against the case and agency as the next **version** of that kind (earlier versions kept;
  the latest is the one used);
* the agency's matching deadline **met** on the day it arrived (``chronology:<agency>`` for a
  chronology, ``imr:<agency>`` for an IMR, else the agency's short report ``agency_report:<agency>``);
* the sender **thanked** once (``agency_return_received``).

A document that looks like a return but cannot be placed (no case, an agency not found or not
involved, a kind not told) is never dropped: the message is held (outcome ``held``, quarantined for a
person) and the Business Manager gets ``agency_return_unplaced`` with what was read.

When the set of chronologies of a case changes, :func:`send_integrated` (run after the inbox is read)
builds the integrated chronology (:mod:`service.chronology.integrate`) and queues it, Word and Excel
attached, as a draft for the Business Manager to check and send to the lead reviewer: once per set of
return versions.

Logs and audit notes carry agency keys, kinds, versions and counts; never a document's text, a
file's name or a heading.
"""

from __future__ import annotations

import email
import email.policy
import hashlib
import logging
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from service.case_store import save_case
from service.domain.model import Case, DeadlineStatus, DomainError
from service.letters.queueing import base_context, queue
from service.mailbox.ports import Attachment

from .loops import may_auto_reply
from .outcome import Outcome, limits_for, note, received_on

if TYPE_CHECKING:
    from service.bootstrap import App
    from service.config import Agency
    from service.store.db import UnitOfWork

log = logging.getLogger("review_clerk.intake")

THANKS = "agency_return_received"
UNPLACED = "agency_return_unplaced"
FOR_REVIEW = "chronology_for_review"

FORMATS = {"docx": "Word", "doc": "Word", "xlsx": "Excel", "xls": "Excel", "odt": "OpenDocument text",
           "ods": "OpenDocument spreadsheet", "pdf": "PDF"}
KINDS = {"imr": "Individual management review (agency report)", "chronology": "Chronology",
         "summary": "Summary", "action_plan": "Action plan"}
# The first that matches wins: "IMR chronology.docx" is a chronology, "IMR summary" a summary.
_KIND_WORDS = (
    ("action_plan", re.compile(r"\baction\s*plans?\b", re.I)),
    ("chronology", re.compile(r"\bchronolog", re.I)),
    ("summary", re.compile(r"\bsummar(y|ies)\b", re.I)),
    ("imr", re.compile(r"\bimrs?\b|\bindividual\s+management\s+review|\bmanagement\s+review|\bagency\s+report\b"
                       r"|\breport\b", re.I)),
)
# The agency's deadlines a return of each kind meets, in order of preference: the first one the case has
# for that agency is the one (an IMR already met is not met again by a second version).
DEADLINES = {"chronology": ("chronology", "agency_report", "imr"), "imr": ("imr", "agency_report"),
             "summary": ("agency_report", "imr"), "action_plan": ()}


@dataclass
class Document:
    filename: str
    content_type: str
    data: bytes

    @property
    def extension(self) -> str:
        return self.filename.lower().rsplit(".", 1)[-1] if "." in self.filename else ""

    @property
    def format(self) -> str:
        return FORMATS.get(self.extension, self.extension)


@dataclass
class Reading:
    """What was read of one document: kind and agency with how each was found."""

    document: Document
    kind: str | None = None
    kind_how: str = ""
    agency: "Agency | None" = None
    agency_how: str = ""
    rows: int | None = None
    read_problem: str | None = None
    why_not: str | None = None  # why it cannot be placed
    how: dict[str, Any] = field(default_factory=dict)

    def summary(self, number: int) -> dict[str, Any]:
        """For a mail to the Business Manager: no file name, no document text."""
        return {"number": number, "format": self.document.format, "size_kb": max(1, len(self.document.data) // 1024),
                "kind": KINDS.get(self.kind or "", "not told"), "kind_how": self.kind_how or "-",
                "agency": self.agency.name if self.agency else "not found", "agency_how": self.agency_how or "-",
                "rows": self.rows, "read_problem": self.read_problem, "why_not": self.why_not}


# Reading ------------------------------------------------------------------------------
def documents_of(msg) -> list[Document]:
    """The attachments that can be a return: Word, Excel, OpenDocument or PDF."""
    out = []
    try:
        for part in msg.iter_attachments():
            name = (part.get_filename() or "").strip()
            if not name or name.lower().rsplit(".", 1)[-1] not in FORMATS:
                continue
            data = part.get_payload(decode=True) or b""
            if data:
                out.append(Document(name.replace("/", "_").replace("\\", "_")[-200:], part.get_content_type(), data))
    except (KeyError, LookupError, ValueError, AttributeError):
        return out
    return out


def kind_in(text: str) -> str | None:
    """The kind of return a file's name or a heading names, or None."""
    text = re.sub(r"[_\-.+]+", " ", text)
    return next((kind for kind, rx in _KIND_WORDS if rx.search(text)), None)


def agency_named(app: "App", text: str, among: list[str] | None = None) -> "Agency | None":
    """The agency of the directory ``text`` names (its name, or its key as words); the longest name wins."""
    folded = " ".join(re.sub(r"[^a-z0-9]+", " ", text.lower()).split())
    if not folded:
        return None
    found = []
    for a in app.settings.agencies:
        if among is not None and a.key not in among:
            continue
        for name in (a.name, a.key.replace("-", " ")):
            words = " ".join(re.sub(r"[^a-z0-9]+", " ", name.lower()).split())
            if words and re.search(rf"(?<![a-z0-9]){re.escape(words)}(?![a-z0-9])", folded):
                found.append((len(words), a))
    return max(found, key=lambda x: x[0])[1] if found else None


def read_document(app: "App", doc: Document, case: Case | None, sender: str) -> Reading:
    from service.chronology.heading import document_heading
    from service.chronology.limits import ChronologyReadError
    from service.chronology.read import read_chronology

    r = Reading(doc)
    heading = document_heading(doc.data) if doc.extension in ("docx", "xlsx", "odt", "ods", "pdf") else ""
    result = None
    named_kind = kind_in(doc.filename.rsplit(".", 1)[0])
    if named_kind not in (None, "chronology"):
        pass  # an IMR, summary or action plan by its name: not read for rows (a long report costs seconds)
    elif doc.extension in ("docx", "xlsx", "odt", "ods", "pdf"):
        try:
            result = read_chronology(doc.data, doc.filename)
            r.rows = len(result.rows)
        except ChronologyReadError as exc:
            r.read_problem = str(exc)
        except Exception as exc:  # noqa: BLE001 - a damaged document is still filed; it is not a chronology
            r.read_problem = f"could not be read ({exc.__class__.__name__})"
    else:
        r.read_problem = "an old Word or Excel file (.doc, .xls): ask for the .docx or .xlsx"
    if named_kind:
        r.kind, r.kind_how = named_kind, "the file's name"
    elif kind := kind_in(heading):
        r.kind, r.kind_how = kind, "the document's heading"
    elif r.rows:
        r.kind, r.kind_how = "chronology", "its table reads as a chronology"

    involved = list(case.agencies) if case is not None else None
    named = Counter(row.agency for row in (result.rows if result else ()) if row.agency)
    from_rows = next((a for a in (agency_named(app, name) for name, _ in named.most_common(3)) if a), None)
    from_heading = agency_named(app, heading)
    from_sender = app.settings.agency_for_address(sender) if sender else None
    candidates = [(from_rows, "the agency the document names"), (from_heading, "the document's heading"),
                  (from_sender, "the sender's mail domain")]
    chosen = next(((a, how) for a, how in candidates if a and (involved is None or a.key in involved)), None)
    if chosen:
        r.agency, r.agency_how = chosen
    else:
        seen = next(((a, how) for a, how in candidates if a), None)
        if seen:
            r.agency, r.agency_how = seen
            r.why_not = f"{seen[0].name} ({seen[1]}) is not recorded as involved in {case.reference}" \
                if case is not None else None
        else:
            r.why_not = ("the agency could not be told: the sender's mail domain is not in the agency directory "
                         "and the document names no agency in it")
    if r.kind is None and r.why_not is None:
        r.why_not = ("what kind of return it is could not be told: neither the file's name nor the document's "
                     "heading names an IMR, a chronology, a summary or an action plan, and no chronology table "
                     "was read from it")
    if case is None and r.why_not is None:
        r.why_not = "no case could be found for it"
    r.how = {"kind": r.kind_how, "agency": r.agency_how, "format": doc.format,
             **({"read_problem": r.read_problem} if r.read_problem else {})}
    return r


def _full_message(app: "App", row: dict[str, Any]):
    cap = limits_for(app).max_message_bytes
    return email.message_from_bytes(row["raw"][:cap], policy=email.policy.default)


# Filing ---------------------------------------------------------------------------------
def file_return(uow: "UnitOfWork", app: "App", row: dict[str, Any], case: Case, reference: str,
                case_id: int, sender: str, referrer_reply: bool = False) -> Outcome | None:
    """File the documents of a message about a case as agency returns. None when the message carries
    no document, or only documents that are not a return from a sender that is no agency's (or the
    referrer answering our questions, ``referrer_reply``): the reply is then filed as before."""
    msg = _full_message(app, row)
    docs = documents_of(msg)
    if not docs:
        return None
    staff = sender in app.settings.staff_addresses()
    # Board staff forwarding a return: their own mail domain says nothing of whose it is.
    readings = [read_document(app, d, case, "" if staff else sender) for d in docs]
    from_agency = app.settings.agency_for_address(sender) is not None and not staff
    if not any(r.kind for r in readings) and (referrer_reply or not from_agency):
        return None
    on = received_on(app, row, msg)
    placed = [r for r in readings if r.why_not is None]
    unplaced = [r for r in readings if r.why_not is not None]
    filed: list[dict[str, Any]] = []
    met: list[dict[str, Any]] = []
    for r in placed:
        rid, version = uow.returns.add({
            "case_id": case_id, "agency": r.agency.key, "kind": r.kind, "filename": r.document.filename,
            "content_type": r.document.content_type[:128], "size": len(r.document.data),
            "sha256": hashlib.sha256(r.document.data).hexdigest(), "data": r.document.data,
            "rows_read": r.rows if r.kind == "chronology" else None, "how": r.how, "inbound_id": row["id"],
            "sender": sender[:320] or None, "received_at": app.clock.now()})
        filed.append({"agency": r.agency.key, "agency_name": r.agency.name, "kind": r.kind,
                      "kind_label": KINDS[r.kind], "version": version, "replaces": version > 1,
                      "filename": r.document.filename, "rows": r.rows if r.kind == "chronology" else None,
                      "reading_problem": r.read_problem if r.kind == "chronology" else None})
        d = _deadline_for(case, r.agency.key, r.kind)
        if d is not None and d.status is not DeadlineStatus.MET:
            try:
                case.mark_met(d.key, on, app.clock.now(), f"agency {r.agency.key}",
                              f"{r.kind} received by email (version {version})", today=app.today())
                met.append({"key": d.key, "what": d.what, "due": d.due, "on": on})
            except DomainError as exc:
                case.new_audit.append(note(app, "agency return: deadline not marked met", f"{d.key}: {exc}"))
        case.new_audit.append(note(app, "agency return filed",
                                   f"{r.agency.key}: {r.kind} version {version}"
                                   + (f", {r.rows} chronology rows read" if r.kind == "chronology" and r.rows
                                      else "") + f" ({r.kind_how}; agency from {r.agency_how})"))
    if placed:
        save_case(uow, app, case)
        _thank(uow, app, row, msg, case, case_id, sender, filed, met)
    if unplaced:
        _tell_unplaced(uow, app, row, msg, sender, unplaced, case, case_id)
        if not placed:
            uow.audit.append(case_id, reference, [note(app, "agency return not placed",
                                                        f"{len(unplaced)} document(s) sent to the Business Manager")])
    log.info("agency return", extra={"inbound_id": row["id"], "case": reference, "filed": len(placed),
                                     "unplaced": len(unplaced)})
    said = "; ".join(f"{f['agency']} {f['kind']} v{f['version']}" for f in filed)
    if not placed:
        return Outcome("held", f"agency return for {reference} not placed ({unplaced[0].why_not}); "
                               f"sent to the Business Manager", "agency_return", case_id, reference)
    return Outcome("reply", f"agency return filed against {reference}: {said}"
                            + "".join(f"; {m['key']} met" for m in met)
                            + (f"; {len(unplaced)} document(s) not placed, sent to the Business Manager"
                               if unplaced else ""), "agency_return", case_id, reference)


def unplaced_without_case(uow: "UnitOfWork", app: "App", row: dict[str, Any], names_reference: bool
                          ) -> Outcome | None:
    """A message that matches no case but carries what looks like an agency return (from an agency's
    domain, or naming a reference of the board's form, with a document whose name or heading says it is
    an IMR, a chronology, a summary or an action plan): held, and the Business Manager told. None when it
    does not look like one (then it is triaged as any other message). ``names_reference``: its subject
    holds something of the form of the board's references."""
    sender = (row["sender"] or "").lower()
    staff = sender in app.settings.staff_addresses()
    from_agency = app.settings.agency_for_address(sender) is not None
    if staff or not (from_agency or names_reference):
        return None
    msg = _full_message(app, row)
    docs = documents_of(msg)
    if not docs:
        return None
    readings = [read_document(app, d, None, sender) for d in docs]
    if not any(r.kind and r.kind_how != "its table reads as a chronology" or r.rows for r in readings):
        return None
    for r in readings:
        r.why_not = "no case matches it: no known case reference in its subject, and it answers no message " \
                    "the service sent"
    _tell_unplaced(uow, app, row, msg, sender, readings, None, None)
    return Outcome("held", "agency return for no known case; sent to the Business Manager", "agency_return")


def _deadline_for(case: Case, agency: str, kind: str):
    for k in DEADLINES.get(kind, ()):
        d = case.deadlines.get(f"{k}:{agency}")
        if d is not None:
            return d
    return None


def _thank(uow: "UnitOfWork", app: "App", row: dict[str, Any], msg, case: Case, case_id: int, sender: str,
           filed: list[dict[str, Any]], met: list[dict[str, Any]]) -> None:
    allowed, why = may_auto_reply(msg, own_addresses={app.settings.board.mailbox})
    if not allowed or not sender or sender in app.settings.staff_addresses():
        uow.audit.append(case_id, case.reference, [note(app, "agency return: no thanks sent", why or "staff")])
        return
    agency = app.settings.agency(filed[0]["agency"])
    ctx = base_context(app, None, sender, case=case, agency={"key": agency.key, "name": agency.name},
                       documents=[{k: f[k] for k in ("kind_label", "version", "replaces", "rows")}
                                  for f in filed],
                       deadlines_met=[{"what": m["what"], "due": m["due"], "on": m["on"]} for m in met])
    refs = [x for x in [row["internet_message_id"]] if x]
    queue(uow, app, key=f"{case.reference}/{THANKS}/{row['id']}", template=THANKS, to=[sender], context=ctx,
          case_id=case_id, in_reply_to=row["internet_message_id"], references=refs, auto_reply=True)


def _tell_unplaced(uow: "UnitOfWork", app: "App", row: dict[str, Any], msg, sender: str, readings: list[Reading],
                   case: Case | None, case_id: int | None) -> None:
    bm = app.settings.people.business_manager
    ctx = base_context(app, bm.name, bm.email, case=case, returned={
        "message_id": row["id"], "sender": sender or "unknown", "received_on": received_on(app, row, msg),
        "reference": case.reference if case else None, "quarantine_folder": app.quarantine_folder_name,
        "documents": [r.summary(n) for n, r in enumerate(readings, start=1)],
        "fix": (f"if the agency is involved, add it (review-clerk case add-agency {case.reference} AGENCY), then "
                f"file this message: review-clerk inbox release {row['id']}" if case else
                f"find the case and file this message against it: review-clerk inbox release {row['id']} --case "
                f"REFERENCE")})
    queue(uow, app, key=f"{UNPLACED}/{row['id']}", template=UNPLACED, to=[bm.email], context=ctx, case_id=case_id)


# The integrated chronology for review -------------------------------------------------------
def inputs_key(current: list[dict[str, Any]]) -> str:
    """The set of return versions an integrated chronology is built from."""
    body = ",".join(sorted(f"{r['agency']}:{r['version']}:{r['id']}" for r in current))
    return hashlib.sha256(body.encode("ascii")).hexdigest()[:16]


def send_integrated(app: "App") -> int:
    """For each case whose set of current chronologies has no integrated chronology yet, build one and
    queue it for review. Returns how many were queued. One case failing does not stop the others."""
    with app.db.unit_of_work(read_only=True) as uow:
        case_ids = uow.returns.cases_with("chronology")
    queued = 0
    for case_id in case_ids:
        try:
            with app.db.unit_of_work() as uow:
                if integrated_for_review(uow, app, case_id):
                    queued += 1
                uow.commit()
        except Exception as exc:  # noqa: BLE001 - logged by class; the next run tries again
            log.error("integrated chronology not built", extra={"case_id": case_id, "error": exc.__class__.__name__})
    return queued


def integrated_for_review(uow: "UnitOfWork", app: "App", case_id: int) -> bool:
    from service.chronology.export import to_docx, to_xlsx
    from service.chronology.integrate import integrate
    from service.chronology.limits import ChronologyReadError
    from service.chronology.read import read_chronology
    from service.chronology.rows import ReadResult
    from service.chronology.tables import with_agency

    current = [r for r in uow.returns.current(case_id, "chronology") if r["rows_read"]]
    if not current:
        return False
    case = uow.cases.get_by_id(case_id)
    key = f"{case.reference}/{FOR_REVIEW}/{inputs_key(current)}"
    if uow.outbox.exists(key):
        return False
    results, sources = [], []
    for r in current:
        agency = app.settings.agency(r["agency"])
        name = agency.name if agency else r["agency"]
        try:
            res = read_chronology(uow.returns.document(r["id"]), r["filename"])
        except ChronologyReadError:
            continue
        results.append(ReadResult(res.file, tuple(with_agency(list(res.rows), name)), res.notes))
        sources.append({"agency": name, "version": r["version"], "rows": len(res.rows),
                        "received_on": r["received_at"].astimezone(app.settings.tz).date()})
    if not results:
        return False
    chron = integrate(results)
    title = f"Integrated chronology {case.reference}"
    now = app.clock.now()
    stem = f"{case.reference} integrated chronology"
    attachments = [
        Attachment(f"{stem}.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                   to_docx(chron, title, now)),
        Attachment(f"{stem}.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                   to_xlsx(chron, title, now))]
    bm = app.settings.people.business_manager
    lead = getattr(app.settings.people, "lead_reviewer", None)
    to = [bm.email] + ([lead.email] if lead is not None and getattr(lead, "email", None) else [])
    ctx = base_context(app, bm.name, bm.email, case=case, chronology={
        "sources": sources, "rows": len(chron.entries), "to_check": len(chron.to_check), "groups": chron.groups,
        "agencies": [{"agency": a.agency, "rows": a.rows, "first": a.first, "last": a.last} for a in chron.agencies],
        "lead_reviewer_on_file": len(to) > 1})
    queued = queue(uow, app, key=key, template=FOR_REVIEW, to=to, context=ctx, case_id=case_id,
                   attachments=attachments, mode="review", reviewer=bm.email)
    if queued:
        uow.audit.append(case_id, case.reference, [note(app, "integrated chronology built for review",
                                                         f"{len(results)} agencies, {len(chron.entries)} rows")])
        uow.on_commit(log.info, "integrated chronology queued for review",
                      extra={"case": case.reference, "agencies": len(results), "rows": len(chron.entries)})
    return queued
