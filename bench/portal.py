"""`python -m bench.portal [--users 20] [--seconds 30]`: how fast the portal's pages answer under concurrent users.

Starts the four services and the portal as processes on the local stack (`scripts/stack.sh up`; free ports, a
database and consumer group of their own), seeds a province's organisations, a thousand grants (the public roll,
through award.granted and the portal's consumer), open reports and submitted dossiers, signs users in through the
development form, then has `--users` simulated users load pages back to back (or `--think` seconds apart) for
`--seconds`: the public roll (plain and searched), an honouree's page, and the unit officer's, specialist's and
council's screens, which call the services' APIs with the user's token. Prints p50/p95/p99 per page and overall.

Run it with `scripts/with-stack.sh .venv/bin/python -m bench.portal`; the target is p95 <= 200 ms at 20 users.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import os
import re
import signal
import socket
import sys
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from functools import partial
from pathlib import Path

import httpx
from aiokafka import AIOKafkaConsumer

from bench.stats import percentile
from tdkt_shared.auth import Role, dev_headers
from tdkt_shared.bus.kafka import ensure_topics, topic_partitions
from tdkt_shared.contract import ALL_DLQ_TOPICS, ALL_TOPICS
from tdkt_shared.settings import load_settings

BIN = Path(sys.executable).parent
SERVICES = ("registry", "reporting", "awards", "notify")
FAMILY = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Hồ")
TIMEOUT_S = 10
"""A page that takes longer counts as failed (and fails the run)."""
KEEPALIVE_S = 2
"""Idle connections are dropped before uvicorn's 5 s keep-alive ends them, so no request meets a closing socket."""
GIVEN = ("Văn Nam", "Thị Hà", "Minh Đức", "Thu Trang", "Quốc Bảo", "Ngọc Lan", "Đức Anh", "Thanh Hương")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.asynccontextmanager
async def processes(run: str) -> AsyncIterator[dict[str, str]]:
    """The four services, then the portal pointed at them; their base URLs by name."""
    settings = load_settings("portal")
    urls: dict[str, str] = {}
    started: list[asyncio.subprocess.Process] = []
    logs = Path(os.environ.get("TMPDIR", "/tmp")) / f"bench-portal-{run}"
    logs.mkdir(parents=True, exist_ok=True)
    try:
        for name in (*SERVICES, "portal"):
            await start_at_the_end(settings.kafka_bootstrap_servers, f"bench-{name}-{run}")
            port = free_port()
            env = {
                **os.environ,
                "AUTH_MODE": "development",
                "HTTP_PORT": str(port),
                "MONGODB_DATABASE": f"bench_{name}_{run}",
                "CONSUMER_GROUP": f"bench-{name}-{run}",
                "KAFKA_BOOTSTRAP_SERVERS": settings.kafka_bootstrap_servers,
                "MONGODB_URL": settings.mongodb_url,
                "REPORT_REMINDER_ENABLED": "false",
                "LOG_LEVEL": "WARNING",
                **{f"{n.upper()}_URL": u for n, u in urls.items()},
            }
            with (logs / f"{name}.log").open("wb") as log:
                started.append(
                    await asyncio.create_subprocess_exec(
                        str(BIN / f"tdkt-{name}"), env=env, stdout=log, stderr=asyncio.subprocess.STDOUT
                    )
                )
            urls[name] = f"http://127.0.0.1:{port}"
            await until(partial(ready, urls[name]), 180, f"tdkt-{name} ready")
        yield urls
    finally:
        for process in started:
            if process.returncode is None:
                process.send_signal(signal.SIGTERM)
        for process in started:
            try:
                await asyncio.wait_for(process.wait(), 30)
            except TimeoutError:
                process.kill()
        await drop(settings.mongodb_url, run)


