"""The report page for staff and the answer form: an answer with photos
writes the Answer, the event and the photos; anything refused writes
nothing; a second click answers once; response templates per topic."""

import datetime as dt
import json
import re

import pytest
from django.urls import reverse

from backoffice.models import ResponseTemplate
from issues import services
from issues.models import Answer, EventKind, Outcome, Photo, Status
from issues.photos import MAX_PHOTOS

from .conftest import broken_jpeg, jpeg

pytestmark = pytest.mark.django_db


def page(client, report):
    return client.get(reverse("backoffice:report", args=[report.pk]))


def post_answer(client, report, **data):
    return client.post(reverse("backoffice:answer", args=[report.pk]), data)


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


def assert_nothing_stored(report, media_root):
    report.refresh_from_db()
    assert report.status == Status.IN_WORK and report.answered_at is None
    assert not Answer.objects.filter(report=report).exists()
    assert not report.events.filter(kind=EventKind.ANSWERED).exists()
    assert not Photo.objects.filter(role=Photo.Role.ANSWER).exists()
    answer_files = [p for p in media_root.rglob("*") if p.is_file()] if media_root.exists() else []
    report_files = {f.path for p in Photo.objects.filter(report=report) for f in (p.image, p.thumbnail) if f}
    assert {str(p) for p in answer_files} <= report_files


# -- the page ---------------------------------------------------------------------------


def test_the_page_shows_the_report_its_photos_and_the_forms(client, cast, publish):
    report = publish()
    client.force_login(cast.staff)

    response = page(client, report)

    html = response.content.decode()
    assert response.status_code == 200
    assert cast.topic.name in html and cast.housing.name in html
    assert Photo.objects.get(report=report, role=Photo.Role.REPORT).image.url in html
    assert "Опубликовано и направлено исполнителю" in html
    assert reverse("backoffice:answer", args=[report.pk]) in html
    assert reverse("backoffice:request-redirect", args=[report.pk]) in html
    assert reverse("backoffice:request-postponement", args=[report.pk]) in html
    assert 'enctype="multipart/form-data"' in html
    assert 'name="template"' not in html  # no templates for the topic: no select


def test_the_editorial_return_is_shown_to_the_organization(client, cast, publish):
    report = publish()
    services.answer(cast.staff, report, Outcome.DONE, "Убрано.")
    services.return_answer(cast.moderator, report, "Приложите фото убранного двора.")
    client.force_login(cast.staff)

    html = page(client, report).content.decode()

    assert "Ответ возвращён исполнителю" in html
    assert "Приложите фото убранного двора." in html
    assert "Убрано." in html  # the organization's own answer, not public
    assert cast.moderator.full_name not in html and cast.staff.full_name not in html  # roles only
    public = client.get(reverse("public:report", args=[report.pk])).content.decode()
    assert "Приложите фото убранного двора." not in public


def test_a_report_not_in_work_offers_no_answer_form(client, cast, publish):
    report = publish()
    services.answer(cast.staff, report, Outcome.PLANNED, "Уберём.", planned_date=dt.date(2099, 1, 1))
    client.force_login(cast.staff)

    html = page(client, report).content.decode()

    assert reverse("backoffice:answer", args=[report.pk]) not in html
    assert "Ответить можно, пока сообщение в работе" in html


# -- answering ---------------------------------------------------------------------------


