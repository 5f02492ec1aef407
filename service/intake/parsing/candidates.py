"""Every text in a message that might hold the referral form.

A message yields candidates from its plain-text body, its HTML body (each cut
into the new text and any forwarded or quoted messages), each readable
attached document, and - recursively, to a bounded depth - the bodies and
attachments of attached messages (.eml, .msg). Documents that cannot be read
are listed as unreadable instead. Choosing among the candidates is the
pipeline's job.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from . import document_readers, msdoc, ocr, quoting
from .blocks import to_lines
from .document_readers import Unreadable
from .limits import MAX_NESTING, MAX_TEXT_CHARS, NESTED_TOO_DEEPLY, TEXT_CUT, Budget, Limits
from .mail import Attachment, Mail
from .mime_reader import decode_bytes, read_mime
from .text import Line, Wrap, lines_from_layout, lines_from_text


def html_blocks(html: str, *, drop_quoted: bool = False):
    """:func:`.html_text.html_blocks`, imported when a message first has HTML (BeautifulSoup and its CSS
    selector library are a tenth of the service's start-up, and a run with plain-text mail needs neither)."""
    from .html_text import html_blocks as read

    return read(html, drop_quoted=drop_quoted)

# Layouts as reported in the output. "docx" and "html" are refined to
# *_table / *_paragraphs|*_body once we know where the labels were.
# Legacy Word (.doc) and OpenDocument text (.odt) give the same blocks as .docx.
DOCX, HTML, DOC, ODT = "docx", "html", "doc", "odt"
# Read by OCR: every value uncertain (the pipeline asks a person to confirm them).
PDF_OCR, IMAGE_OCR = "pdf_ocr", "image_ocr"
OCR_LAYOUTS = frozenset({PDF_OCR, IMAGE_OCR})

_UNREADABLE_KINDS = {
    "encrypted-office": "password-protected Office document",
    "xls": "legacy Excel .xls format",
    "odf": "unsupported format (OpenDocument other than text)",
    "ole": "unsupported Office format",
}
_UNREADABLE_TYPES = {
    "application/ms-tnef": "Outlook rich-text wrapper (winmail.dat) not supported",
    "application/vnd.ms-tnef": "Outlook rich-text wrapper (winmail.dat) not supported",
    "application/pkcs7-mime": "encrypted or signed message (S/MIME) not supported",
    "application/x-pkcs7-mime": "encrypted or signed message (S/MIME) not supported",
}
_IGNORED_TYPES = {"application/pkcs7-signature", "application/x-pkcs7-signature", "text/x-vcard", "text/vcard"}


@dataclass
class Candidate:
    lines: list[Line]
    layout: str
    found_in: str
    mail: Mail  # the message it came with
    covering: list[Line]  # that message's own new text (the covering note, for the signature)
    wrap: Wrap | None = None
    from_attachment: bool = False


@dataclass
class Found:
    candidates: list[Candidate] = field(default_factory=list)
    unreadable: list[dict] = field(default_factory=list)
    unreadable_documents: int = 0  # of those, documents (not images or archives) that may be the form
    covering: list[Line] = field(default_factory=list)  # the outer message's new text
    truncated: bool = False  # some message searched had parts skipped at a limit (see Mail.truncated)
    damaged: bool = False  # some message searched had a broken structure that lost text (Mail.damaged)


def body_lines(mail: Mail, *, drop_quoted_html: bool = False) -> tuple[list[Line], list[Line]]:
    """Lines of the plain-text body and of the HTML body (either may be empty)."""
    plain = "\n".join(mail.plain)[:MAX_TEXT_CHARS]
    html = "\n".join(mail.html)
    plain_lines = lines_from_text(plain) if plain.strip() else []
    html_lines = to_lines(html_blocks(html, drop_quoted=drop_quoted_html)) if html.strip() else []
    return plain_lines, html_lines


def find_candidates(mail: Mail, limits: Limits, budget: Budget, *, open_attachments: bool = True) -> Found:
    """All candidate texts of ``mail`` and its attachments; unreadable documents listed."""
    found = Found()
    _Collector(limits, budget, found).message(mail, depth=0, via=None, where="", open_attachments=open_attachments)
    return found


class _Collector:
    def __init__(self, limits: Limits, budget: Budget, found: Found):
        self.limits, self.budget, self.found = limits, budget, found

    def message(self, mail: Mail, *, depth: int, via: str | None, where: str, open_attachments: bool) -> None:
        """The bodies of ``mail`` (and its attachments); ``via`` is the forward layout when nested."""
        plain_lines, html_lines = body_lines(mail)
        if sum(len(p) + 1 for p in mail.plain) > MAX_TEXT_CHARS:
            self.text_cut(where + "body")
        covering = quoting.new_text(plain_lines or html_lines)
        if depth == 0:
            self.found.covering = covering
        self.found.truncated |= mail.truncated
        self.found.damaged |= mail.damaged
        wrap = Wrap.for_plain_text(plain_lines)
        for lines, base in ((plain_lines, "text_body"), (html_lines, HTML)):
            for seg in quoting.segments(lines):
                if not any(ln.text for ln in seg.lines):
                    continue
                layout = via or ("forward_text" if seg.kind == quoting.FORWARD and base == "text_body" else base)
                part = {quoting.NEW: "body", quoting.FORWARD: "forwarded message", quoting.REPLY: "quoted reply"}[seg.kind]
                self.found.candidates.append(Candidate(seg.lines, layout, where + part, mail, covering,
                                                       wrap if base == "text_body" else None))
        for item in mail.unreadable:
            self.found.unreadable.append({"part": where + item["part"], "reason": item["reason"]})
        if open_attachments:
            for att in mail.attachments:
                self.attachment(att, mail, covering, depth=depth, via=via, where=where)

    def attachment(self, att: Attachment, mail: Mail, covering: list[Line], *, depth: int, via: str | None,
                   where: str) -> None:
        part = f"{where}attachment: {att.label}"

        def add(lines: list[Line], layout: str, wrap: Wrap | None = None) -> None:
            self.found.candidates.append(Candidate(lines, via or layout, part, mail, covering, wrap, True))

        if att.message is not None:
            self.nested(att.message, att.message_format or "eml", att.label, depth=depth, via=via, where=where)
            return
        if att.content_type in _IGNORED_TYPES:
            return
        data = att.data or b""
        kind = document_readers.sniff(data, att.filename, att.content_type)
        limits, budget = self.limits, self.budget
        try:
            if kind == "docx":
                add(to_lines(document_readers.read_docx(data, limits, budget)), DOCX)
            elif kind == "doc":
                add(to_lines(msdoc.read_doc(data, limits, budget)), DOC)
            elif kind == "odt":
                add(to_lines(document_readers.read_odt(data, limits, budget)), ODT)
            elif kind == "xlsx":
                add(to_lines(document_readers.read_xlsx(data, limits, budget)), "xlsx_table")
            elif kind == "pdf":
                try:
                    text, form_fields = document_readers.read_pdf(data, limits, budget)
                except document_readers.NoTextLayer as no_text:  # a scan: its page images read by OCR
                    try:
                        text = ocr.read_pdf_scan(data, limits, budget)
                    except Unreadable as exc:
                        raise Unreadable(f"{no_text}; {exc}") from exc
                    lines = lines_from_text(text)
                    add(lines, PDF_OCR, Wrap.for_pdf(lines))
                    return
                lines = lines_from_layout(text)
                add(lines, "pdf", Wrap.for_pdf(lines))
                if form_fields:  # a fillable PDF: its fields as "label: value" lines
                    add(lines_from_text("\n".join(form_fields)), "pdf")
            elif kind == "rtf":
                add(lines_from_text(document_readers.read_rtf(data, budget)), "rtf")
            elif kind == "msg":
                self.nested(document_readers.read_msg(data, depth + 1), "msg", att.label, depth=depth, via=via, where=where)
            elif kind == "eml":
                if depth + 1 <= MAX_NESTING:
                    self.nested(read_mime(data, budget, depth + 1), "eml", att.label, depth=depth, via=via, where=where)
                else:
                    self.too_deep(part)
            elif kind == "html" and not att.inline:
                add(to_lines(html_blocks(decode_bytes(data, att.charset))), HTML)
            elif kind == "text" and not att.inline:
                text = decode_bytes(data, att.charset)
                if len(text) > MAX_TEXT_CHARS:
                    self.text_cut(part)
                lines = lines_from_text(text[:MAX_TEXT_CHARS])
                add(lines, "text_body", Wrap.for_plain_text(lines))
            elif kind in _UNREADABLE_KINDS:
                raise Unreadable(_UNREADABLE_KINDS[kind])
            elif att.content_type in _UNREADABLE_TYPES or (att.filename or "").lower() == "winmail.dat":
                raise Unreadable(_UNREADABLE_TYPES.get(att.content_type, _UNREADABLE_TYPES["application/ms-tnef"]))
            elif kind == "zip":
                self.found.unreadable.append({"part": part, "reason": "zip archive (not opened)"})
            elif kind == "image" and not att.inline:  # a photographed or scanned form, perhaps
                try:
                    lines = lines_from_text(ocr.read_image(data, limits, budget))
                except Unreadable as exc:
                    if str(exc) in ocr.NOT_A_FORM:  # a photograph, a logo: no text, nothing lost
                        self.found.unreadable.append({"part": part, "reason": "image (no text to read)"})
                        return
                    raise
                add(lines, IMAGE_OCR, Wrap.for_pdf(lines))
        except Unreadable as exc:
            self.unreadable_document(part, str(exc))
        except Exception:  # a reader's own bug must not lose the message
            self.unreadable_document(part, "could not be read")

    def unreadable_document(self, part: str, reason: str) -> None:
        self.found.unreadable_documents += 1
        self.found.unreadable.append({"part": part, "reason": reason})

    def text_cut(self, part: str) -> None:
        """Text past MAX_TEXT_CHARS is not read: the message was not read in full."""
        self.found.truncated = True
        if not any(u["reason"] == TEXT_CUT for u in self.found.unreadable):
            self.found.unreadable.append({"part": part, "reason": TEXT_CUT})

    def too_deep(self, part: str) -> None:
        self.found.truncated = True
        self.found.unreadable.append({"part": part, "reason": NESTED_TOO_DEEPLY})

    def nested(self, inner: Mail, fmt: str, name: str, *, depth: int, via: str | None, where: str) -> None:
        if depth + 1 > MAX_NESTING:
            self.too_deep(f"{where}attachment: {name}")
            return
        layout = via or ("forward_msg" if fmt == "msg" else "forward_eml")
        self.message(inner, depth=depth + 1, via=layout, where=f"{where}forwarded message ({name}) > ", open_attachments=True)
