"""Time the scheduler on a big city: how long a run takes when N reports are
in the database and exactly --due of them are due, and that it touches only
those. Writes into the current database (use a dedicated one):

    manage.py generate_city --reports 1000000 --yes
    manage.py bench_scheduler --due 1000 --yes
"""

import random
import statistics
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, reset_queries
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from issues import scheduler
from issues.models import Report, Status


class Command(BaseCommand):
    help = "Замеряет проход планировщика: N сообщений в базе, из них --due просрочены только что."

    def add_arguments(self, parser):
        parser.add_argument("--due", type=int, default=1000)
        parser.add_argument("--idle-runs", type=int, default=5)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--yes", action="store_true")

    def handle(self, *args, due, idle_runs, seed, yes, **options):
        if not yes:
            raise CommandError("Команда меняет сообщения в текущей базе: запустите с --yes.")
        total = Report.objects.count()
        rng = random.Random(seed)  # noqa: S311 - picks test rows
        candidates = list(
            Report.objects.filter(status=Status.IN_WORK, is_overdue=False, escalation_level=0)
            .order_by()
            .values_list("pk", flat=True)[: due * 20]
        )
        if len(candidates) < due:
            raise CommandError(f"В работе без просрочки только {len(candidates)} сообщений, нужно {due}.")
        chosen = rng.sample(candidates, due)
        # Make exactly these due: their deadline passed an hour ago (bench setup, not a transition).
        Report.objects.filter(pk__in=chosen).update(deadline=timezone.now() - timezone.timedelta(hours=1))

        idle = []
        for _ in range(idle_runs):
            started = time.perf_counter()
            scheduler.send_reminders()
            scheduler.escalate_further()
            scheduler.auto_close()
            idle.append(time.perf_counter() - started)

        reset_queries()
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            result = scheduler.run_all()
            busy = time.perf_counter() - started
        touched = Report.objects.filter(pk__in=chosen, is_overdue=True).count()
        self.stdout.write(
            f"база: {connection.vendor}, сообщений {total:,}, сделано просроченными {due}\n"
            f"проход с {due} просроченными: {busy:.2f} с, {len(queries)} запросов, итог {result}\n"
            f"  из них помечено {touched} из {due}; других сообщений не тронуто: "
            f"{result['overdue'] == touched == due}\n"
            f"холостой проход (напоминания, повторная эскалация, автозакрытие): "
            f"медиана {statistics.median(idle) * 1000:.1f} мс"
        )
