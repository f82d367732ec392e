"""Who may see and do what in the back office, across every role of the
portal: the helpers themselves, then every /office/ URL."""

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.urls import reverse

from backoffice.access import (
    can_answer,
    get_report_for_office,
    get_report_for_staff,
    require_staff,
    require_supervisor,
)
from issues.models import Answer, EventKind, OrganizationRequest, Photo, Status

from .conftest import jpeg

pytestmark = pytest.mark.django_db


def answer_data(**extra):
    return {"outcome": "done", "text": "Двор убран.", "photos": [jpeg()], **extra}


def office_urls(report_id):
    return {
        "home": ("get", reverse("backoffice:home"), None),
        "report": ("get", reverse("backoffice:report", args=[report_id]), None),
        "answer": ("post", reverse("backoffice:answer", args=[report_id]), answer_data()),
        "redirect": (
            "post",
            reverse("backoffice:request-redirect", args=[report_id]),
            {"redirect-reason": "Не наш двор."},
        ),
        "postpone": (
            "post",
            reverse("backoffice:request-postponement", args=[report_id]),
            {"postpone-planned_date": "2099-05-01", "postpone-reason": "Сезонные работы."},
        ),
    }


def nothing_written(report):
    report.refresh_from_db()
    assert report.status == Status.IN_WORK
    assert not Answer.objects.filter(report=report).exists()
    assert not OrganizationRequest.objects.filter(report=report).exists()
    assert not Photo.objects.filter(report=report, role=Photo.Role.ANSWER).exists()
    assert not report.events.filter(
        kind__in=[EventKind.ANSWERED, EventKind.REDIRECT_REQUESTED, EventKind.POSTPONE_REQUESTED]
    ).exists()


# -- the helpers -----------------------------------------------------------------------


def test_require_staff_and_require_supervisor_check_the_capability(cast):
    require_staff(cast.staff)
    require_supervisor(cast.council_supervisor)
    for user in (cast.resident, cast.moderator, cast.volunteer, cast.administrator, cast.council_supervisor):
        with pytest.raises(PermissionDenied):
            require_staff(user)
    for user in (cast.resident, cast.moderator, cast.volunteer, cast.administrator, cast.staff):
        with pytest.raises(PermissionDenied):
            require_supervisor(user)


def test_get_report_for_staff_finds_only_the_own_organizations_reports(cast, publish):
    report = publish()

    assert get_report_for_staff(cast.staff, report.pk) == report
    assert get_report_for_staff(cast.colleague, str(report.pk)) == report
    for missing in (report.pk + 10_000, "abc", None):
        with pytest.raises(Http404):
            get_report_for_staff(cast.staff, missing)
    with pytest.raises(Http404):
        get_report_for_staff(cast.stranger, report.pk)
    # A supervisor reads (below) but is not staff: no answering helper for them.
    with pytest.raises(PermissionDenied):
        get_report_for_staff(cast.council_supervisor, report.pk)


def test_supervisors_read_the_reports_of_organizations_under_them(cast, publish):
    report = publish()

    for supervisor in (cast.council_supervisor, cast.prefecture_supervisor):
        assert get_report_for_office(supervisor, report.pk) == report
        assert not can_answer(supervisor, report)
    with pytest.raises(Http404):
        get_report_for_office(cast.foreign_supervisor, report.pk)
    assert can_answer(cast.staff, report)
    assert not can_answer(cast.stranger, report)


# -- the URLs --------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["resident", "moderator", "volunteer", "administrator"])
def test_users_without_the_answer_or_supervise_capability_get_403_everywhere(client, cast, publish, role):
    report = publish()
    client.force_login(getattr(cast, role))

    for name, (method, url, data) in office_urls(report.pk).items():
        response = getattr(client, method)(url, data) if data else getattr(client, method)(url)
        assert response.status_code == 403, name

    nothing_written(report)


def test_anonymous_visitors_are_sent_to_log_in(client, publish):
    report = publish()

    for name, (method, url, data) in office_urls(report.pk).items():
        response = getattr(client, method)(url, data) if data else getattr(client, method)(url)
        assert response.status_code == 302, name
        assert response["Location"].startswith(reverse("accounts:login")), name

    nothing_written(report)


def test_staff_of_another_organization_cannot_see_or_touch_the_report(client, cast, publish):
    report = publish()
    client.force_login(cast.stranger)

    listing = client.get(reverse("backoffice:home"))
    assert listing.status_code == 200
    assert f'id="report-{report.pk}"' not in listing.content.decode()
    for name, (method, url, data) in office_urls(report.pk).items():
        if name == "home":
            continue
        response = getattr(client, method)(url, data) if data else getattr(client, method)(url)
        assert response.status_code == 404, name

    nothing_written(report)


def test_a_missing_report_looks_the_same_as_another_organizations(client, cast, publish):
    report = publish()
    client.force_login(cast.stranger)

    theirs = client.get(reverse("backoffice:report", args=[report.pk]))
    missing = client.get(reverse("backoffice:report", args=[report.pk + 10_000]))

    assert theirs.status_code == missing.status_code == 404


def test_a_supervisor_reads_the_report_but_cannot_answer_or_ask(client, cast, publish):
    report = publish()

    for supervisor in (cast.council_supervisor, cast.prefecture_supervisor):
        client.force_login(supervisor)
        page = client.get(reverse("backoffice:report", args=[report.pk]))
        assert page.status_code == 200
        html = page.content.decode()
        assert "только просмотр" in html
        assert reverse("backoffice:answer", args=[report.pk]) not in html
        assert reverse("backoffice:request-redirect", args=[report.pk]) not in html
        for name in ("answer", "redirect", "postpone"):
            _, url, data = office_urls(report.pk)[name]
            assert client.post(url, data).status_code == 403, name

    nothing_written(report)


def test_a_supervisor_of_another_chain_gets_404(client, cast, publish):
    report = publish()
    client.force_login(cast.foreign_supervisor)

    assert client.get(reverse("backoffice:report", args=[report.pk])).status_code == 404


def test_staff_and_supervisors_see_the_office_link(client, cast):
    for user in (cast.staff, cast.council_supervisor):
        client.force_login(user)
        assert reverse("backoffice:home") in client.get(reverse("home")).content.decode()
    client.force_login(cast.resident)
    assert reverse("backoffice:home") not in client.get(reverse("home")).content.decode()
