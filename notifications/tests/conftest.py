"""Personas and helpers of the notifications tests."""

from types import SimpleNamespace

import pytest
from django.core import mail

from accounts.models import Role
from issues import services
from issues.models import Topic
from nashgorod import queue
from organizations.models import Organization
from tests.factories import UserFactory, staff_of, submit

BELL = "notifications.context_processors.bell"


@pytest.fixture(autouse=True)
def _broker_not_known_down(monkeypatch):
    """No memory of a dead broker from another test: letters are queued."""
    monkeypatch.setattr(queue, "_broker_down_until", 0.0)


@pytest.fixture
def bell_installed(settings):
    """The bell's context processor, as settings.py is to list it."""
    templates = [dict(t, OPTIONS=dict(t.get("OPTIONS", {}))) for t in settings.TEMPLATES]
    processors = templates[0]["OPTIONS"].setdefault("context_processors", [])
    if BELL not in processors:
        templates[0]["OPTIONS"]["context_processors"] = [*processors, BELL]
    settings.TEMPLATES = templates


@pytest.fixture
def cast():
    topic = Topic.objects.get(code="yard-not-cleaned")
    housing = Organization.objects.get(kind="housing_service", districts__name="Тверской")
    return SimpleNamespace(
        topic=topic,
        housing=housing,
        resident=UserFactory(role=Role.RESIDENT),
        moderator=UserFactory(role=Role.MODERATOR),
        staff=staff_of(housing),
    )


@pytest.fixture
def after_commit(django_capture_on_commit_callbacks):
    """Run a step with its after-commit hooks (the event hook, the letters)."""

    def run(action, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return action(*args, **kwargs)

    return run


@pytest.fixture
def published(cast, after_commit):
    """A report in work with the housing service, its notices and letters made."""
    report = after_commit(submit, cast.resident, cast.topic)
    after_commit(services.publish, cast.moderator, report)
    report.refresh_from_db()
    mail.outbox.clear()
    return report
