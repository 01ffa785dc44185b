"""Password protection of a workbook that holds full ID numbers and phones (Office encryption,
which Excel and WPS open after asking for the password)."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from msoffcrypto.format.ooxml import OOXMLFile

# No 0/O, 1/l/I: the password is read off one chat message and typed into Excel.
ALPHABET = "23456789abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ"
PASSWORD_LENGTH = 14


def one_time_password() -> str:
    """A fresh random password for one file."""
    return "".join(secrets.choice(ALPHABET) for _ in range(PASSWORD_LENGTH))


def encrypt_in_place(path: Path, password: str) -> None:
    """Replace the workbook at `path` by its encrypted form (written beside it, then moved)."""
    encrypted = path.with_name(path.name + ".enc")
    with path.open("rb") as plain, encrypted.open("wb") as out:
        OOXMLFile(plain).encrypt(password, out)
    os.replace(encrypted, path)
