import pytest
from django.urls import reverse

from accounts.models import Role
from tests.factories import housing_of, staff_of

pytestmark = pytest.mark.django_db

PROFILE = reverse("accounts:profile")


def profile_data(user, **overrides):
    data = {
        "full_name": user.full_name,
        "phone": user.phone,
        "notify_email_status": "on" if user.notify_email_status else "",
        "notify_email_answers": "on" if user.notify_email_answers else "",
        "notify_email_work": "on" if user.notify_email_work else "",
        "notify_email_news": "on" if user.notify_email_news else "",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v != ""}


def test_profile_shows_email_role_and_organization_read_only(client):
    staff = staff_of(housing_of("Тверской"), email="worker@example.test")
    client.force_login(staff)

    response = client.get(PROFILE)

    page = response.content.decode()
    assert "worker@example.test" in page
    assert "Сотрудник организации" in page
    assert staff.organization.name in page
    form = response.context["form"]
    assert "email" not in form.fields
    assert "role" not in form.fields
    assert "organization" not in form.fields


def test_saving_notification_preferences(client, resident):
    client.force_login(resident)
    assert resident.notify_email_status and resident.notify_email_answers and not resident.notify_email_news

    response = client.post(
        PROFILE,
        profile_data(
            resident,
            notify_email_status="",
            notify_email_answers="on",
            notify_email_news="on",
            phone="8 916 000-00-00",
        ),
        follow=True,
    )

    assert response.redirect_chain == [(PROFILE, 302)]
    assert "Изменения сохранены" in response.content.decode()
    resident.refresh_from_db()
    assert resident.notify_email_status is False
    assert resident.notify_email_answers is True
    assert resident.notify_email_news is True
    assert resident.phone == "8 916 000-00-00"


def test_profile_post_cannot_change_email_role_or_confirmation(client, resident):
    client.force_login(resident)

    client.post(
        PROFILE,
        profile_data(
            resident, email="evil@example.test", role=Role.ADMINISTRATOR, email_confirmed="", is_staff="on"
        ),
    )

    resident.refresh_from_db()
    assert resident.email == "anna@example.test"
    assert resident.role == Role.RESIDENT
    assert resident.email_confirmed is True
    assert resident.is_staff is False


def test_invalid_profile_is_not_saved_and_the_header_keeps_the_old_name(client, resident):
    client.force_login(resident)

    response = client.post(PROFILE, profile_data(resident, full_name="   ", phone="abc"))

    assert response.status_code == 200
    form = response.context["form"]
    assert form.has_error("full_name") and form.has_error("phone")
    resident.refresh_from_db()
    assert resident.full_name == "Петрова Анна Сергеевна"
    assert response.context["user"].full_name == "Петрова Анна Сергеевна"


def test_work_letters_are_offered_to_staff_only(client, resident):
    client.force_login(resident)
    assert "notify_email_work" not in client.get(PROFILE).context["form"].fields

    staff = staff_of(housing_of("Тверской"))
    client.force_login(staff)
    client.post(PROFILE, profile_data(staff, notify_email_work=""))

    staff.refresh_from_db()
    assert staff.notify_email_work is False


def test_resident_save_leaves_work_letters_alone(client, resident):
    client.force_login(resident)

    client.post(PROFILE, profile_data(resident))

    resident.refresh_from_db()
    assert resident.notify_email_work is True
