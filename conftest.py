"""Test set-up shared by every app.

The reference data (okrugs, districts, buildings, organizations, topics) is
loaded once per test run into the test database, from the same shared data
folder and with the same importers as production; each test then runs in a
transaction that is rolled back.
"""

import pytest
from django.core.management import call_command


def load_reference_data():
    call_command("import_places", verbosity=0)
    call_command("create_organizations", verbosity=0)
    call_command("load_topics", verbosity=0)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        load_reference_data()


@pytest.fixture(autouse=True)
def _reference_data_present(request):
    """A transactional test (live server, threads) ends with a flush that
    empties every table; the next database test gets the reference data back."""
    uses_db = request.node.get_closest_marker("django_db") or {"db", "transactional_db"} & set(
        request.fixturenames
    )
    if uses_db:
        from places.models import District

        with request.getfixturevalue("django_db_blocker").unblock():
            if not District.objects.exists():
                load_reference_data()
    yield


@pytest.fixture(scope="session", autouse=True)
def _celery_eager():
    """Tasks run in the test process; tests of the real worker start one."""
    from nashgorod.celery import app

    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = True
    yield
    app.conf.task_always_eager = False


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def pytest_configure(config):
    import os

    from django.conf import settings

    engine = settings.DATABASES["default"]["ENGINE"]
    if os.environ.get("NASHGOROD_REQUIRE_POSTGIS") and not engine.endswith("postgis"):
        raise pytest.UsageError(f"NASHGOROD_REQUIRE_POSTGIS is set but the database engine is {engine}.")
