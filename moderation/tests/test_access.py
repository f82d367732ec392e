"""Every page and action of the desk needs the moderate capability: 403 for
every other role, the login page for anonymous users."""

import pytest
from django.urls import reverse

from accounts.models import Role
from issues.models import EventKind, Status
from tests.factories import UserFactory, staff_of

pytestmark = pytest.mark.django_db

# (name, args or a key of the `targets` fixture, method)
URLS = [
    ("moderation:desk", None, "get"),
    *[("moderation:queue", [slug], "get") for slug in ("new", "answers", "disputes", "requests", "overdue")],
    ("moderation:report", "report", "get"),
    *[
        ("moderation:act", f"report:{action}", "post")
        for action in (
            "publish",
            "reject",
            "topic",
            "point",
            "merge",
            "publish-answer",
            "return-answer",
            "return",
            "dismiss",
        )
    ],
    ("moderation:decide", "request", "post"),
    ("moderation:organizations", None, "get"),
]
URL_IDS = [
    f"{name.split(':')[1]}{'-' + str(args) if isinstance(args, str) and ':' in args else ''}"
    for name, args, _ in URLS
]


@pytest.fixture
def targets(city):
    return {"report": city.new(), "request": city.redirect_request()}


def resolve(targets, name, args):
    if args is None:
        return reverse(name)
    if isinstance(args, list):
        return reverse(name, args=args)
    key, _, action = args.partition(":")
    pk = targets[key].pk
    return reverse(name, args=[pk, action] if action else [pk])


def outsider(role, housing):
    if role == Role.STAFF:
        return staff_of(housing)
    if role == Role.SUPERVISOR:
        return UserFactory(role=role, organization=housing.supervisor)
    return UserFactory(role=role)


@pytest.mark.parametrize(("name", "args", "method"), URLS, ids=URL_IDS)
@pytest.mark.parametrize("role", [Role.RESIDENT, Role.STAFF, Role.VOLUNTEER, Role.SUPERVISOR])
def test_other_roles_are_forbidden(client, targets, housing, name, args, method, role):
    client.force_login(outsider(role, housing))
    report = targets["report"]
    events_before = report.events.count()
    response = getattr(client, method)(resolve(targets, name, args), {"publish-seen_status": "moderation"})
    assert response.status_code == 403
    report.refresh_from_db()
    assert report.status == Status.MODERATION and report.events.count() == events_before


@pytest.mark.parametrize(("name", "args", "method"), URLS, ids=URL_IDS)
def test_anonymous_users_are_sent_to_log_in(client, targets, name, args, method):
    url = resolve(targets, name, args)
    response = getattr(client, method)(url)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('accounts:login')}?next={url}"


@pytest.mark.parametrize("role", [Role.MODERATOR, Role.ADMINISTRATOR])
def test_the_editorial_team_and_administrators_get_in(client, targets, role):
    client.force_login(UserFactory(role=role))
    assert client.get(reverse("moderation:desk")).status_code == 200
    assert client.get(reverse("moderation:report", args=[targets["report"].pk])).status_code == 200


def test_a_deactivated_moderator_is_sent_to_log_in(client):
    client.force_login(UserFactory(role=Role.MODERATOR, is_active=False))
    # The auth backend refuses inactive users: the session counts as anonymous.
    response = client.get(reverse("moderation:desk"))
    assert response.status_code == 302


def test_actions_refuse_get(desk, targets):
    url = reverse("moderation:act", args=[targets["report"].pk, "publish"])
    assert desk.get(url).status_code == 405
    assert not targets["report"].events.filter(kind=EventKind.PUBLISHED).exists()


def test_unknown_reports_actions_and_requests_are_missing(desk, targets):
    report = targets["report"]
    assert desk.get(reverse("moderation:report", args=[report.pk + 1000])).status_code == 404
    assert desk.post(reverse("moderation:act", args=[report.pk, "explode"])).status_code == 404
    assert desk.post(reverse("moderation:decide", args=[targets["request"].pk + 1000])).status_code == 404
