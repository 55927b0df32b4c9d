"""CSV imports as spreadsheets write them: Excel's byte order mark, and text the csv module cannot read."""

from __future__ import annotations

import httpx

from tdkt_registry.store import CASES
from tdkt_shared.auth import Role
from tdkt_shared.runtime import InMemoryRuntime
from tests.authz import headers
from tests.unit.registry.conftest import events, org

SEND = {**headers(Role.INSPECTION_OFFICER, "ubkt-bk"), "content-type": "text/csv"}
HEADER = "case_number,kind,subject,subject_id,handled_by_organization_id,opened_on\n"
ROW = "01/KL,DISCIPLINE,PERSON,p-1,snv,2022-01-10\n"


async def setup(client: httpx.AsyncClient) -> None:
    await org(client, "bk", "bk", kind="PEOPLES_COMMITTEE", valid_from="1997-01-01")
    await org(client, "snv", "snv", parent_id="bk")
    assert (await client.post("/persons", json={"id": "p-1", "full_name": "Người p-1"})).status_code == 201


async def test_a_bom_from_excel_is_not_part_of_the_first_header(
    client: httpx.AsyncClient, runtime: InMemoryRuntime
) -> None:
    await setup(client)
    body = ("\ufeff" + HEADER + ROW).replace("\n", "\r\n")  # Excel's "CSV UTF-8"
    r = await client.post("/cases/imports/csv", content=body.encode(), headers=SEND)
    assert r.status_code == 200, r.text
    assert (r.json()["created"], r.json()["errors"]) == (1, [])
    assert len(events(runtime, CASES)) == 1


async def test_a_cell_over_the_csv_field_limit_is_a_422_on_the_body(
    client: httpx.AsyncClient, runtime: InMemoryRuntime
) -> None:
    await setup(client)
    body = HEADER + ROW + "x" * 200_000 + ",DISCIPLINE,PERSON,p-1,snv,2022-01-10\n"  # over 131,072 characters
    r = await client.post("/cases/imports/csv", content=body.encode(), headers=SEND)
    assert (r.status_code, r.json()["error"], r.json()["field"]) == (422, "invalid_csv", "body")
    assert r.json()["detail"].startswith("line 3: not readable as CSV: field larger than field limit")
    assert events(runtime, CASES) == []
