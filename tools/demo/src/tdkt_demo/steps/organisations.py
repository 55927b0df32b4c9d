"""Organisations, roles, clusters and the council in the registry (step 1), and the reorganisation of 1/7/2025
(step 10): the other services learn both from the bus."""

from __future__ import annotations

import json

from tdkt_demo.api import Json
from tdkt_demo.cast import YEAR
from tdkt_demo.events import ScenarioError, eventually
from tdkt_demo.run import Run


async def seed_registry(run: Run) -> None:
    i, admin, cast = run.ids, run.cast.registry_admin, run.cast
    registry, reporting, notify = run.services.registry, run.services.reporting, run.services.notify
    orgs: list[tuple[str, str, str, str | None]] = [
        (i["province"], "UBND tỉnh Bắc Kạn", "PEOPLES_COMMITTEE", None),
        (i["thai_nguyen"], "UBND tỉnh Thái Nguyên", "PEOPLES_COMMITTEE", None),
        (i["home_affairs"], "Sở Nội vụ tỉnh Bắc Kạn", "DEPARTMENT", i["province"]),
        (i["information"], "Sở Thông tin và Truyền thông tỉnh Bắc Kạn", "DEPARTMENT", i["province"]),
        (i["press"], "Báo Bắc Kạn", "PRESS", i["province"]),
        (i["radio"], "Đài Phát thanh - Truyền hình Bắc Kạn", "PRESS", i["province"]),
        (i["finance"], "Sở Tài chính tỉnh Bắc Kạn", "DEPARTMENT", i["province"]),
        (i["health"], "Sở Y tế tỉnh Bắc Kạn", "DEPARTMENT", i["province"]),
    ]
    for org_id, name, kind, parent in orgs:
        body: Json = {"id": org_id, "name": name, "kind": kind, "valid_from": "2000-01-01"}
        body |= {"parent_id": parent} if parent else {}
        await registry.call("POST", "/organizations", body, who=admin)
    roles = [("TDKT_STATE_MANAGEMENT", i["home_affairs"])]
    roles += [("PRESS_COMMUNICATION", org) for org in (i["information"], i["press"], i["radio"])]
    assignments: dict[str, str] = {}
    for role, holder in roles:
        assignment = {
            "role": role,
            "organization_id": holder,
            "valid_from": "2008-01-01",
            "scope_organization_id": i["province"],
        }
        created = await registry.call("POST", "/role-assignments", assignment, who=admin)
        assignments[holder] = str(created["id"])
    contacts = {
        i["press"]: {"email": f"toasoan@{i['press']}.example", "webhook_url": run.webhooks.url(f"/{i['press']}")},
        i["finance"]: {"email": f"vanthu@{i['finance']}.example"},
        i["health"]: {"email": f"vanthu@{i['health']}.example"},
    }
    for org_id, contact in contacts.items():
        await registry.call("PUT", f"/organizations/{org_id}/contact-point", contact, who=admin)
    groups = [
        (i["cluster"], "Cụm thi đua các sở, ban, ngành số 1", "CLUSTER", [i["finance"], i["health"]]),
        (i["bloc"], "Khối thi đua văn hóa - xã hội", "BLOC", [i["information"], i["press"], i["radio"]]),
    ]
    for group_id, name, kind, member_ids in groups:
        cluster = {
            "id": group_id,
            "name": name,
            "kind": kind,
            "year": YEAR,
            "formed_on": f"{YEAR}-01-15",
            "members": [
                {"organization_id": org, "role": "LEADER" if n == 0 else "MEMBER"} for n, org in enumerate(member_ids)
            ],
        }
        await registry.call("POST", "/clusters", cluster, who=admin)
    await registry.call("POST", "/persons", {"id": i["person"], "full_name": "Nguyễn Thị Lan"}, who=admin)
    council = {
        "id": i["council"],
        "name": "Hội đồng Thi đua - Khen thưởng tỉnh Bắc Kạn",
        "level": "PROVINCE",
        "organization_id": i["province"],
        "term_from": "2021-01-01",
        "members": [{"person_id": i["person"], "role": "CHAIR"}],
    }
    await registry.call("POST", "/councils", council, who=admin)

    events = []
    for org_id, *_ in orgs:
        events.append((org_id, await run.log.expect(org_id, ["registry.organization.registered.v1"])))
    for holder in (i["home_affairs"], i["information"], i["press"], i["radio"]):
        role_id = assignments[holder]  # a role assignment is its own aggregate, keyed by its id
        events.append((role_id, await run.log.expect(role_id, ["registry.role.assigned.v1"])))
    events.append((i["press"], await run.log.expect(i["press"], ["registry.contact_point.set.v1"])))
    for group_id, *_ in groups:
        events.append((group_id, await run.log.expect(group_id, ["registry.cluster.formed.v1"])))
    events.append((i["person"], await run.log.expect(i["person"], ["registry.person.registered.v1"])))
    events.append((i["council"], await run.log.expect(i["council"], ["registry.council.constituted.v1"])))

    # the other services learn it from the bus, not from calls
    for org_id in (i["province"], i["finance"], i["health"]):
        await reporting.found(f"/organizations/{org_id}", f"{org_id} in reporting's directory")
    await reporting.found(f"/clusters/{i['cluster']}", "the cluster in reporting's read model")

    async def press_reachable() -> Json | None:
        body = await notify.get(f"/recipients/{i['press']}", cast.press_officer) or {}
        return body if body.get("webhook_url") else None

    await eventually(press_reachable, what="the press body's webhook in notify")
    # the secret is shared with the press body out of band; its receiver checks every request with it
    secret = {"secret": cast.webhook_secret}
    await notify.call("PUT", f"/recipients/{i['press']}/webhook-secret", secret, who=cast.operator)

    async def press_holds() -> bool:
        holders = await notify.get("/roles/PRESS_COMMUNICATION/holders", on="2025-06-01")
        text = json.dumps(holders)
        return all(org in text for org in (i["information"], i["press"], i["radio"]))

    await eventually(press_holds, what="the three press bodies in notify")
    run.record(
        "1",
        "Registry seeded",
        f"{len(orgs)} organisations; Sở Nội vụ the TĐKT body; Sở TT&TT, Báo Bắc Kạn and Đài PT-TH Bắc Kạn the "
        "press bodies; 1 cluster, 1 bloc, 1 council; reporting and notify learned them from the bus",
        events,
    )


