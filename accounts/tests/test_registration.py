from datetime import timedelta
from unittest import mock

import pytest
from django.core import signing
from django.urls import reverse

from accounts import services
from accounts.models import Role, User
from accounts.tests.helpers import link_path
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

REGISTER = reverse("accounts:register")
LOGIN = reverse("accounts:login")
PROFILE = reverse("accounts:profile")
RESEND = reverse("accounts:resend_confirmation")
NEW_PASSWORD = "Ласточка-над-Москвой-7"


def form_data(**overrides):
    data = {
        "full_name": "Смирнова Ольга Петровна",
        "email": "Olga.Smirnova@Example.test",
        "phone": "+7 (495) 123-45-67",
        "password1": NEW_PASSWORD,
        "password2": NEW_PASSWORD,
    }
    data.update(overrides)
    return data


def register(client, capture, **overrides):
    with capture(execute=True):
        return client.post(REGISTER, form_data(**overrides))


def login(client, email, password=NEW_PASSWORD):
    return client.post(LOGIN, {"username": email, "password": password})


def test_registration_confirmation_and_login(client, mailoutbox, django_capture_on_commit_callbacks):
    response = register(client, django_capture_on_commit_callbacks)

    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:register_done")
    user = User.objects.get()
    assert user.email == "olga.smirnova@example.test"
    assert user.full_name == "Смирнова Ольга Петровна"
    assert user.phone == "+7 (495) 123-45-67"
    assert user.role == Role.RESIDENT
    assert user.organization is None
    assert user.email_confirmed is False
    assert user.check_password(NEW_PASSWORD)

    assert len(mailoutbox) == 1
    letter = mailoutbox[0]
    assert letter.to == ["olga.smirnova@example.test"]
    assert "подтвердите" in letter.subject.lower()
    assert "Смирнова Ольга Петровна" in letter.body
    assert "3 дня" in letter.body
    done = client.get(reverse("accounts:register_done"))
    assert "olga.smirnova@example.test" in done.content.decode()

    response = client.get(link_path(letter))

    assert response.status_code == 302
    assert response["Location"] == LOGIN
    user.refresh_from_db()
    assert user.email_confirmed is True

    response = login(client, "OLGA.smirnova@example.test")
    assert response.status_code == 302
    assert client.get(PROFILE).status_code == 200
    assert int(client.session["_auth_user_id"]) == user.pk


