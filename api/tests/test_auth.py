"""Logging in from the app: a token for an e-mail and a password, revoking
it, and who the caller is; the web's rules (an unconfirmed address cannot
log in)."""

import pytest
from django.urls import reverse
from rest_framework.authtoken.models import Token

from api.tests.helpers import error_of
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
TOKEN = reverse("api:token")
PASSWORD = "пароль-для-тестов-1"


def test_the_right_password_gives_a_token_and_the_user(api, cast):
    response = api().post(TOKEN, {"email": cast.resident.email.upper(), "password": PASSWORD})
    assert response.status_code == 200
    body = response.json()
    assert body["token"] == Token.objects.get(user=cast.resident).key
    assert body["user"]["email"] == cast.resident.email and body["user"]["role"] == "resident"
    assert body["user"]["capabilities"] == ["earn_points", "report"]
    me = api().get(reverse("api:me"), HTTP_AUTHORIZATION=f"Token {body['token']}")
    assert me.json()["id"] == cast.resident.pk


def test_logging_in_twice_gives_the_same_token(api, cast):
    first = api().post(TOKEN, {"email": cast.resident.email, "password": PASSWORD}).json()["token"]
    second = api().post(TOKEN, {"email": cast.resident.email, "password": PASSWORD}).json()["token"]
    assert first == second and Token.objects.filter(user=cast.resident).count() == 1


def test_a_wrong_password_is_refused_with_no_token(api, cast):
    response = api().post(TOKEN, {"email": cast.resident.email, "password": "не тот"})
    assert response.status_code == 400
    error = error_of(response)
    assert error["code"] == "invalid_login" and error["field"] is None
    assert not Token.objects.exists()


def test_an_unconfirmed_address_cannot_log_in(api):
    user = UserFactory(email_confirmed=False)
    response = api().post(TOKEN, {"email": user.email, "password": PASSWORD})
    assert response.status_code == 400 and error_of(response)["code"] == "email_unconfirmed"
    assert not Token.objects.filter(user=user).exists()


def test_a_missing_field_is_named(api):
    response = api().post(TOKEN, {"email": "someone@example.test"})
    assert response.status_code == 400
    error = error_of(response)
    assert (error["field"], error["code"]) == ("password", "required")


def test_a_stale_token_does_not_stop_a_login(api, cast):
    client = api()
    client.credentials(HTTP_AUTHORIZATION="Token stale-and-unknown")
    assert client.post(TOKEN, {"email": cast.resident.email, "password": PASSWORD}).status_code == 200


def test_revoking_the_token_logs_every_device_out(api, cast):
    client = api(cast.resident)
    assert client.delete(TOKEN).status_code == 204
    assert not Token.objects.filter(user=cast.resident).exists()
    response = client.get(reverse("api:me"))
    assert response.status_code == 401 and error_of(response)["code"] == "authentication_failed"


def test_a_token_is_checked_with_one_query_and_refused_once_its_user_is_blocked(
    api, cast, django_assert_num_queries
):
    client = api(cast.resident)
    with django_assert_num_queries(1):  # the token's user, nothing else (api:me reads nothing more)
        assert client.get(reverse("api:me")).json()["id"] == cast.resident.pk
    cast.resident.is_active = False
    cast.resident.save(update_fields=["is_active"])
    response = client.get(reverse("api:me"))
    assert response.status_code == 401 and error_of(response)["code"] == "authentication_failed"
    assert "неактивен" in error_of(response)["message"]


@pytest.mark.parametrize("key", ["not-a-token", "x" * 300, "zero\x00byte", "-1"])
def test_an_unknown_or_malformed_token_is_refused_not_an_error(api, key):
    client = api()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    response = client.get(reverse("api:me"))
    assert response.status_code == 401 and error_of(response)["code"] == "authentication_failed"


def test_the_browser_session_works_too(client, cast):
    client.force_login(cast.resident)
    assert client.get(reverse("api:me")).json()["email"] == cast.resident.email


def test_a_session_post_needs_the_csrf_token(cast):
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    browser.force_login(cast.resident)
    response = browser.post(reverse("api:mark-read"), {"all": True}, content_type="application/json")
    assert response.status_code == 403 and error_of(response)["code"] == "permission_denied"


def test_anonymous_callers_are_told_to_log_in(api):
    response = api().get(reverse("api:me"))
    assert response.status_code == 401
    assert error_of(response)["code"] == "not_authenticated"
    assert response["WWW-Authenticate"] == "Token"
