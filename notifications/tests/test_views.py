"""The bell, the list, opening a notice and the unread count."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from notifications.models import Notification
from tests.factories import UserFactory

from .helpers import make_notice

pytestmark = pytest.mark.django_db


@pytest.fixture
def resident(client):
    user = UserFactory()
    client.force_login(user)
    return user


def bell_badge(html: str) -> str:
    start = html.index('class="bell-count"')
    return html[html.index(">", start) + 1 : html.index("</span>", start)]


def test_the_bell_shows_the_unread_count_with_one_query(client, resident, bell_installed):
    for _ in range(3):
        make_notice(resident)
    make_notice(resident, read_at="2026-11-01T10:00:00+03:00")
    make_notice(UserFactory())  # someone else's
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("home"))
    assert response.status_code == 200
    assert bell_badge(response.content.decode()) == "3"
    assert len([q for q in queries if "notifications_notification" in q["sql"]]) == 1


def test_the_bell_counts_up_to_99_plus(client, resident, bell_installed):
    Notification.objects.bulk_create(
        [Notification(user=resident, kind="published", category="status", title="…") for _ in range(120)]
    )
    assert bell_badge(client.get(reverse("home")).content.decode()) == "99+"


def test_no_bell_and_no_count_for_an_anonymous_visitor(client, bell_installed):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("home"))
    assert 'class="bell"' not in response.content.decode()
    assert not [q for q in queries if "notifications_notification" in q["sql"]]


def test_with_nothing_unread_the_badge_is_hidden(client, resident, bell_installed):
    html = client.get(reverse("home")).content.decode()
    assert 'class="bell"' in html and bell_badge(html) == ""


def test_the_list_shows_newest_first_a_page_at_a_time_and_marks_what_it_shows(client, resident):
    for minutes in range(25):
        make_notice(resident, minutes_ago=minutes, title=f"Уведомление {minutes}")
    response = client.get(reverse("notifications:list"))
    shown = [n.title for n in response.context["notices"]]
    assert shown == [f"Уведомление {m}" for m in range(20)]
    assert response.content.decode().count("новое</span>") == 20  # still marked new on this page
    assert Notification.objects.filter(user=resident, read_at__isnull=True).count() == 5

    response = client.get(reverse("notifications:list"), {"page": 2})
    assert [n.title for n in response.context["notices"]] == [f"Уведомление {m}" for m in range(20, 25)]
    assert not Notification.objects.filter(user=resident, read_at__isnull=True).exists()


def test_the_list_shows_only_ones_own_notices(client, resident):
    make_notice(UserFactory(), title="Чужое")
    mine = make_notice(resident, title="Моё")
    response = client.get(reverse("notifications:list"))
    assert list(response.context["notices"]) == [mine]
    assert "Чужое" not in response.content.decode()


def test_mark_all_read_is_a_post(client, resident):
    for _ in range(3):
        make_notice(resident)
    other = make_notice(UserFactory())
    url = reverse("notifications:read-all")
    assert client.get(url).status_code == 405
    response = client.post(url)
    assert response.status_code == 302 and response["Location"] == reverse("notifications:list")
    assert not Notification.objects.filter(user=resident, read_at__isnull=True).exists()
    other.refresh_from_db()
    assert other.read_at is None


def test_opening_a_notice_marks_it_read_and_goes_to_its_page(client, resident):
    notice = make_notice(resident, url="/reports/42/")
    untouched = make_notice(resident)
    response = client.get(reverse("notifications:open", args=[notice.pk]))
    assert response.status_code == 302 and response["Location"] == "/reports/42/"
    notice.refresh_from_db()
    untouched.refresh_from_db()
    assert notice.read_at is not None and untouched.read_at is None


def test_another_users_notice_is_missing(client, resident):
    theirs = make_notice(UserFactory())
    assert client.get(reverse("notifications:open", args=[theirs.pk])).status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_a_notice_never_sends_the_user_off_the_portal(client, resident):
    notice = make_notice(resident, url="https://evil.example/reports/1/")
    response = client.get(reverse("notifications:open", args=[notice.pk]))
    assert response["Location"] == reverse("notifications:list")


def test_the_unread_count_for_polling(client, resident):
    make_notice(resident)
    make_notice(resident)
    response = client.get(reverse("notifications:unread-count"))
    assert response.status_code == 200
    assert response.json() == {"unread": 2, "capped": False}
    assert "no-cache" in response["Cache-Control"]


def test_the_pages_want_a_login(client):
    assert client.get(reverse("notifications:unread-count")).status_code == 401
    response = client.get(reverse("notifications:list"))
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]
    assert client.post(reverse("notifications:read-all")).status_code == 302


def test_the_count_is_kept_and_forgotten_when_notices_arrive_or_are_read(client, resident, bell_installed):
    from notifications import services

    first = make_notice(resident)
    assert bell_badge(client.get(reverse("home")).content.decode()) == "1"
    with CaptureQueriesContext(connection) as queries:
        assert bell_badge(client.get(reverse("home")).content.decode()) == "1"
    assert not [q for q in queries if "notifications_notification" in q["sql"]]  # kept
    make_notice(resident)  # made directly, not by the services: shown once the kept count expires
    assert bell_badge(client.get(reverse("home")).content.decode()) == "1"
    services.mark_read(resident, [first.pk])
    assert bell_badge(client.get(reverse("home")).content.decode()) == "1"
    services.mark_all_read(resident)
    assert bell_badge(client.get(reverse("home")).content.decode()) == ""


def test_a_stored_notice_forgets_its_recipients_kept_counts(cast, published, after_commit):
    from django.utils import timezone

    from notifications import services

    before = services.unread_count(cast.resident)
    assert before >= 1
    Notification.objects.filter(user=cast.resident).update(read_at=timezone.now())  # not by the services
    assert services.unread_count(cast.resident) == before  # the kept count
    event = published.events.order_by("-pk").first()
    notice = services.Notice(category="status", title="Снова", text="", url="/")
    after_commit(services.store_notices, event, [(cast.resident, notice)])
    assert services.unread_count(cast.resident) == 0  # counted again
