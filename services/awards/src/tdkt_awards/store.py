"""Award processing's collections, their indexes, and typed access to them."""

from __future__ import annotations

from dataclasses import dataclass

from pymongo import ASCENDING, IndexModel

from tdkt_awards.domain.council_sessions import Session
from tdkt_awards.domain.documents import IssuedDocument
from tdkt_awards.domain.grants import Decision
from tdkt_awards.domain.links import KnownCongress, KnownMovement
from tdkt_awards.domain.nominations import Nomination
from tdkt_awards.domain.numbering import Register
from tdkt_awards.domain.records import KnownRecords
from tdkt_awards.domain.registry import KnownCouncil, KnownPerson
from tdkt_awards.domain.rule_set_versions import RuleSetVersion
from tdkt_awards.domain.templates import OfficeTemplate
from tdkt_shared.kit import Repository
from tdkt_shared.kit.directory import Directory
from tdkt_shared.runtime import Stores

NOMINATIONS = "nominations"
DECISIONS = "decisions"
"""Decisions and imported batches, each holding its grants (the source of truth for chains)."""
ORGANIZATIONS = "organizations"
"""The kit's `Directory`: the registry's organisations and their merger lineage."""
PERSONS = "persons"
"""Read model of the registry's persons."""

COUNCILS = "councils"
"""Read model of the registry's councils (Hội đồng TĐKT) and their members: who may vote on a dossier."""

RECORDS = "records"
"""Read model of the registry's records about each person or collective: cases, initiatives, assessments."""
COUNCIL_SESSIONS = "council_sessions"
"""Council sessions (phiên họp Hội đồng TĐKT): attendance, agenda, secret ballots' tallies, results and minutes."""

RULE_SETS = "rule_sets"
"""Rule-set versions drafted and published through the API (the shipped catalogue is the seed, published)."""

CONGRESSES = "congresses"
"""Read model of reporting's congresses: the deadline of the nominations linked to each."""
MOVEMENTS = "movements"
"""Read model of reporting's movements: whether the final review was held (opens topic awards)."""

FILES = "files"
"""GridFS bucket of the dossiers' files and the documents generated from them (`files.files`, `files.chunks`)."""
BUCKETS = (FILES,)

REGISTERS = "registers"
"""Sổ đăng ký văn bản: one per issuing body and year, the numbers it gave and to which document."""

DOCUMENTS = "documents"
"""Issued documents (tờ trình, danh sách, biên bản, quyết định, bằng khen): their number and their files."""
TEMPLATES = "templates"
"""Offices' own DOCX templates, one per issuing body and kind."""

COLLECTIONS = (
    NOMINATIONS,
    DECISIONS,
    ORGANIZATIONS,
    PERSONS,
    COUNCILS,
    RECORDS,
    CONGRESSES,
    MOVEMENTS,
    REGISTERS,
    DOCUMENTS,
    TEMPLATES,
    COUNCIL_SESSIONS,
    RULE_SETS,
)
READ_MODELS = (ORGANIZATIONS, PERSONS, COUNCILS, RECORDS, CONGRESSES, MOVEMENTS)
"""Built only from the registry's and reporting's events (`tdkt replay awards --reset` rebuilds them)."""
INDEXES = {
    NOMINATIONS: [
        IndexModel([("state.status", ASCENDING)]),
        IndexModel([("state.relied_on_grants", ASCENDING)]),
        IndexModel([("state.nominees.nominee_id", ASCENDING)]),
        IndexModel([("state.held_by_cases", ASCENDING)]),
    ],
    DOCUMENTS: [IndexModel([("state.nomination_id", ASCENDING)])],
    DECISIONS: [
        IndexModel([("state.grants.recipient_id", ASCENDING)]),
        IndexModel([("state.grants.grant_id", ASCENDING)]),
    ],
    PERSONS: [IndexModel([("state.employments.organization_id", ASCENDING)])],
    COUNCIL_SESSIONS: [IndexModel([("state.status", ASCENDING)])],
    RULE_SETS: [IndexModel([("state.status", ASCENDING)])],
}


@dataclass(frozen=True)
class Repositories:
    """Awards' aggregates and read models, typed."""

    nominations: Repository[Nomination]
    decisions: Repository[Decision]
    directory: Directory
    persons: Repository[KnownPerson]
    councils: Repository[KnownCouncil]
    records: Repository[KnownRecords]
    congresses: Repository[KnownCongress]
    movements: Repository[KnownMovement]
    registers: Repository[Register]
    documents: Repository[IssuedDocument]
    templates: Repository[OfficeTemplate]
    sessions: Repository[Session]
    rule_sets: Repository[RuleSetVersion]

    @classmethod
    def of(cls, stores: Stores) -> Repositories:
        return cls(
            nominations=Repository(stores.store(NOMINATIONS), Nomination),
            decisions=Repository(stores.store(DECISIONS), Decision),
            directory=Directory(stores.store(ORGANIZATIONS)),
            persons=Repository(stores.store(PERSONS), KnownPerson),
            councils=Repository(stores.store(COUNCILS), KnownCouncil),
            records=Repository(stores.store(RECORDS), KnownRecords),
            congresses=Repository(stores.store(CONGRESSES), KnownCongress),
            movements=Repository(stores.store(MOVEMENTS), KnownMovement),
            registers=Repository(stores.store(REGISTERS), Register),
            documents=Repository(stores.store(DOCUMENTS), IssuedDocument),
            templates=Repository(stores.store(TEMPLATES), OfficeTemplate),
            sessions=Repository(stores.store(COUNCIL_SESSIONS), Session, subject="council-sessions"),
            rule_sets=Repository(stores.store(RULE_SETS), RuleSetVersion, subject="rule-set-versions"),
        )
