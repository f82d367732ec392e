"""SQL compiled once (nashgorod.compiled), the backend that reads the
logged-in user with it (accounts.backends) and sessions read from the cache."""

import datetime as dt

import pytest
from django.contrib.auth import get_user
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.db.models import Count
from django.urls import reverse

from accounts.backends import PortalBackend
from accounts.models import Role, User
from nashgorod.compiled import CompiledLookup, CompiledRows
from tests.factories import UserFactory
from tests.test_cache import DEAD_REDIS, OPTIONS

pytestmark = pytest.mark.django_db

FIELDS = ("id", "email", "date_joined", "organization__name", "is_active")


def _users():
    return User.objects.order_by("date_joined", "pk")


def test_compiled_rows_are_the_values_list_rows_page_by_page():
    for _ in range(7):
        UserFactory()
    compiled = CompiledRows(_users, FIELDS).bind()
    expected = list(_users().values_list(*FIELDS, named=True))
    assert compiled.count() == 7
    assert compiled[0:3] + compiled[3:6] + compiled[6:9] == expected
    first = compiled[0:1][0]
    assert first._fields == FIELDS
    # Django's converters ran: an aware datetime on SQLite too, a bool.
    assert isinstance(first.date_joined, dt.datetime) and first.date_joined.tzinfo is not None
    assert first.is_active is True


def test_compiled_rows_take_only_plain_slices():
    compiled = CompiledRows(_users, FIELDS).bind()
    with pytest.raises(TypeError):
        compiled[3]
    with pytest.raises(TypeError):
        compiled[::2]


def test_compiled_rows_see_rows_added_after_compiling():
    compiled = CompiledRows(_users, FIELDS).bind()
    assert compiled[0:10] == []
    made = UserFactory()
    assert [row.id for row in compiled[0:10]] == [made.pk]


def test_a_compiled_lookup_gives_the_instance_the_orm_gives():
    made = UserFactory(role=Role.MODERATOR)
    lookup = CompiledLookup(lambda: User.objects.all())
    found = lookup.get(made.pk)
    assert found == made and found._state.adding is False and found._state.db == "default"
    for field in User._meta.concrete_fields:
        assert getattr(found, field.attname) == getattr(made, field.attname), field.name
    found.full_name = "Переименован"
    found.save(update_fields=["full_name"])
    assert User.objects.get(pk=made.pk).full_name == "Переименован"
    assert lookup.get(made.pk + 1000) is None


def test_a_compiled_lookup_refuses_what_it_cannot_build():
    with pytest.raises(ImproperlyConfigured):
        CompiledLookup(lambda: User.objects.select_related("organization")).compiled()
    with pytest.raises(ImproperlyConfigured):
        CompiledLookup(lambda: User.objects.annotate(n=Count("notifications"))).compiled()
    moderator = UserFactory(role=Role.MODERATOR)
    moderators = CompiledLookup(lambda: User.objects.filter(role=Role.MODERATOR))  # a constant beside the key
    assert moderators.get(moderator.pk) == moderator and moderators.get(UserFactory().pk) is None


def test_compiled_rows_take_arguments_by_name_and_compile_once_per_set_of_them():
    moderators = [UserFactory(role=Role.MODERATOR) for _ in range(3)]
    residents = [UserFactory(role=Role.RESIDENT) for _ in range(2)]
    compiled = CompiledRows(
        lambda role=None, email=None: _users().filter(
            **{key: value for key, value in (("role", role), ("email", email)) if value is not None}
        ),
        ("id",),
    )
    assert [row.id for row in compiled.bind(role=Role.MODERATOR)[0:10]] == [u.pk for u in moderators]
    assert [row.id for row in compiled.bind(role=Role.RESIDENT)[0:10]] == [u.pk for u in residents]
    assert compiled.bind(role=Role.RESIDENT).count() == 2
    assert [row.id for row in compiled.bind(role=Role.RESIDENT, email=residents[1].email)[0:10]] == [
        residents[1].pk
    ]
    assert len(compiled.bind()[0:10]) == 5
    signature = (("role", str),)
    assert compiled.compiled(signature) is compiled.compiled(signature)  # compiled once


def test_an_argument_the_queryset_does_not_use_is_an_error():
    with pytest.raises(ImproperlyConfigured):
        CompiledRows(lambda role=None: _users(), ("id",)).bind(role="x")[0:1]


def test_the_backend_reads_active_users_only_and_ignores_a_garbled_id():
    active, gone = UserFactory(), UserFactory(is_active=False)
    backend = PortalBackend()
    assert backend.get_user(active.pk) == active
    assert backend.get_user(str(active.pk)) == active  # as the session keeps it
    assert backend.get_user(gone.pk) is None
    assert backend.get_user("not-a-number") is None
    assert backend.get_user(active.pk + 1000) is None


def test_a_logged_in_user_is_the_same_user_through_the_backend(client, rf):
    user = UserFactory()
    client.force_login(user)
    request = rf.get("/")
    request.session = client.session
    assert get_user(request) == user
    assert client.get(reverse("accounts:profile")).status_code == 200


@pytest.fixture
def cached_sessions(settings):
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"


def test_a_session_outlives_the_cache_that_kept_it(cached_sessions, client, settings):
    client.force_login(UserFactory())
    assert client.get(reverse("accounts:profile")).status_code == 200
    cache.clear()  # Redis restarted empty: the database still has the session
    assert client.get(reverse("accounts:profile")).status_code == 200
    settings.CACHES = {
        "default": {
            "BACKEND": "nashgorod.cache.ForgivingRedisCache",
            "LOCATION": DEAD_REDIS,
            "OPTIONS": OPTIONS,
        }
    }
    assert client.get(reverse("accounts:profile")).status_code == 200  # Redis down


def test_logging_in_while_redis_is_down_keeps_the_session(cached_sessions, client, settings):
    UserFactory(email="resident@example.com")
    live = settings.CACHES
    settings.CACHES = {
        "default": {
            "BACKEND": "nashgorod.cache.ForgivingRedisCache",
            "LOCATION": DEAD_REDIS,
            "OPTIONS": OPTIONS,
        }
    }
    response = client.post(
        reverse("accounts:login"), {"username": "resident@example.com", "password": "пароль-для-тестов-1"}
    )
    assert response.status_code == 302
    settings.CACHES = live  # back up, without the session: it is read from the database
    assert client.get(reverse("accounts:profile")).status_code == 200
