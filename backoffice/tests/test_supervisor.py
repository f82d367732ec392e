"""The supervisor's screen at /office/: the escalations that named its
organization, and every organization under it with its overdue and
in-work counts from one aggregate query."""

import datetime as dt
import re

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from backoffice import selectors
from issues import services
from organizations.models import Kind, Organization

from .conftest import MSK

pytestmark = pytest.mark.django_db

MONDAY = dt.datetime(2026, 11, 2, 10, 0, tzinfo=MSK)  # due Friday 13 November


def escalation_rows(response) -> list[str]:
    html = response.content.decode()
    return re.findall(r'<tr id="escalation-\d+">.*?</tr>', html, re.S)


def organization_rows(response) -> list[tuple[int, int, int]]:
    """(organization id, overdue, in work) in the page's order."""
    html = response.content.decode()
    return [
        (int(pk), int(overdue), int(in_work))
        for pk, overdue, in_work in re.findall(
            r'<tr id="organization-(\d+)".*?overdue-count">(\d+)<.*?in-work-count">(\d+)<', html, re.S
        )
    ]


@pytest.fixture
def overdue_report(cast, publish):
    """A report of the Тверской housing service, overdue and escalated to
    its council on Saturday 14 November."""
    with time_machine.travel(MONDAY, tick=False) as clock:
        report = publish()
        clock.move_to(dt.datetime(2026, 11, 14, 1, 0, tzinfo=MSK))
        assert services.mark_overdue(report.pk)
    report.refresh_from_db()
    return report


def test_the_council_sees_the_escalation_of_its_housing_service(client, cast, overdue_report):
    client.force_login(cast.council_supervisor)

    response = client.get(reverse("backoffice:home"))

    assert response.status_code == 200
    assert "Контроль исполнения" in response.content.decode()
    [row] = escalation_rows(response)
    assert reverse("backoffice:report", args=[overdue_report.pk]) in row
    assert cast.housing.name in row
    assert '<td class="num">1</td>' in row  # the level
    assert "13.11.2026" in row  # the deadline
    assert "срок ответа истёк" in row


def test_escalations_go_to_the_supervisor_they_name_newest_first(client, cast, publish, overdue_report):
    with time_machine.travel(dt.datetime(2026, 11, 20, 12, 0, tzinfo=MSK), tick=False):
        assert services.escalate_further(overdue_report.pk, dt.datetime(2026, 11, 20, 12, 0, tzinfo=MSK))
    with time_machine.travel(dt.datetime(2026, 11, 16, 10, 0, tzinfo=MSK), tick=False) as clock:
        later = publish()
        clock.move_to(dt.datetime(2026, 12, 1, 1, 0, tzinfo=MSK))
        assert services.mark_overdue(later.pk)

    client.force_login(cast.council_supervisor)
    council_rows = escalation_rows(client.get(reverse("backoffice:home")))
    client.force_login(cast.prefecture_supervisor)
    prefecture_rows = escalation_rows(client.get(reverse("backoffice:home")))
    client.force_login(cast.foreign_supervisor)
    foreign_rows = escalation_rows(client.get(reverse("backoffice:home")))

    assert [f"№{later.pk}" in r for r in council_rows] == [True, False]  # newest first
    assert f"№{overdue_report.pk}" in council_rows[1]
    [level_two] = prefecture_rows
    assert f"№{overdue_report.pk}" in level_two and '<td class="num">2</td>' in level_two
    assert foreign_rows == []


def test_the_organizations_under_a_prefecture_with_their_counts(client, cast, publish, overdue_report):
    publish()  # in work, not overdue
    publish(organization=cast.council)  # the council's own report
    publish(organization=cast.other)  # Арбат's housing service, under another council
    client.force_login(cast.prefecture_supervisor)

    rows = organization_rows(client.get(reverse("backoffice:home")))

    assert rows[0] == (cast.housing.pk, 1, 2)  # the most overdue first
    counts = {pk: (overdue, in_work) for pk, overdue, in_work in rows}
    assert counts[cast.council.pk] == (0, 1)
    assert counts[cast.other.pk] == (0, 1)
    central = Organization.objects.filter(supervisor=cast.prefecture)
    assert {o.pk for o in central} <= set(counts)  # the councils, directly
    assert cast.prefecture.pk not in counts  # not itself


def test_the_list_includes_organizations_further_down_the_chain(cast):
    under_prefecture = set(selectors.organizations_under(cast.prefecture).values_list("pk", flat=True))
    under_council = set(selectors.organizations_under(cast.council).values_list("pk", flat=True))

    assert cast.council.pk in under_prefecture and cast.housing.pk in under_prefecture  # indirect
    assert under_council == {cast.housing.pk}
    councils = Organization.objects.filter(supervisor=cast.prefecture, kind=Kind.DISTRICT_COUNCIL)
    housing = Organization.objects.filter(supervisor__in=councils, kind=Kind.HOUSING_SERVICE)
    assert under_prefecture == {o.pk for o in councils} | {o.pk for o in housing}
    # The city department above the prefectures sees three levels down.
    department = cast.prefecture.supervisor
    assert cast.housing.pk in set(selectors.organizations_under(department).values_list("pk", flat=True))


def test_a_cycle_in_the_chain_ends(cast):
    cast.council.supervisor = cast.housing  # housing -> council -> housing
    cast.council.save(update_fields=["supervisor"])

    assert set(selectors.organizations_under(cast.council).values_list("pk", flat=True)) == {cast.housing.pk}


def test_the_counts_are_one_aggregate_query(cast, publish, overdue_report):
    publish()
    with CaptureQueriesContext(connection) as ctx:
        rows = list(selectors.supervised_counts(cast.prefecture))

    assert len(ctx.captured_queries) == 1
    housing = next(o for o in rows if o.pk == cast.housing.pk)
    assert (housing.overdue, housing.in_work) == (1, 2)


def test_answered_and_closed_reports_are_not_counted(cast, publish, overdue_report):
    services.answer(cast.staff, overdue_report, "done", "Убрано.")

    housing = next(o for o in selectors.supervised_counts(cast.council) if o.pk == cast.housing.pk)

    assert (housing.overdue, housing.in_work) == (0, 0)


def test_the_supervisor_page_makes_a_fixed_number_of_queries(client, cast, publish):
    def escalate_twice():
        with time_machine.travel(MONDAY, tick=False) as clock:
            report = publish()
            clock.move_to(dt.datetime(2026, 11, 14, 1, 0, tzinfo=MSK))
            services.mark_overdue(report.pk)
            services.escalate_further(report.pk, dt.datetime(2026, 11, 18, tzinfo=MSK))

    client.force_login(cast.prefecture_supervisor)
    escalate_twice()
    cache.clear()  # the bell's count read afresh each time (it is kept a minute)
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("backoffice:home"))
    escalate_twice()
    escalate_twice()
    cache.clear()

    with CaptureQueriesContext(connection) as many:
        response = client.get(reverse("backoffice:home"))

    assert len(escalation_rows(response)) == 3
    assert len(many.captured_queries) == len(few.captured_queries) <= 8


def test_the_escalated_report_stays_readable_after_a_redirect(client, cast, overdue_report):
    request = services.request_redirect(cast.staff, overdue_report, "Не наш двор.")
    elsewhere = Organization.objects.get(code="mossvet")  # not under the council
    services.decide_redirect(cast.moderator, request.pk, grant=True, organization=elsewhere)
    client.force_login(cast.council_supervisor)

    response = client.get(reverse("backoffice:report", args=[overdue_report.pk]))

    assert response.status_code == 200
    assert "только просмотр" in response.content.decode()
