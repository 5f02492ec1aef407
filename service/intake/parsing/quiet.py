"""Keep the document libraries quiet while a message is parsed.

pypdf, extract-msg and its helpers log warnings about damaged files, and
their messages can quote raw document bytes - which may be a child's name or
address. Referral content must never reach a log (PROCESS.md), so the first
parse raises their loggers above CRITICAL for the rest of the process (they read
documents, and only documents, whoever calls them; raising and restoring the
levels around every parse cost more than the parse of a short email: each change
of a level clears every logger's cache), and while any parse is running Python
warnings are ignored. A counter makes this safe when parses overlap in threads:
the warning filters are restored only when the last one finishes.
"""

from __future__ import annotations

import logging
import threading
import warnings
from collections.abc import Iterator
from contextlib import contextmanager

LIBRARY_LOGGERS = ("pypdf", "extract_msg", "RTFDE", "olefile", "compressed_rtf", "bs4", "docx")

_lock = threading.Lock()
_active = 0
_silenced = False
_saved_filters: list = []


def silence_library_loggers() -> None:
    """Raise the document libraries' loggers above CRITICAL (once per process)."""
    global _silenced
    if _silenced:
        return
    for name in LIBRARY_LOGGERS:
        # A level on the package's logger silences its modules' loggers too
        # (they inherit it); ``disabled`` would not.
        logging.getLogger(name).setLevel(logging.CRITICAL + 1)
    _silenced = True


@contextmanager
def quiet_libraries() -> Iterator[None]:
    """Silence the document libraries' loggers and all warnings for the duration."""
    global _active
    with _lock:
        silence_library_loggers()
        if _active == 0:
            _saved_filters[:] = warnings.filters[:]
            warnings.simplefilter("ignore")
        _active += 1
    try:
        yield
    finally:
        with _lock:
            _active -= 1
            if _active == 0:
                warnings.filters[:] = _saved_filters
                warnings._filters_mutated()  # invalidate the warnings module's cache