async def start_at_the_end(bootstrap: str, group: str) -> None:
    """Commit `group` at the current end of every topic: this run's services read this run's events only, not the
    history earlier runs left on the local broker (a portal reading years of grants is another measurement)."""
    await ensure_topics(load_settings("portal", kafka_bootstrap_servers=bootstrap), [*ALL_TOPICS, *ALL_DLQ_TOPICS])
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=group, enable_auto_commit=False)
    await consumer.start()
    try:
        partitions = await topic_partitions(consumer, list(ALL_TOPICS))
        consumer.assign(partitions)
        await consumer.commit(dict(await consumer.end_offsets(partitions)))
    finally:
        await consumer.stop()


async def drop(mongodb_url: str, run: str) -> None:
    from tdkt_shared.store import connect

    client = connect(mongodb_url)
    try:
        for name in await client.list_database_names():
            if name.endswith(run):
                await client.drop_database(name)
    finally:
        await client.close()


async def ready(url: str) -> bool:
    try:
        async with httpx.AsyncClient(timeout=2) as client:
            return (await client.get(f"{url}/readyz")).status_code == 200
    except httpx.TransportError:
        return False


async def until(check: Callable[[], Awaitable[bool]], timeout_s: float, what: str) -> None:
    deadline = time.monotonic() + timeout_s
    while not await check():
        if time.monotonic() > deadline:
            raise SystemExit(f"{what}: not reached in {timeout_s}s")
        await asyncio.sleep(0.2)


async def call(url: str, method: str, path: str, role: Role, org: str, body: object = None) -> dict[str, object]:
    async with httpx.AsyncClient(base_url=url, timeout=60) as client:
        answer = await client.request(method, path, json=body, headers=dev_headers(role, organization_id=org))
    if answer.status_code >= 300:
        raise SystemExit(f"{method} {path}: {answer.status_code} {answer.text[:300]}")
    result: dict[str, object] = answer.json()
    return result


CHECKLIST = ("TO_TRINH", "BAO_CAO_THANH_TICH", "BIEN_BAN_BINH_XET", "CHUNG_NHAN_SANG_KIEN")
"""CSTĐ cơ sở's checklist (Art. 84): a dossier is submitted only with a file under each item."""
PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"


async def file_pdf(url: str, nomination_id: str, item: str, version: object, org: str) -> dict[str, object]:
    headers = {**dev_headers(Role.UNIT_OFFICER, organization_id=org), "content-type": "application/pdf"}
    params = {"version": str(version), "filename": f"{item}.pdf"}
    async with httpx.AsyncClient(base_url=url, timeout=60) as client:
        answer = await client.post(
            f"/nominations/{nomination_id}/files/{item}", params=params, content=PDF, headers=headers
        )
    if answer.status_code >= 300:
        raise SystemExit(f"POST {nomination_id}/files/{item}: {answer.status_code} {answer.text[:300]}")
    result: dict[str, object] = answer.json()
    return result


