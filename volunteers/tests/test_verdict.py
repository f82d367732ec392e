"""The volunteer's verdict on site and the editorial decision on it: accepted
into the public timeline (the loyalty hook after commit), declined, or the
report sent back to the organization in one action."""

import pytest

from issues.errors import DomainError, TransitionNotAllowed
from issues.models import EventKind, Photo, Status
from volunteers import services, signals
from volunteers.models import Inspection, InspectionPhoto
from volunteers.testing import (
    FAR_FROM_RED_SQUARE,
    NEAR_RED_SQUARE,
    answered_report,
    moderator,
    photo_at,
    report_in_answer_review,
    submitted_task,
    taken_task,
    volunteer,
)

pytestmark = pytest.mark.django_db


def test_a_verdict_with_photos_awaits_the_editorial_team(django_capture_on_commit_callbacks):
    inspection, user = taken_task()
    with django_capture_on_commit_callbacks(execute=True):
        services.submit_verdict(
            user,
            inspection.pk,
            "partly",
            " Площадку убрали, урны нет ",
            [photo_at(NEAR_RED_SQUARE), photo_at(None)],
        )
    inspection.refresh_from_db()
    assert inspection.status == Inspection.Status.SUBMITTED
    assert inspection.verdict == "partly" and inspection.comment == "Площадку убрали, урны нет"
    assert inspection.far_photos == 0
    photos = Photo.objects.filter(report=inspection.report, role=Photo.Role.INSPECTION)
    assert photos.count() == 2 and all(p.uploaded_by == user for p in photos)
    assert all(p.thumbnail for p in photos)  # the thumbnail task ran after commit
    links = list(InspectionPhoto.objects.filter(inspection=inspection).order_by("pk"))
    assert links[0].distance_m < 20 and not links[0].is_far
    assert links[1].distance_m is None and not links[1].is_far
    event = inspection.report.events.get(kind=EventKind.INSPECTION, payload__stage="submitted")
    assert not event.is_public and event.actor == user
    assert set(event.photos.all()) == set(photos)


def test_a_photo_taken_more_than_200_m_away_is_flagged():
    inspection, _ = submitted_task(photos=[photo_at(FAR_FROM_RED_SQUARE), photo_at(NEAR_RED_SQUARE)])
    assert inspection.far_photos == 1
    far = InspectionPhoto.objects.get(inspection=inspection, is_far=True)
    assert 300 < far.distance_m < 360


@pytest.mark.parametrize(
    ("verdict", "comment", "photos", "code"),
    [
        ("", "Убрано", 1, "verdict_required"),
        ("maybe", "Убрано", 1, "verdict_required"),
        ("fixed", "  ", 1, "comment_required"),
        ("fixed", "Убрано", 0, "photo_required"),
        ("fixed", "Убрано", 6, "too_many_photos"),
    ],
)
def test_a_verdict_needs_a_verdict_a_comment_and_photos(verdict, comment, photos, code):
    inspection, user = taken_task()
    with pytest.raises(DomainError) as exc:
        services.submit_verdict(user, inspection.pk, verdict, comment, [photo_at(None)] * photos)
    assert exc.value.code == code
    inspection.refresh_from_db()
    assert inspection.status == Inspection.Status.TAKEN
    assert not Photo.objects.filter(role=Photo.Role.INSPECTION).exists()


def test_only_the_volunteer_holding_the_task_files_its_verdict():
    inspection, _ = taken_task()
    with pytest.raises(DomainError):
        services.submit_verdict(volunteer(), inspection.pk, "fixed", "Убрано", [photo_at(None)])


def test_a_second_submission_is_refused():
    inspection, user = submitted_task()
    with pytest.raises(DomainError):
        services.submit_verdict(user, inspection.pk, "fixed", "Ещё раз", [photo_at(None)])
    assert inspection.inspection_photos.count() == 1


def test_accepting_publishes_the_verdict_anonymously_and_announces_it_after_commit(
    django_capture_on_commit_callbacks,
):
    inspection, user = submitted_task(verdict="fixed")
    received = []

    def listener(sender, **kwargs):
        received.append(kwargs)

    signals.inspection_accepted.connect(listener)
    try:
        editor = moderator()
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            services.accept_verdict(editor, inspection.pk, "Спасибо")
        assert received == []  # nothing before commit
        for callback in callbacks:
            callback()
    finally:
        signals.inspection_accepted.disconnect(listener)
    assert received == [
        {"signal": signals.inspection_accepted, "inspection_id": inspection.pk, "volunteer_id": user.pk}
    ]
    inspection.refresh_from_db()
    assert inspection.status == Inspection.Status.ACCEPTED and inspection.reviewed_by == editor
    public = inspection.report.events.get(kind=EventKind.INSPECTION, is_public=True)
    assert public.payload == {"inspection_id": inspection.pk, "stage": "accepted", "verdict": "fixed"}
    assert public.actor == editor  # the editorial team vouches for it, not the volunteer
    assert list(public.photos.values_list("role", flat=True)) == [Photo.Role.INSPECTION]
    with pytest.raises(TransitionNotAllowed):
        services.accept_verdict(editor, inspection.pk)


def test_a_failing_subscriber_does_not_undo_the_acceptance(django_capture_on_commit_callbacks, caplog):
    inspection, _ = submitted_task(verdict="fixed")

    def broken(sender, **kwargs):
        raise RuntimeError("loyalty is down")

    signals.inspection_accepted.connect(broken)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            services.accept_verdict(moderator(), inspection.pk)
    finally:
        signals.inspection_accepted.disconnect(broken)
    inspection.refresh_from_db()
    assert inspection.status == Inspection.Status.ACCEPTED
    assert "subscriber" in caplog.text


