"""Whole journeys through the API as the mobile app makes them: a resident
from logging in to revoking the token, and the organization's staff and the
editorial desk answering the same report in between."""

import uuid

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from api.tests.helpers import error_of, jpeg
from issues.models import Photo, Report, Status
from loyalty.models import Code, Fund, Reward
from tests.factories import RED_SQUARE

pytestmark = pytest.mark.django_db
PASSWORD = "пароль-для-тестов-1"


def login(user) -> APIClient:
    client = APIClient()
    response = client.post(reverse("api:token"), {"email": user.email, "password": PASSWORD})
    assert response.status_code == 200, response.json()
    client.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
    return client


def test_a_resident_and_the_city_services_walk_a_report_to_its_end(cast, django_capture_on_commit_callbacks):
    resident = login(cast.resident)
    assert resident.get(reverse("api:me")).json()["email"] == cast.resident.email

    # The catalog and the place.
    groups = resident.get(reverse("api:topic-groups")).json()
    assert groups["count"] > 0 and groups["results"]
    topics = resident.get(reverse("api:topics"), {"page_size": 100}).json()
    assert cast.topic.pk in [t["id"] for t in topics["results"]]
    assert "results" in resident.get(reverse("api:seasons")).json()
    found = resident.get(reverse("api:suggest"), {"q": "Тверская"}).json()["results"]
    assert found
    place = resident.get(reverse("api:reverse"), {"lat": RED_SQUARE.y, "lon": RED_SQUARE.x}).json()
    assert place["district"] == "Тверской"

    # Filing the report with a real JPEG, then the retry of a flaky network.
    key = str(uuid.uuid4())
    data = {"topic": cast.topic.pk, "lat": RED_SQUARE.y, "lon": RED_SQUARE.x, "description": "Мусор."}
    with django_capture_on_commit_callbacks(execute=True):
        first = resident.post(
            reverse("api:reports"), {**data, "photos": [jpeg()]}, format="multipart", HTTP_IDEMPOTENCY_KEY=key
        )
    assert first.status_code == 201, first.json()
    again = resident.post(
        reverse("api:reports"), {**data, "photos": [jpeg()]}, format="multipart", HTTP_IDEMPOTENCY_KEY=key
    )
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]
    pk = first.json()["id"]
    assert Report.objects.filter(author=cast.resident).count() == 1
    assert Photo.objects.filter(report_id=pk, role=Photo.Role.REPORT).count() == 1

    mine = resident.get(reverse("api:reports")).json()
    assert [r["id"] for r in mine["results"]] == [pk] and mine["count"] == 1
    assert resident.get(reverse("api:reports"), {"status": Status.IN_WORK}).json()["count"] == 0
    detail = resident.get(reverse("api:report", args=[pk])).json()
    assert detail["status"] == Status.MODERATION and detail["notice"]["title"] == "На модерации"
    assert len(detail["photos"]) == 1 and detail["timeline"]
    # Nobody else sees it before it is published.
    assert APIClient().get(reverse("api:report", args=[pk])).status_code == 404

    # The editorial desk publishes it; the organization answers; the desk publishes the answer.
    moderator = login(cast.moderator)
    new = moderator.get(reverse("api:queue", args=["new"])).json()
    assert pk in [r["id"] for r in new["results"]]
    with django_capture_on_commit_callbacks(execute=True):
        published = moderator.post(reverse("api:publish", args=[pk]), {})
    assert published.status_code == 200 and published.json()["status"] == Status.IN_WORK

    staff = login(cast.staff)
    office = staff.get(reverse("api:office-reports")).json()
    assert pk in [r["id"] for r in office["results"]]
    assert login(cast.other_staff).get(reverse("api:office-report", args=[pk])).status_code == 404
    with django_capture_on_commit_callbacks(execute=True):
        answered = staff.post(
            reverse("api:answer", args=[pk]),
            {"outcome": "done", "text": "Двор убран.", "photos": [jpeg("after.jpg")]},
            format="multipart",
        )
    assert answered.status_code == 201, answered.json()
    answers = moderator.get(reverse("api:queue", args=["answers"])).json()
    assert pk in [r["id"] for r in answers["results"]]
    with django_capture_on_commit_callbacks(execute=True):
        done = moderator.post(reverse("api:publish-answer", args=[pk]), {"comment": ""})
    assert done.status_code == 200 and done.json()["status"] == Status.ANSWERED

    # The resident sees the answer, rejects it; the desk returns it; the second answer is confirmed.
    detail = resident.get(reverse("api:report", args=[pk])).json()
    assert detail["can_verdict"] is True and detail["verdict_due"]
    public = APIClient().get(reverse("api:report", args=[pk])).json()
    assert public["can_verdict"] is False and public["verdict_due"] is None
    with django_capture_on_commit_callbacks(execute=True):
        rejected = resident.post(
            reverse("api:reject-fix", args=[pk]),
            {"comment": "Мусор лежит.", "photos": [jpeg("still.jpg")]},
            format="multipart",
        )
    assert rejected.status_code == 200 and rejected.json()["status"] == Status.DISPUTED
    disputes = moderator.get(reverse("api:queue", args=["disputes"])).json()
    assert pk in [r["id"] for r in disputes["results"]]
    with django_capture_on_commit_callbacks(execute=True):
        back = moderator.post(reverse("api:return", args=[pk]), {"comment": "Проверьте ещё раз."})
    assert back.status_code == 200 and back.json()["status"] == Status.IN_WORK
    with django_capture_on_commit_callbacks(execute=True):
        staff.post(
            reverse("api:answer", args=[pk]),
            {"outcome": "done", "text": "Вывезли всё.", "photos": [jpeg("after2.jpg")]},
            format="multipart",
        )
        moderator.post(reverse("api:publish-answer", args=[pk]), {})
    with django_capture_on_commit_callbacks(execute=True):
        confirmed = resident.post(reverse("api:confirm", args=[pk]))
    assert confirmed.status_code == 200 and confirmed.json()["status"] == Status.RESOLVED
    assert resident.post(reverse("api:confirm", args=[pk])).status_code == 409

    # The public page shows no one's name or address.
    public = APIClient().get(reverse("api:report", args=[pk]))
    text = public.content.decode()
    for private in (cast.resident.email, cast.resident.full_name, cast.staff.email, cast.staff.full_name):
        assert private not in text
    assert {e["who"] for e in public.json()["timeline"]} <= {"Автор", "Исполнитель", "Редакция", "Портал"}

    # Notifications: listed, counted, read.
    notices = resident.get(reverse("api:notifications")).json()
    assert notices["count"] > 0 and all(n["report"] in (pk, None) for n in notices["results"])
    unread = resident.get(reverse("api:unread-count")).json()["unread"]
    assert unread > 0
    marked = resident.post(reverse("api:mark-read"), {"ids": [notices["results"][0]["id"]]})
    assert marked.status_code == 200 and marked.json()["unread"] == unread - 1
    assert resident.post(reverse("api:mark-read"), {"all": True}).json()["unread"] == 0

    # Points for the confirmed defect, a reward, a donation.
    balance = resident.get(reverse("api:points")).json()["balance"]
    assert balance > 0
    history = resident.get(reverse("api:points-history")).json()
    assert history["results"][0]["report"] == pk
    reward = Reward.objects.create(title="Билет в музей", partner="Музей Москвы", price=1)
    Code.objects.create(reward=reward, value="MUSEUM-1")
    fund = Fund.objects.create(name="Фонд")
    assert reward.pk in [r["id"] for r in resident.get(reverse("api:rewards")).json()["results"]]
    redeem_key = str(uuid.uuid4())
    redeemed = resident.post(reverse("api:redeem", args=[reward.pk]), {"key": redeem_key})
    assert redeemed.status_code == 200 and redeemed.json()["value"] == "MUSEUM-1"
    assert (
        resident.post(reverse("api:redeem", args=[reward.pk]), {"key": redeem_key}).json()["value"]
        == "MUSEUM-1"
    )
    assert resident.get(reverse("api:codes")).json()["count"] == 1
    donated = resident.post(reverse("api:donate", args=[fund.pk]), {"amount": 1})
    assert donated.status_code == 200 and donated.json()["balance"] == balance - 2
    assert resident.get(reverse("api:points")).json()["balance"] == balance - 2

    # Logging out: the token no longer works.
    assert resident.delete(reverse("api:token")).status_code == 204
    gone = resident.get(reverse("api:me"))
    assert gone.status_code == 401 and error_of(gone)["code"] == "authentication_failed"
