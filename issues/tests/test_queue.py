"""Tasks sent after commit, and what happens when the broker is down."""

import logging
import time

import kombu.exceptions
import pytest
import redis.exceptions
from celery import Celery
from django.db import transaction

from nashgorod import queue
from nashgorod.celery import app as project_app
from nashgorod.queue import enqueue_on_commit
from tests.factories import UserFactory

DEAD_BROKER = "redis://127.0.0.1:1/0"  # nothing listens on port 1: refused at once


@pytest.fixture(autouse=True)
def _broker_not_known_down(monkeypatch):
    """Each test starts with no memory of an earlier failure, and leaves none."""
    monkeypatch.setattr(queue, "_broker_down_until", 0.0)


@pytest.fixture
def dead_broker_app():
    """A Celery app configured like the project's, but sending for real
    (not eagerly) to a broker that is not there. A separate app, never made
    current, so the project's app and its eager test mode are untouched."""
    app = Celery("dead-broker-test", set_as_current=False)
    app.config_from_object("django.conf:settings", namespace="CELERY")
    app.conf.broker_url = DEAD_BROKER
    app.conf.task_always_eager = False
    # As production's Redis settings, with shorter timeouts.
    app.conf.broker_transport_options = {"socket_connect_timeout": 1, "socket_timeout": 1}
    app.conf.broker_connection_timeout = 1
    yield app
    app.close()


class FakeTask:
    name = "tests.fake"

    def __init__(self, error: Exception | None = None):
        self.error = error
        self.calls = []

    def delay(self, *args, **kwargs):
        self.apply_async(args, kwargs)

    def apply_async(self, args, kwargs, **options):
        self.calls.append((tuple(args), kwargs, *([options] if options else [])))
        if self.error:
            raise self.error


@pytest.mark.django_db
def test_a_dead_broker_does_not_fail_the_request(dead_broker_app, caplog, django_capture_on_commit_callbacks):
    calls = []

    @dead_broker_app.task(name="tests.record", shared=False)
    def record(x):
        calls.append(x)  # never: nothing can reach a worker

    started = time.monotonic()
    with (
        caplog.at_level(logging.WARNING, logger="nashgorod.queue"),
        django_capture_on_commit_callbacks(execute=True) as callbacks,
    ):
        enqueue_on_commit(record, 42)
        assert calls == []  # nothing is sent before commit

    assert len(callbacks) == 1
    assert time.monotonic() - started < 5
    [warning] = [r for r in caplog.records if r.name == "nashgorod.queue"]
    assert warning.levelno == logging.WARNING
    assert "tests.record(42,)" in warning.getMessage()
    assert "sweep" in warning.getMessage()
    # The project's app is as it was.
    assert project_app.conf.task_always_eager is True
    assert project_app.conf.broker_url != DEAD_BROKER


@pytest.mark.django_db
@pytest.mark.parametrize(
    "error",
    [
        kombu.exceptions.OperationalError("Error 111 connecting to redis"),
        ConnectionRefusedError(111, "Connection refused"),
        TimeoutError("timed out"),
        redis.exceptions.ConnectionError("Connection closed by server."),
        redis.exceptions.ResponseError("OOM command not allowed when used memory > 'maxmemory'."),
    ],
    ids=["kombu", "socket", "timeout", "redis-connection", "redis-oom"],
)
def test_broker_errors_are_logged_not_raised(error, caplog, django_capture_on_commit_callbacks):
    with (
        caplog.at_level(logging.WARNING, logger="nashgorod.queue"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        enqueue_on_commit(FakeTask(error), 7, force=True)
    assert "tests.fake(7,)" in caplog.text


@pytest.mark.django_db
def test_after_a_failure_the_broker_is_not_tried_again_for_a_while(
    caplog, django_capture_on_commit_callbacks
):
    """A hung Redis costs a socket timeout per attempt: a report with five
    photos pays it once, not five times."""
    failing = FakeTask(kombu.exceptions.OperationalError("Timeout reading from socket"))
    with (
        caplog.at_level(logging.WARNING, logger="nashgorod.queue"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        for photo_id in range(1, 6):
            enqueue_on_commit(failing, photo_id)

    assert failing.calls == [((1,), {})]
    assert len([r for r in caplog.records if r.name == "nashgorod.queue"]) == 5
    assert "tests.fake(5,)" in caplog.text

    # Once the pause is over, tasks are sent again.
    queue._broker_down_until = time.monotonic() - 1
    working = FakeTask()
    with django_capture_on_commit_callbacks(execute=True):
        enqueue_on_commit(working, 6)
    assert working.calls == [((6,), {})]


@pytest.mark.django_db
def test_other_errors_are_bugs_and_propagate(django_capture_on_commit_callbacks):
    with pytest.raises(kombu.exceptions.EncodeError), django_capture_on_commit_callbacks(execute=True):
        enqueue_on_commit(FakeTask(kombu.exceptions.EncodeError("cannot serialize")), object())


@pytest.mark.django_db
def test_the_task_is_sent_with_its_arguments_after_commit(django_capture_on_commit_callbacks):
    task = FakeTask()
    with django_capture_on_commit_callbacks(execute=True):
        enqueue_on_commit(task, 1, 2, key="value")
        assert task.calls == []
    assert task.calls == [((1, 2), {"key": "value"})]


@pytest.mark.django_db
def test_a_task_may_be_sent_to_run_a_few_seconds_later(django_capture_on_commit_callbacks):
    task = FakeTask()
    with django_capture_on_commit_callbacks(execute=True):
        enqueue_on_commit(task, 1, countdown=2.5)
    assert task.calls == [((1,), {}, {"countdown": 2.5})]


@pytest.mark.django_db
def test_nothing_is_sent_when_the_transaction_rolls_back(django_capture_on_commit_callbacks):
    task = FakeTask()
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        enqueue_on_commit(task, 1)
        raise RuntimeError("the form failed after the photo was queued")
    assert callbacks == []
    assert task.calls == []


@pytest.mark.django_db
def test_a_report_filed_while_the_broker_is_down_is_whole_and_its_statistics_catch_up(
    caplog, django_capture_on_commit_callbacks, monkeypatch
):
    from issues.models import Topic
    from stats import counters
    from stats import tasks as stats_tasks
    from stats.models import ReportFact
    from tests.factories import processed_photo, submit

    def broker_down(*args, **kwargs):
        raise kombu.exceptions.OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(stats_tasks.refresh_new_events, "apply_async", broker_down)
    with (
        caplog.at_level(logging.WARNING, logger="nashgorod.queue"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        topic = Topic.objects.filter(needs_building=False, is_active=True, season__isnull=True).first()
        report = submit(UserFactory(), topic, photos=[processed_photo()])

    assert "stats.tasks.refresh_new_events" in caplog.text
    photo = report.photos.get()
    assert photo.image and photo.thumbnail  # nothing of the resident's work waits for the broker
    assert not ReportFact.objects.filter(pk=report.pk).exists()
    monkeypatch.undo()

    assert counters.rebuild_recent(minutes=10) == 1  # the scheduler's sweep
    assert ReportFact.objects.filter(pk=report.pk).exists()
