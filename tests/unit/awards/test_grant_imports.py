"""Historical-grant imports at their edges: Excel's byte order mark, unreadable CSV, and the batch cap that keeps
one decision within MongoDB's 16 MiB document limit."""

from __future__ import annotations

from typing import Any

import bson
import httpx
import pytest

from tdkt_awards.api.grants import MAX_GRANTS
from tdkt_awards.service import DEFINITION
from tdkt_awards.store import DECISIONS
from tdkt_shared.runtime import InMemoryRuntime
from tests.helpers import serve

HEADER = "recipient_id,recipient_kind,recipient_name,award_code,year,decision_number,decision_date\n"
CSV = {"content-type": "text/csv"}


def row(i: int) -> str:
    return f"p-{i},INDIVIDUAL,Người {i},CSTD_CO_SO,2024,{i}/QĐ,2024-12-01\n"


def line(i: int) -> dict[str, Any]:
    return {
        "recipient_id": f"p-{i}",
        "recipient_kind": "INDIVIDUAL",
        "recipient_name": f"Người {i}",
        "award_code": "CSTD_CO_SO",
        "year": 2024,
        "decision_number": f"{i}/QĐ",
        "decision_date": "2024-12-01",
    }


async def test_a_bom_from_excel_is_not_part_of_the_first_header(client: httpx.AsyncClient) -> None:
    body = ("\ufeff" + HEADER + row(1)).replace("\n", "\r\n")  # Excel's "CSV UTF-8"
    r = await client.post("/grants/imports/csv?batch_id=excel", content=body.encode(), headers=CSV)
    assert r.status_code == 201, r.text
    assert [g["recipient_id"] for g in r.json()["grants"]] == ["p-1"]


async def test_a_cell_over_the_csv_field_limit_is_a_422_on_the_body(
    client: httpx.AsyncClient, runtime: InMemoryRuntime
) -> None:
    body = HEADER + row(1) + "x" * 200_000 + ",INDIVIDUAL,N,CSTD_CO_SO,2024,1/QĐ,2024-12-01\n"
    r = await client.post("/grants/imports/csv?batch_id=big-cell", content=body.encode(), headers=CSV)
    assert (r.status_code, r.json()["error"], r.json()["field"]) == (422, "invalid_csv", "body")
    assert r.json()["detail"].startswith("line 3: not readable as CSV: field larger than field limit")
    assert runtime.store(DECISIONS).events == []


async def test_a_batch_holds_at_most_max_grants_in_json_and_csv(
    client: httpx.AsyncClient, runtime: InMemoryRuntime
) -> None:
    assert MAX_GRANTS == 500
    over = [line(i) for i in range(MAX_GRANTS + 1)]
    r = await client.post("/grants/imports", json={"batch_id": "json-over", "grants": over})
    assert (r.status_code, r.json()["error"], r.json()["field"]) == (422, "validation_error", "grants")
    text = HEADER + "".join(row(i) for i in range(MAX_GRANTS + 1))
    r = await client.post("/grants/imports/csv?batch_id=csv-over", content=text.encode(), headers=CSV)
    assert (r.status_code, r.json()["error"], r.json()["field"]) == (422, "too_many_rows", "body")
    assert r.json()["detail"] == f"at most {MAX_GRANTS} rows in one import"
    assert runtime.store(DECISIONS).events == []
    # the cap itself is accepted
    text = HEADER + "".join(row(i) for i in range(MAX_GRANTS))
    r = await client.post("/grants/imports/csv?batch_id=csv-cap", content=text.encode(), headers=CSV)
    assert (r.status_code, len(r.json()["grants"])) == (201, MAX_GRANTS), r.text


async def test_a_batch_at_the_cap_with_maximal_fields_fits_one_mongodb_document(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The decision document the Mongo store would write (state + outbox), measured with `bson.encode`."""
    monkeypatch.setenv("HTTP_MAX_BODY_BYTES", str(64 << 20))  # only the cap bounds the batch here
    char = "\U0001d538"  # 4 bytes in UTF-8: 500 of them are 2,000 bytes (text is at most 500 characters in NFC)
    widest = {
        "recipient_id": "r" * 80,
        "recipient_kind": "INDIVIDUAL",
        "recipient_name": char * 500,
        "award_code": "HUY_CHUONG_CHIEN_SI_VE_VANG_HANG_NHAT",  # the longest code, in the longest rule set id
        "year": 2025,
        "decision_number": char * 500,
        "decision_date": "2025-12-01",
        "organization_id": "o" * 80,
        "territory": "thai-nguyen",
    }
    runtime = InMemoryRuntime(DEFINITION)
    async with serve(DEFINITION, runtime) as client:
        r = await client.post("/grants/imports", json={"batch_id": "b" * 80, "grants": [widest] * MAX_GRANTS})
        assert r.status_code == 201, r.text[:300]
    store = runtime.store(DECISIONS)
    [doc] = list(store._docs.values())
    outbox = [e.to_document() for e in store.events]
    written = {"_id": doc.id, "version": 1, "state": doc.state, "processed": [], "outbox": outbox, "pending": True}
    size = len(bson.encode(written)) / 2**20
    assert size == pytest.approx(4.7, abs=0.05)
    assert size < 16 * 0.8  # MongoDB refuses a document over 16 MiB