async def seed(urls: dict[str, str], run: str, grants: int) -> dict[str, str]:
    """Organisations, a history of grants (the roll), open reports and submitted dossiers; the ids to visit."""
    province, unit, staff = f"ubnd-{run}", f"so-y-te-{run}", f"so-noi-vu-{run}"
    for org_id, name, parent in (
        (province, "UBND tỉnh Bắc Kạn", None),
        (unit, "Sở Y tế tỉnh Bắc Kạn", province),
        (staff, "Sở Nội vụ tỉnh Bắc Kạn", province),
    ):
        body = {"id": org_id, "name": name, "kind": "PEOPLES_COMMITTEE" if parent is None else "DEPARTMENT"}
        body |= {"valid_from": "2000-01-01"} | ({"parent_id": parent} if parent else {})
        await call(urls["registry"], "POST", "/organizations", Role.REGISTRY_ADMIN, province, body)

    async def known() -> bool:
        async with httpx.AsyncClient(timeout=5) as client:
            answers = [await client.get(f"{urls[s]}/organizations/{unit}") for s in ("reporting", "awards")]
        return all(a.status_code == 200 for a in answers)

    await until(known, 120, "the services know the unit")
    codes = ("LDTT", "CSTD_CO_SO", "BANG_KHEN_TINH", "CSTD_TINH")
    names = [f"{f} {g}" for f, g in itertools.product(FAMILY, GIVEN)]
    history = [
        {
            "recipient_id": f"p-{i % 400}-{run}",
            "recipient_kind": "INDIVIDUAL",
            "recipient_name": names[i % len(names)],
            "award_code": codes[i % len(codes)],
            "year": 2019 + i % 7,
            "decision_number": f"{i}/QĐ-UBND",
            "decision_date": f"{2019 + i % 7}-12-15",
            "organization_id": unit,
        }
        for i in range(grants)
    ]
    for start in range(0, grants, 200):
        batch = {"batch_id": f"ls-{start}-{run}", "grants": history[start : start + 200]}
        await call(urls["awards"], "POST", "/grants/imports", Role.TDKT_SPECIALIST, staff, batch)
    for n in range(10):
        report = {"id": f"bc-{n}-{run}", "organization_id": unit, "kind": "PERIODIC", "period": f"{2016 + n}"}
        report["due_date"] = f"{2026 + n % 2}-06-30"
        await call(urls["reporting"], "POST", "/reports", Role.TDKT_SPECIALIST, staff, report)
    for n in range(5):
        draft = {
            "id": f"hs-{n}-{run}",
            "kind": "ANNUAL_MERIT",
            "award_code": "CSTD_CO_SO",
            "year": 2025,
            "submitting_organization_id": unit,
            "nominees": [{"nominee_id": f"p-{n}-{run}", "kind": "INDIVIDUAL", "name": names[n]}],
        }
        drafted = await call(urls["awards"], "POST", "/nominations", Role.UNIT_OFFICER, unit, draft)
        for item in CHECKLIST:  # a PDF under each checklist item, as the proposer files them
            drafted = await file_pdf(urls["awards"], f"hs-{n}-{run}", item, drafted["version"], unit)
        step = {"version": drafted["version"]}
        await call(urls["awards"], "POST", f"/nominations/hs-{n}-{run}/submit", Role.UNIT_OFFICER, unit, step)

    async def on_the_roll() -> bool:
        async with httpx.AsyncClient(timeout=10) as client:
            page = (await client.get(f"{urls['portal']}/vinh-danh", params={"don_vi": unit})).text
        return f"{grants} kết quả" in page

    await until(on_the_roll, 300, f"{grants} grants on the portal's roll")
    return {"unit": unit, "staff": staff, "province": province, "grant": f"ls-0-{run}.1", "dossier": f"hs-0-{run}"}


async def signed_in(portal: str, subject: str, org: str, role: Role) -> httpx.AsyncClient:
    limits = httpx.Limits(max_connections=1, max_keepalive_connections=1, keepalive_expiry=KEEPALIVE_S)
    client = httpx.AsyncClient(base_url=portal, timeout=TIMEOUT_S, limits=limits)
    page = (await client.get("/dang-nhap")).text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert token is not None
    form = {"csrf_token": token.group(1), "subject": subject, "organization_id": org, "role": role.value}
    if (await client.post("/dang-nhap", data=form)).status_code != 303:
        raise SystemExit("the development sign-in failed")
    return client


def pages(ids: dict[str, str]) -> dict[str, tuple[Role | None, str]]:
    """Page name -> (who loads it, path)."""
    return {
        "roll": (None, "/vinh-danh"),
        "roll, searched": (None, "/vinh-danh?q=nguyen+van+nam&nam=2020"),
        "honouree": (None, f"/vinh-danh/{ids['grant']}"),
        "officer home": (Role.UNIT_OFFICER, "/don-vi"),
        "specialist home": (Role.TDKT_SPECIALIST, "/chuyen-vien"),
        "dossier": (Role.TDKT_SPECIALIST, f"/chuyen-vien/ho-so/{ids['dossier']}"),
        "council home": (Role.COUNCIL_MEMBER, "/hoi-dong"),
    }


