"""Reports taken to a published answer through the real services, and points
put on a test user's account."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from issues import services
from issues.models import EventKind, Outcome, Report, ReportEvent, Topic
from loyalty.models import Code, Entry, Reason, Reward
from places.models import District
from tests.factories import RED_SQUARE, submit


class Town:
    """Moves a resident's report to «ответ опубликован» with a chosen outcome."""

    def __init__(self, moderator, staff, topic: Topic):
        self.moderator, self.staff, self.topic = moderator, staff, topic

    def in_work(self, author) -> Report:
        report = submit(author, self.topic)
        services.publish(self.moderator, report)
        return report

    def answer(self, report: Report, outcome: str = Outcome.DONE) -> ReportEvent:
        planned = timezone.localdate() + dt.timedelta(days=30) if outcome == Outcome.PLANNED else None
        services.answer(self.staff, report.pk, outcome, "Сделано.", planned_date=planned)
        services.publish_answer(self.moderator, report.pk)
        return report.events.filter(kind=EventKind.ANSWER_PUBLISHED).order_by("-pk").first()

    def answered(self, author, outcome: str = Outcome.DONE) -> ReportEvent:
        return self.answer(self.in_work(author), outcome)


def credit(user, amount: int, topic: Topic | None = None) -> Entry:
    """Test setup: points on the user's account, as if a report had earned them."""
    district = District.objects.select_related("okrug").get(name="Тверской")
    report = Report.objects.create(
        author=user,
        topic=topic or Topic.objects.get(code="yard-not-cleaned"),
        point=RED_SQUARE,
        district=district,
        okrug=district.okrug,
    )
    return Entry.objects.create(user=user, amount=amount, reason=Reason.REPORT_CONFIRMED, report=report)


def reward_with_codes(price: int = 10, codes: int = 3, **kwargs) -> Reward:
    reward = Reward.objects.create(
        title=kwargs.pop("title", "Билет в Музей Москвы"), partner="Музей Москвы", price=price, **kwargs
    )
    Code.objects.bulk_create(Code(reward=reward, value=f"CODE-{reward.pk}-{i}") for i in range(codes))
    return reward
