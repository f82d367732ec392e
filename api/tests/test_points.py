"""Points in the app: balance and ledger, rewards and codes, redeeming and
donating through loyalty.services (ledger rows written once per client key)."""

import uuid

import pytest
from django.urls import reverse

from api.tests.helpers import error_of
from loyalty.models import Code, Donation, Entry, Fund, Reason, Reward

pytestmark = pytest.mark.django_db


@pytest.fixture
def earned(cast, reports):
    """100 points on the resident's account, for a confirmed report."""
    report = reports.in_work()
    return Entry.objects.create(user=cast.resident, amount=100, reason=Reason.REPORT_CONFIRMED, report=report)


@pytest.fixture
def reward():
    reward = Reward.objects.create(title="Билет в Музей Москвы", partner="Музей Москвы", price=30)
    Code.objects.bulk_create(Code(reward=reward, value=f"MUSEUM-{i}") for i in range(2))
    return reward


@pytest.fixture
def fund():
    return Fund.objects.create(name="Фонд помощи бездомным животным")


def test_balance_and_history(api, cast, earned):
    client = api(cast.resident)
    assert client.get(reverse("api:points")).json()["balance"] == 100
    history = client.get(reverse("api:points-history")).json()
    assert [(e["amount"], e["reason"], e["report"]) for e in history["results"]] == [
        (100, "report_confirmed", earned.report_id)
    ]


def test_redeeming_takes_the_price_once_per_key(api, cast, earned, reward):
    client, key = api(cast.resident), str(uuid.uuid4())
    first = client.post(reverse("api:redeem", args=[reward.pk]), {"key": key})
    again = client.post(reverse("api:redeem", args=[reward.pk]), {"key": key})
    assert first.status_code == 200 and first.json()["balance"] == 70
    assert again.json()["value"] == first.json()["value"] and again.json()["balance"] == 70
    assert Entry.objects.filter(user=cast.resident, reason=Reason.REWARD).count() == 1
    codes = client.get(reverse("api:codes")).json()["results"]
    assert [c["value"] for c in codes] == [first.json()["value"]]
    assert client.get(reverse("api:rewards")).json()["results"][0]["in_stock"] == 1


def test_not_enough_points_and_out_of_stock(api, cast, earned, reward):
    client = api(cast.resident)
    reward.price = 500
    reward.save()
    refused = client.post(reverse("api:redeem", args=[reward.pk]), {})
    assert refused.status_code == 400 and error_of(refused)["code"] == "insufficient_points"
    Code.objects.all().delete()
    reward.price = 10
    reward.save()
    assert error_of(client.post(reverse("api:redeem", args=[reward.pk]), {}))["code"] == "out_of_stock"
    assert not Entry.objects.filter(reason=Reason.REWARD).exists()


def test_donating_once_per_key(api, cast, earned, fund):
    client, key = api(cast.resident), str(uuid.uuid4())
    url = reverse("api:donate", args=[fund.pk])
    first = client.post(url, {"amount": 40}, HTTP_IDEMPOTENCY_KEY=key)
    again = client.post(url, {"amount": 40}, HTTP_IDEMPOTENCY_KEY=key)
    assert (
        first.status_code == 200
        and first.json()["balance"] == 60
        and again.json()["id"] == first.json()["id"]
    )
    assert Donation.objects.filter(user=cast.resident).count() == 1
    listed = client.get(reverse("api:funds")).json()["results"]
    assert listed[0]["total"] == 40 and listed[0]["donors"] == 1
    assert error_of(client.post(url, {"amount": 0}))["field"] == "amount"


def test_staff_take_no_part_in_the_programme(api, cast, fund):
    assert api(cast.staff).get(reverse("api:points")).status_code == 403
    assert api(cast.staff).post(reverse("api:donate", args=[fund.pk]), {"amount": 1}).status_code == 403
    assert api().get(reverse("api:points")).status_code == 401


def test_a_malformed_idempotency_key_spends_nothing(api, cast, earned, reward, fund):
    # Ignored, it let every retry spend the points once more.
    client = api(cast.resident)
    for _ in range(2):
        redeemed = client.post(reverse("api:redeem", args=[reward.pk]), {}, HTTP_IDEMPOTENCY_KEY="retry-1")
        donated = client.post(
            reverse("api:donate", args=[fund.pk]), {"amount": 10}, HTTP_IDEMPOTENCY_KEY="retry-1"
        )
        assert (redeemed.status_code, donated.status_code) == (400, 400)
        assert error_of(redeemed)["field"] == error_of(donated)["field"] == "Idempotency-Key"
    assert not Entry.objects.filter(reason__in=[Reason.REWARD, Reason.DONATION]).exists()
