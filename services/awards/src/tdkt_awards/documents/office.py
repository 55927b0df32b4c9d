"""Rendering: docxtpl fills a DOCX template, LibreOffice headless converts the DOCX to PDF.

Why LibreOffice from the DOCX (rather than WeasyPrint from HTML): the DOCX is what offices keep, edit and upload as
their own templates, and the PDF must look exactly like it; one template serves both. A conversion takes one to a
few seconds, so it runs in its own process, at most `concurrency` at once (the others wait, up to `wait_s`, then
get 503), each with a timeout; each slot keeps its own LibreOffice profile so conversions do not share state.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import os
import re
import shutil
import tempfile
import zipfile
import zlib
from functools import cache
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

from docxtpl import DocxTemplate
from jinja2.sandbox import ImmutableSandboxedEnvironment

from tdkt_shared.errors import DomainError


class RenderingUnavailable(DomainError):
    status = 503
    code = "rendering_unavailable"


MAX_TEMPLATE_PARTS = 1000
MAX_TEMPLATE_EXPANDED_BYTES = 32 << 20
"""A template's parts unpacked, at most (the default templates: 17 parts, 0.8 MiB)."""
MAX_FILLED_PART_BYTES = 1 << 20
"""The body, a header or a footer that docxtpl fills, at most (the default templates' body: under 30 KiB). Its tag
repair takes time that grows faster than the part: 1 MiB about 5 s, 4 MiB over 2 minutes."""
FILLED_PART = re.compile(r"word/(document|header\d*|footer\d*)\.xml")


def _refuse(reason: str) -> DomainError:
    return DomainError(f"the template cannot be filled: {reason}", field="template", code="template_invalid")


def _check_package(template: bytes) -> None:
    """A DOCX is a ZIP: refuse one that is not, that unpacks to more than the bounds, or that links outside itself,
    before docxtpl opens it."""
    try:
        with zipfile.ZipFile(io.BytesIO(template)) as package:
            _check_parts(package)
    except (zipfile.BadZipFile, zlib.error, EOFError) as exc:  # not a ZIP, or a part that does not unpack
        raise _refuse(f"not a DOCX package (ZIP): {exc}") from exc


def _check_parts(package: zipfile.ZipFile) -> None:
    parts = package.infolist()
    if len(parts) > MAX_TEMPLATE_PARTS or sum(p.file_size for p in parts) > MAX_TEMPLATE_EXPANDED_BYTES:
        raise _refuse(f"more than {MAX_TEMPLATE_PARTS} parts or {MAX_TEMPLATE_EXPANDED_BYTES >> 20} MiB unpacked")
    for part in parts:
        if FILLED_PART.fullmatch(part.filename) and part.file_size > MAX_FILLED_PART_BYTES:
            raise _refuse(f"{part.filename} is over {MAX_FILLED_PART_BYTES >> 20} MiB")
        if part.filename.endswith(".rels") and (linked := _linked_outside(package.read(part))):
            raise _refuse(f"{part.filename} links {linked} outside the document (only hyperlinks may)")


def _linked_outside(relationships: bytes) -> str | None:
    """The first target outside the package other than a hyperlink (an image or template on a URL or a path)."""
    try:
        root = ElementTree.fromstring(relationships)
    except ElementTree.ParseError as exc:
        raise _refuse(f"a relationships part is not XML: {exc}") from exc
    for link in root:
        external = link.get("TargetMode") == "External"
        if external and not link.get("Type", "").endswith("/hyperlink"):
            return f"{link.get('Target', '')[:100]!r}"
    return None


def fill(template: bytes, values: dict[str, Any]) -> bytes:
    """The DOCX of `template` filled with `values` (Jinja autoescaped into the XML, in a sandbox: a template is an
    office's upload, and may call nothing but what the values offer); 422 for a broken or oversized template."""
    _check_package(template)
    try:
        document = DocxTemplate(io.BytesIO(template))
        document.render(values, jinja_env=ImmutableSandboxedEnvironment(autoescape=True), autoescape=True)
        out = io.BytesIO()
        document.save(out)
    except Exception as exc:  # whatever the template's own expressions raise (1/0, a recursive macro...) or its XML
        raise _refuse(f"{type(exc).__name__}: {exc}") from exc
    return out.getvalue()


