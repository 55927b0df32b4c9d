"""Report how many cases schemathesis sent to each service, so a pass that generated nothing shows."""

from __future__ import annotations

from collections.abc import Generator

import pytest
from _pytest.terminal import TerminalReporter

from tests.fuzz.tally import TALLIES


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    if report.when == "call" and report.failed:
        item.fuzz_call_failed = True  # type: ignore[attr-defined]
    return report


def pytest_terminal_summary(terminalreporter: TerminalReporter) -> None:
    if not TALLIES:
        return
    terminalreporter.section("schemathesis cases per service")
    for (service, mode), cases in sorted(TALLIES.items()):
        terminalreporter.write_line(
            f"{service:<10} {mode:<10} {sum(cases.values()):>6} cases over {len(cases):>3} operations "
            f"(fewest for one operation: {min(cases.values())})"
        )
