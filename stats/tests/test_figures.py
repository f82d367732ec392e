"""Every figure of the small city on every level (the city, an okrug, a
district, an organization, a topic group, and their crossings in the pages'
tables), for the month and for other periods."""

import datetime as dt

import pytest
from django.http import QueryDict

from stats import selectors
from stats.periods import parse_period
from stats.tests.city import FIRST_HALF_OF_NOVEMBER, LATE_OCTOBER_ON, NOVEMBER, THIS_WEEK, ZERO

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 11, 27)


def as_expected(fig):
    return {
        **{name: getattr(fig, name) for name in ZERO if name not in ("median_hours", "p90_hours")},
        "median_hours": fig.median_hours,
        "p90_hours": fig.p90_hours,
    }


def period(query=""):
    return parse_period(QueryDict(query), TODAY)


def rows(table):
    return {row.id: row.figures for row in table}


def test_every_figure_of_the_month_on_every_level(city, the_end):
    month = period()
    page = selectors.city_page(month, TODAY)
    assert as_expected(page.total) == NOVEMBER["city"]
    okrugs = rows(page.drill)
    assert len(okrugs) == 12
    assert as_expected(okrugs[city.okrug_a.pk]) == NOVEMBER["okrug_a"]
    assert as_expected(okrugs[city.okrug_b.pk]) == NOVEMBER["okrug_b"]
    assert sum(f.received for pk, f in okrugs.items() if pk not in (city.okrug_a.pk, city.okrug_b.pk)) == 0
    groups = rows(page.groups)
    assert as_expected(groups[city.yard.pk]) == NOVEMBER["yard"]
    assert as_expected(groups[city.roads.pk]) == NOVEMBER["roads"]

    okrug = selectors.okrug_page(city.okrug_a, month, TODAY)
    assert as_expected(okrug.total) == NOVEMBER["okrug_a"]
    assert as_expected(rows(okrug.drill)[city.a.pk]) == NOVEMBER["district_a"]
    assert as_expected(rows(okrug.groups)[city.yard.pk]) == NOVEMBER["a_yard"]
    assert as_expected(rows(okrug.groups)[city.roads.pk]) == NOVEMBER["a_roads"]
    okrug_b = selectors.okrug_page(city.okrug_b, month, TODAY)
    assert as_expected(okrug_b.total) == NOVEMBER["okrug_b"]
    assert as_expected(rows(okrug_b.groups)[city.roads.pk]) == NOVEMBER["b_roads"]
    assert as_expected(rows(okrug_b.groups)[city.yard.pk]) == ZERO

    district = selectors.district_page(city.a, month, TODAY)
    assert as_expected(district.total) == NOVEMBER["district_a"]
    assert as_expected(rows(district.drill)[city.ha.pk]) == NOVEMBER["ha"]
    assert as_expected(rows(district.drill)[city.rs.pk]) == NOVEMBER["a_rs"]
    assert as_expected(rows(district.groups)[city.yard.pk]) == NOVEMBER["a_yard"]
    district_b = selectors.district_page(city.b, month, TODAY)
    assert as_expected(district_b.total) == NOVEMBER["district_b"]
    assert set(rows(district_b.drill)) == {city.rs.pk}  # the rejected report has no organization
    assert as_expected(rows(district_b.drill)[city.rs.pk]) == NOVEMBER["b_rs"]

    ha = selectors.org_page(city.ha, month, TODAY)
    assert as_expected(ha.total) == NOVEMBER["ha"]
    assert as_expected(rows(ha.groups)[city.yard.pk]) == NOVEMBER["ha"]
    rs = selectors.org_page(city.rs, month, TODAY)
    assert as_expected(rs.total) == NOVEMBER["rs"]
    assert as_expected(rows(rs.drill)[city.a.pk]) == NOVEMBER["rs_a"]
    assert as_expected(rows(rs.drill)[city.b.pk]) == NOVEMBER["rs_b"]
    assert as_expected(rows(rs.groups)[city.roads.pk]) == NOVEMBER["rs_roads"]
    assert as_expected(rows(rs.groups)[city.yard.pk]) == ZERO


def test_shares_and_days_of_the_month(city, the_end):
    total = selectors.city_page(period(), TODAY).total
    assert (total.on_time_share, total.confirmed_share, total.disputed_share, total.returned_share) == (
        0.8, 0.4, 0.4, 0.2,
    )  # fmt: skip
    assert total.overdue_share == 0.5
    assert (total.median_days, total.p90_days) == (2.2, 14.0)  # 54 h and 336 h
    empty = selectors.okrug_page(city.okrug_b, period(), TODAY).groups
    assert rows(empty)[city.yard.pk].on_time_share is None


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("period=custom&from=2026-10-26&to=2026-11-27", LATE_OCTOBER_ON),
        ("period=custom&from=2026-11-01&to=2026-11-15", FIRST_HALF_OF_NOVEMBER),
        ("period=week", THIS_WEEK),
        ("period=year", LATE_OCTOBER_ON),
    ],
)
def test_the_period_filter(city, the_end, query, expected):
    page = selectors.city_page(period(query), TODAY)
    assert as_expected(page.total) == expected


def test_october_alone_on_every_level(city, the_end):
    october = period("period=custom&from=2026-10-01&to=2026-10-31")
    now = {"in_work": 2, "overdue": 1}
    r8 = {"received": 1, "published": 1, "answered": 1, "answered_on_time": 1, "confirmed": 1, "resolved": 1}
    city_figures = selectors.city_page(october, TODAY).total
    assert as_expected(city_figures) == {
        **ZERO,
        **now,
        **r8,
        "received": 2,
        "published": 2,
        "median_hours": 24,
        "p90_hours": 24,
    }
    rs = selectors.org_page(city.rs, october, TODAY).total
    assert as_expected(rs) == {**ZERO, **r8, "in_work": 2, "overdue": 1, "median_hours": 24, "p90_hours": 24}
    ha = selectors.org_page(city.ha, october, TODAY).total
    assert as_expected(ha) == {**ZERO, "received": 1, "published": 1}  # r9, answered in November
    district_b = selectors.district_page(city.b, october, TODAY)
    assert as_expected(district_b.total) == {**ZERO, **r8, "in_work": 1, "median_hours": 24, "p90_hours": 24}


def test_the_chart_counts_each_day(city, the_end):
    page = selectors.city_page(period(), TODAY)
    chart = {day: (received, answered) for day, received, answered in page.chart}
    assert len(chart) == 27
    assert chart[dt.date(2026, 11, 2)] == (3, 1)  # r1, r2, r3 received; r9 answered
    assert chart[dt.date(2026, 11, 3)] == (2, 1)
    assert chart[dt.date(2026, 11, 16)] == (0, 1)
    assert sum(r for r, _ in chart.values()) == 7 and sum(a for _, a in chart.values()) == 5
    rs = selectors.org_page(city.rs, period(), TODAY)
    assert sum(r for _, r, _ in rs.chart) == 3


def test_the_ranking_puts_the_organization_with_more_answers_on_time_first(city, the_end):
    ranking = selectors.city_page(period(), TODAY).ranking
    assert [(r.id, r.answered, r.on_time) for r in ranking.best] == [(city.ha.pk, 4, 3), (city.rs.pk, 1, 1)]
    assert ranking.worst == []  # everyone is already listed
    assert ranking.best[0].name == city.ha.name
