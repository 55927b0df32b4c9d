"""Headless Chromium (Debian's `chromium`, found by scripts/ensure-chromium.sh) driven by Playwright, and axe-core
(scripts/ensure-axe.sh) injected into a page to check it against the WCAG 2.1 A and AA rules."""

from __future__ import annotations

import contextlib
import subprocess
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from playwright.async_api import Browser, Page, async_playwright

ROOT = Path(__file__).resolve().parents[2]
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def _path_from(script: str) -> str:
    answer = subprocess.run([str(ROOT / "scripts" / script)], check=True, capture_output=True, text=True)
    return answer.stdout.strip().splitlines()[-1]


@contextlib.asynccontextmanager
async def chromium() -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=_path_from("ensure-chromium.sh"), headless=True, args=["--no-sandbox", "--lang=vi-VN"]
        )
        try:
            yield browser
        finally:
            await browser.close()


class Axe:
    """axe-core's source, run in the page (the context bypasses the portal's CSP for this injected script only)."""

    def __init__(self) -> None:
        self.source = Path(_path_from("ensure-axe.sh")).read_text(encoding="utf-8")

    async def violations(self, page: Page) -> list[dict[str, Any]]:
        await page.add_script_tag(content=self.source)
        found: list[dict[str, Any]] = await page.evaluate(
            """async (tags) => {
                const result = await axe.run(document, {runOnly: {type: "tag", values: tags}});
                return result.violations.map(v => ({
                    id: v.id, impact: v.impact, help: v.help,
                    nodes: v.nodes.slice(0, 5).map(n => n.target.join(" ")),
                }));
            }""",
            WCAG_TAGS,
        )
        return found

    async def check(self, page: Page) -> None:
        violations = await self.violations(page)
        assert violations == [], f"{page.url}: {violations}"
