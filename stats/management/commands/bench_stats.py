"""Time the statistics pages on the current database.

    manage.py bench_stats                # the city page, this month: median of 20
    manage.py bench_stats --runs 50 --all

It reads only (make the data first, in a dedicated database: createdb;
migrate; import_places; create_organizations; load_topics;
generate_city --reports N --yes; rebuild_stats). The page cache is switched
off for the measurement, so each request does the aggregation it would do on
a cache miss; the queries of one request are counted too.
"""

from __future__ import annotations

import statistics
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.test import Client
from django.test.utils import override_settings
from django.urls import reverse

from issues.models import Report
from organizations.models import Organization
from places.models import District, Okrug
from stats.models import Counter, ReportFact


class Command(BaseCommand):
    help = "Замеряет страницу статистики города (медиана по N запросам, кэш страниц выключен)."

    def add_arguments(self, parser):
        parser.add_argument("--runs", type=int, default=20)
        parser.add_argument("--all", action="store_true", help="и другие страницы, периоды, GeoJSON")

    def handle(self, *args, runs, all, **options):
        if runs < 1:
            raise CommandError("--runs: хотя бы 1.")
        reports, facts, cells = Report.objects.count(), ReportFact.objects.count(), Counter.objects.count()
        self.stdout.write(
            f"База {connection.settings_dict.get('NAME')!r} ({connection.vendor}): сообщений {reports:,}, "
            f"фактов {facts:,}, ячеек счётчиков {cells:,}"
        )
        if facts < reports:
            self.stderr.write("Фактов меньше, чем сообщений: сначала manage.py rebuild_stats.")
        targets = [("город, этот месяц", reverse("stats:city"), {})]
        if all:
            okrug = Okrug.objects.order_by("pk").first()
            district = District.objects.order_by("pk").first()
            busiest = (
                ReportFact.objects.exclude(organization=None)
                .values_list("organization", flat=True)
                .order_by()
                .first()
            )
            org = Organization.objects.filter(pk=busiest).first() or Organization.objects.first()
            targets += [
                ("город, эта неделя", reverse("stats:city"), {"period": "week"}),
                ("город, этот год", reverse("stats:city"), {"period": "year"}),
                ("город, 45 дней (дни + месяц)", reverse("stats:city"), _custom(45)),
                ("округ, этот месяц", reverse("stats:okrug", args=[okrug.pk]), {}),
                ("район, этот месяц", reverse("stats:district", args=[district.pk]), {}),
                ("организация, этот месяц", reverse("stats:org", args=[org.pk]), {}),
                ("GeoJSON районов, этот месяц", reverse("stats:districts-geojson"), {}),
                ("JSON города, этот месяц", reverse("stats:api-city"), {}),
            ]
        rows = []
        with override_settings(STATS_CACHE_SECONDS=0):
            client = Client()
            for label, url, params in targets:
                rows.append((label, *self._time(client, url, params, runs)))
        width = max(len(label) for label, *_ in rows)
        self.stdout.write(f"{'страница'.ljust(width)}  медиана, мс  мин, мс  запросов к БД")
        for label, median, fastest, queries in rows:
            self.stdout.write(f"{label.ljust(width)}  {median:11.1f}  {fastest:7.1f}  {queries:13}")

    def _time(self, client: Client, url: str, params: dict, runs: int) -> tuple[float, float, int]:
        response = client.get(url, params)  # warm: connections, templates, shapes
        if response.status_code != 200:
            raise CommandError(f"{url}: {response.status_code}")
        queries = []
        with connection.execute_wrapper(lambda execute, sql, *a: queries.append(sql) or execute(sql, *a)):
            client.get(url, params)
        samples = []
        for _ in range(runs):
            started = time.perf_counter()
            response = client.get(url, params)
            if response.streaming:
                b"".join(response.streaming_content)
            samples.append((time.perf_counter() - started) * 1000)
        return statistics.median(samples), min(samples), len(queries)


def _custom(days: int) -> dict:
    import datetime as dt

    from django.utils import timezone

    today = timezone.localdate()
    return {
        "period": "custom",
        "from": (today - dt.timedelta(days=days)).isoformat(),
        "to": today.isoformat(),
    }
