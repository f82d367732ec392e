"""The desk's scripts in a real Chromium: the organization autocomplete, the
point map and the merge suggestions (the forms work without them too; the
other tests post them plainly). Map tiles are blocked: not needed."""

import pytest

from accounts.models import Role
from issues.models import EventKind, Report, Status
from organizations.models import Organization
from tests.browser import browser_login
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def page(browser_page, live_server, moderator):
    browser_login(browser_page, live_server.url, moderator.email)
    return browser_page


@pytest.fixture
def moderator():
    return UserFactory(role=Role.MODERATOR)


def test_publish_to_an_organization_found_by_the_autocomplete(live_server, page, city):
    report = city.new()
    far = Organization.objects.get(kind="housing_service", districts__name="Митино")
    page.goto(f"{live_server.url}/moderation/reports/{report.pk}/")
    search = page.locator("#action-publish .org-search input")
    search.fill("жилищник митино")
    page.locator("#action-publish .org-search li", has_text="Митино").first.click()
    assert page.input_value("#id_publish-organization") == str(far.pk)
    page.click("#action-publish button[type=submit]")
    page.wait_for_url(lambda url: f"/reports/{report.pk}/" not in url)
    report.refresh_from_db()
    assert report.status == Status.IN_WORK and report.organization == far


def test_a_click_on_the_map_moves_the_point(live_server, page, city):
    report = city.new()
    page.goto(f"{live_server.url}/moderation/reports/{report.pk}/")
    page.wait_for_selector("#moderation-map .leaflet-marker-icon")
    before = float(page.input_value("#id_point-lon"))
    page.locator("#moderation-map").scroll_into_view_if_needed()
    box = page.locator("#moderation-map").bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2 + 120, box["y"] + box["height"] / 2)
    after = float(page.input_value("#id_point-lon"))
    assert after > before  # east of the old point
    page.click("#action-point button[type=submit]")
    page.wait_for_selector(".messages")
    report.refresh_from_db()
    assert report.point.x == pytest.approx(after, abs=1e-6)
    assert report.events.filter(kind=EventKind.POINT_CHANGED).exists()


def test_a_nearby_report_is_picked_as_the_merge_target(live_server, page, city):
    original = city.in_work()
    report = city.new()
    page.goto(f"{live_server.url}/moderation/reports/{report.pk}/")
    page.click(f"[data-merge-into='{original.pk}']")
    assert page.input_value("#id_merge-into") == str(original.pk)
    page.click("#action-merge button[type=submit]")
    page.wait_for_selector(".messages")
    assert Report.objects.get(pk=report.pk).duplicate_of == original
