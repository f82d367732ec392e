"""The volunteers' pages as a resident and a volunteer use them."""

import io

import pytest
from django.contrib.gis.geos import Point
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from accounts.models import Role
from tests.factories import UserFactory
from volunteers import services
from volunteers.models import Application, Inspection
from volunteers.testing import disputed_report, moderator, submitted_task, taken_task, volunteer

pytestmark = pytest.mark.django_db


def jpeg(name="site.jpg"):
    buffer = io.BytesIO()
    Image.new("RGB", (320, 240), (90, 120, 60)).save(buffer, "JPEG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


def test_a_resident_applies_from_the_landing_page(client):
    resident = UserFactory()
    client.force_login(resident)
    page = client.get("/volunteers/")
    assert page.status_code == 200 and "Отправить заявку" in page.content.decode()
    response = client.post("/volunteers/", {"motivation": "Живу на Тверской"})
    assert response.status_code == 302
    assert Application.objects.get(user=resident).status == Application.Status.PENDING
    page = client.get("/volunteers/").content.decode()
    assert "на рассмотрении" in page and "Отправить заявку" not in page


def test_an_empty_application_is_sent_back_with_the_reason(client):
    client.force_login(UserFactory())
    response = client.post("/volunteers/", {"motivation": ""})
    assert response.status_code == 400
    assert not Application.objects.exists()


def test_the_task_pages_are_for_active_volunteers_only(client):
    assert client.get("/volunteers/tasks/").status_code == 302  # to log in
    client.force_login(UserFactory())
    assert client.get("/volunteers/tasks/").status_code == 403
    client.force_login(volunteer())
    assert client.get("/volunteers/tasks/").status_code == 200


def test_a_volunteer_is_taken_from_the_landing_page_to_the_tasks(client):
    client.force_login(volunteer())
    response = client.get("/volunteers/")
    assert response.status_code == 302 and response.url == "/volunteers/tasks/"


def test_the_pool_is_sorted_by_distance_from_the_chosen_point(client, django_assert_max_num_queries):
    near = services.order_inspection(moderator(), disputed_report(point=Point(37.6208, 55.7539, srid=4326)))
    far = services.order_inspection(moderator(), disputed_report(point=Point(37.5400, 55.7300, srid=4326)))
    user = volunteer()
    client.force_login(user)
    with django_assert_max_num_queries(12):
        page = client.get("/volunteers/tasks/", {"lat": "55.7300", "lon": "37.5410"})
    html = page.content.decode()
    assert html.index(f'id="task-{far.pk}"') < html.index(f'id="task-{near.pk}"')
    assert " м</td>" in html and " км</td>" in html  # the nearer in metres, the farther in kilometres
    html = client.get("/volunteers/tasks/", {"lat": "55.7539", "lon": "37.6208"}).content.decode()
    assert html.index(f'id="task-{near.pk}"') < html.index(f'id="task-{far.pk}"')
    assert 'id="tasks-data"' in html  # the map's data is on the page; no tiles are needed


def test_the_pool_page_costs_the_same_queries_for_many_tasks(client, django_assert_max_num_queries):
    for _ in range(6):
        services.order_inspection(moderator(), disputed_report())
    client.force_login(volunteer())
    with django_assert_max_num_queries(12):
        page = client.get("/volunteers/tasks/", {"lat": "55.75", "lon": "37.62"})
    assert page.content.decode().count('<tr id="task-') == 6


def test_a_point_outside_moscow_falls_back_to_the_date_order(client):
    services.order_inspection(moderator(), disputed_report())
    client.force_login(volunteer())
    page = client.get("/volunteers/tasks/", {"lat": "59.9", "lon": "30.3"})
    assert page.status_code == 200 and "вне Москвы" in page.content.decode()


def test_taking_a_task_from_the_list_and_a_second_volunteer_is_told(client):
    inspection = services.order_inspection(moderator(), disputed_report())
    first = volunteer()
    client.force_login(first)
    response = client.post(f"/volunteers/tasks/{inspection.pk}/take/")
    assert response.status_code == 302 and response.url == f"/volunteers/tasks/{inspection.pk}/"
    assert "Отправить итог" in client.get(response.url).content.decode()
    client.force_login(volunteer())
    response = client.post(f"/volunteers/tasks/{inspection.pk}/take/", follow=True)
    assert "взял другой волонтёр" in response.content.decode()
    inspection.refresh_from_db()
    assert inspection.volunteer == first
    # Someone else's task is not shown to another volunteer.
    assert client.get(f"/volunteers/tasks/{inspection.pk}/").status_code == 404


def test_a_verdict_through_the_form(client):
    inspection, user = taken_task()
    client.force_login(user)
    response = client.post(
        f"/volunteers/tasks/{inspection.pk}/verdict/",
        {"verdict": "not_fixed", "comment": "Мусор лежит", "photos": [jpeg(), jpeg("b.jpg")]},
    )
    assert response.status_code == 302 and response.url == "/volunteers/me/"
    inspection.refresh_from_db()
    assert inspection.status == Inspection.Status.SUBMITTED
    assert inspection.inspection_photos.count() == 2
    page = client.get("/volunteers/me/").content.decode()
    assert "Не устранено" in page and 'id="awaiting">1<' in page


def test_a_verdict_without_a_photo_is_sent_back_and_nothing_is_stored(client):
    inspection, user = taken_task()
    client.force_login(user)
    response = client.post(
        f"/volunteers/tasks/{inspection.pk}/verdict/", {"verdict": "fixed", "comment": "Убрано"}
    )
    assert response.status_code == 400
    assert "Обязательное поле" in response.content.decode() or "фотограф" in response.content.decode()
    inspection.refresh_from_db()
    assert inspection.status == Inspection.Status.TAKEN


def test_a_broken_photo_is_named_and_nothing_is_stored(client):
    inspection, user = taken_task()
    client.force_login(user)
    bad = SimpleUploadedFile("broken.jpg", b"not an image", content_type="image/jpeg")
    response = client.post(
        f"/volunteers/tasks/{inspection.pk}/verdict/",
        {"verdict": "fixed", "comment": "Убрано", "photos": [bad]},
    )
    assert response.status_code == 400 and "broken.jpg" in response.content.decode()
    assert not inspection.inspection_photos.exists()


def test_giving_a_task_back(client):
    inspection, user = taken_task()
    client.force_login(user)
    response = client.post(f"/volunteers/tasks/{inspection.pk}/give-up/", follow=True)
    assert "возвращена в общий список" in response.content.decode()
    inspection.refresh_from_db()
    assert inspection.status == Inspection.Status.OPEN


def test_the_volunteers_page_shows_their_standing(client):
    inspection, user = submitted_task(verdict="fixed")
    services.accept_verdict(moderator(), inspection.pk)
    client.force_login(user)
    html = client.get("/volunteers/me/").content.decode()
    assert 'id="accepted">1<' in html and 'id="acceptance">100%<' in html and "новичок" in html


def test_a_suspended_volunteer_sees_why(client):
    from volunteers.models import Volunteer

    user = volunteer()
    services.suspend(moderator(), Volunteer.objects.get(user=user).pk, "Фото не с места")
    user.refresh_from_db()
    assert user.role == Role.RESIDENT
    client.force_login(user)
    assert client.get("/volunteers/tasks/").status_code == 403
    html = client.get("/volunteers/").content.decode()
    assert "Участие приостановлено" in html and "Фото не с места" in html and "Отправить заявку" not in html


def test_the_navigation_offers_the_right_link(client):
    client.force_login(UserFactory())
    html = client.get("/volunteers/").content.decode()
    assert ">Стать волонтёром</a>" in html and ">Проверки</a>" not in html
    client.force_login(volunteer())
    html = client.get("/volunteers/tasks/").content.decode()
    assert ">Проверки</a>" in html and ">Стать волонтёром</a>" not in html


def test_the_admin_lists_inspections_and_approves_applications(client):
    from django.urls import reverse

    admin_user = UserFactory(role=Role.ADMINISTRATOR, is_staff=True, is_superuser=True)
    submitted_task(verdict="fixed")
    application = services.apply(UserFactory(), "Хочу")
    client.force_login(admin_user)
    assert client.get(reverse("admin:volunteers_inspection_changelist")).status_code == 200
    inspection = Inspection.objects.first()
    assert client.get(reverse("admin:volunteers_inspection_change", args=[inspection.pk])).status_code == 200
    client.post(
        reverse("admin:volunteers_application_changelist"),
        {"action": "approve", "_selected_action": [application.pk]},
    )
    application.refresh_from_db()
    assert application.status == Application.Status.APPROVED


def test_a_volunteer_does_not_see_their_own_reports_in_the_pool(client):
    user = volunteer()
    own = services.order_inspection(moderator(), disputed_report(author=user))
    other = services.order_inspection(moderator(), disputed_report())
    client.force_login(user)
    html = client.get("/volunteers/tasks/").content.decode()
    assert f'id="task-{other.pk}"' in html and f'id="task-{own.pk}"' not in html