def test_following_the_link_twice_keeps_the_account_confirmed(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    register(client, django_capture_on_commit_callbacks)
    path = link_path(mailoutbox[0])

    client.get(path)
    response = client.get(path, follow=True)

    assert response.status_code == 200
    assert "уже подтверждён" in response.content.decode()
    assert User.objects.get().email_confirmed is True


def test_login_is_refused_before_confirmation_and_offers_the_letter_again(client, unconfirmed):
    response = login(client, unconfirmed.email, "пароль-для-тестов-1")

    assert response.status_code == 200
    page = response.content.decode()
    assert "ещё не подтверждён" in page
    assert RESEND in page
    assert f'value="{unconfirmed.email}"' in page
    assert "_auth_user_id" not in client.session


def test_wrong_password_of_unconfirmed_account_does_not_reveal_it(client, unconfirmed):
    response = login(client, unconfirmed.email, "не-тот-пароль")

    page = response.content.decode()
    assert "Неверный e-mail или пароль" in page
    assert "не подтверждён" not in page


def test_resend_sends_a_new_working_link(client, unconfirmed, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(RESEND, {"email": unconfirmed.email.upper()})

    assert response.status_code == 302
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == [unconfirmed.email]
    client.get(link_path(mailoutbox[0]))
    unconfirmed.refresh_from_db()
    assert unconfirmed.email_confirmed is True


def test_resend_is_throttled(client, unconfirmed, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(RESEND, {"email": unconfirmed.email})
        client.post(RESEND, {"email": unconfirmed.email})

    assert len(mailoutbox) == 1


@pytest.mark.parametrize("email", ["nobody@example.test", "anna@example.test"])
def test_resend_answers_alike_for_unknown_and_confirmed_addresses(
    client, resident, mailoutbox, django_capture_on_commit_callbacks, email
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(RESEND, {"email": email}, follow=True)

    assert response.status_code == 200
    assert "мы отправили письмо ещё раз" in response.content.decode()
    assert mailoutbox == []


def test_bad_confirmation_link_is_refused(client, unconfirmed):
    good = services.confirmation_token(unconfirmed)

    response = client.get(reverse("accounts:confirm_email", args=[good[:-2] + "xx"]))

    assert response.status_code == 400
    assert "Ссылка недействительна" in response.content.decode()
    unconfirmed.refresh_from_db()
    assert unconfirmed.email_confirmed is False


def test_confirmation_link_signed_for_another_purpose_is_refused(client, unconfirmed):
    token = signing.TimestampSigner(salt="something-else").sign_object(
        {"id": unconfirmed.pk, "email": unconfirmed.email}
    )

    response = client.get(reverse("accounts:confirm_email", args=[token]))

    assert response.status_code == 400
    unconfirmed.refresh_from_db()
    assert unconfirmed.email_confirmed is False


def test_confirmation_link_of_a_former_address_is_refused(client, unconfirmed):
    token = services.confirmation_token(unconfirmed)
    User.objects.filter(pk=unconfirmed.pk).update(email="changed@example.test")

    response = client.get(reverse("accounts:confirm_email", args=[token]))

    assert response.status_code == 400
    assert User.objects.get(pk=unconfirmed.pk).email_confirmed is False


def test_expired_confirmation_link_is_refused(client, unconfirmed):
    four_days_ago = signing.time.time() - timedelta(days=3, minutes=1).total_seconds()
    with mock.patch("django.core.signing.time.time", return_value=four_days_ago):
        token = services.confirmation_token(unconfirmed)

    response = client.get(reverse("accounts:confirm_email", args=[token]))

    assert response.status_code == 400
    assert "Срок действия ссылки истёк" in response.content.decode()
    unconfirmed.refresh_from_db()
    assert unconfirmed.email_confirmed is False


def test_confirmation_link_is_valid_for_almost_three_days(client, unconfirmed):
    almost_three_days_ago = signing.time.time() - timedelta(days=3, minutes=-1).total_seconds()
    with mock.patch("django.core.signing.time.time", return_value=almost_three_days_ago):
        token = services.confirmation_token(unconfirmed)

    client.get(reverse("accounts:confirm_email", args=[token]))

    unconfirmed.refresh_from_db()
    assert unconfirmed.email_confirmed is True


def test_duplicate_email_in_another_case_is_refused(client, mailoutbox, django_capture_on_commit_callbacks):
    UserFactory(email="olga.smirnova@example.test")

    response = register(client, django_capture_on_commit_callbacks, email="OLGA.Smirnova@EXAMPLE.test")

    assert response.status_code == 200
    assert "уже зарегистрирован" in response.content.decode()
    assert response.context["form"].has_error("email", "email_taken")
    assert User.objects.filter(email__iexact="olga.smirnova@example.test").count() == 1
    assert mailoutbox == []


def test_racing_registration_with_same_email_is_refused_by_the_database():
    # Stored in another case, as by a registration that passed the form's
    # check at the same moment: only the case-insensitive index can tell.
    UserFactory(email="Olga.Smirnova@Example.test")

    with pytest.raises(services.EmailTakenError):
        services.register_user(
            full_name="Кто-то Другой",
            email="Olga.Smirnova@example.test ",
            password=NEW_PASSWORD,
            base_url="http://testserver",
        )


def test_passwords_must_match(client, mailoutbox):
    response = client.post(REGISTER, form_data(password2=NEW_PASSWORD + "x"))

    assert response.status_code == 200
    assert response.context["form"].has_error("password2", "password_mismatch")
    assert not User.objects.exists()


def test_weak_password_is_refused(client):
    response = client.post(REGISTER, form_data(password1="12345678", password2="12345678"))

    assert response.context["form"].has_error("password2")
    assert not User.objects.exists()


def test_phone_is_optional_but_checked(client, django_capture_on_commit_callbacks):
    response = client.post(REGISTER, form_data(phone="позвоните мне"))
    assert response.context["form"].has_error("phone", "invalid_phone")

    register(client, django_capture_on_commit_callbacks, phone="")
    assert User.objects.get().phone == ""


def test_registering_while_logged_in_redirects_to_profile(client, resident):
    client.force_login(resident)

    response = client.post(REGISTER, form_data(email="other@example.test"))

    assert response.status_code == 302
    assert response["Location"] == PROFILE
    assert User.objects.count() == 1


def test_register_page_is_in_russian(client):
    page = client.get(REGISTER).content.decode()

    for label in ("ФИО", "E-mail", "Телефон", "Пароль", "Пароль ещё раз", "Зарегистрироваться"):
        assert label in page
