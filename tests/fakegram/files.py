"""Files users send the bot: getFile, and the download the Bot API serves at
`/file/bot<token>/<file_path>` (files up to 20 MB, as the cloud Bot API allows)."""

from __future__ import annotations

import re
from typing import Any

from aiohttp import web

from tests.fakegram.request import Request
from tests.fakegram.state import Store, StoredFile, bad_request

DOWNLOAD_LIMIT = 20 * 1024 * 1024
FILE_PATH_RE = re.compile(r"/file/bot([^/]+)/(documents|photos)/(.+)")


def store_user_file(store: Store, stored: StoredFile) -> None:
    """Keep a file a user sent, so the bot can fetch it by its file_id."""
    with store.cond:
        store.files[stored.file_id] = stored


def _path_of(stored: StoredFile) -> str:
    folder = "photos" if stored.kind == "photo" else "documents"
    return f"{folder}/{stored.file_id}"


def get_file(store: Store, request: Request) -> Any:
    """getFile: the File object with its download path."""
    file_id = request.arg("file_id")
    if not file_id:
        raise bad_request("file_id not specified")
    stored = store.files.get(file_id)
    if stored is None:
        raise bad_request("invalid file_id")
    if len(stored.data) > DOWNLOAD_LIMIT:
        raise bad_request("file is too big")
    return {
        "file_id": stored.file_id,
        "file_unique_id": stored.file_unique_id,
        "file_size": len(stored.data),
        "file_path": _path_of(stored),
    }


def serve_file(store: Store, path: str) -> web.Response:
    """The bytes of a file by the path getFile gave, for the bot's token only."""
    match = FILE_PATH_RE.fullmatch(path)
    if match is None or match[1] != store.token:
        return web.Response(status=404, text="Not Found")
    with store.cond:
        stored = store.files.get(match[3])
    if stored is None or _path_of(stored) != f"{match[2]}/{match[3]}":
        return web.Response(status=404, text="Not Found")
    return web.Response(body=stored.data, content_type="application/octet-stream")
