"""One report through its whole life with every role, checking the events and
the deadlines at each step (issue: the report's life)."""

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from accounts.models import Role
from issues import services
from issues.errors import DomainError, TransitionNotAllowed
from issues.models import Answer, EventKind, Outcome, Report, Status, Topic
from organizations.models import Organization
from tests.factories import UserFactory, staff_of, submit

pytestmark = pytest.mark.django_db
MSK = dt.timezone(dt.timedelta(hours=3))


def kinds(report):
    return list(report.events.order_by("pk").values_list("kind", flat=True))


@pytest.fixture
def cast():
    topic = Topic.objects.get(code="yard-not-cleaned")  # housing service, 8 working days
    housing = Organization.objects.get(kind="housing_service", districts__name="Тверской")
    return {
        "topic": topic,
        "housing": housing,
        "resident": UserFactory(role=Role.RESIDENT),
        "moderator": UserFactory(role=Role.MODERATOR),
        "staff": staff_of(housing),
        "stranger_staff": staff_of(Organization.objects.get(kind="housing_service", districts__name="Арбат")),
        "volunteer": UserFactory(role=Role.VOLUNTEER),
        "supervisor": UserFactory(role=Role.SUPERVISOR, organization=housing.supervisor),
    }


def test_a_report_lives_through_every_step(cast):
    c = cast
    # Monday 2 November 2026, 10:00 Moscow; 4 November (Wednesday) is a public holiday.
    with time_machine.travel(dt.datetime(2026, 11, 2, 10, 0, tzinfo=MSK), tick=False) as clock:
        report = submit(c["resident"], c["topic"])
        assert services.proposed_organization(report) == c["housing"]

        services.publish(c["moderator"], report)
        report.refresh_from_db()
        assert report.status == Status.IN_WORK and report.organization == c["housing"]
        # 8 working days from Monday 2 Nov, skipping the 4 Nov holiday and the weekend: Friday 13 Nov.
        assert timezone.localtime(report.deadline).date() == dt.date(2026, 11, 13)
        first_deadline = report.deadline

        for outsider in (c["stranger_staff"], c["resident"], c["volunteer"], c["supervisor"], c["moderator"]):
            with pytest.raises(DomainError):
                services.answer(outsider, report, Outcome.DONE, "Сделано")

        clock.shift(dt.timedelta(days=1))
        services.answer(c["staff"], report, Outcome.DONE, "Территория убрана.")
        report.refresh_from_db()
        assert report.status == Status.ANSWER_REVIEW and report.answered_at is not None

        services.return_answer(c["moderator"], report, "Ответ формальный, приложите фото.")
        report.refresh_from_db()
        assert report.status == Status.IN_WORK and report.deadline == first_deadline  # the deadline stays

        services.answer(c["staff"], report, Outcome.DONE, "Территория убрана, мусор вывезен.")
        services.publish_answer(c["moderator"], report)
        report.refresh_from_db()
        assert report.status == Status.ANSWERED and report.verdict_due is not None

        with pytest.raises(DomainError):
            services.confirm(c["stranger_staff"], report)
        services.reject_fix(c["resident"], report, "Мусор так и лежит.")
        report.refresh_from_db()
        assert report.status == Status.DISPUTED

        clock.shift(dt.timedelta(days=2))  # Thursday 5 November
        services.return_to_organization(c["moderator"], report, "Проверьте ещё раз.")
        report.refresh_from_db()
        assert report.status == Status.IN_WORK and report.returns_count == 1
        # A fresh deadline: 8 working days from Thursday 5 Nov → Tuesday 17 Nov.
        assert timezone.localtime(report.deadline).date() == dt.date(2026, 11, 17)

        services.answer(c["staff"], report, Outcome.DONE, "Вывезли повторно.")
        services.publish_answer(c["moderator"], report)
        services.confirm(c["resident"], report)
        report.refresh_from_db()
        assert report.status == Status.RESOLVED and report.closed_at is not None

    assert kinds(report) == [
        EventKind.CREATED,
        EventKind.PUBLISHED,
        EventKind.ANSWERED,
        EventKind.ANSWER_RETURNED,
        EventKind.ANSWERED,
        EventKind.ANSWER_PUBLISHED,
        EventKind.FIX_REJECTED,
        EventKind.RETURNED,
        EventKind.ANSWERED,
        EventKind.ANSWER_PUBLISHED,
        EventKind.CONFIRMED,
    ]
    statuses = list(
        report.events.exclude(to_status="").order_by("pk").values_list("from_status", "to_status")
    )
    assert statuses[0] == ("", Status.MODERATION)
    assert statuses[-1] == (Status.ANSWERED, Status.RESOLVED)
    # Each event's from is the previous event's to: no gap in the log.
    assert all(a[1] == b[0] for a, b in zip(statuses, statuses[1:], strict=False))
    assert [a.state for a in report.answers.order_by("pk")] == [
        Answer.State.RETURNED,
        Answer.State.PUBLISHED,
        Answer.State.PUBLISHED,
    ]
    # The editorial returns and the raw answers are not public; the published ones are.
    public = set(report.events.filter(is_public=True).values_list("kind", flat=True))
    assert EventKind.ANSWER_PUBLISHED in public and EventKind.ANSWER_RETURNED not in public


