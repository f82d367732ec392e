"""A report's public page, /reports/<id>/, and the access rule behind it
(issues.access.get_report_for_view)."""

import io

import pytest
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from accounts.models import Role
from issues import services
from issues.access import get_report_for_view, public_report_version
from issues.events import record_event
from issues.models import EventKind, Photo, Report, Status
from issues.tests.public_helpers import RED_SQUARE, publish, submit
from tests.factories import UserFactory, council_of, staff_of

pytestmark = pytest.mark.django_db

DESCRIPTION = "Яма у остановки.\n<script>alert('x')</script> Глубина & ширина"
ANSWER = "Яма заделана асфальтом.\nРаботы приняты 12.05."


@pytest.fixture
def author():
    return UserFactory(
        email="avtor.soobshcheniya@example.test", full_name="Кузнецова Мария Ивановна", phone="+79165550101"
    )


@pytest.fixture
def stranger():
    return UserFactory(email="prokhozhiy@example.test", full_name="Прохоров Павел")


@pytest.fixture
def moderator():
    return UserFactory(
        email="redaktor@example.test",
        full_name="Редакторова Вера Львовна",
        phone="+79165550202",
        role=Role.MODERATOR,
    )


@pytest.fixture
def council():
    return council_of("Тверской")


@pytest.fixture
def staff(council):
    return staff_of(
        council, email="ispolnitel@example.test", full_name="Исполнителев Иван", phone="+79165550303"
    )


def png(colour=(120, 130, 140)) -> ContentFile:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), colour).save(buffer, "PNG")
    return ContentFile(buffer.getvalue(), name="photo.png")


@pytest.fixture
def published(author, moderator, staff, council):
    """A published report with photos and a timeline written by the author,
    the editorial team and the organization."""
    report = submit(author, RED_SQUARE, description=DESCRIPTION, address="ул. Красная площадь, д. 1")
    publish([report], Status.ANSWERED, organization=council)
    Photo.objects.create(report=report, role=Photo.Role.REPORT, uploaded_by=author, image=png())
    with_thumb = Photo(report=report, role=Photo.Role.REPORT, uploaded_by=author, image=png((1, 2, 3)))
    with_thumb.thumbnail.save("thumb.png", png((4, 5, 6)), save=False)
    with_thumb.save()
    record_event(report, EventKind.PUBLISHED, actor=moderator, from_status="moderation", to_status="in_work")
    record_event(report, EventKind.ANSWERED, actor=staff, text="Черновик ответа исполнителя", is_public=False)
    answered = record_event(report, EventKind.ANSWER_PUBLISHED, actor=moderator, text=ANSWER)
    Photo.objects.create(
        report=report, event=answered, role=Photo.Role.ANSWER, uploaded_by=staff, image=png()
    )
    record_event(report, EventKind.REMINDED, is_public=True)
    report.refresh_from_db()
    return report


def page(client, report):
    return client.get(reverse("public:report", args=[report.pk]))


# -- a published report: anyone sees it ----------------------------------------


def test_anyone_sees_a_published_report(client, published, council):
    response = page(client, published)
    assert response.status_code == 200
    html = response.content.decode()
    assert published.topic.name in html
    assert published.topic.group.name in html
    assert '<span class="status status-answered">Получен ответ</span>' in html
    assert "ул. Красная площадь, д. 1" in html
    assert "район Тверской" in html and "Центральный" in html
    assert council.name in html
    assert timezone.localtime(published.deadline).strftime("%d.%m.%Y") in html


def test_the_description_is_escaped_and_keeps_its_lines(client, published):
    html = page(client, published).content.decode()
    assert (
        "Яма у остановки.<br>&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; Глубина &amp; ширина" in html
    )
    assert "<script>alert" not in html


def test_photos_show_their_thumbnail_or_the_image_until_it_is_made(client, published):
    html = page(client, published).content.decode()
    plain, with_thumb = published.photos.filter(role=Photo.Role.REPORT).order_by("pk")
    assert f'src="{plain.image.url}"' in html
    assert f'src="{with_thumb.thumbnail.url}"' in html
    assert f'src="{with_thumb.image.url}"' not in html  # linked, not shown
    answer_photo = published.photos.get(role=Photo.Role.ANSWER)
    assert f'src="{answer_photo.image.url}"' in html


