"""The public map's script in a real Chromium, with the map tiles blocked:
clusters at the city's zoom, a click into a cluster, the points with their
popup at street level, the filters, and the report page's small map."""

import random
import re

import pytest

from issues.models import Status
from issues.tests.public_helpers import ACADEMIC_STREET, RED_SQUARE, jittered, plain_topic, publish, submit
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def reports():
    rng = random.Random(5)
    author = UserFactory()
    red = [submit(author, jittered(RED_SQUARE, rng, 40), topic=plain_topic("transport")) for _ in range(5)]
    academic = [
        submit(author, jittered(ACADEMIC_STREET, rng, 40), topic=plain_topic("trade")) for _ in range(3)
    ]
    publish(red, Status.IN_WORK)
    publish(academic, Status.RESOLVED)
    hidden = submit(author, RED_SQUARE)  # in moderation: never on the map
    return {"red": red, "academic": academic, "hidden": hidden}


def status_line(page):
    return page.locator("#map-status")


def test_the_map_shows_clusters_then_points_with_popups(live_server, browser_page, reports):
    page = browser_page
    page.goto(f"{live_server.url}/map/")
    page.wait_for_selector(".map-cluster")
    assert sorted(page.locator(".map-cluster").all_inner_texts()) == ["3", "5"]
    assert status_line(page).inner_text() == "Сообщений на карте: 8."

    # A click on a cluster zooms into its cell; at street level the reports are dots.
    page.locator(".map-cluster", has_text="5").click()
    page.wait_for_function("window.nashgorod.publicMap.getZoom() >= 12")
    page.wait_for_function("!document.querySelector('.leaflet-zoom-anim')")  # the zoom animation is over
    page.evaluate("window.nashgorod.publicMap.setView([55.7539, 37.6208], 17, {animate: false})")
    page.wait_for_function("document.querySelectorAll('path.leaflet-interactive').length === 5")
    page.locator("path.leaflet-interactive").first.click(force=True)
    popup = page.locator(".leaflet-popup-content")
    popup.wait_for()
    assert plain_topic("transport").name in popup.inner_text()
    assert "В работе" in popup.inner_text()
    link = popup.locator("a").get_attribute("href")
    assert re.fullmatch(r"/reports/\d+/", link)
    assert int(link.split("/")[2]) in {r.pk for r in reports["red"]}


def test_changing_a_filter_reloads_the_map_and_keeps_it_in_the_address(live_server, browser_page, reports):
    page = browser_page
    page.goto(f"{live_server.url}/map/")
    page.wait_for_selector(".map-cluster")
    page.select_option("#filter-status", "resolved")
    page.wait_for_function("document.getElementById('map-status').textContent === 'Сообщений на карте: 3.'")
    assert page.locator(".map-cluster").all_inner_texts() == ["3"]
    assert "status=resolved" in page.url
    page.select_option("#filter-group", "transport")
    page.wait_for_function(
        "document.getElementById('map-status').textContent === 'Здесь нет сообщений по выбранным фильтрам.'"
    )


def test_the_report_page_shows_its_place_without_tiles(live_server, browser_page, reports):
    page = browser_page
    report = reports["red"][0]
    page.goto(f"{live_server.url}/reports/{report.pk}/")
    page.wait_for_selector("#report-map path.leaflet-interactive")
    assert "В работе" in page.locator(".report-head").inner_text()
