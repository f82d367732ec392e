"""The desk's side of volunteer inspections: ordering one, the verdicts queue,
accepting, declining, returning to the organization in one click, and the
volunteers' applications and suspension."""

import pytest
from django.urls import reverse

from accounts.models import Role
from issues.models import EventKind, Status
from moderation.tests.helpers import post_action, seen
from tests.factories import UserFactory
from volunteers import services
from volunteers.models import Application, Inspection, Volunteer
from volunteers.testing import (
    FAR_FROM_RED_SQUARE,
    NEAR_RED_SQUARE,
    answered_report,
    disputed_report,
    photo_at,
    submitted_task,
    volunteer,
)

pytestmark = pytest.mark.django_db


def test_a_disputed_report_offers_to_order_an_inspection(desk):
    report = disputed_report()
    html = desk.get(reverse("moderation:report", args=[report.pk])).content.decode()
    assert 'id="action-inspect"' in html and "Назначить проверку" in html and "скоро" not in html
    response = post_action(desk, report, "inspect", note="Проверьте площадку у подъезда 2")
    assert response.status_code == 302
    inspection = Inspection.objects.get(report=report)
    assert (
        inspection.note == "Проверьте площадку у подъезда 2" and inspection.status == Inspection.Status.OPEN
    )
    html = desk.get(reverse("moderation:report", args=[report.pk])).content.decode()
    assert 'id="inspection-' in html and 'id="action-inspect"' not in html  # one live inspection at a time


def test_an_order_on_a_stale_page_changes_nothing(desk):
    report = disputed_report()
    stale = seen(report, "inspect")
    from issues import services as report_services
    from volunteers.testing import moderator

    report_services.return_to_organization(moderator(), report, "Уже вернули")
    response = post_action(desk, report, "inspect", _seen=stale, note="x")
    assert response.status_code == 302
    assert not Inspection.objects.exists()


def test_a_report_in_work_offers_no_inspection(desk):
    from volunteers.testing import report_in_work

    report = report_in_work()
    html = desk.get(reverse("moderation:report", args=[report.pk])).content.decode()
    assert 'id="action-inspect"' not in html


def test_the_verdicts_queue_shows_the_far_photo_flag(desk, django_assert_max_num_queries):
    flagged, _ = submitted_task(photos=[photo_at(FAR_FROM_RED_SQUARE)])
    submitted_task(verdict="fixed", photos=[photo_at(NEAR_RED_SQUARE)])
    url = reverse("moderation:queue", args=["inspections"])
    with django_assert_max_num_queries(12):
        html = desk.get(url).content.decode()
    assert html.count('<tr id="inspection-') == 2
    assert html.count("far-flag") == 1
    # More rows, same queries.
    for _ in range(3):
        submitted_task()
    with django_assert_max_num_queries(12):
        assert desk.get(url).content.decode().count('<tr id="inspection-') == 5
    desk_html = desk.get(reverse("moderation:desk")).content.decode()
    assert 'id="queue-inspections"' in desk_html


def test_the_report_page_shows_the_verdict_with_distances(desk):
    inspection, user = submitted_task(photos=[photo_at(FAR_FROM_RED_SQUARE), photo_at(None)])
    html = desk.get(reverse("moderation:report", args=[inspection.report_id])).content.decode()
    assert (
        "Не устранено" in html and "дальше 200 м" in html and "м от места" in html and "нет координат" in html
    )
    assert user.email in html  # the desk knows who inspected
    assert "Вернуть исполнителю" in html and "Принять проверку" in html and "Отклонить проверку" in html


def test_returning_on_a_not_fixed_verdict_is_one_click(desk):
    inspection, _ = submitted_task(verdict="not_fixed")
    response = desk.post(reverse("moderation:inspection", args=[inspection.pk, "return"]), {"comment": ""})
    assert response.status_code == 302
    inspection.refresh_from_db()
    assert inspection.status == Inspection.Status.ACCEPTED and inspection.returned_at is not None
    assert inspection.report.status == Status.IN_WORK
    assert inspection.report.events.filter(kind=EventKind.RETURNED).count() == 1
    # A second click is told, and changes nothing.
    response = desk.post(reverse("moderation:inspection", args=[inspection.pk, "return"]), follow=True)
    assert "уже возвращено" in response.content.decode()
    assert inspection.report.events.filter(kind=EventKind.RETURNED).count() == 1


