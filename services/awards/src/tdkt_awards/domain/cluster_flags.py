"""A cluster's published ranking (suy tôn) drafts one Cờ thi đua nomination per leader.

The leader unit is the submitting organisation: it is the nominee and completes its own dossier (the cluster's
ranking minutes are one of its attachments). The award is the one the rule set in force names for cluster leaders
(parameter `cluster_leader_award_code`), so a later rule set can change it.
"""

from __future__ import annotations

from uuid import UUID, uuid5

from tdkt_awards.domain.catalogue import EffectiveRules
from tdkt_awards.domain.nominations import DraftNomination, NominationKind, Nominee
from tdkt_shared.contract.awards import NomineeKind
from tdkt_shared.contract.reporting import ClusterRankingPublished
from tdkt_shared.errors import DomainError

_CLUSTER_FLAGS = UUID("6f1d6a52-3c1e-4f7e-9a55-0c2b7d1e8a31")


def cluster_nomination_id(ranking_id: str, leader_id: str) -> str:
    """Deterministic: a redelivered (or republished) ranking finds the draft it made before."""
    return f"cluster-flag-{uuid5(_CLUSTER_FLAGS, f'{ranking_id}/{leader_id}')}"


def cluster_leader_drafts(
    data: ClusterRankingPublished, rules: EffectiveRules, names: dict[str, str]
) -> list[DraftNomination]:
    """One DRAFT Cờ thi đua nomination per leader, for the award the rule set names for cluster leaders."""
    award = rules.award(rules.param("cluster_leader_award_code"))
    if award.subject is not NomineeKind.COLLECTIVE:
        raise DomainError(f"{award.code} is not a collective award", field="cluster_leader_award_code")
    return [
        DraftNomination(
            id=cluster_nomination_id(data.ranking_id, leader),
            kind=NominationKind.ANNUAL_MERIT,
            award_code=award.code,
            year=data.year,
            submitting_organization_id=leader,
            nominees=[Nominee(nominee_id=leader, kind=NomineeKind.COLLECTIVE, name=names.get(leader) or leader)],
            actor=f"cluster ranking {data.ranking_id}",
        )
        for leader in dict.fromkeys(data.leaders)
    ]
