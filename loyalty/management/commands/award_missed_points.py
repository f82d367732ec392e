"""Replay the awards of recent answers and inspections, in case one failed or
was lost. Safe to run any number of times: an award is made once."""

import datetime as dt

from django.core.management.base import BaseCommand
from django.utils import timezone

from issues.models import EventKind, ReportEvent
from loyalty import services
from volunteers.models import Inspection


class Command(BaseCommand):
    help = "Начислить баллы за ответы и проверки последних дней, если начисление не состоялось."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=7)

    def handle(self, *args, days: int, **options):
        since = timezone.now() - dt.timedelta(days=days)
        events = ReportEvent.objects.filter(kind=EventKind.ANSWER_PUBLISHED, created_at__gte=since)
        answers = sum(services.award_for_answer(pk) is not None for pk in events.values_list("pk", flat=True))
        inspections = Inspection.objects.filter(status=Inspection.Status.ACCEPTED, updated_at__gte=since)
        checked = sum(
            services.award_for_inspection(pk) is not None for pk in inspections.values_list("pk", flat=True)
        )
        self.stdout.write(f"Начислено: за ответы — {answers}, за проверки — {checked}.")
