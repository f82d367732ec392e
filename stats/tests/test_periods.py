"""Periods and the buckets that add up to them (no database)."""

import datetime as dt

import pytest
from django.http import QueryDict

from stats.periods import BadPeriod, Period, parse_period
from stats.selectors import Figures, wilson

D = dt.date
TODAY = D(2026, 11, 27)


def parse(query):
    return parse_period(QueryDict(query), TODAY)


def test_the_default_is_this_month_read_as_one_month_bucket():
    period = parse("")
    assert (period.kind, period.start, period.end) == ("month", D(2026, 11, 1), TODAY)
    assert period.buckets(TODAY) == [("M", D(2026, 11, 1))]


def test_this_week_and_this_year():
    assert parse("period=week").buckets(TODAY) == [("D", D(2026, 11, d)) for d in range(23, 28)]
    assert parse("period=year").buckets(TODAY) == [("Y", D(2026, 1, 1))]


def test_a_custom_period_is_whole_years_months_and_edge_days():
    period = parse("period=custom&from=2024-12-30&to=2026-03-02")
    assert period.buckets(TODAY) == [
        ("D", D(2024, 12, 30)),
        ("D", D(2024, 12, 31)),
        ("Y", D(2025, 1, 1)),
        ("M", D(2026, 1, 1)),
        ("M", D(2026, 2, 1)),
        ("D", D(2026, 3, 1)),
        ("D", D(2026, 3, 2)),
    ]
    assert parse("period=custom&from=2026-10-26&to=2026-12-31").buckets(TODAY) == [
        *[("D", D(2026, 10, d)) for d in range(26, 32)],
        ("M", D(2026, 11, 1)),
    ]


@pytest.mark.parametrize(
    "query",
    [
        "period=decade",
        "period=custom&from=2026-11-10&to=2026-11-01",
        "period=custom&from=2026-13-01&to=2026-11-01",
        "period=custom&from=2010-01-01&to=2010-02-01",
        "period=custom&from=2027-01-01&to=2027-02-01",
        "period=custom&from=2015-01-01&to=2026-11-01",
    ],
)
def test_bad_periods_are_refused(query):
    with pytest.raises(BadPeriod):
        parse(query)


def test_a_long_period_is_charted_by_month():
    period = Period("custom", D(2024, 1, 15), D(2026, 11, 27))
    assert period.chart_buckets()[:2] == [("M", D(2024, 1, 1)), ("M", D(2024, 2, 1))]
    assert len(Period("month", D(2026, 11, 1), TODAY).chart_buckets()) == 27


def test_percentiles_are_nearest_rank_in_whole_hours():
    figures = Figures(hours={24: 1, 48: 1, 54: 1, 96: 1, 336: 1})
    assert (figures.median_hours, figures.p90_hours) == (54, 336)
    assert (figures.median_days, figures.p90_days) == (2.2, 14.0)
    assert Figures().median_hours is None
    assert Figures(hours={10: 9, 100: 1}).p90_hours == 10


def test_the_wilson_bound_ranks_a_big_organization_above_a_lucky_small_one():
    small, big = wilson(2, 2), wilson(950, 1000)
    assert round(small[0], 2) == 0.34 and round(big[0], 2) == 0.93
    assert small[0] < big[0]
    assert wilson(0, 0) == (0.0, 1.0)
