"""The period a statistics page shows, and the counter buckets that add up to it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from urllib.parse import urlencode

from stats.models import Grain

EARLIEST = dt.date(2011, 1, 1)  # the portal opened in 2011
MAX_DAYS = 5 * 366
KINDS = {"week": "Эта неделя", "month": "Этот месяц", "year": "Этот год", "custom": "Свой период"}
DEFAULT = "month"
MONTHS_GENITIVE = (
    "января",
    "февраля",
    "марта",
    "апреля",
    "мая",
    "июня",
    "июля",
    "августа",
    "сентября",
    "октября",
    "ноября",
    "декабря",
)


class BadPeriod(ValueError):
    pass


def _next_month(day: dt.date) -> dt.date:
    return (day.replace(day=1) + dt.timedelta(days=32)).replace(day=1)


def _date(value: dt.date) -> str:
    return f"{value.day} {MONTHS_GENITIVE[value.month - 1]} {value.year}"


@dataclass(frozen=True)
class Period:
    kind: str
    start: dt.date
    end: dt.date  # inclusive, never after today

    @property
    def label(self) -> str:
        if self.start == self.end:
            return _date(self.start)
        return f"{_date(self.start)} — {_date(self.end)}"

    @property
    def params(self) -> dict[str, str]:
        if self.kind == "custom":
            return {"period": "custom", "from": self.start.isoformat(), "to": self.end.isoformat()}
        return {"period": self.kind}

    @property
    def query(self) -> str:
        return urlencode(self.params)

    @property
    def cache_key(self) -> str:
        return f"{self.start:%Y%m%d}-{self.end:%Y%m%d}"

    def buckets(self, today: dt.date) -> list[tuple[str, dt.date]]:
        """The fewest year, month and day buckets that cover the period. A
        bucket that runs past today counts as whole (nothing is dated later)."""
        out, day = [], self.start
        through_today = self.end >= today
        while day <= self.end:
            year_end = day.replace(month=12, day=31)
            month_end = _next_month(day) - dt.timedelta(days=1)
            if (
                day.month == 1
                and day.day == 1
                and (year_end <= self.end or through_today and day.year == today.year)
            ):
                out.append((Grain.YEAR, day))
                day = year_end + dt.timedelta(days=1)
            elif day.day == 1 and (
                month_end <= self.end or through_today and (day.year, day.month) == (today.year, today.month)
            ):
                out.append((Grain.MONTH, day))
                day = month_end + dt.timedelta(days=1)
            else:
                out.append((Grain.DAY, day))
                day += dt.timedelta(days=1)
        return out

    def chart_buckets(self) -> list[tuple[str, dt.date]]:
        """Days, or months for a period longer than about a year."""
        if (self.end - self.start).days <= 400:
            return [
                (Grain.DAY, self.start + dt.timedelta(days=i))
                for i in range((self.end - self.start).days + 1)
            ]
        out, month = [], self.start.replace(day=1)
        while month <= self.end:
            out.append((Grain.MONTH, month))
            month = _next_month(month)
        return out


def _parse_date(raw: str, name: str) -> dt.date:
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise BadPeriod(f"{name}: дата в виде ГГГГ-ММ-ДД.") from None


def standard(kind: str, today: dt.date) -> Period:
    if kind == "week":
        return Period("week", today - dt.timedelta(days=today.weekday()), today)
    if kind == "year":
        return Period("year", today.replace(month=1, day=1), today)
    return Period("month", today.replace(day=1), today)


def parse_period(params, today: dt.date) -> Period:
    """The period from a query string (period=week|month|year|custom, from, to)."""
    kind = params.get("period") or DEFAULT
    if kind not in KINDS:
        raise BadPeriod("Период: неделя, месяц, год или свой (custom).")
    if kind != "custom":
        return standard(kind, today)
    start = _parse_date(params.get("from", ""), "Начало периода")
    end = _parse_date(params.get("to", ""), "Конец периода")
    if start > end:
        raise BadPeriod("Начало периода позже его конца.")
    if start > today:
        raise BadPeriod("Период ещё не начался.")
    if start < EARLIEST:
        raise BadPeriod(f"Данные есть с {_date(EARLIEST)}.")
    end = min(end, today)
    if (end - start).days > MAX_DAYS:
        raise BadPeriod("Период длиннее пяти лет.")
    return Period("custom", start, end)
