"""The fake Bot API's files from users: getFile, and the download at /file/bot<token>/<path>."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.fakegram import FakeTelegram


@pytest.fixture
def fake() -> Iterator[FakeTelegram]:
    with FakeTelegram() as server:
        yield server


def test_files__user_sends_document__bot_downloads_its_bytes(fake: FakeTelegram) -> None:
    user = fake.user(1001, first_name="王芳")
    document = user.send_document("台账.xlsx", "application/octet-stream", data=b"ledger bytes")
    file_id = document["document"]["file_id"]
    assert document["document"]["file_size"] == len(b"ledger bytes")
    base = fake.api_url.removesuffix("/bot")
    with httpx.Client(timeout=10) as client:
        found = client.post(f"{fake.api_url}{fake.token}/getFile", json={"file_id": file_id})
        path = found.json()["result"]["file_path"]
        assert client.get(f"{base}/file/bot{fake.token}/{path}").content == b"ledger bytes"
        assert client.get(f"{base}/file/bot123:wrong/{path}").status_code == 404
        unknown = client.post(f"{fake.api_url}{fake.token}/getFile", json={"file_id": "nope"})
        assert unknown.json() == {
            "ok": False,
            "error_code": 400,
            "description": "Bad Request: invalid file_id",
        }


def test_files__document_without_data__cannot_be_fetched(fake: FakeTelegram) -> None:
    user = fake.user(1001, first_name="王芳")
    file_id = user.send_document("说明.pdf")["document"]["file_id"]
    with httpx.Client(timeout=10) as client:
        found = client.post(f"{fake.api_url}{fake.token}/getFile", json={"file_id": file_id})
    assert found.json()["error_code"] == 400
