"""The organization's list at /office/: its own reports only, the nearest
deadline first, the countdown in working days, overdue rows marked, the
filters and the pages, and a query count that does not grow with the rows."""

import datetime as dt
import re

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from backoffice import views
from issues import services
from issues.models import Outcome, Report, Status
from tests.factories import UserFactory, cached_session

from .conftest import MSK, point_in

pytestmark = pytest.mark.django_db

# Monday 2 November 2026, 10:00 Moscow; 4 November is a public holiday, so
# 8 working days from it end on Friday 13 November.
MONDAY = dt.datetime(2026, 11, 2, 10, 0, tzinfo=MSK)


def rows(response) -> list[int]:
    """The report numbers in the list, in order."""
    return [int(pk) for pk in re.findall(r'<tr id="report-(\d+)"', response.content.decode())]


def row(response, report) -> str:
    html = response.content.decode()
    match = re.search(rf'<tr id="report-{report.pk}".*?</tr>', html, re.S)
    assert match, f"no row for report {report.pk}"
    return match.group(0)


def home(client, **params):
    return client.get(reverse("backoffice:home"), params)


def test_only_the_own_organizations_open_reports_are_listed(client, cast, publish):
    own = publish()
    theirs = publish(organization=cast.other)
    client.force_login(cast.staff)

    response = home(client)

    assert response.status_code == 200
    assert rows(response) == [own.pk]
    assert theirs.pk not in rows(response)
    assert cast.housing.name in response.content.decode()


def test_the_nearest_deadline_comes_first(client, cast, publish):
    with time_machine.travel(MONDAY, tick=False) as clock:
        eight_days = publish()  # due 13 November
        fifteen_days = publish(topic=cast.other_topic)  # driveway potholes: 15 working days
        clock.shift(dt.timedelta(days=-3))  # Friday 30 October: due earlier
        earlier = publish()
        clock.shift(dt.timedelta(days=3))
        client.force_login(cast.staff)

        response = home(client)

    assert rows(response) == [earlier.pk, eight_days.pk, fifteen_days.pk]


def test_the_countdown_counts_working_days_and_marks_the_overdue(client, cast, publish):
    with time_machine.travel(MONDAY, tick=False) as clock:
        report = publish()
        client.force_login(cast.staff)

        clock.move_to(dt.datetime(2026, 11, 11, 9, 0, tzinfo=MSK))  # Wednesday: 12 and 13 November left
        in_time = row(home(client), report)
        clock.move_to(dt.datetime(2026, 11, 13, 9, 0, tzinfo=MSK))  # the deadline day
        last_day = row(home(client), report)
        clock.move_to(dt.datetime(2026, 11, 16, 9, 0, tzinfo=MSK))  # Monday after: 3 days late
        late = row(home(client), report)

    assert "осталось 2 раб. дня" in in_time and "overdue" not in in_time
    assert "срок истекает сегодня" in last_day and "overdue" not in last_day
    assert "просрочено на 3 дня" in late
    assert 'class="report-row overdue"' in late


def test_a_report_flagged_overdue_by_the_scheduler_is_marked(client, cast, publish):
    with time_machine.travel(MONDAY, tick=False) as clock:
        report = publish()
        clock.move_to(dt.datetime(2026, 11, 14, 1, 0, tzinfo=MSK))
        assert services.mark_overdue(report.pk)
        client.force_login(cast.staff)

        html = row(home(client), report)

    assert 'class="report-row overdue"' in html
    assert "просрочено на 1 день" in html


def test_answered_reports_have_no_countdown(client, cast, publish):
    report = publish()
    services.answer(cast.staff, report, Outcome.PLANNED, "Уберём.", planned_date=dt.date(2099, 1, 1))
    client.force_login(cast.staff)

    html = row(home(client), report)

    assert "Ответ на проверке" in html
    assert "осталось" not in html and "просрочено" not in html


def test_filters_by_status_topic_and_district(client, cast, publish):
    yard = publish()
    potholes = publish(topic=cast.other_topic)
    arbat = publish(point=point_in("Арбат"))  # routed to this organization all the same
    services.answer(cast.staff, potholes, Outcome.PLANNED, "Заделаем.", planned_date=dt.date(2099, 5, 1))
    resolved = publish()
    services.answer(cast.staff, resolved, Outcome.PLANNED, "Уберём.", planned_date=dt.date(2099, 5, 1))
    services.publish_answer(cast.moderator, resolved)
    services.confirm(cast.resident, resolved)
    client.force_login(cast.staff)

    assert set(rows(home(client))) == {yard.pk, potholes.pk, arbat.pk}
    assert rows(home(client, status=Status.ANSWER_REVIEW)) == [potholes.pk]
    assert rows(home(client, status=Status.RESOLVED)) == [resolved.pk]
    assert rows(home(client, topic=cast.other_topic.pk)) == [potholes.pk]
    assert rows(home(client, district=arbat.district_id)) == [arbat.pk]
    assert rows(home(client, district=arbat.district_id, topic=cast.other_topic.pk)) == []
    # The selects offer what the organization's reports have.
    html = home(client).content.decode()
    assert f'<option value="{arbat.district_id}">Арбат</option>' in html
    assert f'<option value="{cast.other_topic.pk}">{cast.other_topic.name}</option>' in html


def test_a_bad_filter_value_is_ignored(client, cast, publish):
    report = publish()
    client.force_login(cast.staff)

    response = home(client, status="nonsense", topic="abc", district="99999999")

    assert response.status_code == 200
    assert rows(response) == [report.pk]


