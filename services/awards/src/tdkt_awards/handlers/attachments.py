"""A dossier's files: the nomination aggregate records them, GridFS holds their bytes.

Nothing is half written: the file is stored first under a new id, then the nomination is written with a
compare-and-set on the version the client read; if that write is refused (a stale version, a state that no longer
allows it), the stored file is deleted again. A removal writes the nomination first, then deletes the bytes (a
crash in between leaves an unreferenced file, never a reference to a missing one).
"""

from __future__ import annotations

import hashlib
import logging
import uuid

from tdkt_awards.domain import attachments, files
from tdkt_awards.domain.catalogue import Catalogue
from tdkt_awards.domain.files import AttachedFile
from tdkt_awards.domain.nominations import Actor, Nomination
from tdkt_awards.handlers.nominations import load, read
from tdkt_awards.store import Repositories
from tdkt_shared.auth import Principal
from tdkt_shared.kit import CommandContext, Loaded
from tdkt_shared.kit.carry import carried
from tdkt_shared.store.files import FileStore

log = logging.getLogger(__name__)


async def add_file(
    repositories: Repositories,
    store: FileStore,
    catalogue: Catalogue,
    nomination_id: str,
    version: int,
    item: str,
    filename: str,
    data: bytes,
    max_bytes: int,
    who: Actor,
    ctx: CommandContext,
) -> Loaded[Nomination]:
    """File `data` under the checklist item `item`: 413 too large, 415 not an accepted kind, 409 stale version or a
    dossier no longer with its proposer."""
    loaded = await load(repositories, nomination_id, version, ctx, own=True)
    n = loaded.aggregate
    found = files.inspect(data, max_bytes)
    record = AttachedFile(
        file_id=f"f-{uuid.uuid4().hex}",
        item=item,
        filename=files.safe_filename(filename, found.content_type),
        **carried(found, AttachedFile),  # the detected kind, the size and the SHA-256
        uploaded_at=ctx.now,
        uploaded_by=who.actor,
        organization_id=who.organization_id,
    )
    changed, events = attachments.add_file(n, record, who, ctx.now)
    metadata = {"nomination_id": n.id, "item": item, "sha256": found.sha256, "content_type": found.content_type}
    await store.put(record.file_id, record.filename, data, metadata)
    try:
        return await repositories.nominations.save(loaded, changed, events, ctx)
    except BaseException:
        await store.delete(record.file_id)
        raise


async def remove_file(
    repositories: Repositories,
    store: FileStore,
    nomination_id: str,
    version: int,
    file_id: str,
    who: Actor,
    ctx: CommandContext,
) -> Loaded[Nomination]:
    loaded = await load(repositories, nomination_id, version, ctx, own=True)
    changed, events = attachments.remove_file(loaded.aggregate, file_id, who, ctx.now)
    saved = await repositories.nominations.save(loaded, changed, events, ctx)
    try:
        await store.delete(file_id)
    except Exception:  # the dossier no longer refers to it: an orphan to sweep, not an error for the client
        log.warning("file %s of %s could not be deleted", file_id, nomination_id, exc_info=True)
    return saved


class CorruptFile(files.UnknownFile):
    status = 500
    code = "corrupt_file"


async def download(
    repositories: Repositories, store: FileStore, nomination_id: str, file_id: str, principal: Principal
) -> tuple[AttachedFile, bytes]:
    """The file's record and bytes, for whoever may read the dossier; the bytes are checked against the SHA-256
    recorded when it was added."""
    loaded = await read(repositories, nomination_id, principal)
    record = attachments.file_of(loaded.aggregate, file_id)
    _, data = await store.get(file_id)
    if hashlib.sha256(data).hexdigest() != record.sha256:
        raise CorruptFile(f"file {file_id} does not match its recorded SHA-256", field="file_id")
    return record, data
