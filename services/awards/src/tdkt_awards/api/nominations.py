from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

from fastapi import APIRouter, Depends, Header, Response, status
from pydantic import BaseModel, ConfigDict

from tdkt_awards import handlers
from tdkt_awards.api.access import (
    EDIT_ANY,
    READ_ANY,
    SENDS_TO_COUNCIL,
    SPECIALIST,
    Editor,
    Reader,
    Voter,
    ensure_own,
    ensure_seated,
    own_nomination,
    readable_organizations,
    recorded_actor,
)
from tdkt_awards.api.deps import (
    CalendarDep,
    CatalogueDep,
    CongressesDep,
    CouncilsDep,
    MovementsDep,
    NominationsDep,
    NowDep,
    OrganizationsDep,
    StoresDep,
)
from tdkt_awards.domain import nominations as workflow
from tdkt_awards.domain.grants import DecideNomination, Decision
from tdkt_awards.domain.nominations import Actor, AuditEntry, Nomination, Status
from tdkt_shared.api import ERROR_RESPONSES, Page, PageQuery
from tdkt_shared.auth import CurrentPrincipal, Principal, current_principal
from tdkt_shared.contract.text import Identifier, Text
from tdkt_shared.contract.types import EventData

router = APIRouter(
    prefix="/nominations",
    tags=["nominations"],
    responses=ERROR_RESPONSES,
    dependencies=[Depends(current_principal)],
)
"""Every nomination endpoint needs a token; each one names the roles it admits (docs/authorization.md)."""
staff = APIRouter(dependencies=[SPECIALIST])
"""The steps only the TĐKT body takes (receive, appraise, hold, consultation, decision); included at the end."""


class NominationView(Nomination):
    version: int


def _view(n: Nomination, version: int, response: Response | None = None) -> NominationView:
    if response is not None:
        response.headers["ETag"] = f'"{version}"'
    return NominationView(**n.model_dump(), version=version)


class Step(BaseModel):
    """A workflow step: why, on which version they read. Who acts, and for which organisation, is the token's:
    `actor` and `organization_id` may repeat its `sub` and `org`, never name anyone else (403; admins may)."""

    model_config = ConfigDict(extra="forbid")

    version: int
    actor: Text | None = None
    """The token's `sub` if omitted."""
    organization_id: Identifier | None = None
    """The token's `org` if omitted."""
    reason: Text | None = None

    def who(self, principal: Principal) -> Actor:
        """What the audit trail records (403 before anything is written when the body names someone else)."""
        return recorded_actor(principal, self.actor, self.organization_id, self.reason)


@router.post("", status_code=status.HTTP_201_CREATED, response_model=NominationView)
async def draft(
    command: workflow.DraftNomination,
    principal: Editor,
    nominations: NominationsDep,
    organizations: OrganizationsDep,
    catalogue: CatalogueDep,
    now: NowDep,
    response: Response,
    x_correlation_id: str | None = Header(default=None),
) -> NominationView:
    """Draft a hồ sơ đề nghị; the rule set in force for the period is recorded on it. A unit officer drafts for
    its own organisation (or one in its lineage) only. The audit records the token's `sub` and `org`."""
    who = recorded_actor(principal, command.actor, command.organization_id)
    await ensure_own(principal, organizations, command.submitting_organization_id, any_org=EDIT_ANY)
    n, version = await handlers.draft_nomination(command, who, nominations, catalogue, now, x_correlation_id)
    response.headers["Location"] = f"/nominations/{n.id}"
    return _view(n, version, response)


@router.get("/{nomination_id}", response_model=NominationView)
async def get(
    nomination_id: str,
    principal: Reader,
    nominations: NominationsDep,
    organizations: OrganizationsDep,
    response: Response,
) -> NominationView:
    n, version = await own_nomination(principal, nominations, organizations, nomination_id, any_org=READ_ANY)
    return _view(n, version, response)


@router.get("/{nomination_id}/audit", response_model=list[AuditEntry])
async def audit(
    nomination_id: str, principal: Reader, nominations: NominationsDep, organizations: OrganizationsDep
) -> list[AuditEntry]:
    """The append-only log of transitions (read only: no API changes it)."""
    n, _ = await own_nomination(principal, nominations, organizations, nomination_id, any_org=READ_ANY)
    return n.audit


