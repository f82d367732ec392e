"""The admin site: every registered model's pages load for a superuser, and
the places and issues admins behave as the administrators need.

The sweep covers every app's admin, not only places': it lives here because
places is the first app with an admin of its own.
"""

import io

import pytest
from django.contrib import admin
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import RequestFactory
from django.urls import reverse
from PIL import Image

from accounts.models import Role
from issues.models import (
    Answer,
    EventKind,
    Follower,
    OrganizationRequest,
    Outcome,
    Photo,
    Report,
    ReportEvent,
    Status,
    Topic,
)
from places.geo import locate
from places.models import Building, District
from tests.factories import RED_SQUARE, UserFactory, housing_of, staff_of

pytestmark = pytest.mark.django_db

REGISTERED = sorted(admin.site._registry.items(), key=lambda item: item[0]._meta.label)


def url(model, view: str, *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


@pytest.fixture
def superuser():
    return UserFactory(
        email="root@example.test",
        full_name="Главный Админ",
        role=Role.ADMINISTRATOR,
        is_staff=True,
        is_superuser=True,
    )


@pytest.fixture
def admin_client(client, superuser):
    client.force_login(superuser)
    return client


@pytest.fixture
def report(superuser):
    """A report with events, a photo, an answer, a request and a follower,
    written directly: the admin only shows what the services wrote."""
    author = UserFactory(full_name="Петрова Анна")
    location = locate(RED_SQUARE)
    report = Report.objects.create(
        author=author,
        topic=Topic.objects.get(code="elevator-needs-repair"),
        point=RED_SQUARE,
        address="Красная площадь",
        district=location.district,
        okrug=location.okrug,
        description="Лифт стоит третий день",
    )
    ReportEvent.objects.create(
        report=report, kind=EventKind.CREATED, actor=author, to_status=Status.MODERATION
    )
    ReportEvent.objects.create(
        report=report,
        kind=EventKind.REJECTED,
        actor=superuser,
        from_status=Status.MODERATION,
        to_status=Status.REJECTED,
        reason="Нет проблемы на фото",
    )
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (120, 90, 60)).save(buffer, "JPEG")
    Photo.objects.create(
        report=report,
        uploaded_by=author,
        taken_at_point=RED_SQUARE,
        image=SimpleUploadedFile("lift.jpg", buffer.getvalue(), content_type="image/jpeg"),
    )
    housing = housing_of("Тверской")
    staff = staff_of(housing)
    Answer.objects.create(
        report=report,
        organization=housing,
        author=staff,
        outcome=Outcome.PLANNED,
        text="Ремонт лифта запланирован",
        planned_date="2026-12-01",
    )
    OrganizationRequest.objects.create(
        report=report,
        kind=OrganizationRequest.Kind.POSTPONE,
        organization=housing,
        requested_by=staff,
        reason="Нужна запчасть от производителя",
        planned_date="2026-12-01",
    )
    Follower.objects.create(report=report, user=UserFactory())
    return report


# -- every page of every admin ----------------------------------------------


@pytest.mark.parametrize(
    ("model", "model_admin"), REGISTERED, ids=[model._meta.label for model, _ in REGISTERED]
)
def test_the_list_the_add_page_and_a_change_page_load(admin_client, superuser, report, model, model_admin):
    request = RequestFactory().get("/")
    request.user = superuser

    assert admin_client.get(url(model, "changelist")).status_code == 200
    expected = 200 if model_admin.has_add_permission(request) else 403
    assert admin_client.get(url(model, "add")).status_code == expected
    first = model._default_manager.order_by("pk").first()
    if first is not None:
        assert admin_client.get(url(model, "change", first.pk)).status_code == 200


@pytest.mark.parametrize("model", [Report, ReportEvent, Photo, Answer, OrganizationRequest, Follower])
def test_what_the_services_write_is_never_added_in_the_admin(admin_client, model):
    assert admin_client.get(url(model, "add")).status_code == 403


@pytest.mark.parametrize("model", [ReportEvent, Answer, OrganizationRequest, Follower])
def test_what_the_services_write_is_never_changed_or_deleted_in_the_admin(admin_client, report, model):
    row = model.objects.filter(report=report).first()

    page = admin_client.get(url(model, "change", row.pk))

    assert page.status_code == 200
    assert not page.context["has_change_permission"]
    assert admin_client.post(url(model, "change", row.pk), {}).status_code == 403
    assert admin_client.post(url(model, "delete", row.pk), {"post": "yes"}).status_code == 403
    assert model.objects.filter(pk=row.pk).exists()


@pytest.mark.parametrize(
    "model", [District, Building, Topic, Report, ReportEvent, Answer, OrganizationRequest]
)
def test_a_list_makes_the_same_few_queries_whatever_it_shows(
    admin_client, report, model, django_assert_max_num_queries
):
    with django_assert_max_num_queries(12):
        response = admin_client.get(url(model, "changelist"))

    assert response.status_code == 200
    assert len(response.context["cl"].result_list) >= 1


# -- places -------------------------------------------------------------------


