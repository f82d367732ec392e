"""Client applications in the admin: the key is shown once and only its hash
is kept; a new key replaces the old; a revoked key is refused. And two
requests racing for one new reporter make one account (PostGIS)."""

import re

import pytest
from django.contrib.messages import get_messages
from django.db import connection

from accounts.models import Role, User
from issues.models import Report
from open311 import services
from open311.models import ClientApplication
from open311.params import NewRequest
from open311.tests.conftest import VALID_ANSWERS, errors, url
from tests.concurrency import race
from tests.factories import UserFactory

KEY = re.compile(r"<code>(o311_[\w-]+)</code>")


@pytest.fixture
def admin_client(client, db):
    admin = UserFactory(role=Role.ADMINISTRATOR, is_staff=True, is_superuser=True)
    client.force_login(admin)
    return client


def shown_keys(response) -> list[str]:
    return [m for message in get_messages(response.wsgi_request) for m in KEY.findall(str(message))]


@pytest.mark.django_db
def test_the_admin_registers_an_application_and_sees_its_key_once(admin_client, topic):
    response = admin_client.post(
        "/admin/open311/clientapplication/add/",
        {
            "name": "Мобильное приложение",
            "contact": "dev@example.test",
            "response_type": "realtime",
            "is_active": "on",
        },
        follow=True,
    )
    assert response.status_code == 200
    (key,) = shown_keys(response)
    application = ClientApplication.objects.get()
    assert application.key_hash == services.hash_key(key) and key.startswith(application.key_prefix)
    assert key not in str(ClientApplication.objects.values().get())
    page = admin_client.get(f"/admin/open311/clientapplication/{application.pk}/change/")
    assert key not in page.content.decode() and application.key_prefix in page.content.decode()

    filing = {
        "service_code": topic.code,
        "lat": "55.7539",
        "long": "37.6208",
        "email": "a@example.test",
        **VALID_ANSWERS,
    }
    assert admin_client.post(url("requests", "json"), {**filing, "api_key": key}).status_code == 200

    response = admin_client.post(
        "/admin/open311/clientapplication/",
        {"action": "regenerate_keys", "_selected_action": [application.pk]},
        follow=True,
    )
    (new_key,) = shown_keys(response)
    assert new_key != key
    errors(admin_client.post(url("requests", "json"), {**filing, "api_key": key}), 403)
    assert admin_client.post(url("requests", "json"), {**filing, "api_key": new_key}).status_code == 200

    admin_client.post(
        "/admin/open311/clientapplication/", {"action": "revoke_keys", "_selected_action": [application.pk]}
    )
    application.refresh_from_db()
    assert application.revoked_at is not None and not application.is_active
    errors(admin_client.post(url("requests", "json"), {**filing, "api_key": new_key}), 403)
    assert services.revoke(application) is False  # a second click changes nothing


@pytest.mark.django_db
def test_requests_filed_through_open311_are_read_only_in_the_admin(admin_client, key, topic):
    admin_client.post(
        url("requests", "json"),
        {
            "api_key": key,
            "service_code": topic.code,
            "lat": "55.7539",
            "long": "37.6208",
            "email": "a@example.test",
            **VALID_ANSWERS,
        },
    )
    listing = admin_client.get("/admin/open311/servicerequest/")
    assert listing.status_code == 200 and "FixMyStreet Москва" in listing.content.decode()
    assert admin_client.get("/admin/open311/servicerequest/add/").status_code == 403


@pytest.mark.postgis_only
@pytest.mark.django_db(transaction=True)
def test_two_requests_from_one_new_reporter_at_once_make_one_account(topic):
    if connection.vendor != "postgresql":
        pytest.skip("concurrent inserts are tested on PostGIS")
    application, _ = services.register_client("FMS", "fms@example.test")

    def file():
        new = NewRequest(
            service_code=topic.code,
            lat=55.7539,
            long=37.6208,
            email="Same.Person@example.test",
            attributes={"where": ["у входа"], "kind": ["household"]},
        )
        return services.file_request(application, new)

    results = race(file, file)
    assert not [r for r in results if isinstance(r, Exception)], results
    assert User.objects.filter(email__iexact="same.person@example.test").count() == 1
    assert Report.objects.filter(author__email="same.person@example.test").count() == 2
