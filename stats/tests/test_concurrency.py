"""Two refreshes at once neither double nor lose a count: the StatsState row
lock makes the second read the log and the fact after the first commits.
Needs real row locks: PostGIS (CI)."""

import pytest
from django.db import connection

from accounts.models import Role
from issues import services
from issues.models import Topic
from stats import counters
from stats.models import Counter, Grain, Level, ReportFact
from stats.tests.city import snapshot
from tests.concurrency import race
from tests.factories import UserFactory, submit

pytestmark = [pytest.mark.postgis_only, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _needs_postgres():
    if connection.vendor != "postgresql":
        pytest.skip("row locks across connections are tested on PostGIS")


def published_reports(count):
    topic = Topic.objects.get(code="yard-not-cleaned")
    moderator = UserFactory(role=Role.MODERATOR)
    reports = [submit(UserFactory(), topic) for _ in range(count)]
    for report in reports:
        services.publish(moderator, report)
    return reports


def forget_the_statistics():
    """As if the subscriber had never run (the tasks ran on commit here)."""
    ReportFact.objects.all().delete()
    Counter.objects.all().delete()


def city_month():
    return Counter.objects.filter(level=Level.CITY, grain=Grain.MONTH).values_list("received", "published")


def test_one_report_refreshed_twice_at_once_counts_once():
    (report,) = published_reports(1)
    expected = snapshot()
    assert list(city_month()) == [(1, 1)]
    forget_the_statistics()

    def refresh():
        return counters.refresh_reports([report.pk]) > 0

    results = race(refresh, refresh)
    assert sorted(results) == [False, True]  # one applied the fact, the other found it applied
    assert snapshot() == expected


def test_two_reports_refreshed_at_once_both_count():
    first, second = published_reports(2)
    expected = snapshot()
    assert list(city_month()) == [(2, 2)]
    forget_the_statistics()
    results = race(
        lambda: counters.refresh_reports([first.pk]) > 0, lambda: counters.refresh_reports([second.pk]) > 0
    )
    assert results == [True, True]
    assert snapshot() == expected