async def load(
    portal: str, ids: dict[str, str], users: int, seconds: float, think_s: float = 0, public_only: bool = False
) -> dict[str, list[float]]:
    plan = {name: page for name, page in pages(ids).items() if not public_only or page[0] is None}
    orgs = {Role.UNIT_OFFICER: ids["unit"], Role.TDKT_SPECIALIST: ids["staff"], Role.COUNCIL_MEMBER: ids["province"]}
    timings: dict[str, list[float]] = {name: [] for name in plan}
    errors: list[str] = []
    deadline = time.monotonic() + seconds

    async def user(n: int) -> None:
        public = httpx.AsyncClient(
            base_url=portal, timeout=TIMEOUT_S, limits=httpx.Limits(keepalive_expiry=KEEPALIVE_S)
        )
        clients: dict[Role | None, httpx.AsyncClient] = {None: public}
        for role, org in orgs.items():
            clients[role] = await signed_in(portal, f"user-{n}-{role}", org, role)
        try:
            for name in itertools.islice(itertools.cycle(plan), n, None):
                if time.monotonic() > deadline:
                    return
                who, path = plan[name]
                start = time.perf_counter()
                try:
                    try:
                        answer = await clients[who].get(path)
                    except (httpx.RemoteProtocolError, httpx.ReadError):
                        # the server closed an idle keep-alive connection as it was reused: once more, timed whole
                        answer = await clients[who].get(path)
                except httpx.TimeoutException:
                    errors.append(f"{name}: no answer in {TIMEOUT_S} s")
                    continue
                elapsed = (time.perf_counter() - start) * 1000
                if answer.status_code != 200:
                    errors.append(f"{name}: {answer.status_code}")
                timings[name].append(elapsed)
                if think_s:
                    await asyncio.sleep(think_s)
        finally:
            for client in clients.values():
                await client.aclose()

    await asyncio.gather(*(user(n) for n in range(users)))
    if errors:
        raise SystemExit(f"{len(errors)} pages failed: {sorted(set(errors))}")
    return timings


def report(timings: dict[str, list[float]], users: int, seconds: float, think_s: float = 0) -> None:
    every = [t for values in timings.values() for t in values]
    pause = f"{think_s:g} s between a user's pages" if think_s else "no think time"
    print(
        f"portal pages, {users} concurrent users, {seconds:.0f} s, {pause}: {len(every)} pages, "
        f"{len(every) / seconds:.0f} pages/s"
    )
    print(f"{'page':<18} {'count':>6} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}")
    for name, values in timings.items():
        print(
            f"{name:<18} {len(values):>6} {percentile(values, 50):>8.1f} {percentile(values, 95):>8.1f} "
            f"{percentile(values, 99):>8.1f}"
        )
    print(
        f"{'all':<18} {len(every):>6} {percentile(every, 50):>8.1f} {percentile(every, 95):>8.1f} "
        f"{percentile(every, 99):>8.1f}"
    )


async def main_async(
    users: int, seconds: float, grants: int, warmup: float, thinks: list[float], public_only: bool
) -> None:
    run = uuid.uuid4().hex[:8]
    async with processes(run) as urls:
        print(f"seeding {grants} grants ...", file=sys.stderr)
        ids = await seed(urls, run, grants)
        await load(urls["portal"], ids, users, warmup, public_only=public_only)
        for think_s in thinks:
            print(f"loading the pages for {seconds:.0f} s, think time {think_s:g} s ...", file=sys.stderr)
            timings = await load(urls["portal"], ids, users, seconds, think_s, public_only)
            report(timings, users, seconds, think_s)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.portal", description=__doc__)
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--grants", type=int, default=1000)
    parser.add_argument("--warmup", type=float, default=5)
    parser.add_argument(
        "--think",
        type=float,
        action="append",
        help="seconds a user waits between pages (reading); repeat for several runs; default: 0, back to back",
    )
    parser.add_argument("--public", action="store_true", help="only the public pages (the roll, a search, an honouree)")
    args = parser.parse_args()
    thinks = args.think or [0.0]
    asyncio.run(main_async(args.users, args.seconds, args.grants, args.warmup, thinks, args.public))


if __name__ == "__main__":
    main()