def test_a_fixed_verdict_has_no_return_button_and_is_accepted(desk):
    inspection, _ = submitted_task(verdict="fixed", report=answered_report())
    html = desk.get(reverse("moderation:report", args=[inspection.report_id])).content.decode()
    assert "Вернуть исполнителю</button>" not in html
    response = desk.post(reverse("moderation:inspection", args=[inspection.pk, "accept"]), follow=True)
    assert "принят" in response.content.decode()
    inspection.refresh_from_db()
    assert inspection.status == Inspection.Status.ACCEPTED
    assert inspection.report.status == Status.ANSWERED


def test_declining_without_a_comment_is_refused_then_done(desk):
    inspection, _ = submitted_task()
    url = reverse("moderation:inspection", args=[inspection.pk, "decline"])
    response = desk.post(url, {"comment": ""}, follow=True)
    assert "Объясните волонтёру" in response.content.decode()
    inspection.refresh_from_db()
    assert inspection.status == Inspection.Status.SUBMITTED
    desk.post(url, {"comment": "Фото другого двора", "reopen": "on"})
    inspection.refresh_from_db()
    assert inspection.status == Inspection.Status.DECLINED
    assert Inspection.objects.filter(report=inspection.report, status=Inspection.Status.OPEN).count() == 1


def test_after_a_decision_the_desk_goes_on_to_the_next_verdict(desk):
    first, _ = submitted_task(verdict="fixed")
    second, _ = submitted_task(verdict="fixed")
    response = desk.post(reverse("moderation:inspection", args=[first.pk, "accept"]), {"next": "queue"})
    assert response.url == reverse("moderation:report", args=[second.report_id]) + "#inspections"
    response = desk.post(reverse("moderation:inspection", args=[second.pk, "accept"]), {"next": "queue"})
    assert response.url == reverse("moderation:queue", args=["inspections"])


def test_applications_are_approved_and_declined_from_their_queue(desk):
    first, second = UserFactory(), UserFactory()
    a = services.apply(first, "Хочу помогать")
    b = services.apply(second, "Тоже хочу")
    html = desk.get(reverse("moderation:queue", args=["applications"])).content.decode()
    assert "Хочу помогать" in html and "Тоже хочу" in html
    desk.post(reverse("moderation:application", args=[a.pk]), {"decision": "approve"})
    response = desk.post(reverse("moderation:application", args=[b.pk]), {"decision": "decline"}, follow=True)
    assert "Объясните заявителю" in response.content.decode()
    desk.post(reverse("moderation:application", args=[b.pk]), {"decision": "decline", "comment": "Позже"})
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.role == Role.VOLUNTEER and second.role == Role.RESIDENT
    assert Application.objects.get(pk=b.pk).status == Application.Status.DECLINED
    response = desk.post(reverse("moderation:application", args=[a.pk]), {"decision": "approve"}, follow=True)
    assert "уже принято решение" in response.content.decode()


def test_suspending_and_reinstating_from_the_volunteers_page(desk, django_assert_max_num_queries):
    user = volunteer()
    submitted_task()
    with django_assert_max_num_queries(10):
        html = desk.get(reverse("moderation:volunteers")).content.decode()
    record = Volunteer.objects.get(user=user)
    assert f'id="volunteer-{record.pk}"' in html
    url = reverse("moderation:volunteer", args=[record.pk])
    response = desk.post(url, {"decision": "suspend", "reason": ""}, follow=True)
    assert "Укажите причину" in response.content.decode()
    desk.post(url, {"decision": "suspend", "reason": "Жалобы"})
    record.refresh_from_db()
    assert record.status == Volunteer.Status.SUSPENDED
    desk.post(url, {"decision": "reinstate"})
    record.refresh_from_db()
    assert record.status == Volunteer.Status.ACTIVE


def test_the_inspection_actions_are_for_the_editorial_team_only(client):
    inspection, user = submitted_task()
    client.force_login(user)
    assert client.post(reverse("moderation:inspection", args=[inspection.pk, "accept"])).status_code == 403
    inspection.refresh_from_db()
    assert inspection.status == Inspection.Status.SUBMITTED


def test_the_desk_timeline_words_each_stage_of_an_inspection(desk):
    inspection, _ = submitted_task(photos=[photo_at(FAR_FROM_RED_SQUARE)])
    html = desk.get(reverse("moderation:report", args=[inspection.report_id])).content.decode()
    assert f"Проверка №{inspection.pk}: назначена" in html
    assert f"Проверка №{inspection.pk}: итог волонтёра — не устранено, фото дальше 200 м: 1" in html
