"""Keep the document libraries quiet while a message is parsed.

pypdf, extract-msg and its helpers log warnings about damaged files, and
their messages can quote raw document bytes - which may be a child's name or
address. Referral content must never reach a log (PROCESS.md), so while any
parse is running their loggers are raised above CRITICAL and Python warnings are ignored.
A counter makes this safe when parses overlap in threads: the loggers are
restored only when the last one finishes.
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
_saved_levels: dict[str, int] = {}
_saved_filters: list = []


@contextmanager
def quiet_libraries() -> Iterator[None]:
    """Silence the document libraries' loggers and all warnings for the duration."""
    global _active
    with _lock:
        if _active == 0:
            for name in LIBRARY_LOGGERS:
                # A level on the package's logger silences its modules' loggers too
                # (they inherit it); ``disabled`` would not.
                logger = logging.getLogger(name)
                _saved_levels[name] = logger.level
                logger.setLevel(logging.CRITICAL + 1)
            _saved_filters[:] = warnings.filters[:]
            warnings.simplefilter("ignore")
        _active += 1
    try:
        yield
    finally:
        with _lock:
            _active -= 1
            if _active == 0:
                for name, level in _saved_levels.items():
                    logging.getLogger(name).setLevel(level)
                _saved_levels.clear()
                warnings.filters[:] = _saved_filters
                warnings._filters_mutated()  # invalidate the warnings module's cache
