"""Personal data at rest: AES-GCM column encryption and the blind index of ID numbers.

The database holds `v1:<key id>:<base64(nonce + ciphertext)>`; queries and the ORM see clear
text through the `EncryptedText` column type. The data key never lives in the database: the
composition root (or a migration) builds a `Keyring` from DATA_KEY / DATA_KEY_FILE and installs
it here with `use_keyring`, explicitly, before any encrypted column is read or written.

Two subkeys are derived from each data key with HKDF: one encrypts, one keys the blind index
(HMAC-SHA256 of an ID number, so "is this ID on file?" needs no decryption). Both rotate with the
data key: `python -m bot keys rotate` re-encrypts every row and recomputes its hash, and while a
previous key is configured, lookups try the hashes of every key, so reads and the one-file-per-ID
rule keep working during a rotation.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy import Text
from sqlalchemy.types import TypeDecorator

VERSION = "v1"
NONCE_BYTES = 12
KEY_BYTES = 32
KEY_HELP = (
    "No data key: set DATA_KEY (or DATA_KEY_FILE) to a key made with `python -m bot keys new`, "
    "and keep it apart from the database and its backups."
)


class DataKeyError(Exception):
    """A data key is missing, malformed, or does not open a stored value."""


class MissingDataKey(DataKeyError):
    """No data key was configured; the message says how to make one."""

    def __init__(self, message: str = KEY_HELP) -> None:
        super().__init__(message)


def _subkey(key: bytes, purpose: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=KEY_BYTES, salt=None, info=purpose).derive(key)


@dataclass(frozen=True)
class DataKey:
    """One data key with its derived encryption and index subkeys and its public id."""

    secret: bytes = field(repr=False)

    # Derived once per key: every value encrypted and every ID indexed reads them (a ledger
    # import of 25,000 children, six times a row).
    @cached_property
    def key_id(self) -> str:
        # Names the key in stored values without revealing anything about it.
        return _subkey(self.secret, b"guanai key id").hex()[:8]

    @cached_property
    def aead(self) -> AESGCM:
        return AESGCM(_subkey(self.secret, b"guanai encrypt"))

    @cached_property
    def index_key(self) -> bytes:
        return _subkey(self.secret, b"guanai index")


def new_key_text() -> str:
    """Return a fresh random data key, base64-encoded, for DATA_KEY."""
    return base64.b64encode(secrets.token_bytes(KEY_BYTES)).decode()


def parse_key(text: str, *, source: str = "DATA_KEY") -> DataKey:
    """Read a base64 data key of 32 bytes, or raise DataKeyError naming where it came from."""
    try:
        raw = base64.b64decode(text.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise DataKeyError(
            f"{source} is not base64: make one with `python -m bot keys new`."
        ) from None
    if len(raw) != KEY_BYTES:
        raise DataKeyError(
            f"{source} must be {KEY_BYTES} bytes in base64: make one with `python -m bot keys new`."
        )
    return DataKey(raw)


class Keyring:
    """The current data key, which writes, and previous keys, which still read."""

    def __init__(self, current: DataKey, previous: Iterable[DataKey] = ()) -> None:
        self.current = current
        self.previous = tuple(k for k in previous if k.key_id != current.key_id)
        self._by_id = {k.key_id: k for k in (current, *self.previous)}
        self._aead = {kid: k.aead for kid, k in self._by_id.items()}
        self._index_keys = [k.index_key for k in (current, *self.previous)]
        self.prefix = f"{VERSION}:{current.key_id}:"

    @classmethod
    def generate(cls) -> Keyring:
        """Return a keyring with one fresh random key (tests, benchmarks)."""
        return cls(parse_key(new_key_text()))

    def encrypt(self, text: str) -> str:
        """Encrypt text with the current key."""
        nonce = os.urandom(NONCE_BYTES)
        sealed = self._aead[self.current.key_id].encrypt(nonce, text.encode(), None)
        return self.prefix + base64.b64encode(nonce + sealed).decode()

    def decrypt(self, stored: str) -> str:
        """Decrypt a stored value written with the current or a previous key."""
        version, _, rest = stored.partition(":")
        key_id, _, payload = rest.partition(":")
        if version != VERSION or not payload:
            raise DataKeyError("a personal-data column holds a value that is not encrypted")
        aead = self._aead.get(key_id)
        if aead is None:
            raise DataKeyError(
                f"a stored value was encrypted with key {key_id}, which is neither DATA_KEY nor "
                "in DATA_KEY_PREVIOUS"
            )
        raw = base64.b64decode(payload)
        try:
            return aead.decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], None).decode()
        except InvalidTag:
            raise DataKeyError(f"a stored value does not open with key {key_id}") from None

    def is_current(self, stored: str | None) -> bool:
        """Tell whether a stored value is empty or already encrypted with the current key."""
        return stored is None or stored.startswith(self.prefix)

    def blind_index(self, id_number: str) -> str:
        """The current key's keyed hash of an ID number, stored in id_number_hash."""
        return _hmac(self.current.index_key, id_number)

    def blind_indexes(self, id_number: str) -> list[str]:
        """The ID number's hash under every key: lookups match any during a rotation."""
        return [_hmac(key, id_number) for key in self._index_keys]


