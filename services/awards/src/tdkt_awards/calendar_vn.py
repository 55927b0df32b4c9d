"""Vietnam's working-day calendar from the maintained `holidays` library (Tết, public holidays, make-up days)."""

from __future__ import annotations

from datetime import date

import holidays


class VietnamCalendar:
    """Public holidays and Tết as the `holidays` package publishes them, including official make-up Saturdays."""

    def __init__(self) -> None:
        self._holidays = holidays.country_holidays("VN")

    def is_working_day(self, day: date) -> bool:
        return bool(self._holidays.is_working_day(day))

    def holiday_name(self, day: date) -> str | None:
        name = self._holidays.get(day)
        return None if name is None else str(name)