def test_a_district_is_shown_on_a_map(admin_client):
    tverskoy = District.objects.get(name="Тверской")

    page = admin_client.get(url(District, "change", tverskoy.pk))

    assert page.status_code == 200
    assert b"leaflet" in page.content.lower()
    assert 'name="boundary"' in page.content.decode()


def test_districts_are_filtered_by_okrug_and_kind(admin_client):
    troitsky = District.objects.get(name="Троицк").okrug

    page = admin_client.get(
        url(District, "changelist"), {"okrug__id__exact": troitsky.pk, "kind__exact": "settlement"}
    )

    names = {d.name for d in page.context["cl"].result_list}
    assert "Вороновское" in names
    assert "Троицк" not in names  # a city district, not a settlement
    assert all(d.okrug_id == troitsky.pk for d in page.context["cl"].result_list)


def test_a_building_is_found_by_the_address_as_people_type_it(admin_client):
    page = admin_client.get(url(Building, "changelist"), {"q": "Большая Академическая 4"})

    addresses = [b.address for b in page.context["cl"].result_list]
    assert "г. Москва, ул. Академическая Б., д. 4" in addresses


def test_a_building_search_keeps_the_okrug_filter(admin_client):
    tverskoy = District.objects.get(name="Тверской")
    other_okrug = District.objects.exclude(okrug=tverskoy.okrug).first().okrug

    inside = admin_client.get(
        url(Building, "changelist"), {"q": "Тверская", "district__okrug__id__exact": tverskoy.okrug_id}
    )
    outside = admin_client.get(
        url(Building, "changelist"), {"q": "Тверская", "district__okrug__id__exact": other_okrug.pk}
    )

    assert any(b.district_id == tverskoy.pk for b in inside.context["cl"].result_list)
    assert all(b.district.okrug_id == other_okrug.pk for b in outside.context["cl"].result_list)


def test_a_building_picks_its_district_by_search_not_from_a_list(admin_client):
    building = Building.objects.order_by("pk").first()

    page = admin_client.get(url(Building, "change", building.pk)).content.decode()

    assert "admin-autocomplete" in page
    assert page.count("<option") < 50


# -- issues: the report is looked at, not edited ------------------------------


def change_form_data(page) -> dict:
    """The POST a browser would send back for an unchanged change form."""
    data = {}
    for name, field in page.context["adminform"].form.fields.items():
        if field.disabled:
            continue
        value = page.context["adminform"].form.initial.get(name)
        data[name] = "" if value is None else value
    for inline in page.context["inline_admin_formsets"]:
        management = inline.formset.management_form
        for name in management.fields:
            data[f"{management.prefix}-{name}"] = management[name].value()
    return data


def test_a_reports_status_and_dates_cannot_be_changed_in_the_admin(admin_client, report):
    page = admin_client.get(url(Report, "change", report.pk))
    form = page.context["adminform"].form
    assert set(form.fields) == {"description", "address", "building", "point"}
    assert form.fields["point"].disabled

    data = change_form_data(page)
    data.update(
        description="Лифт не работает",
        status=Status.RESOLVED,
        closed_at="2026-01-01 10:00",
        point="SRID=4326;POINT (30.3141 59.9386)",
    )
    response = admin_client.post(url(Report, "change", report.pk), data)

    assert response.status_code == 302
    report.refresh_from_db()
    assert report.description == "Лифт не работает"
    assert report.status == Status.MODERATION
    assert report.closed_at is None
    assert report.point.equals(RED_SQUARE)


def test_a_report_shows_its_events_and_photos_read_only(admin_client, report):
    page = admin_client.get(url(Report, "change", report.pk))
    content = page.content.decode()

    assert "Нет проблемы на фото" in content
    assert "Отклонено модератором" in content
    assert "Ремонт лифта запланирован" in content
    assert "Нужна запчасть от производителя" in content
    assert report.photos.get().image.url in content
    for inline in page.context["inline_admin_formsets"]:
        assert not inline.has_add_permission
        assert not inline.has_change_permission
        assert not inline.has_delete_permission
    assert "taken_at_point" not in content


def test_a_report_is_not_deleted_from_the_admin(admin_client, report):
    assert admin_client.post(url(Report, "delete", report.pk), {"post": "yes"}).status_code == 403
    assert Report.objects.filter(pk=report.pk).exists()


def test_a_report_is_found_by_its_number(admin_client, report):
    page = admin_client.get(url(Report, "changelist"), {"q": f"№{report.pk}"})

    assert [r.pk for r in page.context["cl"].result_list] == [report.pk]


def test_the_event_log_cannot_be_rewritten(admin_client, report):
    event = report.events.first()

    assert admin_client.post(url(ReportEvent, "change", event.pk), {"text": "переписано"}).status_code == 403
    event.refresh_from_db()
    assert event.text == ""


def test_a_photo_never_shows_where_it_was_taken(admin_client, report):
    photo = report.photos.get()

    page = admin_client.get(url(Photo, "change", photo.pk)).content.decode()

    assert "taken_at_point" not in page
    assert "59.9" not in page and "37.6208" not in page
