"""A staff member answers in a real Chromium: the response template fills
the text through the page's script, a photo goes with the answer."""

import io
import os
import shutil

import pytest
from PIL import Image

from backoffice.models import ResponseTemplate
from issues.models import Answer, Outcome, Photo, Status
from tests.browser import browser_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_staff_answer_with_a_template_and_a_photo(live_server, browser_page, cast, publish, tmp_path):
    page = browser_page
    report = publish()
    template = ResponseTemplate.objects.create(
        topic=cast.topic, outcome=Outcome.DONE, title="Двор убран", text="Территория убрана, мусор вывезен."
    )
    photo = tmp_path / "after.jpg"
    buffer = io.BytesIO()
    Image.new("RGB", (1200, 900), (90, 140, 90)).save(buffer, "JPEG")
    photo.write_bytes(buffer.getvalue())

    browser_login(page, live_server.url, cast.staff.email)

    page.goto(f"{live_server.url}/office/")
    page.screenshot(path=str(tmp_path / "office-list.png"), full_page=True)
    page.click(f"#report-{report.pk} a")
    page.wait_for_url(lambda url: f"/office/reports/{report.pk}/" in url)
    assert page.locator("#use-template").is_hidden()  # the script does the button's work

    page.select_option("#id_template", str(template.pk))
    assert page.input_value("#id_text") == template.text
    assert page.is_checked(f"input[name=outcome][value={Outcome.DONE}]")
    page.set_input_files("input[name=photos]", str(photo))
    page.screenshot(path=str(tmp_path / "office-report.png"), full_page=True)
    page.click("#answer-form button.btn:not(.secondary)")
    page.wait_for_selector("text=отправлен на проверку редакции")

    answer = Answer.objects.get(report=report)
    assert answer.text == template.text and answer.outcome == Outcome.DONE
    assert Photo.objects.filter(event=answer.event, role=Photo.Role.ANSWER).count() == 1
    report.refresh_from_db()
    assert report.status == Status.ANSWER_REVIEW
    if os.environ.get("BACKOFFICE_SCREENSHOTS"):
        shutil.copytree(tmp_path, os.environ["BACKOFFICE_SCREENSHOTS"], dirs_exist_ok=True)
