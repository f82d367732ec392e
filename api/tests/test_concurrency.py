"""Requests racing through the API: a retried submission sent twice at the
same moment makes one report; two editors publishing at once, one wins and
the other gets 409. Needs real row locks and a unique index across
connections: PostGIS (CI)."""

import uuid

import pytest
from django.db import connection
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from api.tests.helpers import jpeg
from issues.models import EventKind, Report
from tests.concurrency import race
from tests.factories import RED_SQUARE

pytestmark = [pytest.mark.postgis_only, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _needs_postgres():
    if connection.vendor != "postgresql":
        pytest.skip("row locks across connections are tested on PostGIS")


def client_of(user) -> APIClient:
    client = APIClient()
    token, _ = Token.objects.get_or_create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def test_a_submission_sent_twice_at_once_makes_one_report(cast):
    key = str(uuid.uuid4())
    Token.objects.get_or_create(user=cast.resident)

    def send():
        data = {"topic": cast.topic.pk, "lat": RED_SQUARE.y, "lon": RED_SQUARE.x, "photos": [jpeg()]}
        return client_of(cast.resident).post(
            reverse("api:reports"), data, format="multipart", HTTP_IDEMPOTENCY_KEY=key
        )

    first, second = race(send, send)
    assert sorted([first.status_code, second.status_code]) == [200, 201]
    assert first.json()["id"] == second.json()["id"]
    assert Report.objects.filter(submission_key=key).count() == 1
    report = Report.objects.get(submission_key=key)
    assert report.events.count() == 1 and report.photos.count() == 1


def test_two_editors_publishing_at_once_one_wins(cast, reports):
    report = reports.new()
    other = type(cast.moderator).objects.create_user("second.editor@example.test", "x", role="moderator")
    url = reverse("api:publish", args=[report.pk])
    clients = [client_of(cast.moderator), client_of(other)]
    results = race(*(lambda c=c: c.post(url, {}) for c in clients))
    assert sorted(r.status_code for r in results) == [200, 409]
    assert report.events.filter(kind=EventKind.PUBLISHED).count() == 1
