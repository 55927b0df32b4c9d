"""A dossier's files: adding one to a checklist item, removing one, and what a submission still lacks.

A checklist item (Law 06/2022/QH15, Art. 84: tờ trình, báo cáo thành tích, biên bản...) is satisfied only by a file.
Each change emits one event; files change only while the proposer holds the dossier (DRAFT, or RETURNED for
supplement).
"""

from __future__ import annotations

from datetime import datetime

from tdkt_awards.domain.files import AttachedFile, UnknownFile
from tdkt_awards.domain.nominations import Actor, Nomination, Status
from tdkt_shared.contract.awards import AttachmentAdded, AttachmentRemoved
from tdkt_shared.contract.types import EventData
from tdkt_shared.errors import DomainError, InvalidTransition
from tdkt_shared.kit.carry import carried

EDITABLE = frozenset({Status.DRAFT, Status.RETURNED})
MAX_FILES = 50
"""Files on one dossier, all items together."""


def _editable(n: Nomination, action: str) -> None:
    if n.status not in EDITABLE:
        raise InvalidTransition(f"cannot {action} a file on a nomination in {n.status.value}", field="status")


def _with(n: Nomination, files: list[AttachedFile]) -> Nomination:
    return n.model_copy(update={"files": files, "attachments": sorted({f.item for f in files})})


def add_file(n: Nomination, file: AttachedFile, who: Actor, at: datetime) -> tuple[Nomination, list[EventData]]:
    """File `file` under its item: one of the checklist's, or any other supporting item (ballots, opinions of
    related agencies...). The events, not the audit log (which records transitions), keep who changed the files."""
    _editable(n, "add")
    if len(n.files) >= MAX_FILES:
        raise DomainError(f"a dossier holds at most {MAX_FILES} files", field="item", code="too_many_files")
    changed = _with(n, [*n.files, file])
    # the file's record, and who added it for which organisation (not the file's own organisation)
    record = carried(file, AttachmentAdded, "organization_id")
    event = AttachmentAdded(nomination_id=n.id, **record, **carried(who, AttachmentAdded), at=at)
    return changed, [event]


def remove_file(n: Nomination, file_id: str, who: Actor, at: datetime) -> tuple[Nomination, list[EventData]]:
    _editable(n, "remove")
    gone = file_of(n, file_id)
    kept = [f for f in n.files if f.file_id != file_id]
    changed = _with(n, kept)
    record = carried(gone, AttachmentRemoved, "organization_id")
    event = AttachmentRemoved(nomination_id=n.id, **record, **carried(who, AttachmentRemoved), at=at)
    return changed, [event]


def file_of(n: Nomination, file_id: str) -> AttachedFile:
    for f in n.files:
        if f.file_id == file_id:
            return f
    raise UnknownFile(f"nomination {n.id} has no file {file_id}", field="file_id")
