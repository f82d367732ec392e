"""The topic catalog and the address search, public and paged."""

import pytest
from django.urls import reverse

from api.tests.helpers import error_of
from issues.models import SeasonalProject, Topic, TopicGroup
from issues.topics import available_topics
from tests.factories import RED_SQUARE

pytestmark = pytest.mark.django_db


def test_topics_are_those_on_offer_today_paged_in_catalog_order(api):
    offered = {t.pk for t in available_topics()}
    seen, url = [], reverse("api:topics") + "?page_size=100"
    while url:
        body = api().get(url).json()
        seen += body["results"]
        url = body["next"]
    assert {t["id"] for t in seen} == offered and all(t["available"] for t in seen)
    assert len(seen) == body["count"]
    assert {"group", "group_name", "season", "photo_required", "needs_building"} <= set(seen[0])


def test_a_closed_season_hides_its_topics_unless_all_is_asked(api):
    season = SeasonalProject.objects.create(code="test-never", name="Никогда", starts="02-30", ends="02-30")
    topic = Topic.objects.filter(is_active=True).first()
    topic.season = season
    topic.save()
    default = {
        t["id"]
        for t in api()
        .get(reverse("api:topics"), {"page_size": 100, "group": topic.group_id})
        .json()["results"]
    }
    everything = (
        api().get(reverse("api:topics"), {"page_size": 100, "all": "true", "group": topic.group_id}).json()
    )
    assert topic.pk not in default
    hidden = next(t for t in everything["results"] if t["id"] == topic.pk)
    assert hidden["available"] is False and hidden["season"] == season.pk
    seasons = api().get(reverse("api:seasons")).json()["results"]
    assert {"code": "test-never", "is_open": False}.items() <= next(
        s for s in seasons if s["code"] == "test-never"
    ).items()


def test_groups_are_paged(api):
    body = api().get(reverse("api:topic-groups"), {"page_size": 2}).json()
    assert body["count"] == TopicGroup.objects.count() and len(body["results"]) == 2 and body["next"]


def test_the_page_size_is_capped(api):
    assert len(api().get(reverse("api:topics"), {"page_size": 1000, "all": "true"}).json()["results"]) == 100


def test_address_suggestions(api):
    body = api().get(reverse("api:suggest"), {"q": "Тверская 13", "limit": 3}).json()
    assert 1 <= len(body["results"]) <= 3
    assert "Тверская" in body["results"][0]["address"] and body["results"][0]["district"]
    assert api().get(reverse("api:suggest"), {"q": "Т"}).json() == {"results": []}
    assert error_of(api().get(reverse("api:suggest"), {"q": "Тверская", "limit": 99}))["field"] == "limit"


def test_reverse_geocoding_gives_the_district_and_the_nearest_building(api):
    body = api().get(reverse("api:reverse"), {"lat": RED_SQUARE.y, "lon": RED_SQUARE.x}).json()
    assert body["district"] == "Тверской" and body["okrug"]
    assert body["building"] is None or body["building"]["distance_m"] <= 150
    assert error_of(api().get(reverse("api:reverse"), {"lat": "x", "lon": 37}))["field"] == "lat"
