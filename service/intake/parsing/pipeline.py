"""One email in, one referral record out.

The pipeline: read the message (:mod:`.mime_reader`) -> rule out mail that is
decisively not a referral (:mod:`.classify`) -> gather every text that might
hold the form (:mod:`.candidates`) -> split each into labelled fields
(:mod:`.fields`) and keep the one most like a form, an attached form winning
ties over the body (which is usually a covering note) -> normalise its values
(:mod:`.form`) -> assemble the record.

Nothing here logs, and no exception escapes: failures become ``unreadable``
entries or a ``needs_person`` reason, so a referral is never dropped.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from . import classify, form, letter, plausibility, quoting
from .candidates import DOC, DOCX, HTML, OCR_LAYOUTS, ODT, Candidate, Found, body_lines, find_candidates
from .fields import Split, split_fields
from .labels import IGNORE, REFERRER_SECTION, SUBJECTS
from .limits import NESTED_TOO_DEEPLY, TEXT_CUT, TOO_COMPLEX, Budget, Limits
from .mail import Mail
from .mime_reader import (
    BROKEN_STRUCTURE,
    GARBLED_BASE64,
    UNPARSEABLE,
    read_headers_only,
    read_mime,
)
from .quiet import quiet_libraries
from .referrer import agency_from_signature
from .text import Wrap


@dataclass
class _Choice:
    candidate: Candidate
    split: Split
    order: int

    @property
    def key(self) -> tuple:
        # An attachment wins a tie with the body; the body wins only with clearly more labels.
        bonus = 1 if self.candidate.from_attachment else 0
        # Between equals, the one with more answers filled in (labels alone are a blank template).
        return (self.split.is_form, self.split.score + bonus, self.split.filled, _preference(self), -self.order)


DEFAULT_LIMITS = Limits()

# ``unreadable`` reasons saying that part of the message was not read (skipped at a limit, or lost to
# a broken structure). Fixed phrases: they are quoted in ``needs_person``, which must hold no personal data.
_NOT_READ = (NESTED_TOO_DEEPLY, TOO_COMPLEX, TEXT_CUT, BROKEN_STRUCTURE, GARBLED_BASE64, UNPARSEABLE)


def parse_message(raw: bytes, limits: Limits = DEFAULT_LIMITS) -> dict:
    """The referral in one email, as a dict matching ``referral.schema.json`` plus
    ``kind``, ``not_referral_reason``, ``layout``, ``unreadable``, ``needs_person``, ``confirm``,
    ``confidence`` and ``source``.

    ``needs_person`` is None, or why the message could not be read (in full) and a person must read it.
    ``confirm`` lists why values that were read must be confirmed by the Business Manager before they
    are relied on (fixed phrases, no personal data); ``confidence`` says how sure each value is.

    Never raises: input that cannot be read at all comes back as a referral
    that needs a person, so that nothing is lost.
    """
    try:
        with quiet_libraries():
            return _parse(_as_bytes(raw), limits)
    except Exception:  # last resort: the contract is "never raise"
        return _needs_person(Mail(), "the message could not be read automatically", [])


def extract_fields(raw: bytes, limits: Limits = DEFAULT_LIMITS) -> dict:
    """Labelled fields in the new part of a reply (quoted text and attachments ignored).

    Returns ``referral_date``, ``subjects``, ``summary``, ``request``,
    ``criteria_statement``, ``referrer`` and ``missing``; what the reply does
    not give is None / []. Never raises.
    """
    try:
        with quiet_libraries():
            return _extract(_as_bytes(raw), limits)
    except Exception:  # the contract is "never raise"
        return form.empty(missing_all=True)


def form_lines(raw: bytes, limits: Limits = DEFAULT_LIMITS) -> list[str]:
    """The lines of text the referral in ``raw`` was read from (the form chosen, or the letter), as read:
    what a person checks the values against (OCR'd text as Tesseract gave it). [] when there is none.
    Never raises."""
    try:
        with quiet_libraries():
            raw = _as_bytes(raw)
            if len(raw) > limits.max_message_bytes:
                return []
            budget = Budget(limits)
            mail = read_mime(raw, budget)
            found = find_candidates(mail, limits, budget, open_attachments=mail.attachment_count <= limits.max_attachments)
            choice = _choose(found.candidates)
            if choice is None:
                return []
            if not choice.split.is_form:
                letters = [c for c in found.candidates if not c.found_in.endswith("quoted reply")]
                cand = next((c for c in letters if c.from_attachment), letters[0] if letters else choice.candidate)
                return [line.text for line in cand.lines]
            return [line.text for line in choice.candidate.lines]
    except Exception:  # the contract is "never raise"
        return []


# ---------------------------------------------------------------------------


def _extract(raw: bytes, limits: Limits) -> dict:
    if len(raw) > limits.max_message_bytes:
        return form.empty(missing_all=True)
    mail = read_mime(raw, Budget(limits))
    plain, html = body_lines(mail, drop_quoted_html=True)
    options = [
        (split_fields(quoting.new_text(plain)), Wrap.for_plain_text(plain)),
        (split_fields(quoting.new_text(html)), None),
    ]
    split, wrap = max(options, key=lambda option: option[0].score)
    return form.values(split, wrap, _date(mail.date))


def _parse(raw: bytes, limits: Limits) -> dict:
    if len(raw) > limits.max_message_bytes:
        mail = read_headers_only(raw)
        verdict = classify.decisive(mail) or classify.weak(mail)
        if verdict:
            return _not_referral(mail, verdict.kind, verdict.reason, [])
        size = limits.max_message_bytes / (1024 * 1024)
        return _needs_person(mail, f"message is larger than the {size:g} MB limit", [])

    budget = Budget(limits)
    mail = read_mime(raw, budget)
    verdict = classify.decisive(mail)
    if verdict:
        return _not_referral(mail, verdict.kind, verdict.reason, [])

    too_many = mail.attachment_count > limits.max_attachments
    found = find_candidates(mail, limits, budget, open_attachments=not too_many)
    truncated = found.truncated or mail.truncated  # parts skipped at a limit: a form may be among them
    damaged = found.damaged or mail.damaged  # broken structure: text (a form perhaps) lost or garbled
    choice = _choose(found.candidates)
    if choice and choice.split.is_form:
        result = _referral(mail, choice, found)
        if not (result["summary"] or result["request"] or result["criteria_statement"]):
            # A few labelled lines (a "Child:" line, a signature's "Tel:") in a letter: the letter's
            # paragraphs hold what the form's labels do not.
            letter_record = _letter(mail, found)
            if letter_record and (letter_record["summary"] or letter_record["request"] or letter_record["criteria_statement"]):
                result = letter_record
        if too_many:
            result["needs_person"] = _too_many(limits)
        elif truncated:  # what was skipped may be another form, or a later version of this one
            result["needs_person"] = _not_read_in_full(found)
        return result

    # No form found. What was not read may hold one: a person decides, whatever the weak signals say
    # (a referral through a secure-mail gateway can carry list-like headers).
    if too_many:
        return _needs_person(mail, _too_many(limits), found.unreadable)
    if truncated or damaged:
        return _needs_person(mail, _not_read_in_full(found), found.unreadable)
    if classify.secure_mail_notice(mail):  # the referral may be behind the link: never an enquiry
        return _needs_person(mail, "the message is a secure-mail notice; what it holds must be opened in the "
                                   "secure-mail service", found.unreadable)
    verdict = classify.weak(mail)
    if verdict:
        return _not_referral(mail, verdict.kind, verdict.reason, found.unreadable)
    if found.unreadable_documents or (found.unreadable and classify.mentions_referral(mail)):
        reasons = "; ".join(sorted({u["reason"] for u in found.unreadable}))
        return _needs_person(mail, f"the referral form could not be read ({reasons})", found.unreadable)
    if not _has_content(mail):
        return _not_referral(mail, "empty", "empty message", found.unreadable)
    letter_record = _letter(mail, found)
    if letter_record:
        return letter_record
    return _not_referral(mail, "enquiry", "no referral form found", found.unreadable)


def _letter(mail: Mail, found: Found) -> dict | None:
    """A referral written as a letter (no form): an attached letter first, then the body's new text."""
    options = []
    for i, cand in enumerate(found.candidates):
        if cand.found_in.endswith("quoted reply"):
            continue  # what the board (or anyone) wrote earlier is not this sender's referral
        values = letter.read(cand.lines, cand.wrap, _date(cand.mail.date) or _date(mail.date), cand.mail.sender_display)
        if values:
            options.append(((bool(values["subjects"]), cand.from_attachment, -i), cand, values))
    if not options:
        return None
    _, cand, values = max(options, key=lambda o: o[0])
    layout = cand.layout
    if layout in (DOCX, DOC, ODT):
        layout = f"{layout}_paragraphs"
    elif layout == HTML:
        layout = "html_body"
    return _record(mail, is_referral=True, kind="referral", reason=None, values=values, layout=layout,
                   unreadable=found.unreadable, needs_person=None, found_in=cand.found_in, guessed=True)


def _choose(candidates: list[Candidate]) -> _Choice | None:
    choices = [_Choice(c, split_fields(c.lines), i) for i, c in enumerate(candidates)]
    return max(choices, key=lambda c: c.key, default=None)


def _preference(choice: _Choice) -> int:
    """Between equally good bodies: an HTML table, then plain text, then other HTML."""
    if choice.candidate.layout == HTML:
        return 2 if _tabular(choice.split) else 0
    return 1


def _tabular(split: Split) -> bool:
    labelled = [line for key, line in split.found if key not in (IGNORE, REFERRER_SECTION)]
    in_table = sum(1 for line in labelled if line.in_table)
    return in_table > 0 and in_table * 2 >= len(labelled)


def _layout(choice: _Choice) -> str:
    layout = choice.candidate.layout
    if layout in (DOCX, DOC, ODT):  # word-processor documents: "docx_table", "doc_paragraphs", "odt_table", ...
        return f"{layout}_table" if _tabular(choice.split) else f"{layout}_paragraphs"
    if layout == HTML:
        return "html_table" if _tabular(choice.split) else "html_body"
    return layout


def _referral(mail: Mail, choice: _Choice, found: Found) -> dict:
    cand, split = choice.candidate, choice.split
    values = form.values(split, cand.wrap, _date(cand.mail.date) or _date(mail.date))
    referrer = values["referrer"]
    if referrer["agency"] is None:
        referrer["agency"] = _signature_agency(cand, split, referrer["name"], found)
    return _record(
        mail,
        is_referral=True,
        kind="referral",
        reason=None,
        values=values,
        layout=_layout(choice),
        unreadable=found.unreadable,
        needs_person=None,
        found_in=cand.found_in,
        section_lines=[line.text for line in split.fields.get(SUBJECTS, [])],
    )


def _signature_agency(cand: Candidate, split: Split, name: str | None, found: Found) -> str | None:
    """The agency in a covering note's signature: around a form in a body, then the form's own
    message, then the outer message."""
    notes = [cand.covering, found.covering]
    if not cand.from_attachment:
        notes.insert(0, split.before + split.after)  # in the order written: a signature ends the note
    quoted = not cand.from_attachment and cand.found_in.endswith(("forwarded message", "quoted reply"))
    for i, note in enumerate(notes):
        # A form forwarded or quoted in a body: the note above it is the forwarder's, whose signature
        # names their agency, not the referrer's - unless the referrer signed it.
        agency = agency_from_signature(note, name, cand.mail.sender_display, signer_only=quoted and i > 0)
        if agency:
            return agency
    return None


def _not_referral(mail: Mail, kind: str, reason: str, unreadable: list[dict]) -> dict:
    return _record(mail, is_referral=False, kind=kind, reason=reason, values=form.empty(missing_all=False),
                   layout=None, unreadable=unreadable, needs_person=None, found_in=None)


def _needs_person(mail: Mail, why: str, unreadable: list[dict]) -> dict:
    """A referral a person must read: every field absent and named in ``missing``."""
    return _record(mail, is_referral=True, kind="referral", reason=None, values=form.empty(missing_all=True),
                   layout=None, unreadable=unreadable, needs_person=why, found_in=None)


def _record(mail: Mail, *, is_referral: bool, kind: str, reason: str | None, values: dict, layout: str | None,
            unreadable: list[dict], needs_person: str | None, found_in: str | None, guessed: bool = False,
            section_lines: list[str] = ()) -> dict:
    record = {
        "is_referral": is_referral,
        "kind": kind,
        "not_referral_reason": reason,
        "referral_date": values["referral_date"],
        "subjects": values["subjects"],
        "summary": values["summary"],
        "request": values["request"],
        "criteria_statement": values["criteria_statement"],
        "referrer": values["referrer"],
        "missing": values["missing"],
        "layout": layout,
        "unreadable": list(unreadable),
        "needs_person": needs_person,
        "source": {
            "message_id": mail.message_id,
            "from": mail.sender,
            "subject": mail.subject or None,
            "date": mail.date,
            "found_in": found_in,
        },
    }
    _ask_to_confirm(record, ocr=layout in OCR_LAYOUTS, guessed=guessed, section_lines=section_lines)
    return record


def _ask_to_confirm(record: dict, *, ocr: bool, guessed: bool, section_lines: list[str]) -> None:
    """``confirm``: why the Business Manager must confirm what was read (no subject, a subject without a date
    of birth or role, a value read by OCR, a "name" that looks like a place, organisation, heading or date),
    fixed phrases with no personal data; ``confidence``: per value, "high" (a labelled field or form field),
    "low" (inferred from prose, read by OCR, or doubted by those checks), None where nothing was read.

    ``needs_person`` keeps its meaning (the message could not be read, or not in full: a person reads it
    and nothing is opened from it); a referral with ``confirm`` reasons was read and may be opened, but
    is not to be filed without the Business Manager confirming those values."""
    if record["layout"] is None:  # nothing read: nothing to confirm (needs_person says why, if it must)
        record["confirm"] = []
        record["confidence"] = None
        return
    record["confirm"] = plausibility.review(record, ocr=ocr, section_lines=section_lines)
    record["confidence"] = plausibility.confidence(record, guessed=guessed or ocr, section_lines=section_lines)


def _not_read_in_full(found: Found) -> str:
    reasons = sorted({u["reason"] for u in found.unreadable if u["reason"] in _NOT_READ})
    return f"the message could not be read in full ({'; '.join(reasons) or 'too complex to read automatically'})"


def _too_many(limits: Limits) -> str:
    return f"message has more than {limits.max_attachments} attachments"


def _has_content(mail: Mail) -> bool:
    return any(t.strip() for t in mail.plain + mail.html) or bool(mail.attachments) or bool(mail.calendar)


def _date(iso: str | None) -> date | None:
    if not iso:
        return None
    try:
        return datetime.fromisoformat(iso).date()
    except ValueError:
        return None


def _as_bytes(raw: object) -> bytes:
    if isinstance(raw, bytes):
        return raw
    if isinstance(raw, (bytearray, memoryview)):
        return bytes(raw)
    if isinstance(raw, str):
        return raw.encode("utf-8", "surrogateescape")
    raise TypeError("parse_message takes the raw bytes of a message")
