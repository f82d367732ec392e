"""The API's personas and a token client for each.

Housing services of two districts answer (Тверской and Арбат); the Тверской
district council supervises its housing service."""

from types import SimpleNamespace

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from accounts.models import Role
from api.tests.helpers import Reports
from issues.models import Topic
from organizations.models import Kind, Organization
from tests.factories import UserFactory, staff_of, supervisor_of


@pytest.fixture
def cast(db):
    housing = Organization.objects.get(kind=Kind.HOUSING_SERVICE, districts__name="Тверской")
    other = Organization.objects.get(kind=Kind.HOUSING_SERVICE, districts__name="Арбат")
    return SimpleNamespace(
        topic=Topic.objects.get(code="yard-not-cleaned"),
        housing=housing,
        other=other,
        resident=UserFactory(role=Role.RESIDENT),
        neighbour=UserFactory(role=Role.RESIDENT),
        moderator=UserFactory(role=Role.MODERATOR),
        volunteer=UserFactory(role=Role.VOLUNTEER),
        staff=staff_of(housing),
        other_staff=staff_of(other),
        supervisor=supervisor_of(housing.supervisor),
    )


@pytest.fixture
def reports(cast):
    return Reports(cast)


@pytest.fixture
def api():
    """api(user) → an APIClient sending the user's token; api() → anonymous."""

    def make(user=None) -> APIClient:
        client = APIClient()
        if user is not None:
            token, _ = Token.objects.get_or_create(user=user)
            client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        return client

    return make
