"""Becoming a volunteer: the application, the editorial decision, suspension."""

import pytest

from accounts.models import Role
from accounts.roles import Capability, can
from issues.errors import DomainError, TransitionNotAllowed
from tests.factories import UserFactory
from volunteers import services
from volunteers.models import Application, Inspection, Volunteer
from volunteers.testing import moderator, taken_task, volunteer, volunteer_record

pytestmark = pytest.mark.django_db


def test_a_resident_applies_and_a_moderator_approves_them():
    resident = UserFactory()
    application = services.apply(resident, "  Хочу помогать городу  ")
    assert application.status == Application.Status.PENDING
    assert application.motivation == "Хочу помогать городу"
    editor = moderator()
    services.decide_application(editor, application.pk, approve=True)
    application.refresh_from_db()
    resident.refresh_from_db()
    assert application.status == Application.Status.APPROVED
    assert application.decided_by == editor and application.decided_at is not None
    assert resident.role == Role.VOLUNTEER
    assert can(resident, Capability.INSPECT)
    assert volunteer_record(resident).status == Volunteer.Status.ACTIVE


def test_a_second_application_while_one_waits_is_refused():
    resident = UserFactory()
    services.apply(resident, "Первая")
    with pytest.raises(DomainError) as exc:
        services.apply(resident, "Вторая")
    assert exc.value.code == "already_pending"
    assert Application.objects.filter(user=resident).count() == 1


def test_an_application_needs_a_motivation_and_a_resident():
    with pytest.raises(DomainError) as exc:
        services.apply(UserFactory(), "   ")
    assert exc.value.code == "motivation_required"
    with pytest.raises(DomainError):
        services.apply(moderator(), "Хочу")
    with pytest.raises(DomainError) as exc:
        services.apply(UserFactory(email_confirmed=False), "Хочу")
    assert exc.value.code == "email_unconfirmed"
    assert not Application.objects.exists()


def test_declining_needs_a_reason_and_leaves_the_role_alone():
    resident = UserFactory()
    application = services.apply(resident, "Хочу")
    with pytest.raises(DomainError):
        services.decide_application(moderator(), application.pk, approve=False)
    services.decide_application(moderator(), application.pk, approve=False, comment="Мало опыта")
    application.refresh_from_db()
    resident.refresh_from_db()
    assert application.status == Application.Status.DECLINED
    assert resident.role == Role.RESIDENT
    assert not Volunteer.objects.filter(user=resident).exists()
    # A decided application is not decided again; a new one may be filed.
    with pytest.raises(TransitionNotAllowed):
        services.decide_application(moderator(), application.pk, approve=True)
    services.apply(resident, "Ещё раз")


def test_only_the_editorial_team_decides():
    application = services.apply(UserFactory(), "Хочу")
    with pytest.raises(DomainError) as exc:
        services.decide_application(UserFactory(), application.pk, approve=True)
    assert exc.value.code == "forbidden"


def test_suspension_takes_the_role_and_returns_held_tasks_to_the_pool():
    inspection, user = taken_task()
    record = volunteer_record(user)
    with pytest.raises(DomainError):
        services.suspend(moderator(), record.pk, "")
    services.suspend(moderator(), record.pk, "Фото не с места")
    record.refresh_from_db()
    user.refresh_from_db()
    inspection.refresh_from_db()
    assert record.status == Volunteer.Status.SUSPENDED and record.suspension_reason == "Фото не с места"
    assert user.role == Role.RESIDENT and not can(user, Capability.INSPECT)
    assert inspection.status == Inspection.Status.OPEN and inspection.volunteer is None
    with pytest.raises(TransitionNotAllowed):
        services.suspend(moderator(), record.pk, "Ещё раз")
    with pytest.raises(DomainError) as exc:
        services.apply(user, "Верните меня")
    assert exc.value.code == "suspended"


def test_reinstating_gives_the_role_back():
    user = volunteer()
    record = volunteer_record(user)
    services.suspend(moderator(), record.pk, "Проверка жалобы")
    services.reinstate(moderator(), record.pk)
    user.refresh_from_db()
    record.refresh_from_db()
    assert user.role == Role.VOLUNTEER and record.status == Volunteer.Status.ACTIVE
    assert record.suspension_reason == ""
    with pytest.raises(TransitionNotAllowed):
        services.reinstate(moderator(), record.pk)


def test_staff_cannot_be_approved_as_volunteers():
    from organizations.models import Organization

    resident = UserFactory()
    application = services.apply(resident, "Хочу")
    org = Organization.objects.order_by("pk").first()
    resident.role, resident.organization = Role.STAFF, org
    resident.save(update_fields=["role", "organization"])
    with pytest.raises(DomainError) as exc:
        services.decide_application(moderator(), application.pk, approve=True)
    assert exc.value.code == "not_resident"
