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
