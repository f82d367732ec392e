"""Test set-up shared by every app.

The reference data (okrugs, districts, buildings, organizations, topics) is
loaded once per test run into the test database, from the same shared data
folder and with the same importers as production; each test then runs in a
transaction that is rolled back.
"""

import os
import shutil

import pytest
from django.core.management import call_command


def load_reference_data():
    call_command("import_places", verbosity=0)
    call_command("create_organizations", verbosity=0)
    call_command("load_topics", verbosity=0)


# The reference tables, parents first. A transactional test ends with a flush
# of every table Django knows; a copy under another name survives it and is
# put back in a second instead of importing everything again.
REFERENCE_TABLES = [
    "places_okrug",
    "places_district",
    "places_building",
    "organizations_organization",
    "organizations_organization_districts",
    "organizations_organization_buildings",
    "issues_topicgroup",
    "issues_seasonalproject",
    "issues_topic",
    "issues_topicquestion",
]


def snapshot_reference_data():
    from django.db import connection

    with connection.cursor() as cursor:
        for table in REFERENCE_TABLES:
            cursor.execute(f"DROP TABLE IF EXISTS snap_{table}")
            cursor.execute(f"CREATE TABLE snap_{table} AS SELECT * FROM {table}")


def restore_reference_data():
    from django.apps import apps
    from django.core.management.color import no_style
    from django.db import connection, transaction

    tables = set(REFERENCE_TABLES)
    models = [m for m in apps.get_models(include_auto_created=True) if m._meta.db_table in tables]
    with transaction.atomic(), connection.cursor() as cursor:
        for table in REFERENCE_TABLES:
            cursor.execute(f"INSERT INTO {table} SELECT * FROM snap_{table}")
        for sql in connection.ops.sequence_reset_sql(no_style(), models):
            cursor.execute(sql)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        load_reference_data()
        snapshot_reference_data()


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
                restore_reference_data()
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
    from django.core.cache import cache

    cache.clear()  # throttles and counters kept in the cache start afresh in every test
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def pytest_configure(config):
    import os

    from django.conf import settings

    engine = settings.DATABASES["default"]["ENGINE"]
    if os.environ.get("NASHGOROD_REQUIRE_POSTGIS") and not engine.endswith("postgis"):
        raise pytest.UsageError(f"NASHGOROD_REQUIRE_POSTGIS is set but the database engine is {engine}.")


CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


@pytest.fixture
def browser_page(monkeypatch):
    """A page in Debian's Chromium, driven by Playwright; map tiles blocked.
    Without Chromium the test is skipped, or fails where CI requires it."""
    if not os.path.exists(CHROMIUM):
        if os.environ.get("NASHGOROD_REQUIRE_BROWSER"):
            pytest.fail(f"Chromium not found at {CHROMIUM}; install Debian's chromium package.")
        pytest.skip("Chromium is not installed (apt-get install chromium).")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the ORM calls
    # of the test itself are still plain synchronous code.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        page = browser.new_page(locale="ru-RU", viewport={"width": 1280, "height": 1000})
        page.route("**/tile.openstreetmap.org/**", lambda route: route.abort())
        page.set_default_timeout(15_000)
        yield page
        browser.close()
