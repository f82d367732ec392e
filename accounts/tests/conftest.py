import pytest
from django.core.cache import cache

from tests.factories import UserFactory


@pytest.fixture(autouse=True)
def _empty_cache():
    """The confirmation-letter throttle lives in the cache; a local-memory
    cache outlives each test's rollback, and row ids are reused after it."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def resident(db):
    return UserFactory(email="anna@example.test", full_name="Петрова Анна Сергеевна")


@pytest.fixture
def unconfirmed(db):
    return UserFactory(email="new@example.test", full_name="Новиков Пётр", email_confirmed=False)
