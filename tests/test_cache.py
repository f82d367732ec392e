"""The cache when Redis is away: pages still answer, nothing is lost."""

import logging
import os
import time

import pytest
from django.urls import reverse

from nashgorod.cache import BACKOFF_SECONDS, ForgivingRedisCache
from tests.factories import UserFactory

DEAD_REDIS = "redis://127.0.0.1:1/0"  # nothing listens on port 1: refused at once
OPTIONS = {"socket_connect_timeout": 0.5, "socket_timeout": 0.5}


def dead_cache() -> ForgivingRedisCache:
    return ForgivingRedisCache(DEAD_REDIS, {"OPTIONS": OPTIONS})


@pytest.fixture
def redis_down(settings):
    """The project's cache pointed at a Redis that is not there."""
    settings.CACHES = {
        "default": {
            "BACKEND": "nashgorod.cache.ForgivingRedisCache",
            "LOCATION": DEAD_REDIS,
            "OPTIONS": OPTIONS,
        }
    }
    yield


def test_an_unreachable_redis_reads_as_an_empty_cache_that_keeps_nothing(caplog):
    dead = dead_cache()
    with caplog.at_level(logging.WARNING, logger="nashgorod.cache"):
        assert dead.get("k") is None
    assert "Cache unreachable" in caplog.text
    assert dead.get("k", "fallback") == "fallback"
    assert dead.set("k", 1) is None
    assert dead.get("k") is None
    assert dead.add("k", 1) is True  # nothing held, so nothing refuses it
    assert dead.get_many(["a", "b"]) == {}
    assert dead.set_many({"a": 1, "b": 2}) == ["a", "b"]  # the keys not stored
    assert dead.has_key("k") is False
    assert dead.touch("k") is False
    assert dead.delete("k") is False
    assert dead.delete_many(["a"]) is None
    assert dead.clear() is False
    assert dead.get_or_set("k", lambda: 42) == 42
    with pytest.raises(ValueError):
        dead.incr("k")
    with pytest.raises(ValueError):
        dead.decr("k")


def test_after_a_failure_the_process_does_not_ask_again_for_a_while(monkeypatch):
    dead = dead_cache()
    dead.get("k")
    assert dead._down_until > time.monotonic() + BACKOFF_SECONDS - 5
    # While backing off, no connection is tried at all.
    tried = []
    monkeypatch.setattr(type(dead._cache), "get", lambda *args: tried.append(args))
    assert dead.get("k", "fallback") == "fallback"
    assert tried == []
    # Once the backoff is over it tries again.
    dead._down_until = 0.0
    dead.get("k")
    assert tried


@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs a running Redis (REDIS_URL)")
def test_with_redis_up_it_is_the_plain_redis_cache():
    live = ForgivingRedisCache(os.environ["REDIS_URL"], {"OPTIONS": OPTIONS, "KEY_PREFIX": "test-cache"})
    live.set("k", {"a": 1}, 30)
    assert live.get("k") == {"a": 1}
    assert live.add("k", 2) is False
    live.set("n", 1, 30)
    assert live.incr("n") == 2
    live.delete_many(["k", "n"])
    assert live.get("k") is None
    # One redis.Redis serves every call (Django's own client makes one per call).
    assert live._cache.get_client() is live._cache.get_client(write=True)


def test_a_dead_redis_after_a_reused_client_still_reads_as_a_miss():
    dead = dead_cache()
    client = dead._cache.get_client()
    assert dead._cache.get_client() is client
    assert dead.get("k", "fallback") == "fallback"
    assert dead.set("k", 1) is None


@pytest.mark.django_db
def test_pages_that_use_the_cache_answer_while_redis_is_down(redis_down, client):
    assert client.get(reverse("stats:city")).status_code == 200
    assert client.get(reverse("stats:districts-geojson")).status_code == 200
    health = client.get(reverse("health"))
    assert health.status_code == 200
    assert health.json()["scheduler_heartbeat"] is None


@pytest.mark.django_db
def test_api_login_while_redis_is_down_is_not_a_server_error(redis_down, client):
    UserFactory(email="resident@example.com")
    response = client.post(
        reverse("api:token"),
        {"email": "resident@example.com", "password": "пароль-для-тестов-1"},
        "application/json",
    )
    assert response.status_code in (200, 201), response.content
    assert response.json()["token"]


@pytest.mark.django_db
def test_resending_the_confirmation_letter_while_redis_is_down(
    redis_down, client, mailoutbox, django_capture_on_commit_callbacks
):
    UserFactory(email="new@example.com", email_confirmed=False)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("accounts:resend_confirmation"), {"email": "new@example.com"})
    assert response.status_code == 302
    assert len(mailoutbox) == 1
