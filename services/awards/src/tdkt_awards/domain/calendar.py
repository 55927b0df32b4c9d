"""Working days (ngày làm việc): consultation windows and time limits are counted in them."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Protocol


class WorkingDays(Protocol):
    def is_working_day(self, day: date) -> bool: ...


class FixedCalendar:
    """A calendar from explicit lists: weekends off, `holidays` off, `workdays` (make-up Saturdays) on."""

    def __init__(self, holidays: frozenset[date] = frozenset(), workdays: frozenset[date] = frozenset()) -> None:
        self.holidays = holidays
        self.workdays = workdays

    def is_working_day(self, day: date) -> bool:
        if day in self.workdays:
            return True
        return day.weekday() < 5 and day not in self.holidays


def window_end(calendar: WorkingDays, start: date, working_days: int) -> date:
    """The last day of a window of `working_days` working days whose first day is the first working day >= start."""
    if working_days < 1:
        raise ValueError("a window has at least one working day")
    day = start
    counted = 0
    while True:
        if calendar.is_working_day(day):
            counted += 1
            if counted == working_days:
                return day
        day += timedelta(days=1)
