"""What a Bot API call carries: string arguments and uploaded files."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field

from tests.fakegram.state import (
    UPLOAD_LIMIT,
    Store,
    StoredFile,
    bad_request,
    image_size,
    too_large,
)

IMAGE_MAGIC = (b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n", b"GIF87a", b"GIF89a", b"BM", b"RIFF")


@dataclass
class Upload:
    """A file part of a multipart request."""

    filename: str | None
    content_type: str | None
    data: bytes


@dataclass
class Request:
    """One Bot API call: canonical method name, string arguments, uploaded files."""

    method: str
    args: dict[str, str]
    files: dict[str, Upload] = field(default_factory=dict)

    def arg(self, name: str) -> str:
        """Return an argument, or "" when absent (as the Bot API server does)."""
        return self.args.get(name, "")

    def int_arg(self, name: str) -> int:
        """Return an integer argument, 0 when absent or malformed."""
        try:
            return int(self.arg(name).strip() or 0)
        except ValueError:
            return 0

    def bool_arg(self, name: str) -> bool:
        """Return a boolean argument ("true" or "1")."""
        return self.arg(name).strip().lower() in ("true", "1")


def input_file(store: Store, request: Request, kind: str) -> StoredFile:
    """Return the file sent as kind: an upload, an attach:// part, a file_id or a URL."""
    raw = request.arg(kind)
    upload = request.files.get(kind)
    if raw.startswith("attach://"):
        upload = request.files.get(raw.removeprefix("attach://"))
    if upload is not None:
        if not upload.data:
            raise bad_request("file must be non-empty")
        if len(upload.data) > UPLOAD_LIMIT:
            raise too_large()
        if kind == "photo":
            check_photo(upload.data)
        prefix = "AgAC" if kind == "photo" else "BQAC"
        stored = StoredFile(
            file_id=prefix + secrets.token_urlsafe(30),
            kind=kind,
            file_unique_id="AQAD" + secrets.token_urlsafe(9),
            file_name=upload.filename if kind == "document" else None,
            mime_type=upload.content_type if kind == "document" else None,
            data=upload.data,
        )
        store.files[stored.file_id] = stored
        return stored
    if raw in store.files:
        stored = store.files[raw]
        if stored.kind != kind:
            raise bad_request(f"can't use file of type {stored.kind.title()} as {kind.title()}")
        return stored
    if raw.startswith(("http://", "https://")):
        name = raw.rstrip("/").rsplit("/", 1)[-1] or None
        return StoredFile(raw, "AQAD" + secrets.token_urlsafe(9), kind, name, None, b"")
    if raw:
        raise bad_request("wrong file identifier/HTTP URL specified")
    raise bad_request(f"there is no {kind} in the request")


def check_photo(data: bytes) -> None:
    """Refuse what Telegram cannot process as a photo (not an image, bad dimensions)."""
    if not data.startswith(IMAGE_MAGIC):
        raise bad_request("IMAGE_PROCESS_FAILED")
    width, height = image_size(data)
    if not width or not height:
        raise bad_request("IMAGE_PROCESS_FAILED")
    if width + height > 10000 or max(width, height) > 20 * min(width, height):
        raise bad_request("PHOTO_INVALID_DIMENSIONS")
    if len(data) > 10 * 1024 * 1024:
        raise bad_request("PHOTO_SAVE_FILE_INVALID")
