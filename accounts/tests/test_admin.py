import pytest
from django.urls import reverse

from accounts.models import Role, User
from accounts.tests.helpers import PASSWORD
from tests.factories import UserFactory, council_of, housing_of

pytestmark = pytest.mark.django_db

ADD = reverse("admin:accounts_user_add")
CHANGELIST = reverse("admin:accounts_user_changelist")


@pytest.fixture
def admin_client(client):
    admin = UserFactory(
        email="root@example.test",
        full_name="Главный Админ",
        role=Role.ADMINISTRATOR,
        is_staff=True,
        is_superuser=True,
    )
    client.force_login(admin)
    return client


def add_data(**overrides):
    data = {
        "email": "Worker@Example.test",
        "full_name": "Кузнецов Илья",
        "phone": "",
        "role": Role.STAFF,
        "organization": "",
        "email_confirmed": "on",
        "usable_password": "true",
        "password1": "Сложный-пароль-42",
        "password2": "Сложный-пароль-42",
    }
    data.update(overrides)
    return data


def change_data(user, **overrides):
    data = {
        "email": user.email,
        "full_name": user.full_name,
        "phone": user.phone,
        "role": user.role,
        "organization": user.organization_id or "",
        "email_confirmed": "on" if user.email_confirmed else "",
        "is_active": "on" if user.is_active else "",
        "notify_email_status": "on",
        "notify_email_answers": "on",
        "notify_email_work": "on",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v != ""}


@pytest.mark.parametrize("role", [Role.STAFF, Role.SUPERVISOR])
def test_adding_organization_role_without_organization_is_a_form_error(admin_client, role):
    response = admin_client.post(ADD, add_data(role=role))

    assert response.status_code == 200
    form = response.context["adminform"].form
    assert form.errors["organization"] == ["Для этой роли нужно указать организацию."]
    assert not User.objects.filter(email__iexact="worker@example.test").exists()


def test_adding_staff_with_organization(admin_client):
    org = housing_of("Тверской")

    response = admin_client.post(ADD, add_data(organization=org.pk))

    assert response.status_code == 302
    user = User.objects.get(email="worker@example.test")
    assert user.role == Role.STAFF
    assert user.organization == org
    assert user.email_confirmed is True
    assert user.check_password("Сложный-пароль-42")


def test_adding_resident_needs_no_organization(admin_client):
    response = admin_client.post(ADD, add_data(role=Role.RESIDENT))

    assert response.status_code == 302
    assert User.objects.get(email="worker@example.test").organization is None


def test_admin_refuses_an_email_taken_in_another_case(admin_client):
    UserFactory(email="worker@example.test")

    response = admin_client.post(ADD, add_data(role=Role.RESIDENT, email="WORKER@example.test"))

    assert response.status_code == 200
    assert "email" in response.context["adminform"].form.errors
    assert User.objects.filter(email__iexact="worker@example.test").count() == 1


def test_changing_role_to_supervisor_without_organization_is_a_form_error(admin_client, resident):
    url = reverse("admin:accounts_user_change", args=[resident.pk])

    response = admin_client.post(url, change_data(resident, role=Role.SUPERVISOR))

    assert response.status_code == 200
    assert "organization" in response.context["adminform"].form.errors
    resident.refresh_from_db()
    assert resident.role == Role.RESIDENT


def test_changing_role_to_supervisor_with_organization(admin_client, resident):
    url = reverse("admin:accounts_user_change", args=[resident.pk])
    prefecture = council_of("Тверской").supervisor

    response = admin_client.post(url, change_data(resident, role=Role.SUPERVISOR, organization=prefecture.pk))

    assert response.status_code == 302, response.context["adminform"].form.errors
    resident.refresh_from_db()
    assert resident.role == Role.SUPERVISOR
    assert resident.organization == prefecture
    assert resident.check_password(PASSWORD)


def test_changelist_searches_by_email_name_and_phone_and_filters_by_role(admin_client):
    staff = UserFactory(
        email="ivanov@example.test",
        full_name="Иванов Сергей",
        phone="+7 495 111-22-33",
        role=Role.STAFF,
        organization=housing_of("Тверской"),
    )
    UserFactory(email="other@example.test", full_name="Сидоров Пётр")

    for q in ("ivanov@", "Иванов", "111-22"):
        response = admin_client.get(CHANGELIST, {"q": q})
        assert list(response.context["cl"].result_list) == [staff], q
    response = admin_client.get(CHANGELIST, {"role__exact": Role.STAFF})
    assert list(response.context["cl"].result_list) == [staff]
    assert "ГБУ" in response.content.decode()


def test_confirm_email_action(admin_client, unconfirmed):
    admin_client.post(CHANGELIST, {"action": "confirm_email", "_selected_action": [unconfirmed.pk]})

    unconfirmed.refresh_from_db()
    assert unconfirmed.email_confirmed is True