def test_the_timeline_shows_public_events_with_roles_and_the_answer(client, published):
    response = page(client, published)
    timeline = response.context["timeline"]
    assert [(e.label, e.who) for e in timeline] == [
        ("Сообщение отправлено", "Автор"),
        ("Опубликовано и направлено исполнителю", "Редакция"),
        ("Ответ опубликован", "Редакция"),
        ("Исполнителю напомнили о сроке", "Портал"),
    ]
    html = response.content.decode()
    assert "Яма заделана асфальтом.<br>Работы приняты 12.05." in html
    assert "Черновик ответа исполнителя" not in html  # not a public event
    assert timezone.localtime(timeline[0].at).strftime("%d.%m.%Y %H:%M") in html


def test_an_organization_event_is_shown_as_the_organization_not_the_person(client, published, staff, council):
    record_event(published, EventKind.REDIRECT_REQUESTED, actor=staff)
    response = page(client, published)
    assert ("Запрошена переадресация", "Исполнитель") in [
        (e.label, e.who) for e in response.context["timeline"]
    ]
    assert f"Исполнитель ({council.name})" in response.content.decode()


@pytest.mark.parametrize("viewer", [None, "stranger", "author", "moderator", "staff"])
def test_no_one_s_personal_data_is_on_the_page(client, published, author, moderator, staff, stranger, viewer):
    people = {"stranger": stranger, "author": author, "moderator": moderator, "staff": staff}
    if viewer:
        client.force_login(people[viewer])
    html = page(client, published).content.decode()
    for person in (author, moderator, staff):
        if person == people.get(viewer):
            continue  # the page header greets the viewer by their own name
        for private in (person.email, person.full_name, person.full_name.split()[0], person.phone):
            assert private not in html, (viewer, private)
    assert author.phone not in html and moderator.phone not in html and staff.phone not in html


def test_the_page_takes_a_bounded_number_of_queries(
    client, published, moderator, django_assert_max_num_queries
):
    for _ in range(10):
        event = record_event(published, EventKind.INSPECTION, actor=moderator)
        Photo.objects.create(report=published, event=event, role=Photo.Role.INSPECTION, image=png())
    # Whether it is public and its version; the report with its topic,
    # district and organization; its events; the photos of both.
    # (Anonymous: the layout adds none.)
    with django_assert_max_num_queries(4):
        response = page(client, published)
    assert len(response.context["timeline"]) == 14
    # The next anonymous visitor gets the same content from the cache.
    with django_assert_max_num_queries(1):
        again = page(client, published)
    assert again.content == response.content


def test_an_anonymous_visitor_sees_a_change_of_the_report_at_once(client, published, author):
    before = page(client, published).content.decode()  # now cached
    assert f'class="status status-{Status.ANSWERED}"' in before

    services.confirm(author, published)

    after = page(client, published).content.decode()
    assert f'class="status status-{Status.RESOLVED}"' in after
    assert EventKind.CONFIRMED.label in after


def test_an_anonymous_visitor_sees_a_new_event_at_once(client, published, moderator):
    """An event written without a change of the report (a volunteer's
    inspection, with its photo) is part of the page's version too."""
    before = page(client, published).content.decode()  # now cached
    event = record_event(published, EventKind.INSPECTION, actor=moderator)
    photo = Photo.objects.create(
        report=published, event=event, role=Photo.Role.INSPECTION, image=png((7, 8, 9))
    )

    after = page(client, published).content.decode()

    assert after.count(EventKind.INSPECTION.label) == before.count(EventKind.INSPECTION.label) + 1
    assert photo.image.url in after and photo.image.url not in before


def test_a_report_taken_off_the_site_is_gone_at_once_for_anonymous_visitors(client, published):
    assert page(client, published).status_code == 200  # now cached
    Report.objects.filter(pk=published.pk).update(status=Status.REJECTED)

    assert page(client, published).status_code == 404


def test_the_cached_page_never_carries_the_authors_verdict_form(client, published, author):
    client.force_login(author)
    assert 'id="verdict"' in page(client, published).content.decode()
    client.logout()

    html = page(client, published).content.decode()

    assert 'id="verdict"' not in html and "csrfmiddlewaretoken" not in html
    client.force_login(author)
    assert 'id="verdict"' in page(client, published).content.decode()


def test_more_events_and_photos_take_no_more_queries(client, published, stranger, moderator):
    client.force_login(stranger)
    cache.clear()  # the bell's count read each time (it is kept a minute)
    with CaptureQueriesContext(connection) as before:
        page(client, published)
    for _ in range(5):
        event = record_event(published, EventKind.INSPECTION, actor=moderator)
        Photo.objects.create(report=published, event=event, role=Photo.Role.INSPECTION, image=png())
    cache.clear()
    with CaptureQueriesContext(connection) as after:
        page(client, published)
    assert len(after) == len(before)


