"""What notify made of the run (step 9): inbox messages, signed publication requests at the press body's webhook,
deliveries on the bus and, with an SMTP server, the e-mails."""

from __future__ import annotations

import json

from tdkt_demo.api import Json
from tdkt_demo.events import ScenarioError, eventually
from tdkt_demo.receivers import Mail, Received, signed
from tdkt_demo.run import Run
from tdkt_demo.steps.movements import CONGRESS_TITLE
from tdkt_shared.contract import CloudEvent


async def notifications(run: Run) -> None:
    i, notify, webhooks = run.ids, run.services.notify, run.webhooks
    congress_event = next(
        e for e in run.log.events if e.type.endswith("congress.scheduled.v1") and e.partitionkey == i["congress"]
    )

    async def inbox_of(unit: str) -> Json | None:
        return await notify.get(f"/inbox/{unit}", run.cast.officer(unit), limit=100)

    async def in_inbox(recipient: str) -> Json | None:
        page = await inbox_of(recipient) or {"items": []}
        mine = [m for m in page["items"] if congress_event.id in json.dumps(m)]
        return mine[0] if mine else None

    for unit in (i["finance"], i["health"]):
        await eventually(lambda unit=unit: in_inbox(unit), what=f"the congress in {unit}'s inbox")  # type: ignore[misc]

    async def approval_in_inbox() -> Json | None:
        page = await inbox_of(i["health"])
        if page is None:
            return None
        kinds = {m["event_type"] for m in page["items"]}
        wanted = {"tdkt.awards.nomination.approved.v1", "tdkt.reporting.report.submitted.v1"}
        return page if wanted <= kinds else None

    inbox = await eventually(approval_in_inbox, what=f"the approval and the report receipts in {i['health']}'s inbox")

    press_path = f"/{i['press']}"

    async def published() -> list[Received] | None:
        return webhooks.at(press_path, containing=congress_event.id) or None

    [hook, *_] = await eventually(published, what="the publication request at the press body's webhook")
    if hook.headers.get("x-tdkt-purpose") != "PUBLICATION_REQUEST":
        raise ScenarioError(f"webhook purpose {hook.headers.get('x-tdkt-purpose')}")
    if not signed(hook, run.cast.webhook_secret):
        raise ScenarioError(f"the webhook signature does not verify: {hook.headers}")
    if CloudEvent.model_validate_json(hook.body).type != congress_event.type:
        raise ScenarioError("the webhook body is not the congress event")
    requested = await run.log.expect(i["press"], ["notify.publication.requested.v1"])

    async def all_published() -> set[str] | None:
        kinds = {CloudEvent.model_validate_json(r.body).type for r in webhooks.at(press_path)}
        wanted = {
            "tdkt.awards.nomination.approved.v1",
            "tdkt.awards.award.granted.v1",
            "tdkt.reporting.congress.scheduled.v1",
        }
        return kinds if wanted <= kinds else None

    published_kinds = await eventually(all_published, what="publication requests for approval, grant and congress")

    async def delivered() -> list[CloudEvent] | None:
        found = [
            e
            for e in run.log.events
            if e.type.endswith("notification.delivered.v1") and congress_event.id in json.dumps(e.data)
        ]
        return found if len(found) >= 3 else None

    done = await eventually(delivered, what="notification.delivered for the congress")
    mailed = ""
    if run.mail is not None:
        mail = run.mail
        addresses = [f"vanthu@{i['finance']}.example", f"vanthu@{i['health']}.example"]
        addresses.append(f"toasoan@{i['press']}.example")

        async def congress_mailed() -> list[Mail] | None:
            found = [m for a in addresses for m in mail.to(a) if CONGRESS_TITLE in m.subject + m.body]
            return found if {r for m in found for r in m.recipients} >= set(addresses) else None

        congress_mails = await eventually(congress_mailed, what="the congress e-mails at the SMTP server")
        i["mail_subject"] = congress_mails[0].subject
        mailed = f"; {len(mail.of_run(run.run_id))} e-mails at the SMTP server, e.g. «{congress_mails[0].subject}»"
    run.record(
        "9",
        "Notifications",
        f"congress in the inboxes of {i['finance']} and {i['health']} ({inbox['total']} messages for "
        f"{i['health']}); signed publication requests at the press webhook for "
        f"{', '.join(sorted(published_kinds))}{mailed}",
        [(i["press"], requested), ("deliveries", done)],
    )
