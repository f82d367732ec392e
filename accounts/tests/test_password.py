import pytest
from django.urls import reverse

from accounts.tests.helpers import PASSWORD, link_path

pytestmark = pytest.mark.django_db

LOGIN = reverse("accounts:login")
RESET = reverse("accounts:password_reset")
NEW_PASSWORD = "Новый-пароль-для-Москвы-2"


def request_reset(client, email):
    return client.post(RESET, {"email": email})


def set_new_password(client, letter, password=NEW_PASSWORD):
    # The link redirects to a URL without the token, which stays in the session.
    form_page = client.get(link_path(letter), follow=True)
    assert form_page.context["validlink"] is True
    return client.post(
        form_page.redirect_chain[-1][0], {"new_password1": password, "new_password2": password}
    )


def logs_in(client, email, password) -> bool:
    client.logout()
    client.post(LOGIN, {"username": email, "password": password})
    return "_auth_user_id" in client.session


def test_password_reset_by_email(client, resident, mailoutbox):
    response = request_reset(client, "Anna@Example.test")

    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:password_reset_done")
    assert len(mailoutbox) == 1
    letter = mailoutbox[0]
    assert letter.to == [resident.email]
    assert letter.subject == "Наш город: восстановление пароля"
    assert "Петрова Анна Сергеевна" in letter.body
    assert "/accounts/password-reset/" in letter.body

    response = set_new_password(client, letter)

    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:password_reset_complete")
    resident.refresh_from_db()
    assert resident.check_password(NEW_PASSWORD)
    assert logs_in(client, resident.email, NEW_PASSWORD)
    assert not logs_in(client, resident.email, PASSWORD)


def test_reset_link_works_only_once(client, resident, mailoutbox):
    request_reset(client, resident.email)
    set_new_password(client, mailoutbox[0])

    response = client.get(link_path(mailoutbox[0]), follow=True)

    assert response.context["validlink"] is False
    assert "Ссылка недействительна" in response.content.decode()


def test_reset_for_unknown_address_sends_nothing_and_says_the_same(client, mailoutbox):
    response = request_reset(client, "nobody@example.test")

    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:password_reset_done")
    assert mailoutbox == []


def test_reset_confirms_an_unconfirmed_address(client, unconfirmed, mailoutbox):
    request_reset(client, unconfirmed.email)
    set_new_password(client, mailoutbox[0])

    unconfirmed.refresh_from_db()
    assert unconfirmed.email_confirmed is True
    assert logs_in(client, unconfirmed.email, NEW_PASSWORD)


def test_password_change_from_profile(client, resident):
    client.force_login(resident)

    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
        follow=True,
    )

    assert response.redirect_chain[-1][0] == reverse("accounts:profile")
    assert "Пароль изменён" in response.content.decode()
    resident.refresh_from_db()
    assert resident.check_password(NEW_PASSWORD)
    # The session survives the change.
    assert int(client.session["_auth_user_id"]) == resident.pk


def test_password_change_needs_the_old_password(client, resident):
    client.force_login(resident)

    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": "не тот", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )

    assert response.status_code == 200
    assert response.context["form"].has_error("old_password")
    resident.refresh_from_db()
    assert resident.check_password(PASSWORD)
