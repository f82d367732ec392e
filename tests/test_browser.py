"""A resident reports a problem in a real Chromium (Debian's, driven by
Playwright): log in, find the address, pick the topic, attach a photo, send,
and see the report in «Мои сообщения». Map tiles are blocked: not needed."""

import io

import pytest
from PIL import Image

from accounts.models import Role
from issues.models import Photo, Report, Status
from tests.browser import browser_login
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_resident_reports_a_problem_and_sees_it_in_my_reports(live_server, browser_page, tmp_path):
    page = browser_page
    resident = UserFactory(email="zhitel@example.test", role=Role.RESIDENT)
    photo = tmp_path / "leak.jpg"
    buffer = io.BytesIO()
    Image.new("RGB", (1200, 900), (90, 110, 140)).save(buffer, "JPEG")
    photo.write_bytes(buffer.getvalue())

    browser_login(page, live_server.url, resident.email)

    page.goto(f"{live_server.url}/report/new/")
    # Find the address in the register and pick the suggestion.
    page.fill("input[name=address]", "академическая б 4")
    page.locator("#address-suggestions li", has_text="Академическая").first.click()
    assert page.input_value("input[name=building]") != ""
    assert page.input_value("input[name=lat]").startswith("55.8")
    page.wait_for_selector("#place-info:has-text('Академическая')")

    # Pick the topic: its group, then the topic.
    page.locator("#topic-groups").get_by_role("button", name="Жилой дом", exact=True).click()
    page.locator("#topic-list").get_by_role("button", name="Протечка с кровли", exact=True).click()
    assert page.locator("#topic-hint").inner_text() != ""

    page.set_input_files("input[name=photos]", str(photo))
    page.fill("textarea[name=description]", "Течёт крыша над последним этажом, второй подъезд.")
    page.click("#submit-report")
    page.wait_for_url(lambda url: "/reports/" in url)

    report = Report.objects.get(author=resident)
    assert report.status == Status.MODERATION
    assert "Академическая" in report.building.address
    assert report.topic.name.startswith("Протечка с кровли")
    assert Photo.objects.filter(report=report).count() == 1

    page.goto(f"{live_server.url}/my/reports/")
    row = page.locator("table.reports tr", has_text=str(report.pk))
    assert "На модерации" in row.inner_text()
    assert "Академическая" in row.inner_text()
    page.screenshot(path=str(tmp_path / "my-reports.png"))
