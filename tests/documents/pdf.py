"""Reading PDFs the way a reader would: poppler's `pdftotext` for the text, `pdftoppm` for the page as pixels.

The tools come from `scripts/ensure-poppler.sh` (and LibreOffice from `scripts/ensure-libreoffice.sh`), which install
the Debian packages on a clean CI machine; a test fails, never skips, when they are missing.
"""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MM_PER_INCH = 25.4


@cache
def tool_dir(script: str) -> str:
    done = subprocess.run([str(ROOT / "scripts" / script)], capture_output=True, text=True, timeout=900, check=False)
    assert done.returncode == 0, f"{script} failed: {done.stderr}"
    return done.stdout.strip().splitlines()[-1]


def soffice() -> str:
    return tool_dir("ensure-libreoffice.sh")


def poppler(name: str) -> str:
    return str(Path(tool_dir("ensure-poppler.sh")) / name)


def text_of(pdf: Path) -> str:
    done = subprocess.run([poppler("pdftotext"), "-layout", str(pdf), "-"], capture_output=True, check=True)
    return done.stdout.decode("utf-8")


def pages_of(pdf: Path) -> int:
    done = subprocess.run([poppler("pdfinfo"), str(pdf)], capture_output=True, check=True, text=True)
    match = re.search(r"^Pages:\s+(\d+)", done.stdout, re.MULTILINE)
    assert match, done.stdout
    return int(match.group(1))


@dataclass(frozen=True)
class Page:
    """One page as a grey image: its size and the box of its ink, in millimetres."""

    width_mm: float
    height_mm: float
    left_mm: float
    right_mm: float
    top_mm: float
    bottom_mm: float


def _ink_box(width: int, height: int, pixels: bytes) -> tuple[int, int, int, int]:
    dark = re.compile(rb"[\x00-\x9f]")  # below 160 of 255: ink, not anti-aliasing haze
    top = bottom = -1
    left, right = width, -1
    for y in range(height):
        row = pixels[y * width : (y + 1) * width]
        first = dark.search(row)
        if first is None:
            continue
        last = dark.search(row[::-1])
        assert last is not None
        top = y if top < 0 else top
        bottom = y
        left = min(left, first.start())
        right = max(right, width - 1 - last.start())
    assert top >= 0, "the page is blank"
    return left, right, top, bottom


def page_of(pdf: Path, page: int, dpi: int = 100) -> Page:
    """Page `page` rendered by pdftoppm as a greyscale PGM, measured."""
    done = subprocess.run(
        [poppler("pdftoppm"), "-gray", "-r", str(dpi), "-f", str(page), "-l", str(page), str(pdf)],
        capture_output=True,
        check=True,
    )
    data = done.stdout
    match = re.match(rb"P5\s+(\d+)\s+(\d+)\s+(\d+)\s", data)
    assert match, data[:20]
    width, height = int(match.group(1)), int(match.group(2))
    pixels = data[match.end() : match.end() + width * height]
    left, right, top, bottom = _ink_box(width, height, pixels)
    mm = MM_PER_INCH / dpi
    return Page(
        width_mm=width * mm,
        height_mm=height * mm,
        left_mm=left * mm,
        right_mm=(width - 1 - right) * mm,
        top_mm=top * mm,
        bottom_mm=(height - 1 - bottom) * mm,
    )


def snapshot(pdf: Path, target: Path, dpi: int = 60) -> Path:
    """Page 1 as a PNG (for docs/documents)."""
    prefix = target.with_suffix("")
    subprocess.run(
        [poppler("pdftoppm"), "-png", "-r", str(dpi), "-f", "1", "-l", "1", "-singlefile", str(pdf), str(prefix)],
        check=True,
    )
    return prefix.with_suffix(".png")
