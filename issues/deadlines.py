"""Deadlines in working days, with Russia's public holidays and the days
moved by government decree (a Saturday made a working day, a Monday made a
day off), from the maintained `holidays` package."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

import holidays
from django.utils import timezone


@lru_cache(maxsize=32)
def _calendar(year: int) -> holidays.HolidayBase:
    return holidays.Russia(years=range(year - 1, year + 2))


def is_working_day(day: dt.date) -> bool:
    return _calendar(day.year).is_working_day(day)


def end_of_day(day: dt.date) -> dt.datetime:
    """23:59:59 Moscow time (the portal's time zone) of the day."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time(23, 59, 59)))


def add_days(start: dt.datetime, days: int, calendar_days: bool = False) -> dt.datetime:
    """The deadline `days` days after `start`: the end of the last day.

    Working days start counting on the next working day, so a report
    published on Friday evening with 8 working days is due at the end of the
    Wednesday after next (when no holiday intervenes).
    """
    day = timezone.localtime(start).date()
    if calendar_days:
        return end_of_day(day + dt.timedelta(days=days))
    counted = 0
    while counted < days:
        day += dt.timedelta(days=1)
        if is_working_day(day):
            counted += 1
    return end_of_day(day)


def previous_working_day(moment: dt.datetime) -> dt.date:
    day = timezone.localtime(moment).date() - dt.timedelta(days=1)
    while not is_working_day(day):
        day -= dt.timedelta(days=1)
    return day


def working_days_after(moment: dt.datetime, days: int) -> dt.datetime:
    """`days` working days after a moment (escalation's further period)."""
    return add_days(moment, days)
