"""Eligibility (xét điều kiện) of many nominees with 5-year histories: the domain module alone, then the API."""

from __future__ import annotations

import asyncio
import json
import time
from datetime import date

import httpx

from bench.progress import phase
from bench.stats import Result
from tdkt_awards.catalogue_data import default_catalogue
from tdkt_awards.domain.eligibility import (
    DisciplineFact,
    DisciplineLevel,
    EvaluationRequest,
    GrantFact,
    InitiativeFact,
    InitiativeScope,
    NomineeFacts,
    Rating,
    RatingFact,
    evaluate_many,
)
from tdkt_shared.auth import Role, dev_headers
from tdkt_shared.contract.awards import NomineeKind

AS_OF = date(2026, 3, 1)
YEARS = range(2021, 2026)
AWARDS = ("CSTD_CO_SO", "CSTD_TINH", "LDTT", "BANG_KHEN_TINH")
RATINGS = (Rating.EXCELLENT, Rating.EXCELLENT, Rating.GOOD, Rating.EXCELLENT, Rating.COMPLETED)


def request(i: int) -> EvaluationRequest:
    """Person i: 5 years of ratings and grants (LĐTT every year, CSTĐ cơ sở in most), now and then a discipline or a
    provincial initiative; judged for one of four awards of 2025 in Thái Nguyên."""
    who = f"p-{i}"
    grants = [
        GrantFact(
            grant_id=f"{who}-{code}-{y}", recipient_id=who, award_code=code, year=y, organization_id=f"o-{i % 500}"
        )
        for y in YEARS
        for code in ("LDTT", "CSTD_CO_SO")
        if code == "LDTT" or (i + y) % 4
    ]
    facts = NomineeFacts(
        nominee_id=who,
        kind=NomineeKind.INDIVIDUAL,
        grants=grants,
        ratings=[RatingFact(year=y, rating=RATINGS[(i + y) % len(RATINGS)]) for y in YEARS],
        disciplines=(
            [DisciplineFact(level=DisciplineLevel.REPRIMAND, start=date(2023, 3, 1), end=date(2023, 9, 1))]
            if i % 17 == 0
            else []
        ),
        initiatives=(
            [InitiativeFact(initiative_id=f"sk-{i}", scope=InitiativeScope.PROVINCE, recognized_on=date(2024, 5, 1))]
            if i % 3 == 0
            else []
        ),
    )
    return EvaluationRequest(facts=facts, award_code=AWARDS[i % len(AWARDS)], year=2025, territory="thai-nguyen")


async def domain(count: int, timeout_s: float, batch: int = 1000) -> Result:
    requests = [request(i) for i in range(count)]
    catalogue = default_catalogue()
    eligible = 0
    async with phase("eligibility domain", count, timeout_s) as p:
        for start in range(0, count, batch):
            eligible += sum(e.eligible for e in evaluate_many(requests[start : start + batch], catalogue, AS_OF))
            p.tick(min(batch, count - start))
            await asyncio.sleep(0)  # let the progress line and the timeout in
    note = f"{eligible} eligible; 5 years of ratings and grants each"
    return Result("eligibility, domain module", p.done, p.elapsed, note="; ".join(x for x in (note, p.note) if x))


async def through_api(url: str, count: int, timeout_s: float, batch: int = 500, concurrency: int = 2) -> Result:
    """POST /eligibility/evaluations on a running awards service, `batch` nominees a request. The bodies are
    serialised before the clock starts, so the client's work does not take the server's CPU during the phase."""
    bodies = iter(
        [
            (
                min(batch, count - start),
                json.dumps(
                    {
                        "requests": [
                            request(i).model_dump(mode="json") for i in range(start, min(start + batch, count))
                        ],
                        "as_of": AS_OF.isoformat(),
                    }
                ).encode(),
            )
            for start in range(0, count, batch)
        ]
    )
    latencies: list[float] = []
    async with (
        httpx.AsyncClient(base_url=url, timeout=120, headers=dev_headers(Role.ADMIN)) as client,
        phase("eligibility through the API", count, timeout_s) as p,
    ):

        async def worker() -> None:
            for n, body in bodies:
                tick = time.perf_counter()
                response = await client.post(
                    "/eligibility/evaluations", content=body, headers={"content-type": "application/json"}
                )
                response.raise_for_status()
                latencies.append((time.perf_counter() - tick) * 1000)
                p.tick(n)

        await asyncio.gather(*(worker() for _ in range(concurrency)))
    note = f"{batch} nominees a request, concurrency {concurrency}; request latency is per batch"
    return Result(
        "eligibility, awards API", p.done, p.elapsed, tuple(latencies), "; ".join(x for x in (note, p.note) if x)
    )
