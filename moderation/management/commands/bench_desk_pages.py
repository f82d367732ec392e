"""Time the editorial desk's queues and the organization's back office list
beside the minimal view, in-process through Django's test client.

    DEBUG=false manage.py bench_desk_pages                 # median of 30 runs each
    DEBUG=false manage.py bench_desk_pages --runs 100 --pages new office
    DEBUG=false manage.py bench_desk_pages --profile new   # cProfile of one page

Run it on a database filled by generate_city (never the one you work in):
it writes two bench users (a moderator, a staff member of the organization
with the most reports in work) and their sessions, nothing else. The figure
that matters is the ratio to the minimal view: a page that costs k times the
minimal view's time serves about 1/k of its requests per second (issue #8
asks for 0.30 or more, that is a page at most ~3.3x the minimal view).
"""

from __future__ import annotations

import cProfile
import io
import pstats
import re
import statistics
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Role, User
from issues.models import Report, Status
from moderation import selectors
from nashgorod.benchdata import bench_user, busiest_organization

BENCH_DOMAIN = "bench-desk.nashgorod.invalid"
ROW = re.compile(rb'<tr id="(?:report|request|inspection|application)-\d+"')


class Command(BaseCommand):
    help = "Замеряет очереди редакции и список кабинета организации рядом с минимальным видом."

    def add_arguments(self, parser):
        parser.add_argument("--runs", type=int, default=30, help="замеров на каждую страницу")
        parser.add_argument("--warmup", type=int, default=3, help="прогревочных запросов")
        parser.add_argument(
            "--pages",
            nargs="*",
            default=None,
            help="какие страницы: minimal, desk, office и слаги очередей (по умолчанию все)",
        )
        parser.add_argument("--profile", metavar="PAGE", help="профиль cProfile одной страницы")
        parser.add_argument("--top", type=int, default=35, help="строк профиля")

    def handle(self, *args, runs, warmup, pages, profile, top, **options):
        moderator, staff = self._moderator(), self._staff()
        clients = {"moderator": _client(moderator), "staff": _client(staff), "anonymous": Client()}
        report_id = Report.objects.order_by("pk").values_list("pk", flat=True).first() or 1
        targets = {
            "minimal": ("anonymous", f"{reverse('minimal')}?id={report_id}"),
            "desk": ("moderator", reverse("moderation:desk")),
            **{slug: ("moderator", reverse("moderation:queue", args=[slug])) for slug in selectors.QUEUES},
            "office": ("staff", reverse("backoffice:home")),
        }
        if profile:
            if profile not in targets:
                raise CommandError(f"Нет страницы {profile!r}: {', '.join(targets)}")
            who, url = targets[profile]
            self._profile(clients[who], url, runs, top)
            return
        chosen = pages or list(targets)
        unknown = set(chosen) - set(targets)
        if unknown:
            raise CommandError(f"Нет страниц {sorted(unknown)}: {', '.join(targets)}")
        if "minimal" not in chosen:
            chosen = ["minimal", *chosen]
        self.stdout.write(
            f"База {connection.settings_dict.get('NAME')!r} ({connection.vendor}), DEBUG={settings.DEBUG}, "
            f"сообщений {Report.objects.count():,}; организация {staff.organization} "
            f"(в работе {Report.objects.filter(organization=staff.organization, status=Status.IN_WORK).count()}); "
            f"медиана {runs} замеров"
        )
        self.stdout.write(f"{'page':<14}{'ms p50':>9}{'ms p90':>9}{'x minimal':>11}{'queries':>9}{'rows':>6}")
        base = None
        for name in chosen:
            who, url = targets[name]
            p50, p90, queries, rows = _measure(clients[who], url, runs, warmup)
            base = base or p50
            self.stdout.write(f"{name:<14}{p50:>9.2f}{p90:>9.2f}{p50 / base:>11.1f}{queries:>9}{rows:>6}")

    def _profile(self, client: Client, url: str, runs: int, top: int) -> None:
        _get(client, url)
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(runs):
            _get(client, url)
        profiler.disable()
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out)
        stats.sort_stats("cumulative").print_stats(top)
        stats.sort_stats("tottime").print_stats(top)
        self.stdout.write(f"{url}, {runs} запросов\n{out.getvalue()}")

    # -- the bench users ------------------------------------------------------------

    def _moderator(self) -> User:
        return bench_user(f"moderator@{BENCH_DOMAIN}", Role.MODERATOR)

    def _staff(self) -> User:
        organization = busiest_organization()
        if organization is None:
            raise CommandError("Нет сообщений в работе: сначала manage.py generate_city.")
        return bench_user(f"staff@{BENCH_DOMAIN}", Role.STAFF, organization_id=organization)


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _get(client: Client, url: str):
    response = client.get(url)
    if response.status_code != 200:
        raise CommandError(f"{url}: {response.status_code}")
    return response


def _measure(client: Client, url: str, runs: int, warmup: int) -> tuple[float, float, int, int]:
    """Median and 90th percentile in ms, then the queries and rows of one more request."""
    for _ in range(warmup):
        _get(client, url)
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        _get(client, url)
        times.append((time.perf_counter() - started) * 1000)
    with CaptureQueriesContext(connection) as captured:
        response = _get(client, url)
    p90 = statistics.quantiles(times, n=10)[-1] if len(times) > 1 else times[0]
    return statistics.median(times), p90, len(captured), len(ROW.findall(response.content))