def test_a_second_publish_of_the_same_report_is_refused(cast):
    report = submit(cast["resident"], cast["topic"])
    services.publish(cast["moderator"], report)
    with pytest.raises(TransitionNotAllowed):
        services.publish(cast["moderator"], report)
    assert report.events.filter(kind=EventKind.PUBLISHED).count() == 1


def test_rejecting_needs_a_reason_from_the_list(cast):
    report = submit(cast["resident"], cast["topic"])
    with pytest.raises(DomainError):
        services.reject(cast["moderator"], report, "because")
    services.reject(cast["moderator"], report, "private", "Это частная парковка.")
    report.refresh_from_db()
    assert report.status == Status.REJECTED
    assert report.events.get(kind=EventKind.REJECTED).reason == "private"


def test_a_merged_duplicate_makes_its_author_follow_the_original(cast):
    original = submit(UserFactory(), cast["topic"])
    services.publish(cast["moderator"], original)
    dup = submit(cast["resident"], cast["topic"])
    services.merge(cast["moderator"], dup, original)
    dup.refresh_from_db()
    assert dup.status == Status.DUPLICATE and dup.duplicate_of == original
    assert original.followers.filter(user=cast["resident"]).exists()


def test_redirect_and_postponement_requests(cast):
    c = cast
    report = submit(c["resident"], c["topic"])
    services.publish(c["moderator"], report)
    request = services.request_redirect(c["staff"], report, "Это территория ОАТИ", None)
    with pytest.raises(DomainError):
        services.request_redirect(c["staff"], report, "Ещё раз", None)  # one pending at a time
    council = Organization.objects.get(kind="district_council", districts__name="Тверской")
    services.decide_redirect(c["moderator"], request.pk, grant=True, organization=council)
    report.refresh_from_db()
    assert report.organization == council
    with pytest.raises(TransitionNotAllowed):
        services.decide_redirect(c["moderator"], request.pk, grant=False)

    council_staff = staff_of(council)
    planned = timezone.localdate() + dt.timedelta(days=40)
    request = services.request_postponement(council_staff, report, planned, "Сезонные работы")
    services.decide_postponement(c["moderator"], request.pk, grant=True)
    report.refresh_from_db()
    assert report.planned_date == planned and timezone.localtime(report.deadline).date() == planned
    assert report.events.filter(kind=EventKind.POSTPONED, is_public=True).exists()


def test_a_second_return_to_the_organization_escalates_to_its_supervisor(cast):
    c = cast
    report = submit(c["resident"], c["topic"])
    services.publish(c["moderator"], report)
    for _ in range(2):
        services.answer(c["staff"], report, Outcome.DONE, "Сделано")
        services.publish_answer(c["moderator"], report)
        services.reject_fix(c["resident"], report, "Не сделано")
        services.return_to_organization(c["moderator"], report)
    report.refresh_from_db()
    assert report.returns_count == 2 and report.escalation_level == 1
    escalation = report.events.get(kind=EventKind.ESCALATED)
    assert escalation.payload["supervisor_id"] == c["housing"].supervisor_id
    assert Report.objects.get(pk=report.pk).status == Status.IN_WORK


def test_answering_closes_a_pending_request(cast):
    c = cast
    report = submit(c["resident"], c["topic"])
    services.publish(c["moderator"], report)
    request = services.request_redirect(c["staff"], report, "Не наше", None)
    services.answer(c["staff"], report, Outcome.DONE, "Всё-таки сделали")
    request.refresh_from_db()
    assert request.state == "refused" and "исполнитель дал ответ" in request.comment


def test_moving_the_point_without_a_building_drops_the_old_address(cast):
    from django.contrib.gis.geos import Point

    from places.geo import locate

    report = submit(cast["resident"], cast["topic"], address="Красная площадь")
    arbat = Point(37.5925, 55.7510, srid=4326)
    services.change_point(cast["moderator"], report, arbat, address="ул. Арбат")
    report.refresh_from_db()
    assert report.address == "ул. Арбат"
    assert report.district == locate(arbat).district
    assert report.district.name != "Тверской"
