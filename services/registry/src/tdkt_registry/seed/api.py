"""The registry's seed over its public API, for `tdkt seed` (entry point `tdkt.seeds`): the bundled Bắc Kạn data,
written by the registry's keeper (`registry_admin`). Everything that exists is left alone, so a rerun creates
nothing; reorganisation batches are applied once per batch id by the service itself."""

from __future__ import annotations

from pydantic import BaseModel

from tdkt_registry.seed import SeedFile, read_seed
from tdkt_shared.auth import Role
from tdkt_shared.seeding import Seed, SeedApi, SeedReport


def _body(model: BaseModel, *exclude: str) -> dict[str, object]:
    dumped: dict[str, object] = model.model_dump(mode="json", exclude=set(exclude), exclude_none=True)
    return dumped


async def load(api: SeedApi, seed: SeedFile | None = None) -> SeedReport:
    seed = seed or read_seed()
    for org in seed.organizations:
        await api.ensure("organizations", f"/organizations/{org.id}", "POST", "/organizations", _body(org))
    for person in seed.persons:
        await api.ensure("persons", f"/persons/{person.id}", "POST", "/persons", _body(person, "employments"))
        stored = await api.get(f"/persons/{person.id}") or {}
        held = {(e["organization_id"], e["valid_from"]) for e in stored.get("employments", [])}
        version = stored.get("version", 1)
        for job in person.employments:  # the ones missing (a run that stopped halfway)
            if (job.organization_id, job.valid_from.isoformat()) not in held:
                start = {"version": version, **_body(job)}
                version = (await api.send("POST", f"/persons/{person.id}/employments", start))["version"]
    for assignment in seed.role_assignments:
        path = f"/role-assignments/{assignment.id}"
        await api.ensure("role_assignments", path, "POST", "/role-assignments", _body(assignment))
    for point in seed.contact_points:
        owner = "organizations" if point.owner_kind == "ORGANIZATION" else "persons"
        path = f"/{owner}/{point.owner_id}/contact-point"
        await api.ensure("contact_points", path, "PUT", path, _body(point, "owner_kind", "owner_id"))
    for cluster in seed.clusters:
        await api.ensure("clusters", f"/clusters/{cluster.id}", "POST", "/clusters", _body(cluster))
    for council in seed.councils:
        await api.ensure("councils", f"/councils/{council.id}", "POST", "/councils", _body(council))
    for batch in seed.reorganizations:
        applied = await api.send("POST", "/reorganizations", _body(batch))
        api.report.count("reorganizations", bool(applied["applied_now"]))
        api.tick()
    return api.report


def _items(seed: SeedFile) -> int:
    return sum(
        len(part)
        for part in (
            seed.organizations,
            seed.persons,
            seed.role_assignments,
            seed.contact_points,
            seed.clusters,
            seed.councils,
            seed.reorganizations,
        )
    )


SEED = Seed(
    service="registry",
    role=Role.REGISTRY_ADMIN,
    items=_items(read_seed()),
    load=load,
    description="Bắc Kạn's organisations, persons, roles, contact points, clusters and blocs, council, 2025 batches",
)
