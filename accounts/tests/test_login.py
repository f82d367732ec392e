import pytest
from django.urls import reverse

from accounts.tests.helpers import PASSWORD
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

LOGIN = reverse("accounts:login")
LOGOUT = reverse("accounts:logout")
PROFILE = reverse("accounts:profile")


def test_login_form_asks_for_email(client):
    response = client.get(LOGIN)

    form = response.context["form"]
    assert form.fields["username"].label == "E-mail"
    assert 'type="email"' in response.content.decode()


def test_login_with_email_in_any_case(client, resident):
    response = client.post(LOGIN, {"username": "ANNA@Example.TEST", "password": PASSWORD})

    assert response.status_code == 302
    assert int(client.session["_auth_user_id"]) == resident.pk


def test_login_follows_next(client, resident):
    response = client.post(
        LOGIN + "?next=" + PROFILE, {"username": resident.email, "password": PASSWORD, "next": PROFILE}
    )

    assert response["Location"] == PROFILE


def test_wrong_password_is_refused(client, resident):
    response = client.post(LOGIN, {"username": resident.email, "password": "неправильный"})

    assert response.status_code == 200
    assert "Неверный e-mail или пароль" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_inactive_user_cannot_log_in(client):
    user = UserFactory(is_active=False)

    client.post(LOGIN, {"username": user.email, "password": PASSWORD})

    assert "_auth_user_id" not in client.session


def test_profile_requires_login(client):
    response = client.get(PROFILE)

    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)


def test_logout_by_get_is_not_allowed(client, resident):
    client.force_login(resident)

    response = client.get(LOGOUT)

    assert response.status_code == 405
    assert int(client.session["_auth_user_id"]) == resident.pk
    assert client.get(PROFILE).status_code == 200


def test_logout_by_post(client, resident):
    client.force_login(resident)

    response = client.post(LOGOUT)

    assert response.status_code == 302
    assert "_auth_user_id" not in client.session
    assert client.get(PROFILE).status_code == 302
