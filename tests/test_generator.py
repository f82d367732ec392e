"""The generated city is consistent with what the services would write, and
settled: the scheduler finds nothing to do in it."""

import pytest
from django.db.models import Count

from issues import scheduler
from issues.generator import generate_city
from issues.models import EventKind, Report, ReportEvent, Status

pytestmark = pytest.mark.django_db


def test_a_generated_city_is_consistent_and_settled():
    assert generate_city(600, seed=7, days=90, batch=250) == 600
    statuses = set(Report.objects.values_list("status", flat=True))
    assert {Status.IN_WORK, Status.ANSWERED, Status.RESOLVED, Status.REJECTED} <= statuses
    assert Report.objects.filter(is_overdue=True, escalation_level__gte=1).exists()
    # Every report's state changes form one unbroken chain ending in its status.
    chains = {}
    for report_id, frm, to in (
        ReportEvent.objects.exclude(to_status="")
        .order_by("created_at", "pk")
        .values_list("report_id", "from_status", "to_status")
    ):
        chain = chains.setdefault(report_id, [])
        assert frm == (chain[-1] if chain else ""), (report_id, chain, frm, to)
        chain.append(to)
    for pk, status in Report.objects.values_list("pk", "status"):
        assert chains[pk][-1] == status
    assert not ReportEvent.objects.values("report").annotate(n=Count("pk")).filter(n=0).exists()
    assert ReportEvent.objects.filter(kind=EventKind.CREATED).count() == 600
    assert scheduler.run_all() == {"reminded": 0, "overdue": 0, "escalated_further": 0, "auto_closed": 0}
