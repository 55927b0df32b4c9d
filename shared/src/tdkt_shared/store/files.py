"""Files (bytes too large for an aggregate document): a port with a GridFS adapter and an in-memory one.

A file is written once under an id the caller chooses and never changed; an aggregate refers to it by that id. A
write that must go with an aggregate change puts the file first and deletes it again when the change is refused,
so nothing is half written (no multi-document transaction).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from gridfs import AsyncGridFSBucket
from gridfs.errors import FileExists, NoFile
from pymongo.asynchronous.database import AsyncDatabase

from tdkt_shared.store.aggregates import AlreadyExists, NotFound


@dataclass(frozen=True)
class StoredFile:
    id: str
    filename: str
    length: int
    metadata: dict[str, Any] = field(default_factory=dict)


class FileStore(Protocol):
    bucket: str

    async def put(self, file_id: str, filename: str, data: bytes, metadata: dict[str, Any]) -> StoredFile:
        """Write a new file (AlreadyExists if the id is taken)."""
        ...

    async def get(self, file_id: str) -> tuple[StoredFile, bytes]:
        """The file and its bytes (NotFound if absent)."""
        ...

    async def delete(self, file_id: str) -> bool:
        """Remove the file; False when there was none."""
        ...


class GridFSFileStore:
    """Files in a GridFS bucket (`<bucket>.files`, `<bucket>.chunks`) through PyMongo's async GridFS API."""

    def __init__(self, database: AsyncDatabase[Any], bucket: str, *, chunk_size: int = 255 * 1024) -> None:
        self.bucket = bucket
        self._bucket = AsyncGridFSBucket(database, bucket_name=bucket, chunk_size_bytes=chunk_size)

    async def put(self, file_id: str, filename: str, data: bytes, metadata: dict[str, Any]) -> StoredFile:
        try:
            await self._bucket.upload_from_stream_with_id(file_id, filename, data, metadata=metadata)
        except FileExists as exc:
            raise AlreadyExists(file_id) from exc
        return StoredFile(file_id, filename, len(data), metadata)

    async def get(self, file_id: str) -> tuple[StoredFile, bytes]:
        try:
            stream = await self._bucket.open_download_stream(file_id)
        except NoFile as exc:
            raise NotFound(file_id) from exc
        data = await stream.read()
        return StoredFile(file_id, stream.filename or "", stream.length, dict(stream.metadata or {})), data

    async def delete(self, file_id: str) -> bool:
        try:
            await self._bucket.delete(file_id)
        except NoFile:
            return False
        return True


class InMemoryFileStore:
    """For unit tests: the same behaviour, in a dict."""

    def __init__(self, bucket: str = "files") -> None:
        self.bucket = bucket
        self.files: dict[str, tuple[StoredFile, bytes]] = {}

    async def put(self, file_id: str, filename: str, data: bytes, metadata: dict[str, Any]) -> StoredFile:
        if file_id in self.files:
            raise AlreadyExists(file_id)
        stored = StoredFile(file_id, filename, len(data), dict(metadata))
        self.files[file_id] = (stored, bytes(data))
        return stored

    async def get(self, file_id: str) -> tuple[StoredFile, bytes]:
        if file_id not in self.files:
            raise NotFound(file_id)
        return self.files[file_id]

    async def delete(self, file_id: str) -> bool:
        return self.files.pop(file_id, None) is not None