async def reorganize(run: Run) -> None:
    i, registry = run.ids, run.services.registry
    batch = {
        "batch_id": i["reorganization"],
        "legal_basis": "Nghị quyết 202/2025/QH15",
        "effective_date": "2025-07-01",
        "mappings": [
            *(
                {"kind": "CHANGE", "from_ids": [child], "changes": {"parent_id": i["thai_nguyen"]}}
                for child in (
                    i["home_affairs"],
                    i["information"],
                    i["press"],
                    i["radio"],
                    i["finance"],
                    i["health"],
                )
            ),
            {"kind": "MERGE", "from_ids": [i["province"]], "to_ids": [i["thai_nguyen"]]},
        ],
    }
    applied = await registry.call("POST", "/reorganizations", batch, who=run.cast.registry_admin)
    if applied.get("applied_now") is not True:
        raise ScenarioError(f"reorganisation not applied: {applied}")
    successor = await registry.call("GET", f"/organizations/{i['province']}/successor?on=2025-07-01")
    if i["thai_nguyen"] not in json.dumps(successor):
        raise ScenarioError(f"unexpected successor {successor}")
    events = [
        (i["reorganization"], await run.log.expect(i["reorganization"], ["registry.reorganization.applied.v1"])),
        (i["thai_nguyen"], await run.log.expect(i["thai_nguyen"], ["registry.organizations.merged.v1"])),
        (i["finance"], await run.log.expect(i["finance"], ["registry.organization.changed.v1"])),
    ]
    run.record(
        "10",
        "Reorganisation of 1/7/2025",
        f"Bắc Kạn merged into Thái Nguyên ({applied.get('batch_id', i['reorganization'])}); successor on 1/7/2025 "
        "resolved",
        events,
    )