def test_an_answer_with_photos_writes_the_answer_the_event_and_the_photos(client, cast, publish):
    report = publish()
    client.force_login(cast.staff)

    response = post_answer(
        client,
        report,
        outcome=Outcome.DONE,
        text="  Двор убран, мусор вывезен.  ",
        photos=[jpeg("after-1.jpg"), jpeg("after-2.jpg")],
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("backoffice:report", args=[report.pk])
    report.refresh_from_db()
    assert report.status == Status.ANSWER_REVIEW and report.answered_at is not None
    answer = Answer.objects.get(report=report)
    assert (answer.outcome, answer.text, answer.author, answer.organization) == (
        Outcome.DONE,
        "Двор убран, мусор вывезен.",
        cast.staff,
        cast.housing,
    )
    event = report.events.get(kind=EventKind.ANSWERED)
    assert answer.event == event and event.actor == cast.staff and not event.is_public
    assert (event.from_status, event.to_status) == (Status.IN_WORK, Status.ANSWER_REVIEW)
    photos = Photo.objects.filter(role=Photo.Role.ANSWER)
    assert photos.count() == 2
    assert all(p.report == report and p.event == event and p.uploaded_by == cast.staff for p in photos)
    followed = client.get(response["Location"])
    assert "отправлен на проверку редакции" in " ".join(messages_of(followed))


def test_a_broken_photo_is_named_and_nothing_is_stored(client, cast, publish, settings):
    report = publish()
    client.force_login(cast.staff)

    response = post_answer(
        client,
        report,
        outcome=Outcome.DONE,
        text="Двор убран.",
        photos=[jpeg("good.jpg"), broken_jpeg("broken-after.jpg"), broken_jpeg("second-bad.jpg")],
    )

    assert response.status_code == 200
    errors = response.context["answer_form"].errors["photos"]
    assert len(errors) == 2  # one per bad file
    assert "broken-after.jpg" in errors[0] and "second-bad.jpg" in errors[1]
    assert "broken-after.jpg" in response.content.decode()
    assert_nothing_stored(report, settings.MEDIA_ROOT)


def test_a_file_that_is_not_an_image_is_refused(client, cast, publish, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    report = publish()
    client.force_login(cast.staff)

    response = post_answer(
        client,
        report,
        outcome=Outcome.DONE,
        text="Двор убран.",
        photos=[SimpleUploadedFile("report.pdf", b"%PDF-1.4 nothing", content_type="application/pdf")],
    )

    assert "report.pdf" in " ".join(response.context["answer_form"].errors["photos"])
    assert_nothing_stored(report, settings.MEDIA_ROOT)


def test_more_than_five_photos_are_refused(client, cast, publish, settings):
    report = publish()
    client.force_login(cast.staff)

    response = post_answer(
        client,
        report,
        outcome=Outcome.DONE,
        text="Двор убран.",
        photos=[jpeg(f"{i}.jpg") for i in range(MAX_PHOTOS + 1)],
    )

    assert "не больше 5" in " ".join(response.context["answer_form"].errors["photos"])
    assert_nothing_stored(report, settings.MEDIA_ROOT)


def test_done_needs_a_photo(client, cast, publish, settings):
    report = publish()
    client.force_login(cast.staff)

    response = post_answer(client, report, outcome=Outcome.DONE, text="Двор убран.")

    assert response.context["answer_form"].errors["photos"] == ["Приложите хотя бы одно фото «после»."]
    assert_nothing_stored(report, settings.MEDIA_ROOT)


def test_planned_without_a_date_is_refused_by_the_service(client, cast, publish, settings):
    report = publish()
    client.force_login(cast.staff)

    response = post_answer(client, report, outcome=Outcome.PLANNED, text="Уберём в мае.")

    assert response.status_code == 200
    assert response.context["answer_form"].errors["planned_date"] == [
        "Для запланированных работ укажите дату."
    ]
    assert "Для запланированных работ укажите дату." in response.content.decode()
    assert_nothing_stored(report, settings.MEDIA_ROOT)


def test_planned_with_a_date_needs_no_photo(client, cast, publish):
    report = publish()
    client.force_login(cast.staff)

    post_answer(client, report, outcome=Outcome.PLANNED, text="Уберём в мае.", planned_date="2099-05-15")

    answer = Answer.objects.get(report=report)
    assert (answer.outcome, answer.planned_date) == (Outcome.PLANNED, dt.date(2099, 5, 15))


def test_a_planned_date_in_the_past_is_refused(client, cast, publish, settings):
    report = publish()
    client.force_login(cast.staff)

    response = post_answer(client, report, outcome=Outcome.PLANNED, text="Уберём.", planned_date="2001-01-01")

    assert "planned_date" in response.context["answer_form"].errors
    assert_nothing_stored(report, settings.MEDIA_ROOT)


def test_an_empty_text_is_refused(client, cast, publish, settings):
    report = publish()
    client.force_login(cast.staff)

    response = post_answer(client, report, outcome=Outcome.DONE, text="   ", photos=[jpeg()])

    assert "text" in response.context["answer_form"].errors
    assert_nothing_stored(report, settings.MEDIA_ROOT)


def test_a_second_click_answers_once_and_shows_the_services_message(client, cast, publish):
    report = publish()
    client.force_login(cast.staff)
    data = {"outcome": Outcome.NO_VIOLATION, "text": "Нарушение не выявлено."}

    first = post_answer(client, report, **data, photos=[jpeg()])
    second = post_answer(client, report, **data, photos=[jpeg()])

    assert first.status_code == second.status_code == 302
    assert Answer.objects.filter(report=report).count() == 1
    assert report.events.filter(kind=EventKind.ANSWERED).count() == 1
    assert Photo.objects.filter(role=Photo.Role.ANSWER).count() == 1
    shown = " ".join(messages_of(client.get(second["Location"])))
    assert f"Сообщение №{report.pk} уже в статусе «Ответ на проверке»" in shown


def test_a_colleague_answering_a_report_already_answered_is_told_so(client, cast, publish):
    report = publish()
    services.answer(cast.staff, report, Outcome.DONE, "Убрано.")
    client.force_login(cast.colleague)

    response = post_answer(client, report, outcome=Outcome.DONE, text="")  # invalid, on a stale page

    assert response.status_code == 302
    assert "уже в статусе «Ответ на проверке»" in " ".join(messages_of(client.get(response["Location"])))
    assert Answer.objects.filter(report=report).count() == 1


def test_a_colleague_of_the_same_organization_may_answer(client, cast, publish):
    report = publish()
    client.force_login(cast.colleague)

    post_answer(client, report, outcome=Outcome.DONE, text="Убрано.", photos=[jpeg()])

    assert Answer.objects.get(report=report).author == cast.colleague


# -- response templates --------------------------------------------------------------------


@pytest.fixture
def templates(cast):
    make = ResponseTemplate.objects.create
    return {
        "yard": make(topic=cast.topic, outcome=Outcome.DONE, title="Двор убран", text="Территория убрана."),
        "generic": make(topic=None, outcome=Outcome.NO_VIOLATION, title="Нет нарушения", text="Не выявлено."),
        "potholes": make(
            topic=cast.other_topic, outcome=Outcome.DONE, title="Яма заделана", text="Заделано."
        ),
        "inactive": make(
            topic=cast.topic, outcome=Outcome.DONE, title="Старый", text="Старый.", is_active=False
        ),
    }


def template_options(response) -> list[str]:
    select = re.search(r'<select name="template".*?</select>', response.content.decode(), re.S).group(0)
    return re.findall(r'<option value="(\d+)"', select)


def script_data(response) -> dict:
    html = response.content.decode()
    return json.loads(re.search(r'<script id="response-templates"[^>]*>(.*?)</script>', html, re.S).group(1))


def test_the_form_offers_the_topics_templates_and_the_generic_ones(client, cast, publish, templates):
    yard_report = publish()
    potholes_report = publish(topic=cast.other_topic)
    client.force_login(cast.staff)

    yard = page(client, yard_report)
    potholes = page(client, potholes_report)

    assert template_options(yard) == [str(templates["yard"].pk), str(templates["generic"].pk)]
    assert template_options(potholes) == [str(templates["potholes"].pk), str(templates["generic"].pk)]
    # The texts the tiny script fills in, for the offered templates only.
    assert script_data(yard) == {
        str(templates["yard"].pk): {"outcome": Outcome.DONE, "text": "Территория убрана."},
        str(templates["generic"].pk): {"outcome": Outcome.NO_VIOLATION, "text": "Не выявлено."},
    }
    assert "backoffice/answer_form.js" in yard.content.decode()


def test_use_template_without_javascript_fills_the_form(client, cast, publish, templates):
    report = publish()
    client.force_login(cast.staff)

    response = post_answer(client, report, template=templates["generic"].pk, use_template="1", text="")

    assert response.status_code == 200
    form = response.context["answer_form"]
    assert not form.is_bound and not form.errors
    assert form.initial["text"] == "Не выявлено." and form.initial["outcome"] == Outcome.NO_VIOLATION
    assert "Не выявлено.</textarea>" in response.content.decode()
    assert not Answer.objects.filter(report=report).exists()


def test_another_topics_template_cannot_be_used(client, cast, publish, templates):
    report = publish()
    client.force_login(cast.staff)

    response = post_answer(client, report, template=templates["potholes"].pk, use_template="1")

    assert "Заделано.</textarea>" not in response.content.decode()
    assert "Выберите шаблон из списка." in " ".join(messages_of(response))


def test_response_templates_for_topic_selector(cast, templates):
    offered = list(ResponseTemplate.objects.for_topic(cast.topic))

    assert offered == [templates["yard"], templates["generic"]]


def test_the_admin_lists_and_adds_templates(admin_client, cast, templates):
    changelist = admin_client.get(reverse("admin:backoffice_responsetemplate_changelist"))
    assert changelist.status_code == 200
    assert "Двор убран" in changelist.content.decode() and "любая тема" in changelist.content.decode()

    admin_client.post(
        reverse("admin:backoffice_responsetemplate_add"),
        {
            "topic": cast.topic.pk,
            "outcome": Outcome.PLANNED,
            "title": "Весной",
            "text": "Весной.",
            "is_active": "on",
        },
    )

    assert ResponseTemplate.objects.filter(title="Весной", topic=cast.topic).exists()
