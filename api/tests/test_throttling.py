"""Throttles: report filing per user per hour, login attempts per address
and per e-mail; counted in the shared cache (the file cache without Redis,
Redis in production)."""

import os
import uuid

import pytest
from django.core.cache import caches as django_caches
from django.urls import reverse
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

from api.tests.helpers import error_of, jpeg
from issues.models import Report
from tests.factories import RED_SQUARE

pytestmark = pytest.mark.django_db
PASSWORD = "пароль-для-тестов-1"


@pytest.fixture
def rates(monkeypatch):
    """Small rates for the test; DRF reads them at class definition."""

    def set_rates(**values):
        monkeypatch.setattr(
            SimpleRateThrottle, "THROTTLE_RATES", {**api_settings.DEFAULT_THROTTLE_RATES, **values}
        )

    return set_rates


def file_report(client, topic, key=None):
    data = {"topic": topic.pk, "lat": RED_SQUARE.y, "lon": RED_SQUARE.x, "photos": [jpeg()]}
    if key:
        data["submission_key"] = key
    return client.post(reverse("api:reports"), data, format="multipart")


def test_a_user_files_at_most_the_rate_of_reports_per_hour(api, cast, rates):
    rates(reports="2/hour")
    client = api(cast.resident)
    assert [file_report(client, cast.topic).status_code for _ in range(2)] == [201, 201]
    refused = file_report(client, cast.topic)
    assert refused.status_code == 429
    error = error_of(refused)
    assert error["code"] == "throttled" and 0 < error["details"]["retry_after"] <= 3600
    assert int(refused["Retry-After"]) == error["details"]["retry_after"]
    assert Report.objects.filter(author=cast.resident).count() == 2
    # Someone else is counted apart.
    assert file_report(api(cast.neighbour), cast.topic).status_code == 201


def test_a_retry_of_a_filed_report_is_never_throttled(api, cast, rates):
    rates(reports="1/hour")
    client, key = api(cast.resident), str(uuid.uuid4())
    assert file_report(client, cast.topic, key).status_code == 201
    again = file_report(client, cast.topic, key)
    assert again.status_code == 200 and Report.objects.filter(author=cast.resident).count() == 1
    assert file_report(client, cast.topic).status_code == 429


def test_login_attempts_are_limited_per_e_mail(api, cast, rates):
    rates(login_email="3/min")
    wrong = {"email": cast.resident.email, "password": "не тот"}
    assert [api().post(reverse("api:token"), wrong).status_code for _ in range(3)] == [400] * 3
    right = api().post(reverse("api:token"), {"email": cast.resident.email, "password": PASSWORD})
    assert right.status_code == 429 and error_of(right)["code"] == "throttled"
    # Another account from the same address is not locked out by this one.
    other = api().post(reverse("api:token"), {"email": cast.neighbour.email, "password": PASSWORD})
    assert other.status_code == 200


def test_login_attempts_are_limited_per_address(api, cast, rates):
    rates(login="2/min")
    for user in (cast.resident, cast.neighbour):
        api().post(reverse("api:token"), {"email": user.email, "password": "не тот"})
    third = api().post(reverse("api:token"), {"email": cast.volunteer.email, "password": PASSWORD})
    assert third.status_code == 429
    elsewhere = api().post(
        reverse("api:token"),
        {"email": cast.volunteer.email, "password": PASSWORD},
        REMOTE_ADDR="10.1.2.3",
    )
    assert elsewhere.status_code == 200


def _throttle_across(settings, caches, api, cast, rates):
    """Two attempts, the second refused: the count was kept in that cache.
    (No cache.clear(): on Redis it would flush the whole database.)"""
    settings.CACHES = caches
    rates(login_email="1/min")
    wrong = {"email": cast.resident.email, "password": "не тот"}
    assert api().post(reverse("api:token"), wrong).status_code == 400
    assert api().post(reverse("api:token"), wrong).status_code == 429
    assert type(django_caches["default"]).__name__ == caches["default"]["BACKEND"].rsplit(".", 1)[1]


def test_throttling_counts_in_the_file_cache(settings, tmp_path, api, cast, rates):
    caches = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(tmp_path / "cache"),
        }
    }
    _throttle_across(settings, caches, api, cast, rates)


@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="REDIS_URL is not set")
def test_throttling_counts_in_redis(settings, api, cast, rates):
    caches = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": os.environ["REDIS_URL"],
            "KEY_PREFIX": f"api-test-{uuid.uuid4().hex}",
        }
    }
    _throttle_across(settings, caches, api, cast, rates)
