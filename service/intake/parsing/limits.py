"""How much work one message may cost, and the counter that enforces it.

:class:`Limits` is part of the public API (callers pass smaller limits in tests
or for a stricter mailbox). :class:`Budget` is per message and shared by every
nested part of it, so a forwarded message inside a forwarded message cannot
multiply the allowance.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Limits:
    """Upper bounds on what :func:`parse_message` will read.

    - ``max_message_bytes``: a larger message is not parsed; it goes to a person.
    - ``max_expanded_bytes``: the most any one document may expand to (zip
      members of a .docx/.xlsx, text of a PDF), and the most all documents of a
      message may expand to together. Guards against zip bombs.
    - ``max_attachments``: a message with more attachments (counting those of
      forwarded messages) goes to a person; its attachments are not opened.
    - ``max_pdf_pages``: only this many pages of a PDF are read.
    - ``max_ocr_pages``: the most pages (scanned PDF pages and attached images together) read by
      OCR in one message; more goes to a person. ``ocr_seconds_per_page``, ``max_ocr_pixels``,
      ``max_ocr_bytes`` and ``ocr_memory_bytes`` bound each page's OCR process.
    """

    max_message_bytes: int = 25 * 1024 * 1024
    max_expanded_bytes: int = 100 * 1024 * 1024
    max_attachments: int = 20
    max_pdf_pages: int = 200
    max_ocr_pages: int = 6
    ocr_seconds_per_page: float = 60.0
    max_ocr_pixels: int = 40_000_000  # an A4 page at 600 dpi is 35 million
    max_ocr_bytes: int = 20 * 1024 * 1024
    ocr_memory_bytes: int = 1024 * 1024 * 1024


# Internal bounds that are not worth a knob.
MAX_NESTING = 8  # forwarded message inside forwarded message ... deeper is not read (and goes to a person)
MAX_MIME_PARTS = 500  # leaf parts walked per message, all levels together
MAX_TEXT_CHARS = 1_000_000  # characters of any one candidate text that are examined
MAX_HTML_CHARS = 1_000_000  # characters of HTML handed to the HTML parser (about 3 s of parsing)
MAX_XML_BYTES = 30 * 1024 * 1024  # one Office XML part (a form's body is well under 1 MB)

# ``unreadable`` reasons for parts skipped because of the bounds above. A message with any of them
# was not read in full, so it is never filed away as "not a referral" (see pipeline).
NESTED_TOO_DEEPLY = "forwarded messages nested too deeply"
TOO_COMPLEX = "too many MIME parts, or parts nested too deeply"
TEXT_CUT = "a text longer than the parser reads (the rest was not read)"


class Budget:
    """Running totals for one message. Not thread-safe; one per parse."""

    def __init__(self, limits: Limits):
        self.limits = limits
        self.expanded_bytes = 0
        self.parts_walked = 0
        self.ocr_pages = 0

    def take_expanded(self, n: int) -> bool:
        """Account for ``n`` more expanded bytes; False when that exceeds the limit."""
        self.expanded_bytes += max(n, 0)
        return self.expanded_bytes <= self.limits.max_expanded_bytes

    def take_ocr_page(self) -> bool:
        """Account for one more page read by OCR; False when that exceeds the limit."""
        self.ocr_pages += 1
        return self.ocr_pages <= self.limits.max_ocr_pages

    def remaining_expanded(self) -> int:
        return max(self.limits.max_expanded_bytes - self.expanded_bytes, 0)