def _hmac(key: bytes, id_number: str) -> str:
    return hmac.new(key, id_number.strip().upper().encode(), hashlib.sha256).hexdigest()


def _read_file(path: str, name: str) -> str:
    try:
        return Path(path).read_text(encoding="utf-8")
    except OSError as error:
        raise DataKeyError(f"{name} {path} cannot be read: {error.strerror}.") from None


def load_keyring(
    *, key: str = "", key_file: str = "", previous: str = "", previous_file: str = ""
) -> Keyring:
    """Build the keyring from DATA_KEY[_FILE] and DATA_KEY_PREVIOUS[_FILE]; raise if none."""
    if key_file and not key:
        key = _read_file(key_file, "DATA_KEY_FILE")
    if not key.strip():
        raise MissingDataKey()
    current = parse_key(key, source="DATA_KEY_FILE" if key_file else "DATA_KEY")
    old_texts = [part for part in previous.replace("\n", ",").split(",") if part.strip()]
    if previous_file:
        old_texts += _read_file(previous_file, "DATA_KEY_PREVIOUS_FILE").split()
    old = [parse_key(text, source="DATA_KEY_PREVIOUS") for text in old_texts]
    return Keyring(current, old)


def keyring_from_environment(environ: Mapping[str, str] | None = None) -> Keyring:
    """Build the keyring from the process environment (migrations have no settings object)."""
    env = os.environ if environ is None else environ
    return load_keyring(
        key=env.get("DATA_KEY", ""),
        key_file=env.get("DATA_KEY_FILE", ""),
        previous=env.get("DATA_KEY_PREVIOUS", ""),
        previous_file=env.get("DATA_KEY_PREVIOUS_FILE", ""),
    )


_keyring: Keyring | None = None


def use_keyring(keyring: Keyring | None) -> None:
    """Install the keyring every encrypted column uses (the composition root calls this)."""
    global _keyring
    _keyring = keyring


def has_keyring() -> bool:
    """Tell whether a keyring was installed."""
    return _keyring is not None


def keyring() -> Keyring:
    """Return the installed keyring, or raise MissingDataKey."""
    if _keyring is None:
        raise MissingDataKey()
    return _keyring


class EncryptedText(TypeDecorator[str]):
    """Text stored AES-GCM encrypted with the installed keyring; clear text to its users."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: Any) -> str | None:
        return None if value is None else keyring().encrypt(value)

    def process_result_value(self, value: str | None, dialect: Any) -> str | None:
        return None if value is None else keyring().decrypt(value)
