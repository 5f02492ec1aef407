"""Encryption at rest for the personal data the database holds.

Names, dates of birth, addresses, case summaries, raw emails and the bodies
and attachments of letters are stored sealed with AES-256-GCM (authenticated
encryption, from the ``cryptography`` package). A sealed value is::

    b"RC1" | key id (4 bytes) | nonce (12 bytes) | ciphertext and tag

The key id (the first 4 bytes of SHA-256 of the key) says which key sealed
it, so a key ring of the current key and earlier ones can read everything
while ``review-clerk keys rotate`` re-seals it with a new key. A value sealed
with a key that is not on the ring, or altered in any way, raises
:class:`KeyProblem` instead of returning garbage.

The column types (:class:`SealedJSON`, :class:`SealedBytes`,
:class:`SealedText`) seal and open transparently, with the key ring the
process installed at start-up (:func:`install`): one service process works
with one database and one key.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
from pathlib import Path
from typing import Any, Sequence

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import LargeBinary
from sqlalchemy.types import TypeDecorator

MAGIC = b"RC1"
KEY_CHECK_PLAINTEXT = b"review-clerk key check"


class KeyProblem(Exception):
    """The encryption key is missing, malformed or not the one the data was sealed with."""


def new_key() -> bytes:
    return AESGCM.generate_key(bit_length=256)


def encode_key(key: bytes) -> str:
    return base64.urlsafe_b64encode(key).decode("ascii")


def decode_key(text: str, where: str) -> bytes:
    try:
        key = base64.urlsafe_b64decode(text.strip().encode("ascii"))
    except (ValueError, UnicodeEncodeError):
        key = b""
    if len(key) != 32:
        raise KeyProblem(f"{where} does not hold an encryption key (expected 32 bytes, base64-encoded; "
                         f"make one with `review-clerk keys new`)")
    return key


def key_id(key: bytes) -> bytes:
    return hashlib.sha256(key).digest()[:4]


class KeyRing:
    """The current key (seals) and earlier ones (open only)."""

    def __init__(self, keys: Sequence[bytes]):
        if not keys:
            raise KeyProblem("no encryption key")
        self.current = keys[0]
        self._by_id = {key_id(k): AESGCM(k) for k in reversed(keys)}
        self._current_id = key_id(self.current)

    @property
    def current_id(self) -> str:
        return self._current_id.hex()

    def seal(self, plain: bytes) -> bytes:
        nonce = secrets.token_bytes(12)
        return MAGIC + self._current_id + nonce + self._by_id[self._current_id].encrypt(nonce, plain, MAGIC)

    def open(self, sealed: bytes) -> bytes:
        if not sealed.startswith(MAGIC) or len(sealed) < len(MAGIC) + 4 + 12 + 16:
            raise KeyProblem("a stored value is not sealed data (was the database written without encryption?)")
        kid, nonce, body = sealed[3:7], sealed[7:19], sealed[19:]
        aead = self._by_id.get(kid)
        if aead is None:
            raise KeyProblem(f"data sealed with key {kid.hex()}, which is not among the configured keys "
                             f"({', '.join(k.hex() for k in self._by_id)})")
        try:
            return aead.decrypt(nonce, body, MAGIC)
        except Exception:  # InvalidTag: altered, or sealed by another key with a colliding id
            raise KeyProblem(f"a stored value sealed with key {kid.hex()} failed its integrity check") from None

    def sealed_with_current(self, sealed: bytes) -> bool:
        return sealed[3:7] == self._current_id


_RING: KeyRing | None = None


def install(ring: KeyRing) -> None:
    """The key ring this process seals and opens with (set once at start-up)."""
    global _RING
    _RING = ring


def ring() -> KeyRing:
    if _RING is None:
        raise KeyProblem("no encryption key is installed (the service was not started through bootstrap)")
    return _RING


class _Sealed(TypeDecorator):
    impl = LargeBinary
    cache_ok = True

    def to_bytes(self, value: Any) -> bytes:  # pragma: no cover - overridden
        raise NotImplementedError

    def from_bytes(self, data: bytes) -> Any:  # pragma: no cover - overridden
        raise NotImplementedError

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        return ring().seal(self.to_bytes(value))

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return self.from_bytes(ring().open(bytes(value)))


class SealedJSON(_Sealed):
    cache_ok = True  # SQLAlchemy asks each type class itself

    def to_bytes(self, value: Any) -> bytes:
        return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")

    def from_bytes(self, data: bytes) -> Any:
        return json.loads(data.decode("utf-8"))


class SealedBytes(_Sealed):
    cache_ok = True  # SQLAlchemy asks each type class itself

    def to_bytes(self, value: Any) -> bytes:
        return bytes(value)

    def from_bytes(self, data: bytes) -> Any:
        return data


class SealedText(_Sealed):
    cache_ok = True  # SQLAlchemy asks each type class itself

    def to_bytes(self, value: Any) -> bytes:
        return str(value).encode("utf-8")

    def from_bytes(self, data: bytes) -> Any:
        return data.decode("utf-8")


def read_key_file(path: Path) -> list[bytes]:
    """A key file holds the current key on its first line and, after rotation, earlier keys below it."""
    try:
        lines = [ln.strip() for ln in path.read_text(encoding="ascii").splitlines() if ln.strip()
                 and not ln.lstrip().startswith("#")]
    except FileNotFoundError:
        raise KeyProblem(f"the encryption key file {path} does not exist") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise KeyProblem(f"cannot read the encryption key file {path}: {exc}") from None
    if not lines:
        raise KeyProblem(f"the encryption key file {path} is empty")
    return [decode_key(line, f"line {i + 1} of {path}") for i, line in enumerate(lines)]


def write_key_file(path: Path, keys: Sequence[bytes]) -> None:
    """Write keys (current first) readable by the owner only (its folder too, when this makes it),
    replacing the file atomically."""
    from service.files import write_private

    text = ("# Review Clerk encryption key: keep it secret, keep a backup. Without it the personal\n"
            "# data in the database cannot be read. The first key seals; any below it only open.\n"
            + "".join(encode_key(k) + "\n" for k in keys))
    write_private(path, text.encode("ascii"))
