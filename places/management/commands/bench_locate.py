"""How fast is point -> district: places.geo.locate() against the database,
and DistrictIndex in memory, on one thread, for random points in Moscow's box.

    python manage.py bench_locate                 # 20,000 points, seed 2011
    python manage.py bench_locate --compare-orm   # also the plain ORM query

Besides lookups per wall-clock second it prints the CPU time per lookup of
this process and, when PostgreSQL runs on this machine, of its server
process: their sum is what one lookup costs on one core, a figure that other
work on a busy machine disturbs far less than the wall clock.
"""

from __future__ import annotations

import os
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.test.utils import override_settings

from places.geo import MOSCOW_BBOX, DistrictIndex, Location, locate, make_point
from places.models import District


def random_points(count: int, seed: int) -> list:
    west, south, east, north = MOSCOW_BBOX
    rng = random.Random(seed)  # noqa: S311 (a benchmark, not a secret)
    return [make_point(rng.uniform(west, east), rng.uniform(south, north)) for _ in range(count)]


def orm_locate(point) -> Location | None:
    """locate() as a plain ORM query: the baseline it is measured against."""
    district = District.objects.filter(boundary__covers=point).select_related("okrug").order_by("pk").first()
    return Location(district=district, okrug=district.okrug) if district else None


@dataclass
class Timing:
    lookups: int
    found: int
    wall: float
    client_cpu: float
    server_cpu: float | None

    def describe(self) -> str:
        rate = self.lookups / self.wall
        text = (
            f"{_number(rate)} точек/с ({self.wall:.2f} с, {self.wall / self.lookups * 1e6:.0f} мкс на точку); "
            f"найдено {self.found / self.lookups:.1%} ({self.found})"
        )
        cpu = self.client_cpu + (self.server_cpu or 0)
        if cpu > 0:
            parts = f"клиент {self.client_cpu / self.lookups * 1e6:.0f} мкс"
            if self.server_cpu is not None:
                parts += f" + сервер БД {self.server_cpu / self.lookups * 1e6:.0f} мкс"
            text += f"\n    CPU на точку: {parts} → {_number(self.lookups / cpu)} точек/с на одно ядро"
        return text


def _number(value: float) -> str:
    return f"{value:,.0f}".replace(",", "\u2009")


class Command(BaseCommand):
    help = "Замеряет скорость определения района по точке (places.geo.locate и DistrictIndex)."

    def add_arguments(self, parser):
        parser.add_argument("--points", type=int, default=20_000, help="Сколько случайных точек.")
        parser.add_argument("--seed", type=int, default=2011, help="Зерно генератора точек.")
        parser.add_argument("--skip-index", action="store_true", help="Не замерять DistrictIndex.")
        parser.add_argument(
            "--compare-orm", action="store_true", help="Замерить и запрос через ORM (как было до ускорения)."
        )

    def handle(self, *args, points: int, seed: int, skip_index: bool, compare_orm: bool, **options):
        if points < 1:
            raise CommandError("--points: нужно хотя бы одна точка.")
        if not District.objects.exists():
            raise CommandError("Нет районов: сначала запустите import_places.")
        sample = random_points(points, seed)
        server = _ServerClock()
        self.stdout.write(
            f"База данных: {connection.vendor} ({connection.settings_dict['ENGINE']}); "
            f"точек: {points}, зерно {seed}; один поток"
        )
        # Time the queries as production runs them: DEBUG would also log each one.
        with override_settings(DEBUG=False):
            locate(sample[0])  # connect and warm up
            answers = self._run("locate()", locate, sample, server)
            if compare_orm:
                self._run("ORM-запрос", orm_locate, sample, server)
        if skip_index:
            return
        started = time.perf_counter()
        index = DistrictIndex()
        self.stdout.write(f"DistrictIndex: построен за {time.perf_counter() - started:.2f} с")
        index_answers = self._run("DistrictIndex.locate()", index.locate, sample, None)
        disagree = sum(
            1 for a, b in zip(answers, index_answers, strict=True) if _district_id(a) != _district_id(b)
        )
        self.stdout.write(f"Расхождений между locate() и DistrictIndex: {disagree}")

    def _run(self, name: str, func: Callable, sample: list, server: _ServerClock | None) -> list:
        server_started = server.read() if server else None
        cpu_started = time.process_time()
        started = time.perf_counter()
        answers = [func(point) for point in sample]
        wall = time.perf_counter() - started
        client_cpu = time.process_time() - cpu_started
        server_cpu = None
        if server_started is not None:
            server_cpu = server.read() - server_started
        timing = Timing(len(sample), sum(1 for a in answers if a is not None), wall, client_cpu, server_cpu)
        self.stdout.write(f"{name}: {timing.describe()}")
        return answers


class _ServerClock:
    """CPU seconds used by this connection's PostgreSQL server process, when
    that process runs on this machine (read from /proc); None otherwise."""

    def __init__(self):
        self.stat = None
        if connection.vendor != "postgresql":
            return
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            pid = cursor.fetchone()[0]
        stat = Path(f"/proc/{pid}/stat")
        host = connection.settings_dict.get("HOST") or "localhost"
        if host in ("localhost", "127.0.0.1", "::1") and stat.exists():
            self.stat = stat

    def read(self) -> float | None:
        if self.stat is None:
            return None
        fields = self.stat.read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


def _district_id(location: Location | None) -> int | None:
    return location.district.pk if location else None
