"""Event type -> handler, and nothing else."""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial

from tdkt_awards.handlers import cases, congresses, councils, movements, nominations, persons, records
from tdkt_awards.store import Repositories
from tdkt_shared.bus.consumer import EventHandler
from tdkt_shared.contract import service_topic
from tdkt_shared.contract.records import (
    AssessmentRecorded,
    CaseConcluded,
    CaseOpened,
    CaseWithdrawn,
    CollectiveAssessmentRecorded,
    InitiativeRecognized,
)
from tdkt_shared.contract.registry import CouncilConstituted, CouncilMembershipChanged, PersonEmploymentChanged
from tdkt_shared.contract.reporting import (
    ClusterRankingPublished,
    CongressCancelled,
    CongressRescheduled,
    CongressScheduled,
    MovementFinalReviewed,
)
from tdkt_shared.runtime import Stores

TOPICS = (service_topic("registry"), service_topic("reporting"))


def event_handlers(stores: Stores) -> Mapping[str, EventHandler]:
    repositories = Repositories.of(stores)
    return {
        **repositories.directory.event_handlers(),
        PersonEmploymentChanged.event_type: partial(persons.on_person_employment_changed, persons=repositories.persons),
        CouncilConstituted.event_type: partial(councils.on_council_constituted, councils=repositories.councils),
        CouncilMembershipChanged.event_type: partial(
            councils.on_council_membership_changed, councils=repositories.councils
        ),
        CaseOpened.event_type: partial(cases.on_case_opened, repositories=repositories),
        **{
            ended.event_type: partial(cases.on_case_ended, repositories=repositories)
            for ended in (CaseConcluded, CaseWithdrawn)
        },
        InitiativeRecognized.event_type: partial(records.on_initiative_recognized, records=repositories.records),
        AssessmentRecorded.event_type: partial(records.on_assessment_recorded, records=repositories.records),
        CollectiveAssessmentRecorded.event_type: partial(
            records.on_collective_assessment_recorded, records=repositories.records
        ),
        ClusterRankingPublished.event_type: partial(
            nominations.on_cluster_ranking_published, repositories=repositories
        ),
        CongressScheduled.event_type: partial(congresses.on_congress_scheduled, congresses=repositories.congresses),
        CongressRescheduled.event_type: partial(congresses.on_congress_rescheduled, congresses=repositories.congresses),
        CongressCancelled.event_type: partial(congresses.on_congress_cancelled, congresses=repositories.congresses),
        MovementFinalReviewed.event_type: partial(
            movements.on_movement_final_reviewed, movements=repositories.movements
        ),
    }
