"""Keep the document libraries quiet while a message is parsed.

pypdf, extract-msg and its helpers log warnings about damaged files, and
their messages can quote raw document bytes - which may be a child's name or
address. Referral content must never reach a log (PROCESS.md), so their loggers
stay above CRITICAL for the whole process (:func:`service.logs.silence_document_libraries`,
at logging set-up and again here; raising and restoring the levels around every
parse cost more than the parse of a short email: each change of a level clears
every logger's cache), and while any parse is running Python warnings are ignored. A counter makes this safe when parses overlap in threads:
the warning filters are restored only when the last one finishes.
"""

from __future__ import annotations

import threading
import warnings
from collections.abc import Iterator
from contextlib import contextmanager

from service.logs import silence_document_libraries

_lock = threading.Lock()
_active = 0
_saved_filters: list = []


@contextmanager
def quiet_libraries() -> Iterator[None]:
    """Silence the document libraries' loggers and all warnings for the duration."""
    global _active
    with _lock:
        silence_document_libraries()
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
