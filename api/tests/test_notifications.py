"""The bell in the app: the list, the unread count and read marks."""

import pytest
from django.urls import reverse

from api.tests.helpers import error_of
from notifications.models import Category, Notification

pytestmark = pytest.mark.django_db


def notice(user, title="Сообщение опубликовано", **kwargs):
    return Notification.objects.create(
        user=user, kind="published", category=Category.STATUS, title=title, **kwargs
    )


def test_the_list_is_mine_newest_first_and_marks_nothing_read(api, cast):
    old, new = notice(cast.resident, "старое"), notice(cast.resident, "новое")
    notice(cast.neighbour)
    body = api(cast.resident).get(reverse("api:notifications")).json()
    assert [n["id"] for n in body["results"]] == [new.pk, old.pk]
    assert Notification.objects.filter(user=cast.resident, read_at__isnull=True).count() == 2


def test_unread_only_and_the_count(api, cast):
    read = notice(cast.resident)
    unread = notice(cast.resident)
    client = api(cast.resident)
    client.post(reverse("api:mark-read"), {"ids": [read.pk]})
    assert [
        n["id"] for n in client.get(reverse("api:notifications"), {"unread": "true"}).json()["results"]
    ] == [unread.pk]
    assert client.get(reverse("api:unread-count")).json() == {"unread": 1, "capped": False}


def test_marking_read_touches_only_my_notices(api, cast):
    mine, theirs = notice(cast.resident), notice(cast.neighbour)
    response = api(cast.resident).post(reverse("api:mark-read"), {"ids": [mine.pk, theirs.pk]})
    assert response.json() == {"marked": 1, "unread": 0}
    theirs.refresh_from_db()
    assert theirs.read_at is None
    assert api(cast.resident).post(reverse("api:mark-read"), {"ids": [mine.pk]}).json()["marked"] == 0


def test_mark_all_read(api, cast):
    for _ in range(3):
        notice(cast.resident)
    assert api(cast.resident).post(reverse("api:mark-read"), {"all": True}).json() == {
        "marked": 3,
        "unread": 0,
    }


def test_mark_read_needs_ids_or_all(api, cast):
    assert error_of(api(cast.resident).post(reverse("api:mark-read"), {}))["field"] == "ids"


def test_the_list_costs_the_same_queries_for_any_number(api, cast, django_assert_max_num_queries):
    client = api(cast.resident)
    for _ in range(30):
        notice(cast.resident)
    with django_assert_max_num_queries(4):
        assert len(client.get(reverse("api:notifications")).json()["results"]) == 20


def test_a_published_report_notifies_its_author(api, cast, reports, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        reports.in_work()
    assert api(cast.resident).get(reverse("api:unread-count")).json()["unread"] >= 1