PROFILE_SETTINGS = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema">
<item oor:path="/org.openoffice.Office.Common/Security/Scripting">\
<prop oor:name="BlockUntrustedRefererLinks" oor:op="fuse"><value>true</value></prop></item>
</oor:items>
"""
"""LibreOffice loads nothing a document links to (an image on a URL) while it converts: no request leaves the
server on a template's behalf."""


class Renderer:
    """DOCX templates to DOCX and PDF, with a bounded number of LibreOffice conversions at once."""

    def __init__(
        self, soffice: str | None, *, concurrency: int = 2, timeout_s: float = 120, wait_s: float = 60
    ) -> None:
        self.soffice = soffice
        self.timeout_s = timeout_s
        self.wait_s = wait_s
        self._root = Path(tempfile.mkdtemp(prefix="tdkt-render-"))
        self._slots: asyncio.Queue[Path] | None = None
        self._concurrency = concurrency

    def _queue(self) -> asyncio.Queue[Path]:
        if self._slots is None:
            self._slots = asyncio.Queue()
            for i in range(self._concurrency):
                profile = self._root / f"profile-{i}"
                (profile / "user").mkdir(parents=True, exist_ok=True)
                (profile / "user" / "registrymodifications.xcu").write_text(PROFILE_SETTINGS, encoding="utf-8")
                self._slots.put_nowait(profile)
        return self._slots

    async def docx(self, template: bytes, values: dict[str, Any]) -> bytes:
        return await asyncio.to_thread(fill, template, values)

    async def pdf(self, docx: bytes) -> bytes:
        """The PDF of `docx` (503 when LibreOffice is missing, busy past `wait_s`, or fails)."""
        if not self.soffice:
            raise RenderingUnavailable("LibreOffice (soffice) is not installed: scripts/ensure-libreoffice.sh")
        slots = self._queue()
        try:
            profile = await asyncio.wait_for(slots.get(), self.wait_s)
        except TimeoutError as exc:
            raise RenderingUnavailable("every document renderer is busy; try again shortly") from exc
        try:
            return await self._convert(profile, docx)
        finally:
            slots.put_nowait(profile)

    async def _convert(self, profile: Path, docx: bytes) -> bytes:
        with tempfile.TemporaryDirectory(dir=self._root) as work:
            source = Path(work) / "document.docx"
            source.write_bytes(docx)
            process = await asyncio.create_subprocess_exec(
                str(self.soffice),
                f"-env:UserInstallation={profile.as_uri()}",
                "--headless",
                "--norestore",
                "--nologo",
                "--nolockcheck",
                "--convert-to",
                "pdf:writer_pdf_Export",
                "--outdir",
                work,
                str(source),
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE,
                env={**os.environ, "HOME": str(profile.parent)},
            )
            try:
                _, errors = await asyncio.wait_for(process.communicate(), self.timeout_s)
            except TimeoutError as exc:
                with contextlib.suppress(ProcessLookupError):
                    process.kill()
                await process.wait()
                raise RenderingUnavailable(f"LibreOffice did not finish within {self.timeout_s:g} s") from exc
            result = Path(work) / "document.pdf"
            if process.returncode != 0 or not result.exists():
                detail = errors.decode(errors="replace").strip()[-300:]
                raise RenderingUnavailable(
                    f"LibreOffice could not convert the document ({process.returncode}): {detail}"
                )
            return result.read_bytes()


@cache
def default_renderer() -> Renderer:
    """The process's renderer: `SOFFICE_BIN`, or `soffice` on the PATH."""
    return Renderer(os.environ.get("SOFFICE_BIN") or shutil.which("soffice"))