@router.get("", response_model=Page[NominationView])
async def list_nominations(
    principal: Reader,
    nominations: NominationsDep,
    organizations: OrganizationsDep,
    page: PageQuery,
    status: Status | None = None,
) -> Page[NominationView]:
    """A unit officer sees its own organisation's nominations (and its lineage's); staff and the council all."""
    query: dict[str, object] = {} if status is None else {"status": status.value}
    own = await readable_organizations(principal, organizations)
    if own is not None:
        query["submitting_organization_id"] = {"$in": sorted(own)}
    found = await nominations.find(query, skip=page.offset, limit=page.limit)
    return Page(
        items=[_view(Nomination.model_validate(s.state), s.version) for s in found],
        total=await nominations.count(query),
        offset=page.offset,
        limit=page.limit,
    )


Simple = Callable[[Nomination, Actor, datetime], tuple[Nomination, list[EventData]]]


async def _step(
    nominations: NominationsDep,
    nomination_id: str,
    step: Step,
    principal: Principal,
    fn: Simple,
    now: datetime,
    response: Response,
) -> NominationView:
    who = step.who(principal)
    n, version = await handlers.transition(nominations, nomination_id, step.version, lambda x: fn(x, who, now))
    return _view(n, version, response)


@router.post("/{nomination_id}/submit", response_model=NominationView)
async def submit(
    nomination_id: str,
    step: Step,
    principal: Editor,
    stores: StoresDep,
    congresses: CongressesDep,
    movements: MovementsDep,
    now: NowDep,
    response: Response,
) -> NominationView:
    """422 on `congress_id` past the congress's deadline, on `movement_id` for a topic award before tổng kết."""
    who = step.who(principal)
    await own_nomination(principal, stores.nominations, stores.organizations, nomination_id, any_org=EDIT_ANY)
    n, version = await handlers.submit_nomination(
        stores.nominations, congresses, movements, nomination_id, step.version, who, now
    )
    return _view(n, version, response)


@staff.post("/{nomination_id}/receive", response_model=NominationView)
async def receive(
    nomination_id: str,
    step: Step,
    principal: CurrentPrincipal,
    nominations: NominationsDep,
    now: NowDep,
    response: Response,
) -> NominationView:
    return await _step(nominations, nomination_id, step, principal, workflow.receive, now, response)


@staff.post("/{nomination_id}/start-appraisal", response_model=NominationView)
async def start_appraisal(
    nomination_id: str,
    step: Step,
    principal: CurrentPrincipal,
    nominations: NominationsDep,
    now: NowDep,
    response: Response,
) -> NominationView:
    return await _step(nominations, nomination_id, step, principal, workflow.start_appraisal, now, response)


@staff.post("/{nomination_id}/hold", response_model=NominationView)
async def hold(
    nomination_id: str,
    step: Step,
    principal: CurrentPrincipal,
    nominations: NominationsDep,
    now: NowDep,
    response: Response,
) -> NominationView:
    """ON_HOLD (discipline, inspection, complaint…) from any state before the decision; needs a reason."""
    return await _step(nominations, nomination_id, step, principal, workflow.put_on_hold, now, response)


@staff.post("/{nomination_id}/release", response_model=NominationView)
async def release(
    nomination_id: str,
    step: Step,
    principal: CurrentPrincipal,
    nominations: NominationsDep,
    now: NowDep,
    response: Response,
) -> NominationView:
    """End the hold: back to the state it was in."""
    return await _step(nominations, nomination_id, step, principal, workflow.release_hold, now, response)


class AttachmentsCommand(Step):
    attachments: list[str]


@router.put("/{nomination_id}/attachments", response_model=NominationView)
async def set_attachments(
    nomination_id: str,
    command: AttachmentsCommand,
    principal: Editor,
    stores: StoresDep,
    now: NowDep,
    response: Response,
) -> NominationView:
    """Replace the attachment list (DRAFT or RETURNED only)."""
    who = command.who(principal)
    await own_nomination(principal, stores.nominations, stores.organizations, nomination_id, any_org=EDIT_ANY)
    n, version = await handlers.transition(
        stores.nominations,
        nomination_id,
        command.version,
        lambda x: workflow.set_attachments(x, command.attachments, who, now),
    )
    return _view(n, version, response)


@staff.post("/{nomination_id}/appraise", response_model=NominationView)
async def appraise(
    nomination_id: str,
    step: Step,
    principal: CurrentPrincipal,
    stores: StoresDep,
    catalogue: CatalogueDep,
    now: NowDep,
    response: Response,
) -> NominationView:
    """Thẩm định: checklist (RETURNED with the missing items), then eligibility of each nominee."""
    who = step.who(principal)
    n, version = await handlers.appraise(stores, catalogue, nomination_id, step.version, who, now)
    return _view(n, version, response)


class OpenConsultation(Step):
    channel: Text
    start: date


