"""Dossier files in GridFS on the real FerretDB (PyMongo's async GridFS API), and through the awards API."""

from __future__ import annotations

import hashlib
import os
from collections.abc import AsyncIterator

import httpx
import pytest

from tdkt_awards.service import DEFINITION as AWARDS
from tdkt_shared.auth import Role, dev_headers
from tdkt_shared.runtime import Runtime
from tdkt_shared.settings import Settings
from tdkt_shared.store import AlreadyExists, NotFound, connect
from tdkt_shared.store.files import GridFSFileStore
from tests.helpers import PDF_BYTES, serve
from tests.integration.conftest import SettingsFactory

pytestmark = pytest.mark.usefixtures("drop_databases")
ORG = "so-y-te-thai-nguyen"
OFFICER = dev_headers(Role.UNIT_OFFICER, organization_id=ORG, subject="van-thu")


async def test_gridfs_stores_reads_and_deletes_files_on_ferretdb(stack: Settings, run_id: str) -> None:
    client = connect(stack.mongodb_url)
    try:
        store = GridFSFileStore(client[f"it_gridfs_{run_id}"], "files", chunk_size=64 * 1024)
        data = os.urandom(300 * 1024 + 17)  # five chunks, the last one short
        stored = await store.put("f-1", "Báo cáo thành tích.pdf", data, {"sha256": hashlib.sha256(data).hexdigest()})
        assert stored.length == len(data)
        with pytest.raises(AlreadyExists):
            await store.put("f-1", "again.pdf", b"x", {})
        record, read = await store.get("f-1")
        assert read == data
        assert (record.filename, record.length) == ("Báo cáo thành tích.pdf", len(data))
        assert record.metadata["sha256"] == hashlib.sha256(data).hexdigest()
        chunks = await client[f"it_gridfs_{run_id}"]["files.chunks"].count_documents({"files_id": "f-1"})
        assert chunks == 5
        assert await store.delete("f-1") is True
        assert await store.delete("f-1") is False
        with pytest.raises(NotFound):
            await store.get("f-1")
        assert await client[f"it_gridfs_{run_id}"]["files.chunks"].count_documents({"files_id": "f-1"}) == 0
    finally:
        await client.close()


@pytest.fixture
async def awards(make_settings: SettingsFactory) -> AsyncIterator[httpx.AsyncClient]:
    async with serve(AWARDS, Runtime(AWARDS, make_settings("awards"))) as client:
        yield client


async def test_a_dossier_file_round_trips_through_the_api(awards: httpx.AsyncClient, run_id: str) -> None:
    nid = f"n-{run_id}"
    body = {
        "id": nid,
        "kind": "ANNUAL_MERIT",
        "award_code": "BANG_KHEN_TINH",
        "year": 2025,
        "territory": "thai-nguyen",
        "submitting_organization_id": ORG,
        "nominees": [{"nominee_id": "p-ha", "kind": "INDIVIDUAL", "name": "Nguyễn Thị Hà", "organization_id": ORG}],
    }
    assert (await awards.post("/nominations", json=body, headers=OFFICER)).status_code == 201
    big = PDF_BYTES + os.urandom(600 * 1024)  # more than one GridFS chunk
    r = await awards.post(
        f"/nominations/{nid}/files/TO_TRINH",
        params={"version": 1, "filename": "Tờ trình.pdf"},
        content=big,
        headers={**OFFICER, "content-type": "application/pdf"},
    )
    assert r.status_code == 201, r.text
    record = r.json()["files"][0]
    got = await awards.get(f"/nominations/{nid}/files/{record['file_id']}", headers=OFFICER)
    assert (got.status_code, got.content) == (200, big)
    assert got.headers["X-Content-SHA256"] == hashlib.sha256(big).hexdigest() == record["sha256"]
    # a stale version: refused, and the file stored for it is gone again
    r = await awards.post(
        f"/nominations/{nid}/files/BAO_CAO_THANH_TICH",
        params={"version": 1},
        content=PDF_BYTES,
        headers={**OFFICER, "content-type": "application/pdf"},
    )
    assert r.status_code == 409
    runtime = Runtime(AWARDS, Settings(mongodb_url=awards_url(), mongodb_database=f"it_awards_{run_id}"))
    try:
        assert await runtime.db["files.files"].count_documents({}) == 1
    finally:
        await runtime.client.close()


def awards_url() -> str:
    return Settings().mongodb_url
