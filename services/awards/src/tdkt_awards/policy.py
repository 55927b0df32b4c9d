"""Who may read or change a nomination as loaded (docs/authorization.md); the handlers call these before writing.

"Own" is the proposer organisation (`submitting_organization_id`) of the body for a new dossier, of the stored
nomination otherwise; a unit's officers also act for the organisations in its merger lineage (the kit's
`Directory`). A principal of None is the platform itself (a consumed event): it may do what the domain allows.

Whoever the audit trail records is the token's user (`sub`) acting for the token's organisation (`org`): a body may
repeat them, never name someone else (`recorded_actor`).
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date

from tdkt_awards.domain import council_sessions
from tdkt_awards.domain.nominations import Actor
from tdkt_awards.domain.registry import KnownCouncil
from tdkt_shared.auth import Forbidden, Principal, Role, ensure_acts_for
from tdkt_shared.contract.text import nfc
from tdkt_shared.kit.directory import Directory

OWN_FIELD = "submitting_organization_id"

EDIT_ANY: tuple[Role, ...] = (Role.TDKT_SPECIALIST,)
"""May draft, submit and attach for any organisation (a unit officer only for its own)."""
STAFF_AND_COUNCIL: tuple[Role, ...] = (Role.TDKT_SPECIALIST, Role.COUNCIL_MEMBER, Role.COUNCIL_SECRETARY)
"""May read what the council weighs besides the dossiers: the records the engine reads, the council's sessions."""
READ_ANY: tuple[Role, ...] = (*STAFF_AND_COUNCIL, Role.LEADER)
"""May read every nomination, its audit trail, its files and its documents (a unit officer only its own); the
leader reads what they sign."""
DECIDES: tuple[Role, ...] = (Role.TDKT_SPECIALIST, Role.LEADER)
"""May record the decision: the leader signs it; the TĐKT body enters one signed on paper."""


async def ensure_own(
    principal: Principal | None, directory: Directory, organization_id: str, *, any_org: Collection[Role]
) -> None:
    """403 (`submitting_organization_id`) unless the principal may act for `organization_id`."""
    if principal is None or principal.has(*any_org) or principal.acts_for(organization_id):
        return
    lineage = await directory.lineage(organization_id)
    ensure_acts_for(principal, organization_id, lineage, field=OWN_FIELD, any_org=any_org)


def ensure_seated(principal: Principal | None, council: KnownCouncil | None, voter: str, held_on: date) -> None:
    """403 (`actor`) when awards knows the members of the council the dossier was sent to and the voter did not
    sit on it on the session day. Admins record votes on a member's behalf."""
    if council is None or principal is None or Role.ADMIN in principal.roles or council.seats(voter, held_on):
        return
    raise Forbidden(f"{voter} does not sit on {council.id} on {held_on}", field="actor")


async def readable_organizations(principal: Principal, directory: Directory) -> set[str] | None:
    """The proposers whose nominations the principal may list; None for all."""
    if principal.has(*READ_ANY):
        return None
    return {principal.organization_id, *await directory.lineage(principal.organization_id)}


def recorded_actor(
    principal: Principal,
    actor: str | None = None,
    organization_id: str | None = None,
    reason: str | None = None,
    *,
    actor_field: str = "actor",
) -> Actor:
    """Who a write records: the token's `sub` for the token's `org`. A body may name them (older clients do) but
    not anyone else: 403 on `actor_field` or `organization_id`, before anything is read or written. Admins may
    record on a named person's or organisation's behalf (a vote taken in the session, a dossier sent on paper)."""
    if Role.ADMIN not in principal.roles:
        if actor is not None and actor != nfc(principal.subject.strip()):
            raise Forbidden(f"{principal.subject} cannot record {actor} as the actor", field=actor_field)
        if organization_id is not None and organization_id != principal.organization_id:
            raise Forbidden(
                f"{principal.subject} acts for {principal.organization_id}, not for {organization_id}",
                field="organization_id",
            )
    return Actor(
        actor=actor or principal.subject,
        organization_id=organization_id or principal.organization_id,
        reason=reason,
    )


def signed_by(principal: Principal, who: Actor) -> str | None:
    """Who signs a decision in the platform: the leader recording it (as the audit records them); None when anyone
    else enters it (the TĐKT body for a signer on paper)."""
    return who.actor if Role.LEADER in principal.roles else None


ISSUERS_BY_KIND: dict[str, tuple[Role, ...]] = {
    "PROPOSAL": (Role.UNIT_OFFICER, Role.TDKT_SPECIALIST),
    "NOMINEE_LIST": (Role.UNIT_OFFICER, Role.TDKT_SPECIALIST),
    "COUNCIL_MINUTES": (Role.TDKT_SPECIALIST, Role.COUNCIL_SECRETARY),
    "DECISION": (Role.TDKT_SPECIALIST,),
    "CERTIFICATE": (Role.TDKT_SPECIALIST,),
}
"""Who issues each kind of document: the proposer's own letter and list (a unit officer for its own organisation),
the council's minutes, the TĐKT body's decision and certificates."""


async def ensure_may_issue(
    principal: Principal | None, directory: Directory, kind: str, proposer: str, issuer: str
) -> None:
    """403 (`kind`) for a role that does not issue this kind; for a unit officer, 403 (`submitting_organization_id`)
    on another organisation's dossier and 403 (`issuer`) for a document in another body's name (its number would be
    taken from that body's register)."""
    if principal is None:
        return
    allowed = ISSUERS_BY_KIND[kind]
    if not principal.has(*allowed):
        raise Forbidden(
            f"{', '.join(r.value for r in principal.roles) or 'no role'} cannot issue a {kind}", field="kind"
        )
    if Role.UNIT_OFFICER in allowed and not principal.has(*(r for r in allowed if r is not Role.UNIT_OFFICER)):
        await ensure_own(principal, directory, proposer, any_org=())
        if not principal.acts_for(issuer):
            ensure_acts_for(principal, issuer, await directory.lineage(issuer), field="issuer", any_org=())


SESSION_READERS: tuple[Role, ...] = STAFF_AND_COUNCIL
"""May read council sessions, their minutes and their results once closed."""


def ballot_voter(principal: Principal, voter: str | None) -> str:
    """Who casts a ballot: the token's `sub`. Only an admin names another member (a paper ballot entered for them);
    anyone else naming someone is a 403 on `voter`, before anything is read."""
    own = nfc(principal.subject.strip())
    if voter is None or voter == own:
        return own
    if Role.ADMIN not in principal.roles:
        raise Forbidden(f"{principal.subject} cannot cast a ballot as {voter}", field="voter")
    return voter


def ensure_session_seat(session: council_sessions.Session, voter: str) -> None:
    """403 (`voter`) unless the voter sat on the council on the session day, whoever enters the ballot."""
    if not session.seated(voter):
        raise Forbidden(f"{voter} does not sit on {session.council_id} on {session.held_on}", field="voter")
