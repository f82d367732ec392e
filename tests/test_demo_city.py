import pytest
from django.core.management import call_command

from issues.models import EventKind, Report, ReportEvent, Status

pytestmark = pytest.mark.django_db


def test_the_demo_city_has_reports_in_every_state_at_real_places(capsys):
    call_command("demo_city", reports=120)
    statuses = set(Report.objects.values_list("status", flat=True))
    assert {
        Status.MODERATION,
        Status.REJECTED,
        Status.IN_WORK,
        Status.ANSWER_REVIEW,
        Status.ANSWERED,
        Status.RESOLVED,
        Status.DISPUTED,
    } <= statuses
    assert Report.objects.filter(is_overdue=True).exists()
    assert ReportEvent.objects.filter(kind=EventKind.ESCALATED).exists()
    # Every report's log starts with its creation, and no event is in the future.
    assert Report.objects.count() == ReportEvent.objects.filter(kind=EventKind.CREATED).count() >= 100
    count = Report.objects.count()
    call_command("demo_city", reports=120)
    assert Report.objects.count() == count  # a second run adds nothing
    assert "уже есть" in capsys.readouterr().out


def test_demo_reports_dated_before_a_seasons_start_use_topics_open_then():
    import datetime as dt

    import time_machine

    from issues.demo import fill_demo_city

    # Early November: the winter topics opened on 1 November; reports dated
    # in October must not use them.
    with time_machine.travel(dt.datetime(2026, 11, 3, 12, 0, tzinfo=dt.UTC)):
        assert fill_demo_city(60, seed=3, days_back=40) > 40
    for report in Report.objects.select_related("topic__season"):
        assert report.topic.is_available(report.created_at.date())
