from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from fastapi import APIRouter, Query, Response, status
from pydantic import BaseModel

from tdkt_awards.api.deps import CalendarDep, CatalogueDep, RepositoriesDep, signed_in_router, tagged
from tdkt_awards.domain import nominations as workflow
from tdkt_awards.domain.grants import DecideNomination, Decision
from tdkt_awards.domain.nominations import Actor, AuditEntry, Nomination, Status
from tdkt_awards.handlers import nominations
from tdkt_awards.policy import DECIDES, EDIT_ANY, READ_ANY, recorded_actor, signed_by
from tdkt_awards.store import Repositories
from tdkt_shared.api import Page, PageQuery
from tdkt_shared.auth import CurrentPrincipal, Principal, Role, require
from tdkt_shared.contract.text import Day, Flag, Identifier, Text, Whole
from tdkt_shared.kit import CommandContext, Loaded
from tdkt_shared.kit.http import Context
from tdkt_shared.kit.models import Command

Reader = Annotated[Principal, require(Role.UNIT_OFFICER, *READ_ANY)]
Editor = Annotated[Principal, require(Role.UNIT_OFFICER, *EDIT_ANY)]
Voter = Annotated[Principal, require(Role.COUNCIL_MEMBER)]

Statuses = Annotated[list[Status] | None, Query(max_length=len(Status))]
"""`?status=A&status=B`: any of these states; none given, every state."""

SPECIALIST: Any = require(Role.TDKT_SPECIALIST)
"""Router-level dependency for the steps only the TĐKT body takes."""
SENDS_TO_COUNCIL: Any = require(Role.TDKT_SPECIALIST, Role.COUNCIL_SECRETARY)
DECIDER: Any = require(*DECIDES)

router = signed_in_router("/nominations", tag="nominations")
"""Every nomination endpoint needs a token; each one names the roles it admits (docs/authorization.md)."""
staff = APIRouter(dependencies=[SPECIALIST])
"""The steps only the TĐKT body takes (receive, appraise, hold, consultation); included at the end."""


class NominationView(Nomination):
    version: Whole


def _view(loaded: Loaded[Nomination], response: Response | None = None) -> NominationView:
    return tagged(NominationView, loaded, response)


class Step(Command):
    """A workflow step: why, on which version they read. Who acts, and for which organisation, is the token's:
    `actor` and `organization_id` may repeat its `sub` and `org`, never name anyone else (403; admins may)."""

    version: Whole
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
    repositories: RepositoriesDep,
    catalogue: CatalogueDep,
    ctx: Context,
    response: Response,
) -> NominationView:
    """Draft a hồ sơ đề nghị; the rule set in force for the period is recorded on it. A unit officer drafts for
    its own organisation (or one in its lineage) only. The audit records the token's `sub` and `org`."""
    who = recorded_actor(principal, command.actor, command.organization_id)
    drafted = await nominations.draft(repositories, catalogue, command, who, ctx)
    response.headers["Location"] = f"{router.prefix}/{drafted.id}"
    return _view(drafted, response)


@router.get("/{nomination_id}", response_model=NominationView)
async def get(
    nomination_id: str, principal: Reader, repositories: RepositoriesDep, response: Response
) -> NominationView:
    return _view(await nominations.read(repositories, nomination_id, principal), response)


@router.get("/{nomination_id}/audit", response_model=list[AuditEntry])
async def audit(nomination_id: str, principal: Reader, repositories: RepositoriesDep) -> list[AuditEntry]:
    """The append-only log of transitions (read only: no API changes it)."""
    return (await nominations.read(repositories, nomination_id, principal)).aggregate.audit


@router.get("", response_model=Page[NominationView])
async def list_nominations(
    principal: Reader, repositories: RepositoriesDep, page: PageQuery, status: Statuses = None
) -> Page[NominationView]:
    """A unit officer sees its own organisation's nominations (and its lineage's); staff and the council all.
    `status` may be repeated: the nominations in any of those states (a work queue's stages in one call)."""
    found, total = await nominations.readable(repositories, principal, status, offset=page.offset, limit=page.limit)
    return Page(items=[_view(n) for n in found], total=total, offset=page.offset, limit=page.limit)


@router.post("/{nomination_id}/submit", response_model=NominationView)
async def submit(
    nomination_id: str,
    step: Step,
    principal: Editor,
    repositories: RepositoriesDep,
    catalogue: CatalogueDep,
    ctx: Context,
    response: Response,
) -> NominationView:
    """422 on `congress_id` past the congress's deadline, on `movement_id` for a topic award before tổng kết, and on
    `files.<item>` for a checklist item without a file."""
    who = step.who(principal)
    submitted = await nominations.submit(repositories, catalogue, nomination_id, step.version, who, ctx)
    return _view(submitted, response)


SimpleStep = Callable[[Repositories, str, int, Actor, CommandContext], Awaitable[Loaded[Nomination]]]


def _staff_step(action: str, handler: SimpleStep, description: str | None = None) -> None:
    """`POST /nominations/{nomination_id}/<action>`: a TĐKT body's step whose body is a plain `Step`."""

    async def endpoint(
        nomination_id: str,
        step: Step,
        principal: CurrentPrincipal,
        repositories: RepositoriesDep,
        ctx: Context,
        response: Response,
    ) -> NominationView:
        return _view(await handler(repositories, nomination_id, step.version, step.who(principal), ctx), response)

    path = f"/{{nomination_id}}/{action}"
    name = action.replace("-", "_")
    staff.post(path, response_model=NominationView, name=name, description=description)(endpoint)


