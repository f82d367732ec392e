"""The resident's verdict on an answered report, through the web."""

import pytest

from accounts.models import Role
from issues import services
from issues.models import EventKind, Outcome, Photo, Status, Topic
from tests.factories import UserFactory, staff_of, submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def answered():
    author = UserFactory()
    moderator = UserFactory(role=Role.MODERATOR)
    report = submit(author, Topic.objects.get(code="yard-not-cleaned"))
    services.publish(moderator, report)
    report.refresh_from_db()
    services.answer(staff_of(report.organization), report, Outcome.DONE, "Убрано")
    services.publish_answer(moderator, report)
    report.refresh_from_db()
    return report, author


def test_the_author_confirms_the_fix(client, answered):
    report, author = answered
    client.force_login(author)
    response = client.post(f"/reports/{report.pk}/verdict/", {"decision": "confirm"})
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == Status.RESOLVED
    assert report.events.filter(kind=EventKind.CONFIRMED, actor=author).count() == 1
    # A second click: nothing more happens, and the resident is told.
    client.post(f"/reports/{report.pk}/verdict/", {"decision": "confirm"})
    assert report.events.filter(kind=EventKind.CONFIRMED).count() == 1


def test_the_author_rejects_the_fix_with_a_comment_and_a_photo(client, answered):
    from issues.tests import photo_samples

    report, author = answered
    client.force_login(author)
    photo = photo_samples.upload(photo_samples.jpeg(), "still-dirty.jpg", "image/jpeg")
    client.post(
        f"/reports/{report.pk}/verdict/", {"decision": "reject", "comment": "Мусор лежит", "photos": [photo]}
    )
    report.refresh_from_db()
    assert report.status == Status.DISPUTED
    event = report.events.get(kind=EventKind.FIX_REJECTED)
    assert event.text == "Мусор лежит"
    assert Photo.objects.filter(report=report, role=Photo.Role.DISPUTE, event=event).count() == 1


def test_rejecting_without_a_comment_changes_nothing(client, answered):
    report, author = answered
    client.force_login(author)
    response = client.post(
        f"/reports/{report.pk}/verdict/", {"decision": "reject", "comment": " "}, follow=True
    )
    assert "Опишите, что не так" in response.content.decode()
    report.refresh_from_db()
    assert report.status == Status.ANSWERED


def test_someone_else_cannot_judge_the_fix(client, answered):
    report, _ = answered
    client.force_login(UserFactory())
    assert client.post(f"/reports/{report.pk}/verdict/", {"decision": "confirm"}).status_code == 404
    report.refresh_from_db()
    assert report.status == Status.ANSWERED
