"""The seed letter end to end: the four services as real processes, driven over HTTP, observed on the bus."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from rich.console import Console

from tdkt_demo import Endpoints, Scenario, signed, smtp_sink, summary, webhook_receiver
from tests.e2e.processes import services
from tests.integration.conftest import SettingsFactory
from tests.unit.notify.local_servers import free_port

pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("drop_databases")]


@pytest.mark.timeout(900)  # four service processes and the whole scenario: minutes on a loaded 2-core machine
async def test_the_seed_letter_plays_through_the_apis_and_the_bus(
    make_settings: SettingsFactory, run_id: str, tmp_path: Path
) -> None:
    bootstrap = make_settings("registry").kafka_bootstrap_servers
    with smtp_sink(free_port()) as smtp:
        notify_env = {
            "SMTP_HOST": "127.0.0.1",
            "SMTP_PORT": str(smtp.port),
            "DELIVERY_POLL_INTERVAL_MS": "100",
            "DELIVERY_BACKOFF_INITIAL_S": "0.1",
            "DELIVERY_BACKOFF_MAX_S": "0.5",
            "DELIVERY_BACKOFF_JITTER_S": "0.05",
        }
        async with webhook_receiver() as webhooks, services(make_settings, notify_env, tmp_path) as ports:
            endpoints = Endpoints(
                **{name: f"http://127.0.0.1:{port}" for name, port in ports.items()}, bootstrap=bootstrap
            )
            result = await Scenario(endpoints, webhooks, run_id=run_id, mail=smtp).run()

    ids = result.ids
    assert [s.number for s in result.steps] == [
        "1",
        "1",
        "2",
        "3",
        "3",
        "4",
        "5",
        "5",
        "6",
        "7",
        "8",
        "9",
        "10",
        "10",
    ]
    log = result.log
    # order per aggregate, as the services emitted them
    assert log.of(ids["movement"]) == ["reporting.movement.drafted.v1", "reporting.movement.launched.v1"]
    for unit in (ids["finance"], ids["health"]):
        assert log.of(f"dang-ky-{unit}") == [
            "reporting.registration.drafted.v1",
            "reporting.registration.submitted.v1",
            "reporting.registration.accepted.v1",
        ]
    assert log.of(f"tong-ket-{run_id}") == [
        "reporting.report.drafted.v1",
        "reporting.report.submitted.v1",
        "reporting.report.returned.v1",
        "reporting.report.submitted.v1",
        "reporting.report.accepted.v1",
    ]
    assert log.of(ids["congress"]) == ["reporting.congress.scheduled.v1"]
    assert log.of(ids["flag_nomination"]) == ["awards.nomination.status_changed.v1"]
    assert log.of(ids["province"], "tdkt.registry.") == ["registry.organization.registered.v1"]
    assert log.of(ids["thai_nguyen"], "tdkt.registry.") == [
        "registry.organization.registered.v1",
        "registry.organizations.merged.v1",
    ]
    for group in (ids["cluster"], ids["bloc"]):
        assert log.of(group) == ["registry.cluster.formed.v1"]
    bloc = next(e for e in log.events if e.partitionkey == ids["bloc"])
    assert (bloc.data["kind"], [m["organization_id"] for m in bloc.data["members"]]) == (
        "BLOC",
        [ids["information"], ids["press"], ids["radio"]],
    )
    press_roles = [
        e.data["organization_id"]
        for e in log.events
        if e.type.endswith("role.assigned.v1") and e.data["role"] == "PRESS_COMMUNICATION"
    ]
    assert sorted(press_roles) == sorted([ids["information"], ids["press"], ids["radio"]])

    def statuses(key: str) -> list[str | None]:
        """The dossier's steps (its files' events aside)."""
        return [e.data.get("to_status") for e in log.events if e.partitionkey == key and ".attachment." not in e.type]

    # the proposer filed a PDF under each checklist item before submitting
    filed = [
        e.data["item"]
        for e in log.events
        if e.partitionkey == ids["approved_nomination"] and e.type.endswith(".attachment.added.v1")
    ]
    assert filed[:2] == ["TO_TRINH", "BAO_CAO_THANH_TICH"]

    assert statuses(ids["approved_nomination"]) == [
        "DRAFT",
        "SUBMITTED",
        "RECEIVED",
        "UNDER_APPRAISAL",
        None,  # eligibility.evaluated
        "ELIGIBLE",
        "COUNCIL_REVIEW",
        "APPROVED",
        None,  # nomination.approved
        "DECIDED",
    ]
    # who did what: the unit officer submitted, the specialist appraised, the secretary sent it to the council
    actors = {
        e.data["action"]: e.data["organization_id"]
        for e in log.events
        if e.partitionkey == ids["approved_nomination"] and e.data.get("action")
    }
    assert actors["submit"] == ids["health"]
    assert actors["appraise"] == ids["home_affairs"]
    assert "chain" in ids["reasons"]

    # the histories came from the offices' imports: awards judged on records, nothing typed on a dossier
    assert log.of(f"{ids['health']}-cb-01", "tdkt.registry.") == [
        "registry.person.registered.v1",
        "registry.person.employment.changed.v1",
        "registry.assessment.recorded.v1",
    ]
    assert log.of(ids["ineligible"], "tdkt.registry.case.") == ["registry.case.opened.v1", "registry.case.concluded.v1"]

    # the collective title: members from the employment records, ratios computed from their grants
    assert statuses(f"ttldxs-{ids['health']}")[-1] == "ELIGIBLE"
    assert statuses(f"ttldxs-{ids['finance']}")[-1] == "INELIGIBLE"
    assert json.loads(ids[f"ratio_{ids['health']}"]) == {
        "members": 10,
        "holders": 8,
        "percent": 80.0,
        "required": 70.0,
        "inclusive": True,
    }
    assert json.loads(ids[f"ratio_{ids['finance']}"])["holders"] == 6
    assert "member_title_ratio: 6 of 10 members" in ids["collective_reasons"]

    # the State-level proposal: public consultation open, the council not yet
    consultation = ids["consultation_nomination"]
    assert statuses(consultation) == [
        "DRAFT",
        "SUBMITTED",
        "RECEIVED",
        "UNDER_APPRAISAL",
        None,
        "ELIGIBLE",
        "PUBLIC_CONSULTATION",
    ]
    opened = [e for e in log.events if e.partitionkey == consultation][-1]
    assert str(opened.data["consultation_until"]) == ids["consultation_end"]

    # every webhook call the press body got is signed with the secret it was given
    assert webhooks.requests
    assert all(signed(r, f"bi-mat-bao-bac-kan-{run_id}") for r in webhooks.requests)
    assert any(opened.id.encode() in r.body for r in webhooks.requests)

    # e-mail at the SMTP server, diacritics intact
    congress_mail = [m for m in smtp.to(f"vanthu@{ids['finance']}.example") if "lần thứ VI" in m.subject + m.body]
    assert congress_mail
    assert "Đại hội Thi đua yêu nước tỉnh Bắc Kạn lần thứ VI" in congress_mail[0].subject + congress_mail[0].body
    assert smtp.to(f"toasoan@{ids['press']}.example")

    console = Console(record=True, width=200)
    summary(result, console)
    text = console.export_text()
    assert f"Seed letter, run {run_id}" in text
    assert "reporting.cluster.ranking_published.v1" in text
    assert "tdkt.notify.publication.requested.v1" in text
    assert "8 of 10 members hold" in text
    assert "Records kept by their offices (imports)" in text
    assert f"vanthu@{ids['finance']}.example" in text
