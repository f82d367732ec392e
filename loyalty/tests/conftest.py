"""The programme's personas: a resident, a volunteer, a moderator, the staff
of the organization that answers, and a town that moves reports."""

import pytest

from accounts.models import Role
from issues.models import Topic
from loyalty.models import ProgrammeSettings
from loyalty.tests.helpers import Town
from tests.factories import UserFactory, housing_of, staff_of


@pytest.fixture
def topic():
    return Topic.objects.get(code="yard-not-cleaned")  # ГБУ «Жилищник» of the district


@pytest.fixture
def resident():
    return UserFactory(role=Role.RESIDENT, full_name="Жителева Анна")


@pytest.fixture
def other_resident():
    return UserFactory(role=Role.RESIDENT, full_name="Соседов Олег")


@pytest.fixture
def moderator():
    return UserFactory(role=Role.MODERATOR, full_name="Редакторова Вера")


@pytest.fixture
def staff():
    return staff_of(housing_of("Тверской"), full_name="Исполнителев Иван")


@pytest.fixture
def town(moderator, staff, topic):
    return Town(moderator, staff, topic)


@pytest.fixture
def programme():
    """Default numbers: 10 points a report, 20 an inspection, 100 a day."""
    return ProgrammeSettings.load()
