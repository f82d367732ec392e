"""The public pages print every figure of every level, link the levels and
the open data, show no person, and stay within a few queries."""

import re

import pytest
from django.test import override_settings
from django.urls import reverse

from places.models import District
from stats.templatetags.stats_format import days
from stats.tests.city import NOVEMBER, THE_END, ZERO

pytestmark = pytest.mark.django_db
COUNTS = [name for name in ZERO if not name.endswith("_hours")]


def headline(html: str) -> str:
    return html[html.index('<dl class="figures"') : html.index("</dl>")]


def row(html: str, kind: str, pk: int) -> str:
    start = html.index(f'<tr data-row="{kind}-{pk}">')
    return html[start : html.index("</tr>", start)]


def shown(fragment: str) -> dict[str, str]:
    return dict(re.findall(r'data-figure="(\w+)">([^<]*)<', fragment))


def expected(figures: dict) -> dict[str, str]:
    out = {name: str(figures[name]) for name in COUNTS}
    out["median_days"] = days(
        None if figures["median_hours"] is None else round(figures["median_hours"] / 24, 1)
    )
    out["p90_days"] = days(None if figures["p90_hours"] is None else round(figures["p90_hours"] / 24, 1))
    return out


def check(fragment: str, figures: dict) -> None:
    found = shown(fragment)
    assert {k: found[k] for k in expected(figures)} == expected(figures)


def get(client, url, **params):
    response = client.get(url, params)
    assert response.status_code == 200, response.content[:500]
    return response.content.decode()


def test_every_level_prints_its_figures_and_its_tables(client, city, the_end):
    html = get(client, reverse("stats:city"))
    check(headline(html), NOVEMBER["city"])
    assert "80,0" in shown(headline(html))["on_time_share"]
    check(row(html, "okrug", city.okrug_a.pk), NOVEMBER["okrug_a"])
    check(row(html, "okrug", city.okrug_b.pk), NOVEMBER["okrug_b"])
    check(row(html, "group", city.yard.pk), NOVEMBER["yard"])
    check(row(html, "group", city.roads.pk), NOVEMBER["roads"])
    assert f'href="{reverse("stats:okrug", args=[city.okrug_a.pk])}?period=month"' in html
    assert f'data-row="rank-{city.ha.pk}"' in html and "Уилсона" in html

    html = get(client, reverse("stats:okrug", args=[city.okrug_a.pk]))
    check(headline(html), NOVEMBER["okrug_a"])
    check(row(html, "district", city.a.pk), NOVEMBER["district_a"])
    check(row(html, "group", city.yard.pk), NOVEMBER["a_yard"])
    assert f'href="{reverse("stats:district", args=[city.a.pk])}?period=month"' in html

    html = get(client, reverse("stats:district", args=[city.a.pk]))
    check(headline(html), NOVEMBER["district_a"])
    check(row(html, "org", city.ha.pk), NOVEMBER["ha"])
    check(row(html, "org", city.rs.pk), NOVEMBER["a_rs"])
    check(row(html, "group", city.roads.pk), NOVEMBER["a_roads"])
    assert f'href="{reverse("stats:org", args=[city.ha.pk])}?period=month"' in html
    assert city.okrug_a.name in html  # the breadcrumb up

    html = get(client, reverse("stats:org", args=[city.rs.pk]))
    check(headline(html), NOVEMBER["rs"])
    check(row(html, "district", city.a.pk), NOVEMBER["rs_a"])
    check(row(html, "district", city.b.pk), NOVEMBER["rs_b"])
    check(row(html, "group", city.roads.pk), NOVEMBER["rs_roads"])


def test_the_period_filter_on_a_page(client, city, the_end):
    html = get(client, reverse("stats:city"), period="custom", **{"from": "2026-10-26", "to": "2026-11-27"})
    assert shown(headline(html))["received"] == "9"
    assert "26 октября 2026 — 27 ноября 2026" in html
    html = get(client, reverse("stats:district", args=[city.b.pk]), period="week")
    assert shown(headline(html))["received"] == "1"
    html = get(client, reverse("stats:city"), period="custom", **{"from": "2026-11-30", "to": "2026-11-01"})
    assert "Начало периода позже его конца" in html and shown(headline(html))["received"] == "7"


def test_the_chart_is_inline_svg_with_a_point_per_day(client, city, the_end):
    html = get(client, reverse("stats:city"))
    svg = html[html.index("<svg") : html.index("</svg>")]
    assert svg.count('<circle class="received"') == 27
    assert "2 ноября 2026: поступило 3, дан ответ 1" in svg


def test_unknown_places_and_organizations_are_not_found(client, db, the_end):
    for name in ("stats:okrug", "stats:district", "stats:org"):
        assert client.get(reverse(name, args=[999_999])).status_code == 404


