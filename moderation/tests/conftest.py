"""The desk's personas and a city that moves reports into any state."""

import pytest

from accounts.models import Role
from issues.models import Topic
from moderation.tests.helpers import City
from tests.factories import UserFactory, council_of, housing_of, staff_of


@pytest.fixture
def topic():
    return Topic.objects.get(code="yard-not-cleaned")  # ГБУ «Жилищник» of the district


@pytest.fixture
def housing():
    return housing_of("Тверской")


@pytest.fixture
def council():
    return council_of("Тверской")


@pytest.fixture
def moderator():
    return UserFactory(role=Role.MODERATOR, full_name="Редакторова Вера")


@pytest.fixture
def other_moderator():
    return UserFactory(role=Role.MODERATOR, full_name="Второв Пётр")


@pytest.fixture
def resident():
    return UserFactory(role=Role.RESIDENT, full_name="Жителева Анна")


@pytest.fixture
def staff(housing):
    return staff_of(housing, full_name="Исполнителев Иван")


@pytest.fixture
def desk(client, moderator):
    client.force_login(moderator)
    return client


@pytest.fixture
def city(moderator, resident, staff, topic):
    return City(moderator, resident, staff, topic)
