"""HTML bodies (Outlook, Gmail, web forms) as paragraph and table blocks.

Block elements and ``<br>`` end a paragraph; inline markup flows; tables keep
their rows and cells (nested tables too) so that :mod:`.blocks` can pair
label cells with value cells. Bold (``<b>``, ``<strong>``, ``<th>``,
headings, ``font-weight:bold``) is kept as emphasis, a hint that a line is a
label.
"""

from __future__ import annotations

import re

from bs4 import (
    BeautifulSoup,
    Comment,
    Declaration,
    Doctype,
    NavigableString,
    ProcessingInstruction,
    Tag,
)

from .blocks import Block, Para, Table
from .limits import MAX_HTML_CHARS

_SKIP = {"script", "style", "head", "title", "meta", "link", "noscript", "template", "svg", "object", "iframe", "xml"}
_BLOCK = {
    "p", "div", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "section", "article",
    "header", "footer", "address", "dl", "dt", "dd", "form", "fieldset", "center", "hr", "body", "html", "main",
    "nav", "aside", "figure", "figcaption", "caption", "legend", "tr", "tbody", "thead", "tfoot",
}
_BOLD = {"b", "strong", "th", "h1", "h2", "h3", "h4", "h5", "h6"}
_BOLD_STYLE = re.compile(r"font-weight\s*:\s*(?:bold|bolder|[6-9]00)", re.IGNORECASE)
_QUOTED_MARKERS = re.compile(r"gmail_quote|gmail_attr|moz-cite-prefix|yahoo_quoted|divRplyFwdMsg|appendonsend|OLK_SRC_BODY_SECTION", re.IGNORECASE)
_MAX_DEPTH = 150


class _Stop(Exception):
    """Raised to stop reading at the start of quoted history (new-part mode)."""


def html_blocks(html: str, *, drop_quoted: bool = False) -> list[Block]:
    """Blocks of an HTML document. With ``drop_quoted``, blockquotes and everything
    from a reply/forward header container (Outlook, Gmail, Thunderbird) onwards are left out."""
    soup = BeautifulSoup(html[:MAX_HTML_CHARS], "html.parser")
    walker = _Walker(drop_quoted)
    try:
        walker.walk(soup, 0)
    except _Stop:
        pass
    walker.flush()
    return walker.out


class _Walker:
    def __init__(self, drop_quoted: bool):
        self.drop_quoted = drop_quoted
        self.out: list[Block] = []
        self.parts: list[str] = []
        self.chars = 0
        self.bold_chars = 0
        self.bold_lead: int | None = None  # where a paragraph's leading bold text ends

    def flush(self) -> None:
        if self.parts:
            parts = self.parts
            if self.bold_lead is not None:  # "<b>Summary</b> The child ...": the bold lead is a label
                parts = parts[:self.bold_lead] + ["\t"] + parts[self.bold_lead:]
            self.out.append(Para("".join(parts), emphasis=self.chars > 0 and self.bold_chars == self.chars))
        self.parts, self.chars, self.bold_chars, self.bold_lead = [], 0, 0, None

    def text(self, s: str, bold: bool, pre: bool) -> None:
        if not pre:
            s = re.sub(r"\s+", " ", s)
        visible = len(s.strip())
        if visible and not bold and self.chars and self.bold_chars == self.chars and self.bold_lead is None:
            self.bold_lead = len(self.parts)
        self.chars += visible
        self.bold_chars += visible if bold else 0
        self.parts.append(s)

    def walk(self, node: Tag, depth: int, bold: bool = False, pre: bool = False) -> None:
        for child in node.children:
            if isinstance(child, (Comment, Declaration, Doctype, ProcessingInstruction)):
                continue
            if isinstance(child, NavigableString):
                if pre and "\n" in child:
                    for i, piece in enumerate(str(child).split("\n")):
                        if i:
                            self.flush()
                        self.text(piece, bold, True)
                else:
                    self.text(str(child), bold, pre)
                continue
            if not isinstance(child, Tag):
                continue
            name = (child.name or "").lower()
            if name in _SKIP:
                continue
            if self.drop_quoted:
                if name == "blockquote":
                    continue
                marker = " ".join(child.get("class") or []) + " " + (child.get("id") or "")
                if _QUOTED_MARKERS.search(marker):
                    raise _Stop
            if name == "br":
                self.flush()
                continue
            if depth >= _MAX_DEPTH:
                self.text(child.get_text(" "), bold, pre)
                continue
            if name == "table":
                self.flush()
                self.out.append(self.table(child, depth + 1))
                continue
            child_bold = bold or name in _BOLD or bool(_BOLD_STYLE.search(child.get("style") or ""))
            if name in _BLOCK:
                self.flush()
                self.walk(child, depth + 1, child_bold, pre or name == "pre")
                self.flush()
            else:
                self.walk(child, depth + 1, child_bold, pre)

    def table(self, table: Tag, depth: int) -> Table:
        out = Table()
        for tr in _rows(table):
            row: list[list[Block]] = []
            for cell in tr.children:
                if not isinstance(cell, Tag) or cell.name not in ("td", "th"):
                    continue
                inner = _Walker(self.drop_quoted)
                try:
                    inner.walk(cell, depth + 1, bold=cell.name == "th")
                finally:
                    inner.flush()
                row.append([b for b in inner.out if not (isinstance(b, Para) and not b.text.strip())])
            out.rows.append(row)
        return out


def _rows(table: Tag):
    for child in table.children:
        if not isinstance(child, Tag):
            continue
        if child.name == "tr":
            yield child
        elif child.name in ("thead", "tbody", "tfoot"):
            yield from (tr for tr in child.children if isinstance(tr, Tag) and tr.name == "tr")
