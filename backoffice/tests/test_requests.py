"""Asking the editorial team for a redirect or a postponement from the
report page: the request, its event, the pending request shown, and the
service's refusals."""

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from issues import services
from issues.models import EventKind, OrganizationRequest, Outcome

pytestmark = pytest.mark.django_db


def post(client, name, report, **data):
    return client.post(reverse(f"backoffice:{name}", args=[report.pk]), data)


def page(client, report):
    return client.get(reverse("backoffice:report", args=[report.pk]))


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def test_the_redirect_form_offers_active_organizations_but_the_own(client, cast, publish):
    report = publish()
    cast.council.is_active = False
    cast.council.save(update_fields=["is_active"])
    client.force_login(cast.staff)

    html = page(client, report).content.decode()

    select = re.search(r'<select[^>]*name="redirect-suggested_organization".*?</select>', html, re.S).group(0)
    offered = {int(pk) for pk in re.findall(r'<option value="(\d+)"', select)}
    assert cast.other.pk in offered
    assert cast.housing.pk not in offered and cast.council.pk not in offered
    assert '<optgroup label="Префектура">' in select
    assert "ГБУ «Жилищник района Арбат»" in select  # escaped only where it must be


def test_a_redirect_request_is_filed_with_its_event_and_shown_as_pending(client, cast, publish):
    report = publish()
    client.force_login(cast.staff)

    response = post(
        client,
        "request-redirect",
        report,
        **{
            "redirect-reason": "Двор обслуживает другой Жилищник.",
            "redirect-suggested_organization": cast.other.pk,
        },
    )

    assert response.status_code == 302
    request = OrganizationRequest.objects.get(report=report)
    assert (request.kind, request.state, request.organization, request.requested_by) == (
        OrganizationRequest.Kind.REDIRECT,
        OrganizationRequest.State.PENDING,
        cast.housing,
        cast.staff,
    )
    assert request.suggested_organization == cast.other
    event = report.events.get(kind=EventKind.REDIRECT_REQUESTED)
    assert event.payload == {"request": request.pk} and not event.is_public
    followed = client.get(response["Location"])
    assert "Запрос на переадресацию отправлен редакции." in messages_of(followed)
    html = followed.content.decode()
    assert "Двор обслуживает другой Жилищник." in html and "ожидает решения" in html
    assert "Запрос на переадресацию ждёт решения редакции." in html
    assert 'name="redirect-reason"' not in html  # no second form while one waits
    assert 'name="postpone-reason"' in html


def test_a_second_redirect_request_is_refused_by_the_service(client, cast, publish):
    report = publish()
    services.request_redirect(cast.colleague, report, "Не наш двор.")
    client.force_login(cast.staff)

    response = post(client, "request-redirect", report, **{"redirect-reason": "Ещё раз: не наш."})

    assert "Такой запрос уже ждёт решения редакции." in messages_of(client.get(response["Location"]))
    assert OrganizationRequest.objects.filter(report=report).count() == 1


def test_a_redirect_request_needs_a_reason(client, cast, publish):
    report = publish()
    client.force_login(cast.staff)

    response = post(
        client,
        "request-redirect",
        report,
        **{"redirect-reason": "", "redirect-suggested_organization": cast.other.pk},
    )

    assert response.status_code == 200
    assert "reason" in response.context["redirect_form"].errors
    assert f'<option value="{cast.other.pk}" selected>' in response.content.decode()  # the choice is kept
    assert not OrganizationRequest.objects.exists()


def test_a_postponement_request_is_filed_with_its_date(client, cast, publish):
    report = publish()
    client.force_login(cast.staff)
    day = timezone.localdate() + dt.timedelta(days=60)

    response = post(
        client,
        "request-postponement",
        report,
        **{"postpone-planned_date": day.isoformat(), "postpone-reason": "Асфальт кладут с апреля."},
    )

    assert response.status_code == 302
    request = OrganizationRequest.objects.get(report=report)
    assert (request.kind, request.planned_date, request.reason) == (
        OrganizationRequest.Kind.POSTPONE,
        day,
        "Асфальт кладут с апреля.",
    )
    assert report.events.filter(kind=EventKind.POSTPONE_REQUESTED).count() == 1
    html = client.get(response["Location"]).content.decode()
    assert "Запрос на перенос срока ждёт решения редакции." in html
    assert day.strftime("%d.%m.%Y") in html


def test_a_postponement_to_a_past_date_is_refused_on_the_field(client, cast, publish):
    report = publish()
    client.force_login(cast.staff)

    response = post(
        client,
        "request-postponement",
        report,
        **{"postpone-planned_date": timezone.localdate().isoformat(), "postpone-reason": "Сезон."},
    )

    assert response.status_code == 200
    assert response.context["postpone_form"].errors["planned_date"] == [
        "Плановая дата должна быть в будущем."
    ]
    assert not OrganizationRequest.objects.exists()


def test_requests_on_a_report_no_longer_in_work_are_refused(client, cast, publish):
    report = publish()
    services.answer(cast.staff, report, Outcome.PLANNED, "Уберём.", planned_date=dt.date(2099, 1, 1))
    client.force_login(cast.staff)

    response = post(
        client,
        "request-postponement",
        report,
        **{"postpone-planned_date": "2099-05-01", "postpone-reason": "Сезон."},
    )

    assert "уже в статусе «Ответ на проверке»" in " ".join(messages_of(client.get(response["Location"])))
    assert not OrganizationRequest.objects.exists()


def test_a_refused_request_and_its_comment_are_shown(client, cast, publish):
    report = publish()
    request = services.request_postponement(cast.staff, report, dt.date(2099, 1, 1), "Сезон.")
    services.decide_postponement(cast.moderator, request.pk, grant=False, comment="Уберите сейчас.")
    client.force_login(cast.staff)

    html = page(client, report).content.decode()

    assert "отклонён" in html and "Уберите сейчас." in html
    assert "В переносе срока отказано" in html  # the timeline's internal event
    assert 'name="postpone-reason"' in html  # may ask again
