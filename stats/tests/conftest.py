import pytest
import time_machine

from stats.tests.city import THE_END, build_city


@pytest.fixture
def city(db, django_capture_on_commit_callbacks):
    return build_city(django_capture_on_commit_callbacks)


@pytest.fixture
def the_end():
    """The pages are read on Friday 27 November 2026 at 12:00."""
    with time_machine.travel(THE_END, tick=False):
        yield


def snapshot():
    """Every non-empty counter cell, comparable across rebuilds."""
    from stats.models import METRICS, Counter

    out = {}
    for row in Counter.objects.all():
        values = tuple(getattr(row, name) for name in METRICS)
        if any(values) or row.answer_hours:
            key = (
                row.level,
                row.grain,
                row.start,
                row.okrug_id,
                row.district_id,
                row.organization_id,
                row.group_id,
            )
            out[key] = (values, {int(h): n for h, n in row.answer_hours.items()})
    return out
