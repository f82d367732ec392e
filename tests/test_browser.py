"""A resident reports a problem in a real Chromium (Debian's, driven by
Playwright): log in, find the address, pick the topic, attach a photo, send,
and see the report in «Мои сообщения». Map tiles are blocked: not needed."""

import io
import os
import shutil

import pytest
from PIL import Image

from accounts.models import Role
from issues.models import Photo, Report, Status
from tests.factories import UserFactory

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
PASSWORD = "пароль-для-тестов-1"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def browser_page(monkeypatch):
    if not os.path.exists(CHROMIUM):
        if os.environ.get("NASHGOROD_REQUIRE_BROWSER"):
            pytest.fail(f"Chromium not found at {CHROMIUM}; install Debian's chromium package.")
        pytest.skip("Chromium is not installed (apt-get install chromium).")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the ORM calls
    # of the test itself are still plain synchronous code.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        page = browser.new_page(locale="ru-RU", viewport={"width": 1280, "height": 1000})
        page.route("**/tile.openstreetmap.org/**", lambda route: route.abort())
        page.set_default_timeout(15_000)
        yield page
        browser.close()


def test_resident_reports_a_problem_and_sees_it_in_my_reports(live_server, browser_page, tmp_path):
    page = browser_page
    resident = UserFactory(email="zhitel@example.test", role=Role.RESIDENT)
    photo = tmp_path / "leak.jpg"
    buffer = io.BytesIO()
    Image.new("RGB", (1200, 900), (90, 110, 140)).save(buffer, "JPEG")
    photo.write_bytes(buffer.getvalue())

    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", resident.email)
    page.fill("input[name=password]", PASSWORD)
    page.click("form button[type=submit]")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)

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
