"""The volunteer's task map and the verdict form in a real Chromium (Debian's,
driven by Playwright). Map tiles are blocked: the tasks are drawn from the
page's own data."""

import io

import pytest
from django.contrib.gis.geos import Point
from PIL import Image

from tests.browser import browser_login
from volunteers import services
from volunteers.models import Inspection
from volunteers.testing import disputed_report, moderator, volunteer

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_volunteer_picks_a_point_on_the_map_takes_the_nearest_task_and_reports(
    live_server, browser_page, tmp_path
):
    page = browser_page
    near = services.order_inspection(moderator(), disputed_report(point=Point(37.6208, 55.7539, srid=4326)))
    far = services.order_inspection(moderator(), disputed_report(point=Point(37.5400, 55.7300, srid=4326)))
    user = volunteer(email="volonter@example.test")
    photo = tmp_path / "site.jpg"
    buffer = io.BytesIO()
    Image.new("RGB", (800, 600), (120, 100, 80)).save(buffer, "JPEG")
    photo.write_bytes(buffer.getvalue())

    browser_login(page, live_server.url, user.email)
    page.click("text=Проверки")
    page.wait_for_selector("#tasks-map .leaflet-interactive")
    assert page.locator("#tasks-map .leaflet-interactive").count() == 2  # one marker per task
    # A click on the map chooses the point; the list comes back nearest first.
    page.click("#tasks-map", position={"x": 40, "y": 380})
    page.wait_for_url(lambda url: "lat=" in url)
    rows = page.locator("#pool tbody tr")
    assert rows.count() == 2
    first_id = rows.nth(0).get_attribute("id")
    page.screenshot(path=str(tmp_path / "tasks.png"), full_page=True)

    page.click(f"#task-{near.pk} button")
    page.wait_for_selector("#verdict-form")
    page.check("input[value=partly]")
    page.fill("textarea[name=comment]", "Площадку убрали, урну не поставили")
    page.set_input_files("input[name=photos]", str(photo))
    page.click("#verdict-form button[type=submit]")
    page.wait_for_url(lambda url: url.endswith("/volunteers/me/"))
    assert "Итог проверки отправлен" in page.content()
    near.refresh_from_db()
    assert near.status == Inspection.Status.SUBMITTED and near.verdict == "partly"
    assert first_id in (f"task-{near.pk}", f"task-{far.pk}")
    page.screenshot(path=str(tmp_path / "me.png"), full_page=True)

    # The desk: the verdict on the report's page, and «Вернуть исполнителю» in one click.
    editor = moderator()
    page.click("text=Выйти")
    browser_login(page, live_server.url, editor.email)
    page.goto(f"{live_server.url}/moderation/reports/{near.report_id}/")
    page.wait_for_selector(f"#inspection-{near.pk}")
    page.screenshot(path=str(tmp_path / "desk.png"), full_page=True)
    page.click(f"#inspection-decision-{near.pk} >> text=Вернуть исполнителю")
    page.wait_for_selector(".messages")
    assert "возвращено исполнителю" in page.content()
    near.refresh_from_db()
    assert near.status == Inspection.Status.ACCEPTED and near.report.status == "in_work"