_staff_step("receive", nominations.receive)
_staff_step("start-appraisal", nominations.start_appraisal)
_staff_step(
    "hold",
    nominations.put_on_hold,
    "ON_HOLD (discipline, inspection, complaint…) from any state before the decision; needs a reason.",
)
_staff_step("release", nominations.release_hold, "End the hold: back to the state it was in.")


@staff.post("/{nomination_id}/appraise", response_model=NominationView)
async def appraise(
    nomination_id: str,
    step: Step,
    principal: CurrentPrincipal,
    repositories: RepositoriesDep,
    catalogue: CatalogueDep,
    ctx: Context,
    response: Response,
) -> NominationView:
    """Thẩm định: checklist (RETURNED with the missing items), then eligibility of each nominee."""
    who = step.who(principal)
    appraised = await nominations.appraise(repositories, catalogue, nomination_id, step.version, who, ctx)
    return _view(appraised, response)


class OpenConsultation(Step):
    channel: Text
    start: Day


@staff.post("/{nomination_id}/consultation", response_model=NominationView)
async def open_consultation(
    nomination_id: str,
    command: OpenConsultation,
    principal: CurrentPrincipal,
    repositories: RepositoriesDep,
    catalogue: CatalogueDep,
    calendar: CalendarDep,
    ctx: Context,
    response: Response,
) -> NominationView:
    """Công khai lấy ý kiến for the working days the award's rules require (Tết and holidays excluded)."""
    opened = await nominations.open_consultation(
        repositories,
        catalogue,
        calendar,
        nomination_id,
        command.version,
        command.channel,
        command.start,
        command.who(principal),
        ctx,
    )
    return _view(opened, response)


class NewComment(Command):
    author: Text | None = None
    """The token's `sub` if omitted; naming anyone else is a 403 on `author` (admins may)."""
    text: Text
    objection: Flag = False


@router.post("/{nomination_id}/consultation/comments", response_model=NominationView, status_code=201)
async def comment(
    nomination_id: str,
    body: NewComment,
    principal: CurrentPrincipal,
    repositories: RepositoriesDep,
    ctx: Context,
    response: Response,
) -> NominationView:
    """Any authenticated user may comment while the consultation is open, as themselves."""
    author = recorded_actor(principal, body.author, actor_field="author").actor
    commented = await nominations.add_comment(repositories, nomination_id, author, body.text, body.objection, ctx)
    return _view(commented, response)


class ToCouncil(Step):
    council_session_on: Day | None = None
    """The day of the council session, if set; reminders go out before it."""
    council_id: Identifier | None = None
    """The council that will vote; when awards knows its members, only they may vote."""


@router.post("/{nomination_id}/to-council", response_model=NominationView, dependencies=[SENDS_TO_COUNCIL])
async def to_council(
    nomination_id: str,
    step: ToCouncil,
    principal: CurrentPrincipal,
    repositories: RepositoriesDep,
    catalogue: CatalogueDep,
    ctx: Context,
    response: Response,
) -> NominationView:
    sent = await nominations.send_to_council(
        repositories,
        catalogue,
        nomination_id,
        step.version,
        step.council_session_on,
        step.council_id,
        step.who(principal),
        ctx,
    )
    return _view(sent, response)


class CouncilVoteCommand(Step):
    """The voting member is the token's `sub` (as for every step); an admin may record a named member's vote."""

    vote: workflow.CouncilVote


@router.post("/{nomination_id}/council-votes", response_model=NominationView)
async def council_vote(
    nomination_id: str,
    command: CouncilVoteCommand,
    principal: Voter,
    repositories: RepositoriesDep,
    catalogue: CatalogueDep,
    ctx: Context,
    response: Response,
) -> NominationView:
    """The council's session: quorum and threshold from the award's vote rule; approval emits nomination.approved.
    Recorded once: a second vote finds the nomination decided by the council (409)."""
    who = command.who(principal)
    voted = await nominations.record_council_vote(
        repositories, catalogue, nomination_id, command.version, command.vote, who, ctx
    )
    return _view(voted, response)


class DecisionView(BaseModel):
    decision: Decision
    nomination: NominationView


@router.post("/{nomination_id}/decision", response_model=DecisionView, status_code=201, dependencies=[DECIDER])
async def decide(
    nomination_id: str,
    command: DecideNomination,
    principal: CurrentPrincipal,
    repositories: RepositoriesDep,
    catalogue: CatalogueDep,
    ctx: Context,
) -> DecisionView:
    """Quyết định khen thưởng: creates the grants (bonus from the base salary on the decision date). The leader signs
    it (the decision's `signed_by` names them); the TĐKT body enters one signed on paper."""
    who = recorded_actor(principal, command.actor, command.organization_id)
    decision, decided = await nominations.decide(
        repositories, catalogue, nomination_id, command, who, ctx, signed_by(principal, who)
    )
    return DecisionView(decision=decision, nomination=_view(decided))


router.include_router(staff)
