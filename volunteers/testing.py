"""Set-up for tests of volunteer inspections (this app's, the desk's and the
cross-app flow): reports at each stage, made by the real services, and
volunteers approved the real way."""

from __future__ import annotations

import dataclasses
import datetime as dt

from django.contrib.gis.geos import Point
from django.utils import timezone

from accounts.models import Role
from issues import services as report_services
from issues.models import Outcome, Report, Topic
from tests.factories import RED_SQUARE, UserFactory, processed_photo, staff_of, submit
from volunteers import services
from volunteers.models import Volunteer

TOPIC = "yard-not-cleaned"
# About 330 m north of Red Square; and a spot a few metres away.
FAR_FROM_RED_SQUARE = Point(37.6208, 55.7569, srid=4326)
NEAR_RED_SQUARE = Point(37.6209, 55.7540, srid=4326)


def moderator():
    return UserFactory(role=Role.MODERATOR)


def volunteer(**kwargs):
    """A resident who applied and was approved."""
    user = UserFactory(**kwargs)
    application = services.apply(user, "Живу рядом, хочу помогать.")
    services.decide_application(moderator(), application.pk, approve=True)
    user.refresh_from_db()
    return user


def volunteer_record(user) -> Volunteer:
    return Volunteer.objects.get(user=user)


def report_in_work(point=RED_SQUARE, author=None) -> Report:
    report = submit(author or UserFactory(), Topic.objects.get(code=TOPIC), point=point)
    report_services.publish(moderator(), report)
    report.refresh_from_db()
    return report


def report_in_answer_review(outcome=Outcome.DONE, **kwargs) -> Report:
    report = report_in_work(**kwargs)
    planned = timezone.localdate() + dt.timedelta(days=30) if outcome == Outcome.PLANNED else None
    report_services.answer(
        staff_of(report.organization), report, outcome, "Работы выполнены", planned_date=planned
    )
    report.refresh_from_db()
    return report


def answered_report(outcome=Outcome.DONE, **kwargs) -> Report:
    report = report_in_answer_review(outcome, **kwargs)
    report_services.publish_answer(moderator(), report)
    report.refresh_from_db()
    return report


def disputed_report(**kwargs) -> Report:
    report = answered_report(**kwargs)
    report_services.reject_fix(report.author, report, "Ничего не сделано")
    report.refresh_from_db()
    return report


def photo_at(point: Point | None):
    """A photo through the real pipeline whose original said it was taken at `point`."""
    return dataclasses.replace(processed_photo(), gps=point)


def taken_task(report=None, user=None):
    """An ordered inspection taken by a volunteer: (inspection, volunteer)."""
    report = report or disputed_report()
    user = user or volunteer()
    inspection = services.order_inspection(moderator(), report, "Проверьте двор")
    return services.take_task(user, inspection.pk), user


def submitted_task(verdict="not_fixed", photos=None, report=None):
    inspection, user = taken_task(report)
    services.submit_verdict(
        user, inspection.pk, verdict, "Мусор на месте", photos or [photo_at(NEAR_RED_SQUARE)]
    )
    inspection.refresh_from_db()
    return inspection, user