def test_the_list_is_paginated_and_pages_keep_the_filters(client, cast, publish, monkeypatch):
    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    with time_machine.travel(MONDAY, tick=False) as clock:
        reports = []
        for _ in range(3):
            reports.append(publish())
            clock.shift(dt.timedelta(days=1))
    client.force_login(cast.staff)

    first = home(client, topic=cast.topic.pk)
    second = home(client, topic=cast.topic.pk, page=2)

    assert rows(first) == [reports[0].pk, reports[1].pk]
    assert rows(second) == [reports[2].pk]
    assert f"topic={cast.topic.pk}&amp;page=2" in first.content.decode()


def test_the_page_size_is_twenty():
    assert views.PAGE_SIZE == 20


def test_a_row_links_to_its_report_page(client, cast, publish):
    report = publish()
    client.force_login(cast.staff)
    assert f'href="{reverse("backoffice:report", args=[report.pk])}"' in row(home(client), report)


def test_the_filters_keep_the_chosen_value_and_escape_the_labels(client, cast, publish):
    publish()
    client.force_login(cast.staff)
    html = home(client, status="in_work", topic=cast.topic.pk).content.decode()
    assert '<select id="id_status" name="status">' in html
    assert '<option value="in_work" selected>' in html
    assert f'<option value="{cast.topic.pk}" selected>' in html
    assert '<option value="" selected>Все районы</option>' in html  # none chosen


def count_queries(client) -> int:
    cache.clear()  # the filters' choices read afresh, as on the first page of five minutes
    with CaptureQueriesContext(connection) as ctx:
        assert home(client).status_code == 200
    return len(ctx.captured_queries)


def test_the_list_makes_the_same_few_queries_for_any_number_of_rows(
    client, cast, publish, django_assert_max_num_queries
):
    client.force_login(cast.staff)
    publish()
    few = count_queries(client)
    for topic in (cast.topic, cast.other_topic) * 3:
        report = publish(topic=topic)
    services.request_postponement(cast.staff, report, dt.date(2099, 1, 1), "Сезон.")

    many = count_queries(client)
    with django_assert_max_num_queries(12):
        response = home(client)

    assert len(rows(response)) == 7
    assert many == few


def test_the_filters_choices_are_read_once_for_every_page_of_five_minutes(client, cast, publish):
    client.force_login(cast.staff)
    publish()
    cold = count_queries(client)
    with CaptureQueriesContext(connection) as ctx:
        html = home(client).content.decode()
    # The topics and the districts (two skips, two lookups), the list's total
    # (nashgorod.paging), the bell's count (notifications.services) and,
    # where it is kept in the cache too, the session.
    assert len(ctx.captured_queries) == cold - 6 - cached_session()
    assert f'<option value="{cast.topic.pk}">{cast.topic.name}</option>' in html
    publish(topic=cast.other_topic)  # a topic new to the organization…
    assert f'<option value="{cast.other_topic.pk}">' not in home(client).content.decode()
    cache.clear()  # …is offered once the cached choices expire
    assert f'<option value="{cast.other_topic.pk}">' in home(client).content.decode()


def test_a_row_shows_a_pending_request_and_escapes_what_residents_wrote(client, cast, publish):
    from issues.models import Report

    report = publish()
    Report.objects.filter(pk=report.pk).update(address='ул. <b>Тверская</b> & "д. 1"')
    services.request_postponement(cast.staff, report, dt.date(2099, 1, 1), "Сезон.")
    client.force_login(cast.staff)
    html = row(home(client), report)
    assert '<span class="tag">запрос у редакции</span>' in html
    assert f'<a href="{reverse("backoffice:report", args=[report.pk])}">{report.pk}</a>' in html
    assert "ул. &lt;b&gt;Тверская&lt;/b&gt; &amp; &quot;д. 1&quot;" in html and "<b>" not in html
    assert f'<span class="status status-{Status.IN_WORK}">' in html


def test_the_list_s_total_is_kept_briefly_and_an_answer_counts_again(client, cast, publish):
    from backoffice.tests.test_access import answer_data

    client.force_login(cast.staff)
    first, second, third = publish(), publish(), publish()
    assert "Найдено: 3." in home(client, status=Status.IN_WORK).content.decode()
    fourth = publish()
    # A new report shows at once, and the total is never less than the rows shown.
    assert "Найдено: 4." in home(client, status=Status.IN_WORK).content.decode()
    Report.objects.filter(pk=fourth.pk).update(status=Status.RESOLVED)  # changed elsewhere
    lagging = home(client, status=Status.IN_WORK)
    # The kept total lags (seconds at most: nashgorod.paging); the rows never do.
    assert "Найдено: 4." in lagging.content.decode() and set(rows(lagging)) == {first.pk, second.pk, third.pk}

    client.post(reverse("backoffice:answer", args=[first.pk]), answer_data())

    # The answer moved a report between statuses: those totals count again.
    in_work = home(client, status=Status.IN_WORK)
    assert "Найдено: 2." in in_work.content.decode() and set(rows(in_work)) == {second.pk, third.pk}
    assert "Найдено: 1." in home(client, status=Status.ANSWER_REVIEW).content.decode()


def test_the_staff_member_s_organization_is_read_once_and_kept_on_the_user(cast, django_assert_num_queries):
    from accounts.models import User
    from backoffice.selectors import organization_of

    staff = User.objects.get(pk=cast.staff.pk)
    with django_assert_num_queries(1):
        organization = organization_of(staff)
        assert organization == cast.staff.organization and organization.name
        assert organization_of(staff) is organization is staff.organization  # kept: no second query
    resident = User.objects.get(pk=UserFactory().pk)
    with django_assert_num_queries(0):
        assert organization_of(resident) is None
