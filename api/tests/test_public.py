"""Public reads: the map's GeoJSON in a box, and the statistics."""

import pytest
from django.urls import reverse

from api.tests.helpers import error_of
from api.views import public
from organizations.models import Organization
from places.models import District, Okrug

pytestmark = pytest.mark.django_db
CENTRE = "37.60,55.74,37.64,55.76"


def test_published_reports_in_the_box_as_geojson(api, reports):
    shown = reports.in_work()
    reports.new()  # in moderation: not on the map
    body = api().get(reverse("api:map"), {"bbox": CENTRE}).json()
    assert body["type"] == "FeatureCollection" and body["truncated"] is False
    assert [f["id"] for f in body["features"]] == [shown.pk]
    feature = body["features"][0]
    assert feature["geometry"]["type"] == "Point"
    assert feature["properties"]["status"] == "in_work" and feature["properties"]["district"] == "Тверской"


def test_the_map_is_capped(api, reports, monkeypatch):
    monkeypatch.setattr(public, "MAX_FEATURES", 2)
    for _ in range(3):
        reports.in_work()
    body = api().get(reverse("api:map"), {"bbox": CENTRE}).json()
    assert len(body["features"]) == 2 and body["truncated"] is True


def test_the_map_filters_and_its_errors(api, reports):
    reports.in_work()
    assert api().get(reverse("api:map"), {"bbox": CENTRE, "status": "resolved"}).json()["features"] == []
    assert error_of(api().get(reverse("api:map"), {"bbox": "1,2,3"}))["field"] == "bbox"
    assert (
        error_of(api().get(reverse("api:map"), {"bbox": CENTRE, "status": "moderation"}))["field"] == "status"
    )
    assert error_of(api().get(reverse("api:map"), {"bbox": CENTRE, "group": "no-such"}))["field"] == "filters"


def test_the_statistics_of_every_scope(api):
    assert api().get(reverse("api:stats-city")).json()["scope"]["kind"] == "city"
    okrug, district, org = Okrug.objects.first(), District.objects.first(), Organization.objects.first()
    assert api().get(reverse("api:stats-okrug", args=[okrug.pk])).json()["scope"]["id"] == okrug.pk
    assert api().get(reverse("api:stats-district", args=[district.pk])).json()["scope"]["name"]
    assert api().get(reverse("api:stats-organization", args=[org.pk])).json()["figures"] is not None
    assert api().get(reverse("api:stats-okrug", args=[999999])).status_code == 404
    bad = api().get(reverse("api:stats-city"), {"period": "custom", "from": "2030-01-01", "to": "2030-02-01"})
    assert bad.status_code == 400 and error_of(bad)["field"] == "period"
