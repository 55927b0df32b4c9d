from __future__ import annotations

from datetime import date

import pytest

from tdkt_awards.calendar_vn import VietnamCalendar
from tdkt_awards.domain.calendar import FixedCalendar, window_end

VN = VietnamCalendar()


@pytest.mark.parametrize(
    ("start", "days", "end"),
    [
        # Tết Ất Tỵ: 27/1/2025 to 2/2/2025 are days off; ten working days from Mon 20/1 end on Fri 7/2
        (date(2025, 1, 20), 10, date(2025, 2, 7)),
        # Tết Bính Ngọ: 16/2 to 20/2/2026 off; from Mon 9/2/2026 the tenth working day is Fri 27/2
        (date(2026, 2, 9), 10, date(2026, 2, 27)),
        # the Báo Bắc Kạn listing from 31/12/2024: New Year's Day is off
        (date(2024, 12, 31), 10, date(2025, 1, 14)),
        # a window starting on a holiday begins on the next working day
        (date(2025, 1, 29), 1, date(2025, 2, 3)),
        # 26/4/2025 (a Saturday) was worked to make up for 2/5/2025
        (date(2025, 4, 25), 2, date(2025, 4, 26)),
        # no holiday: two plain weeks
        (date(2025, 3, 3), 10, date(2025, 3, 14)),
    ],
)
def test_consultation_windows_in_vietnamese_working_days(start: date, days: int, end: date) -> None:
    assert window_end(VN, start, days) == end


def test_tet_days_are_holidays_by_name() -> None:
    assert VN.holiday_name(date(2025, 1, 29)) is not None
    assert not VN.is_working_day(date(2026, 2, 17))
    assert VN.is_working_day(date(2026, 2, 23))


def test_fixed_calendar_for_tests() -> None:
    cal = FixedCalendar(holidays=frozenset({date(2025, 3, 4)}))
    assert window_end(cal, date(2025, 3, 3), 2) == date(2025, 3, 5)
    with pytest.raises(ValueError, match="at least one"):
        window_end(cal, date(2025, 3, 3), 0)