@staff.post("/{nomination_id}/consultation", response_model=NominationView)
async def open_consultation(
    nomination_id: str,
    command: OpenConsultation,
    principal: CurrentPrincipal,
    nominations: NominationsDep,
    catalogue: CatalogueDep,
    calendar: CalendarDep,
    now: NowDep,
    response: Response,
) -> NominationView:
    """Công khai lấy ý kiến for the working days the award's rules require (Tết and holidays excluded)."""
    who = command.who(principal)
    n, version = await handlers.open_consultation(
        nominations,
        catalogue,
        calendar,
        nomination_id,
        command.version,
        command.channel,
        command.start,
        who,
        now,
    )
    return _view(n, version, response)


class NewComment(BaseModel):
    model_config = ConfigDict(extra="forbid")

    author: Text | None = None
    """The token's `sub` if omitted; naming anyone else is a 403 on `author` (admins may)."""
    text: Text
    objection: bool = False


@router.post("/{nomination_id}/consultation/comments", response_model=NominationView, status_code=201)
async def comment(
    nomination_id: str,
    body: NewComment,
    principal: CurrentPrincipal,
    nominations: NominationsDep,
    now: NowDep,
    response: Response,
) -> NominationView:
    """Any authenticated user may comment while the consultation is open, as themselves."""
    author = recorded_actor(principal, body.author, actor_field="author").actor
    n = await handlers.add_comment(
        nominations,
        nomination_id,
        workflow.Comment(at=now, author=author, text=body.text, objection=body.objection),
    )
    _, version = await handlers.load_nomination(nominations, nomination_id)
    return _view(n, version, response)


class ToCouncil(Step):
    council_session_on: date | None = None
    """The day of the council session, if set; reminders go out before it."""
    council_id: Identifier | None = None
    """The council that will vote; when awards knows its members, only they may vote."""


@router.post("/{nomination_id}/to-council", response_model=NominationView, dependencies=[SENDS_TO_COUNCIL])
async def to_council(
    nomination_id: str,
    step: ToCouncil,
    principal: CurrentPrincipal,
    nominations: NominationsDep,
    catalogue: CatalogueDep,
    now: NowDep,
    response: Response,
) -> NominationView:
    who = step.who(principal)
    n, _ = await handlers.load_nomination(nominations, nomination_id)
    rules = handlers.rules_of(n, catalogue)
    moved, version = await handlers.transition(
        nominations,
        nomination_id,
        step.version,
        lambda x: workflow.to_council(x, rules, who, now, step.council_session_on, step.council_id),
    )
    return _view(moved, version, response)


class CouncilVoteCommand(Step):
    """The voting member is the token's `sub` (as for every step); an admin may record a named member's vote."""

    vote: workflow.CouncilVote


@router.post("/{nomination_id}/council-votes", response_model=NominationView)
async def council_vote(
    nomination_id: str,
    command: CouncilVoteCommand,
    principal: Voter,
    nominations: NominationsDep,
    councils: CouncilsDep,
    catalogue: CatalogueDep,
    now: NowDep,
    response: Response,
    x_correlation_id: str | None = Header(default=None),
) -> NominationView:
    """The council's session: quorum and threshold from the award's vote rule; approval emits nomination.approved.
    Recorded once: a second vote finds the nomination decided by the council (409)."""
    who = command.who(principal)
    n, _ = await handlers.load_nomination(nominations, nomination_id)
    await ensure_seated(principal, councils, n, who.actor, command.vote.held_on)
    rules = handlers.rules_of(n, catalogue)
    moved, version = await handlers.transition(
        nominations,
        nomination_id,
        command.version,
        lambda x: workflow.record_council_vote(x, command.vote, rules, who, now),
        x_correlation_id,
    )
    return _view(moved, version, response)


class DecisionView(BaseModel):
    decision: Decision
    nomination: NominationView


@staff.post("/{nomination_id}/decision", response_model=DecisionView, status_code=201)
async def decide(
    nomination_id: str,
    command: DecideNomination,
    principal: CurrentPrincipal,
    stores: StoresDep,
    catalogue: CatalogueDep,
    now: NowDep,
    x_correlation_id: str | None = Header(default=None),
) -> DecisionView:
    """Quyết định khen thưởng: creates the grants (bonus from the base salary on the decision date)."""
    who = recorded_actor(principal, command.actor, command.organization_id)
    decision, n, version = await handlers.decide(stores, catalogue, nomination_id, command, who, now, x_correlation_id)
    return DecisionView(decision=decision, nomination=_view(n, version))


router.include_router(staff)
