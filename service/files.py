"""Files the service writes are its owner's alone: folders 700, files 600, whatever the umask.

The data folder holds the SQLite database, raw emails and drafts that name children; a
group- or world-readable file there is a leak waiting for a shared server or a backup
share. Every folder and file the service creates goes through this module.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

DIR_MODE = 0o700
FILE_MODE = 0o600


def private_dir(path: Path) -> Path:
    """Create ``path`` and any missing parents owner-only (700). Existing folders are left as they are:
    ``doctor`` reports one that is wider."""
    path = Path(path)
    missing = []
    p = path
    while not p.exists():
        missing.append(p)
        if p.parent == p:
            break
        p = p.parent
    for folder in reversed(missing):
        try:
            os.mkdir(folder, DIR_MODE)
        except FileExistsError:
            continue  # another process made it first
        os.chmod(folder, DIR_MODE)  # mkdir's mode is filtered by the umask
    return path


def write_private(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically (a temporary file renamed into place), owner-only."""
    path = Path(path)
    private_dir(path.parent)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
    try:
        os.fchmod(fd, FILE_MODE)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    os.replace(tmp, path)


def append_private(path: Path, data: bytes) -> None:
    """Append ``data`` in one write (lines from several processes never interleave), creating the file
    owner-only."""
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, FILE_MODE)
    try:
        os.write(fd, data)
    finally:
        os.close(fd)


def make_private(path: Path) -> None:
    """Narrow an existing file to its owner (a message the service files away, which someone else dropped
    into the inbox). A file this user does not own is left as it is."""
    try:
        os.chmod(path, FILE_MODE)
    except OSError:
        pass


def wider_than_owner(path: Path) -> bool:
    """Whether the group or others may read, write or enter ``path``."""
    try:
        return bool(stat.S_IMODE(os.stat(path).st_mode) & 0o077)
    except OSError:
        return False