def test_no_page_shows_a_person(client, city, the_end):
    from accounts.models import User

    people = list(User.objects.values_list("email", "full_name"))
    assert len(people) >= 9
    urls = [
        reverse("stats:city"),
        reverse("stats:okrug", args=[city.okrug_a.pk]),
        reverse("stats:district", args=[city.a.pk]),
        reverse("stats:district", args=[city.b.pk]),
        reverse("stats:org", args=[city.ha.pk]),
        reverse("stats:org", args=[city.rs.pk]),
        reverse("stats:districts-geojson"),
        reverse("stats:api-city"),
        reverse("stats:api-reports"),
        reverse("stats:export", args=["reports", "csv"]),
        reverse("stats:export", args=["organizations", "csv"]),
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200
        body = b"".join(response.streaming_content) if response.streaming else response.content
        text = body.decode("utf-8-sig")
        for email, name in people:
            assert email not in text and name not in text, (url, name)
        assert "Секретный" not in text


def test_the_city_page_needs_a_handful_of_queries_however_much_data(
    client, city, the_end, django_assert_max_num_queries, settings
):
    settings.STATS_CACHE_SECONDS = 0  # count the aggregation, not the cache
    client.get(reverse("stats:city"))  # warm: content types, sessions
    with django_assert_max_num_queries(10) as first:
        client.get(reverse("stats:city"))
    with django_assert_max_num_queries(10) as okrug:
        client.get(reverse("stats:okrug", args=[city.okrug_a.pk]))
    with django_assert_max_num_queries(8):
        client.get(reverse("stats:district", args=[city.a.pk]))
    with django_assert_max_num_queries(8):
        client.get(reverse("stats:org", args=[city.rs.pk]))
    assert len(first.captured_queries) <= 10 and len(okrug.captured_queries) <= 10


@override_settings(STATS_CACHE_SECONDS=60)
def test_the_page_data_is_cached_for_a_minute(client, city, the_end, django_assert_max_num_queries):
    client.get(reverse("stats:city"))
    with django_assert_max_num_queries(1):
        client.get(reverse("stats:city"))


def test_the_district_map_has_one_feature_per_district_with_its_share(client, city, the_end):
    response = client.get(reverse("stats:districts-geojson"))
    assert response["Content-Type"] == "application/geo+json"
    data = response.json()
    features = {f["id"]: f for f in data["features"]}
    assert len(features) == District.objects.count() == len(data["features"])
    a, b = features[city.a.pk]["properties"], features[city.b.pk]["properties"]
    assert (a["in_work"], a["overdue"], a["overdue_share"]) == (1, 1, 1.0)
    assert (b["in_work"], b["overdue"], b["overdue_share"]) == (1, 0, 0.0)
    assert data["legend"][a["overdue_class"]]["label"] == "30 % и больше"
    assert data["legend"][b["overdue_class"]]["label"] == "нет просроченных"
    others = [f["properties"] for pk, f in features.items() if pk not in (city.a.pk, city.b.pk)]
    assert all(p["overdue_share"] is None and p["overdue_class"] is None for p in others)
    assert (a["received"], a["answered"], a["on_time_share"]) == (4, 4, 0.75)
    # Simplified: far fewer vertices than the stored boundary, still a polygon.
    stored = District.objects.get(pk=city.a.pk).boundary
    shape = features[city.a.pk]["geometry"]
    polygons = shape["coordinates"] if shape["type"] == "MultiPolygon" else [shape["coordinates"]]
    vertices = sum(len(ring) for polygon in polygons for ring in polygon)
    assert shape["type"] in ("Polygon", "MultiPolygon") and 4 <= vertices < stored.num_coords
    okrug = client.get(reverse("stats:districts-geojson"), {"okrug": city.okrug_b.pk}).json()
    assert {f["id"] for f in okrug["features"]} == set(
        District.objects.filter(okrug=city.okrug_b).values_list("pk", flat=True)
    )


def test_the_city_and_okrug_pages_carry_the_map_and_its_legend(client, city, the_end):
    html = get(client, reverse("stats:city"))
    assert 'id="stats-map-box"' in html and "js/stats_map.js" in html
    assert reverse("stats:districts-geojson") + "?period=month" in html
    assert "30 % и больше" in html  # the legend, without JavaScript too
    html = get(client, reverse("stats:district", args=[city.a.pk]))
    assert 'id="stats-map-box"' not in html


def test_dates_in_the_header_are_the_period(client, city):
    import time_machine

    with time_machine.travel(THE_END, tick=False):
        html = get(client, reverse("stats:city"))
    assert "1 ноября 2026 — 27 ноября 2026" in html


def _content(html: str) -> str:
    """The page below the header: what is rendered once per computation of the data."""
    return html[
        html.index('<nav class="crumbs"') : html.index('<section aria-labelledby="definitions-heading"')
    ]


@override_settings(STATS_CACHE_SECONDS=60)
def test_the_page_is_rendered_once_per_data_and_the_header_stays_per_visitor(client, city, the_end):
    from tests.factories import UserFactory

    fresh = get(client, reverse("stats:city"))
    client.force_login(UserFactory())
    again = get(client, reverse("stats:city"))
    assert _content(again) == _content(fresh)
    assert 'class="who"' in again and 'class="who"' not in fresh
    # Another period or a refused one is another page.
    other = get(client, reverse("stats:city"), period="year")
    assert _content(other) != _content(fresh) and 'class="chosen" aria-current="true">' in other
    refused = get(
        client, reverse("stats:city"), period="custom", **{"from": "2026-11-30", "to": "2026-11-01"}
    )
    assert "Показан текущий месяц" in refused and "Показан текущий месяц" not in again


@override_settings(STATS_CACHE_SECONDS=60)
def test_new_data_is_rendered_anew_not_served_from_the_last_page(client, city, the_end, monkeypatch):
    from dataclasses import replace

    from django.core.cache import cache

    from stats import selectors

    get(client, reverse("stats:city"))
    from django.utils import timezone

    from stats.periods import standard

    today = timezone.localdate()
    month = standard("month", today).cache_key
    assert cache.delete(f"stats:v2:page:city:0:{month}:{today:%Y%m%d}")  # the data expires
    made = selectors.city_page
    monkeypatch.setattr(selectors, "city_page", lambda *a: replace(made(*a), title="Новая Москва"))
    assert "Статистика: Новая Москва</h1>" in get(client, reverse("stats:city"))
