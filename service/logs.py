"""Logging: readable lines or JSON lines, with the structured fields the service adds.

Log records carry message ids, hashes and case references in ``extra``;
never a name, date of birth or address of a child or family member.
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import datetime, timezone

_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime"}


class JsonLines(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        out = {"ts": datetime.fromtimestamp(record.created, timezone.utc).isoformat(), "level": record.levelname,
               "logger": record.name, "msg": record.getMessage()}
        out.update({k: v for k, v in vars(record).items() if k not in _STANDARD})
        if record.exc_info and record.exc_info[0] is not None:
            out["exc_type"] = record.exc_info[0].__name__
        return json.dumps(out, default=str)


class Plain(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        extra = " ".join(f"{k}={v}" for k, v in vars(record).items() if k not in _STANDARD)
        ts = datetime.fromtimestamp(record.created).strftime("%Y-%m-%d %H:%M:%S")
        line = f"{ts} {record.levelname:<7} {record.name}: {record.getMessage()}" + (f" [{extra}]" if extra else "")
        if record.exc_info and record.exc_info[0] is not None:
            line += f" ({record.exc_info[0].__name__})"  # no traceback text: it can quote documents
        return line


class _StandardError(logging.StreamHandler):
    """Writes to whatever ``sys.stderr`` is when a record is emitted, not the one it was set up with
    (which a test runner, or a command run in-process, may have closed since)."""

    def __init__(self) -> None:
        super().__init__(sys.stderr)

    @property
    def stream(self):  # type: ignore[override]
        return sys.stderr

    @stream.setter
    def stream(self, value) -> None:
        pass


def setup(level: str = "INFO", json_lines: bool = False, stream=None) -> None:
    handler = logging.StreamHandler(stream) if stream is not None else _StandardError()
    handler.setFormatter(JsonLines() if json_lines else Plain())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for noisy in ("apscheduler", "urllib3", "msal", "O365", "alembic"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, logging.getLevelName(level)))
    silence_document_libraries()


# The document libraries: their warnings about damaged files can quote the document (a child's name, an
# address), so they never reach a log, whoever calls them (intake, agency returns, chronologies).
DOCUMENT_LIBRARIES = ("pypdf", "extract_msg", "RTFDE", "olefile", "compressed_rtf", "bs4", "docx")


def silence_document_libraries() -> None:
    """Raise the document libraries' loggers above CRITICAL. A level on a package's logger silences its
    modules' loggers too (they inherit it); ``disabled`` would not."""
    for name in DOCUMENT_LIBRARIES:
        logger = logging.getLogger(name)
        if logger.level != logging.CRITICAL + 1:  # each change of a level clears every logger's cache
            logger.setLevel(logging.CRITICAL + 1)
