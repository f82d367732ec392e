"""Reports moved into the states the desk works on, through the real
services, and the POSTs of the desk's forms."""

import datetime as dt

import time_machine
from django.urls import reverse
from django.utils import timezone

from issues import services
from issues.models import Outcome, Report
from tests.factories import RED_SQUARE, processed_photo, submit


class City:
    """Moves reports into the states the desk works on, through the services."""

    def __init__(self, moderator, resident, staff, topic):
        self.moderator, self.resident, self.staff, self.topic = moderator, resident, staff, topic

    def new(self, point=RED_SQUARE, topic=None, author=None, **kwargs) -> Report:
        return submit(author or self.resident, topic or self.topic, point, **kwargs)

    def in_work(self, **kwargs) -> Report:
        report = self.new(**kwargs)
        services.publish(self.moderator, report)
        return _fresh(report)

    def answer_review(self, text="Территория убрана.", **kwargs) -> Report:
        report = self.in_work(**kwargs)
        services.answer(
            self.staff, report, Outcome.DONE, text, photos=[processed_photo(colour=(10, 200, 10))]
        )
        return _fresh(report)

    def disputed(self, comment="Мусор так и лежит.", **kwargs) -> Report:
        report = self.answer_review(**kwargs)
        services.publish_answer(self.moderator, report)
        services.reject_fix(self.resident, report, comment, photos=[processed_photo(colour=(200, 10, 10))])
        return _fresh(report)

    def redirect_request(self, suggested=None, **kwargs):
        report = self.in_work(**kwargs)
        return services.request_redirect(self.staff, report, "Это не наша территория.", suggested)

    def postpone_request(self, days=40, **kwargs):
        report = self.in_work(**kwargs)
        planned = timezone.localdate() + dt.timedelta(days=days)
        return services.request_postponement(self.staff, report, planned, "Сезонные работы.")

    def overdue(self, **kwargs) -> Report:
        with time_machine.travel(timezone.now() - dt.timedelta(days=30)):
            report = self.in_work(**kwargs)
        services.mark_overdue(report.pk)
        return _fresh(report)


def _fresh(report: Report) -> Report:
    return Report.objects.get(pk=report.pk)


def seen(report: Report, prefix: str) -> dict:
    """The hidden fields of a form shown now."""
    report = _fresh(report)
    return {f"{prefix}-seen_status": report.status, f"{prefix}-seen_version": report.updated_at.isoformat()}


def post_action(client, report: Report, action: str, _seen: dict | None = None, **fields):
    data = _seen if _seen is not None else seen(report, action)
    data = {**data, **{f"{action}-{name}": value for name, value in fields.items()}}
    return client.post(reverse("moderation:act", args=[report.pk, action]), data)


def post_decision(client, request, _seen: dict | None = None, **fields):
    prefix = f"request-{request.pk}"
    data = _seen if _seen is not None else seen(request.report, prefix)
    data = {**data, **{f"{prefix}-{name}": value for name, value in fields.items()}}
    return client.post(reverse("moderation:decide", args=[request.pk]), data)