def test_declining_needs_a_reason_and_puts_a_fresh_task_in_the_pool():
    inspection, _ = submitted_task()
    with pytest.raises(DomainError):
        services.decline_verdict(moderator(), inspection.pk, " ")
    services.decline_verdict(moderator(), inspection.pk, "Фото не того двора")
    inspection.refresh_from_db()
    assert inspection.status == Inspection.Status.DECLINED
    fresh = Inspection.objects.get(report=inspection.report, status=Inspection.Status.OPEN)
    assert fresh.note == inspection.note
    assert not inspection.report.events.filter(kind=EventKind.INSPECTION, is_public=True).exists()


def test_declining_without_reopening_leaves_the_pool_alone():
    inspection, _ = submitted_task()
    services.decline_verdict(moderator(), inspection.pk, "Не то место", reopen=False)
    assert not Inspection.objects.filter(status=Inspection.Status.OPEN).exists()


def test_not_fixed_on_a_disputed_report_returns_it_in_one_action():
    inspection, _ = submitted_task(verdict="not_fixed")
    report = services.return_on_verdict(moderator(), inspection.pk, "Приезжайте ещё раз")
    assert report.status == Status.IN_WORK and report.returns_count == 1
    inspection.refresh_from_db()
    assert inspection.status == Inspection.Status.ACCEPTED and inspection.returned_at is not None
    returned = report.events.get(kind=EventKind.RETURNED)
    assert returned.payload["inspection_id"] == inspection.pk
    assert returned.text.startswith("По итогам общественной проверки: не устранено.")
    assert report.events.filter(kind=EventKind.INSPECTION, is_public=True).count() == 1
    with pytest.raises(TransitionNotAllowed):
        services.return_on_verdict(moderator(), inspection.pk)


def test_partly_on_a_sampled_answered_report_returns_it_too():
    report = answered_report()
    inspection, _ = submitted_task(verdict="partly", report=report)
    report = services.return_on_verdict(moderator(), inspection.pk)
    assert report.status == Status.IN_WORK and report.verdict_due is None


def test_not_fixed_on_an_answer_under_review_returns_the_answer():
    report = report_in_answer_review()
    inspection, _ = submitted_task(verdict="not_fixed", report=report)
    report = services.return_on_verdict(moderator(), inspection.pk)
    assert report.status == Status.IN_WORK
    assert report.answers.get().state == "returned"
    assert report.events.filter(kind=EventKind.ANSWER_RETURNED).count() == 1


def test_a_fixed_verdict_returns_nothing():
    inspection, _ = submitted_task(verdict="fixed")
    with pytest.raises(DomainError):
        services.return_on_verdict(moderator(), inspection.pk)
    inspection.refresh_from_db()
    assert inspection.status == Inspection.Status.SUBMITTED


def test_an_accepted_not_fixed_verdict_can_still_return_the_report():
    inspection, _ = submitted_task(verdict="not_fixed")
    services.accept_verdict(moderator(), inspection.pk)
    report = services.return_on_verdict(moderator(), inspection.pk)
    assert report.status == Status.IN_WORK
    assert report.events.filter(kind=EventKind.INSPECTION, is_public=True).count() == 1


def test_a_report_already_back_in_work_is_not_returned_twice():
    from issues import services as report_services

    inspection, _ = submitted_task(verdict="not_fixed")
    report_services.return_to_organization(moderator(), inspection.report, "Сами вернули")
    with pytest.raises(TransitionNotAllowed):
        services.return_on_verdict(moderator(), inspection.pk)
    inspection.refresh_from_db()
    assert inspection.status == Inspection.Status.SUBMITTED  # nothing half-done


def test_a_verdict_on_an_older_answer_does_not_return_the_new_one():
    from issues import services as report_services
    from tests.factories import staff_of

    inspection, _ = submitted_task(verdict="not_fixed")
    report = inspection.report
    # Meanwhile the dispute went back, and the organization answered anew.
    report_services.return_to_organization(moderator(), report, "Переделайте")
    report_services.answer(staff_of(report.organization), report, "done", "Теперь всё сделано")
    report.refresh_from_db()
    assert report.status == Status.ANSWER_REVIEW
    with pytest.raises(TransitionNotAllowed, match="другой ответ"):
        services.return_on_verdict(moderator(), inspection.pk)
    report.refresh_from_db()
    assert report.status == Status.ANSWER_REVIEW
    assert report.answers.get(state="review").text == "Теперь всё сделано"
    inspection.refresh_from_db()
    assert inspection.status == Inspection.Status.SUBMITTED and inspection.returned_at is None


def test_a_verdict_on_a_report_back_in_work_is_refused_and_stores_nothing():
    from issues import services as report_services

    inspection, user = taken_task()
    report_services.return_to_organization(moderator(), inspection.report, "Без проверки")
    with pytest.raises(services.TaskUnavailable):
        services.submit_verdict(user, inspection.pk, "fixed", "Убрано", [photo_at(NEAR_RED_SQUARE)])
    inspection.refresh_from_db()
    assert inspection.status == Inspection.Status.TAKEN and inspection.verdict == ""
    assert not Photo.objects.filter(report=inspection.report, role=Photo.Role.INSPECTION).exists()