def test_a_missing_report_is_404(client):
    assert client.get(reverse("public:report", args=[987654321])).status_code == 404


def test_a_number_beyond_any_key_is_404_not_an_error(client, published):
    # The URL takes any digits; the version's SQL must not see a number the column cannot hold.
    assert client.get(f"/reports/{2**63}/").status_code == 404
    assert client.get(f"/reports/{10**30}/").status_code == 404


def test_the_version_is_a_token_without_spaces(published):
    # It is part of a cache key (memcached refuses spaces); SQLite gives the time as text.
    version = public_report_version(published.pk)
    assert version and " " not in version
    assert public_report_version(2**63) is None and public_report_version("x") is None


def test_the_report_s_own_photos_are_not_repeated_in_its_timeline(client, published, moderator):
    own = Photo.objects.create(report=published, role=Photo.Role.REPORT, image=png((1, 2, 3)))
    event = record_event(published, EventKind.INSPECTION, actor=moderator)
    inspection = Photo.objects.create(
        report=published, event=event, role=Photo.Role.INSPECTION, image=png((4, 5, 6))
    )
    response = page(client, published)
    assert own in response.context["photos"] and inspection not in response.context["photos"]
    [entry] = [e for e in response.context["timeline"] if e.kind == EventKind.INSPECTION]
    assert entry.photos == [inspection]
    assert all(own not in e.photos for e in response.context["timeline"])


# -- not published: its author and the editorial team only -----------------------


@pytest.fixture
def in_moderation(author):
    return submit(author, RED_SQUARE, description="Ещё не проверено")


@pytest.mark.parametrize("viewer", [None, "stranger", "staff"])
def test_a_report_in_moderation_is_404_for_others(client, in_moderation, stranger, staff, viewer):
    if viewer:
        client.force_login({"stranger": stranger, "staff": staff}[viewer])
    assert page(client, in_moderation).status_code == 404


def test_the_author_sees_their_report_in_moderation_with_a_notice(client, in_moderation, author):
    client.force_login(author)
    response = page(client, in_moderation)
    assert response.status_code == 200
    html = response.content.decode()
    assert "На модерации" in html
    assert "Ещё не проверено" in html


def test_a_moderator_sees_a_report_in_moderation(client, in_moderation, moderator):
    client.force_login(moderator)
    response = page(client, in_moderation)
    assert response.status_code == 200
    assert "На модерации" in response.content.decode()


def test_the_author_sees_why_their_report_was_rejected(client, in_moderation, author, moderator, stranger):
    # Test set-up: the rejection as the moderation service records it.
    Report.objects.filter(pk=in_moderation.pk).update(status=Status.REJECTED)
    record_event(
        in_moderation,
        EventKind.REJECTED,
        actor=moderator,
        reason="spam",
        text="Реклама или спам",
        is_public=False,
    )
    client.force_login(author)
    html = page(client, in_moderation).content.decode()
    assert "Отклонено" in html and "Реклама или спам" in html
    client.force_login(stranger)
    assert page(client, in_moderation).status_code == 404


def test_the_author_of_a_duplicate_is_sent_to_the_original(client, in_moderation, author, published):
    Report.objects.filter(pk=in_moderation.pk).update(
        status=Status.DUPLICATE, duplicate_of=published
    )  # test set-up
    client.force_login(author)
    html = page(client, in_moderation).content.decode()
    assert "Дубликат" in html
    assert reverse("public:report", args=[published.pk]) in html


# -- the helper ---------------------------------------------------------------


def test_get_report_for_view_applies_the_rule(in_moderation, published, author, stranger, moderator):
    from django.contrib.auth.models import AnonymousUser

    assert get_report_for_view(AnonymousUser(), published.pk) == published
    assert get_report_for_view(stranger, str(published.pk)) == published
    assert get_report_for_view(author, in_moderation.pk) == in_moderation
    assert get_report_for_view(moderator, in_moderation.pk) == in_moderation
    for user in (AnonymousUser(), stranger, None):
        with pytest.raises(Http404):
            get_report_for_view(user, in_moderation.pk)
    for missing in (0, 987654321, "abc", None):
        with pytest.raises(Http404):
            get_report_for_view(author, missing)


def test_an_inactive_moderator_sees_nothing_unpublished(in_moderation, moderator):
    moderator.is_active = False
    with pytest.raises(Http404):
        get_report_for_view(moderator, in_moderation.pk)
