"""A decision document on the real stack: numbered on FerretDB, rendered by LibreOffice, stored in GridFS, and
announced on Kafka with its PDF inline (what notify attaches to the e-mail)."""

from __future__ import annotations

import base64
import hashlib
import json
import os
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from pathlib import Path

import httpx
import pytest

from tdkt_awards.catalogue_data import default_catalogue
from tdkt_awards.documents.office import default_renderer
from tdkt_awards.domain.nominations import CouncilSession, Nomination, NominationKind, Nominee, Status
from tdkt_awards.service import DEFINITION as AWARDS
from tdkt_awards.store import Repositories
from tdkt_shared.auth import Role, dev_headers
from tdkt_shared.contract import CloudEvent, parse_data, service_topic
from tdkt_shared.contract.awards import CouncilResult, DocumentIssued, NomineeKind
from tdkt_shared.kit import CommandContext
from tdkt_shared.runtime import Runtime
from tests.documents.pdf import soffice, text_of
from tests.helpers import serve
from tests.integration.conftest import SettingsFactory
from tests.integration.kafka_tools import wait_for_records

pytestmark = pytest.mark.usefixtures("drop_databases")
SPECIALIST = dev_headers(Role.TDKT_SPECIALIST, organization_id="so-noi-vu-thai-nguyen", subject="chuyen-vien")


@pytest.fixture
async def awards(make_settings: SettingsFactory) -> AsyncIterator[tuple[httpx.AsyncClient, Runtime]]:
    os.environ["SOFFICE_BIN"] = soffice()
    default_renderer.cache_clear()
    runtime = Runtime(AWARDS, make_settings("awards"))
    async with serve(AWARDS, runtime) as client:
        yield client, runtime


async def test_a_decision_is_numbered_rendered_stored_and_announced_with_its_pdf(
    awards: tuple[httpx.AsyncClient, Runtime], make_settings: SettingsFactory, run_id: str, tmp_path: Path
) -> None:
    client, runtime = awards
    nid = f"hs-{run_id}"
    rules = default_catalogue().rules_for(date(2026, 12, 31), "thai-nguyen")
    nominee = Nominee(nominee_id=f"p-{run_id}", kind=NomineeKind.INDIVIDUAL, name="Nguyễn Thị Hà")
    result = CouncilResult(
        nominee_id=nominee.nominee_id, members_total=9, votes_cast=9, votes_yes=9, threshold_percent=50, passed=True
    )
    nomination = Nomination(
        id=nid,
        kind=NominationKind.ANNUAL_MERIT,
        award_code="BANG_KHEN_TINH",
        year=2026,
        submitting_organization_id="so-y-te-thai-nguyen",
        nominees=[nominee],
        attachments=[],
        status=Status.APPROVED,
        rule_set_id=rules.id,
        council=CouncilSession(
            session_id="s", held_on=date(2026, 12, 3), members_total=9, attendees=9, results=[result]
        ),
        audit=[],
    )
    ctx = CommandContext.system(now=datetime(2026, 12, 5, 2, tzinfo=UTC))
    await Repositories.of(runtime).nominations.add(nomination, (), ctx)
    issuer = f"ubnd-{run_id}"
    decided = await client.post(
        f"/nominations/{nid}/decision",
        json={
            "decision_id": f"qd-{run_id}",
            "date": "2026-12-05",
            "signer_role": "PROVINCE_CHAIRMAN",
            "issuer_id": issuer,
            "issuer_symbol": "UBND",
            "version": 1,
        },
        headers=SPECIALIST,
    )
    assert decided.status_code == 201, decided.text
    body = {
        "kind": "DECISION",
        "issuer": {"id": issuer, "name": "Ủy ban nhân dân tỉnh Thái Nguyên", "symbol": "UBND"},
        "signer": {"name": "Hoàng Minh Tuấn", "title": "Chủ tịch", "on_behalf": "TM. Ủy ban nhân dân"},
        "authority": "Chủ tịch Ủy ban nhân dân tỉnh Thái Nguyên",
        "place": "Thái Nguyên",
        "date": "2026-12-05",
    }
    r = await client.post(f"/nominations/{nid}/documents", json=body, headers=SPECIALIST)
    assert r.status_code == 201, r.text
    document = r.json()
    assert document["number"] == "01/QĐ-UBND"
    pdf = await client.get(f"/documents/{document['id']}/pdf", headers=SPECIALIST)
    assert hashlib.sha256(pdf.content).hexdigest() == document["pdf_sha256"]
    assert await runtime.db["files.files"].count_documents({"metadata.document_id": document["id"]}) == 2

    [record] = await wait_for_records(
        make_settings("awards").kafka_bootstrap_servers,
        service_topic("awards"),
        lambda r: r.key == nid.encode() and json.loads(r.value)["type"] == DocumentIssued.event_type,
    )
    data = parse_data(CloudEvent.model_validate_json(record.value))
    assert isinstance(data, DocumentIssued)
    assert (data.kind, data.number, data.document_id) == ("DECISION", "01/QĐ-UBND", document["id"])
    assert data.pdf_base64 is not None
    inline = base64.b64decode(data.pdf_base64)
    assert inline == pdf.content
    path = tmp_path / "decision.pdf"
    path.write_bytes(inline)
    text = " ".join(text_of(path).split())
    assert "Số: 01/QĐ-UBND" in text
    assert "Thái Nguyên, ngày 05 tháng 12 năm 2026" in text
