"""Fill the current database with published reports and time the public map.

    manage.py bench_public_map --reports 1000000 --yes
    manage.py bench_public_map --reports 0 --yes        # time only, insert nothing
    manage.py bench_public_map --delete --yes           # remove the bench reports

It WRITES into the database that settings point at (a dedicated one, please:
createdb nashgorod_bench, migrate, import_places, create_organizations,
load_topics), which is why it refuses to run without --yes.
"""

from __future__ import annotations

import random
import statistics
import time
import uuid
from datetime import timedelta

from django.contrib.gis.geos import Point
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role, User
from issues import mapgrid
from issues.models import PUBLISHED_STATUSES, Report, Topic
from places.models import Building, District

BENCH_EMAIL = "bench-public-map@nashgorod.invalid"
# The whole city at zoom 10, and a street-level view (1280×800 px at zoom 16)
# in the dense centre, by Тверская street.
CITY_BOX = (36.75, 55.05, 38.0, 56.1)
STREET_CENTRE = (37.6010, 55.7650)
STREET_ZOOM = 16
SUGGEST_QUERIES = ["академическ", "ул. Академическая Б., д. 4", "Королёва 9 корп. 1", "ле", "проспект мира 1"]
JITTER_M = 30


def street_box(centre=STREET_CENTRE, zoom=STREET_ZOOM, width_px=1280, height_px=800):
    degrees_per_px = 360 / (256 * 2**zoom)
    half_w = width_px / 2 * degrees_per_px
    half_h = height_px / 2 * degrees_per_px * mapgrid.LAT_FACTOR
    x, y = centre
    return (x - half_w, y - half_h, x + half_w, y + half_h)


class Command(BaseCommand):
    help = "Заполняет текущую базу опубликованными сообщениями и замеряет карту и подсказки адресов."

    def add_arguments(self, parser):
        parser.add_argument("--reports", type=int, default=1_000_000, help="сколько сообщений добавить")
        parser.add_argument("--batch", type=int, default=5_000, help="размер пачки вставки")
        parser.add_argument("--runs", type=int, default=20, help="замеров на каждый запрос")
        parser.add_argument("--seed", type=int, default=2011)
        parser.add_argument("--delete", action="store_true", help="удалить сообщения бенчмарка и выйти")
        parser.add_argument("--yes", action="store_true", help="да, писать в текущую базу")

    def handle(self, *args, reports, batch, runs, seed, delete, yes, **options):
        database = connection.settings_dict.get("NAME")
        if not yes:
            raise CommandError(
                f"Команда пишет в базу {database!r} ({connection.vendor}). Запустите с --yes, "
                "лучше на отдельной базе (например, nashgorod_bench)."
            )
        author = self._author()
        if delete:
            self._delete(author)
            return
        if reports > 0:
            started = time.perf_counter()
            if connection.vendor == "postgresql":
                self._insert_in_database(author, reports, max(batch, 50_000), seed)
            else:
                self._insert(author, reports, batch, random.Random(seed))  # noqa: S311 - test data, not secrets
            # Fresh statistics, or the planner guesses on a table that grew 100×;
            # on PostgreSQL a vacuum too, so that the grid's covering indexes
            # serve index-only scans (its tables are rewritten row by row by
            # the triggers, and autovacuum may not have come by yet).
            command = "VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE"
            with connection.cursor() as cursor:
                cursor.execute(command)
            self.stdout.write(f"  вставка и {command}: {time.perf_counter() - started:,.1f} с")
        self.stdout.write(
            f"База {database!r} ({connection.vendor}): сообщений всего {Report.objects.count():,}, "
            f"из них бенчмарка {Report.objects.filter(author=author).count():,}"
        )
        self._time_all(runs)

    # -- data ----------------------------------------------------------------

    def _author(self) -> User:
        author, _ = User.objects.get_or_create(
            email=BENCH_EMAIL,
            defaults={"full_name": "Бенчмарк карты", "role": Role.RESIDENT, "is_active": False},
        )
        return author

    def _insert(self, author: User, count: int, batch: int, rng: random.Random) -> None:
        places = list(
            Building.objects.filter(district__isnull=False).values_list(
                "point", "district_id", "district__okrug_id"
            )
        )
        topics = list(Topic.objects.values_list("pk", flat=True))
        if not places or not topics:
            raise CommandError("Нет домов или тем: сначала import_places, create_organizations, load_topics.")
        coords = [(p.x, p.y, d, o) for p, d, o in places]
        now = timezone.now()
        jitter_lat = JITTER_M / 111_320
        jitter_lon = jitter_lat / mapgrid.LAT_FACTOR
        started = time.perf_counter()
        made = 0
        while made < count:
            size = min(batch, count - made)
            rows = []
            for _ in range(size):
                x, y, district_id, okrug_id = rng.choice(coords)
                published = now - timedelta(minutes=rng.randrange(0, 60 * 24 * 365))
                rows.append(
                    Report(
                        author=author,
                        topic_id=rng.choice(topics),
                        status=rng.choice(PUBLISHED_STATUSES),
                        point=Point(
                            x + rng.uniform(-jitter_lon, jitter_lon),
                            y + rng.uniform(-jitter_lat, jitter_lat),
                            srid=4326,
                        ),
                        district_id=district_id,
                        okrug_id=okrug_id,
                        submission_key=uuid.UUID(int=rng.getrandbits(128), version=4),
                        published_at=published,
                        deadline=published + timedelta(days=8),
                    )
                )
            with transaction.atomic():
                Report.objects.bulk_create(rows, batch_size=batch)
            made += size
            rate = made / (time.perf_counter() - started)
            self.stdout.write(f"\r  добавлено {made:,} из {count:,} ({rate:,.0f}/с)", ending="")
            self.stdout.flush()
        self.stdout.write("")

    def _insert_in_database(self, author: User, count: int, batch: int, seed: int) -> None:
        """PostgreSQL: the same data made by INSERT … SELECT in the database,
        ~50× faster than bulk_create, which spends its time building a
        million model instances and their parameters in Python."""
        topics = list(Topic.objects.values_list("pk", flat=True))
        if not topics or not Building.objects.exists():
            raise CommandError("Нет домов или тем: сначала import_places, create_organizations, load_topics.")
        qn = connection.ops.quote_name
        jitter_lat = JITTER_M / 111_320
        generated = {
            "author_id": "%(author)s",
            "topic_id": "(%(topics)s::bigint[])[1 + floor(random() * %(topic_count)s)::int]",
            "status": "(%(statuses)s::text[])[1 + floor(random() * %(status_count)s)::int]",
            "point": (
                "ST_SetSRID(ST_MakePoint(p.x + (random() * 2 - 1) * %(jitter_lon)s,"
                " p.y + (random() * 2 - 1) * %(jitter_lat)s), 4326)"
            ),
            "district_id": "p.district_id",
            "okrug_id": "p.okrug_id",
            "submission_key": "gen_random_uuid()",
            "published_at": "pick.published_at",
            "deadline": "pick.published_at + interval '8 days'",
        }
        params = {
            "author": author.pk,
            "topics": topics,
            "topic_count": len(topics),
            "statuses": [str(s) for s in PUBLISHED_STATUSES],
            "status_count": len(PUBLISHED_STATUSES),
            "jitter_lat": jitter_lat,
            "jitter_lon": jitter_lat / mapgrid.LAT_FACTOR,
        }
        columns, values = [], []
        # Every other column gets its model default, so that a field added to
        # Report later does not break the benchmark (or fails it loudly).
        for field in Report._meta.concrete_fields:
            if field.primary_key:
                continue
            columns.append(qn(field.column))
            if field.attname in generated:
                values.append(generated[field.attname])
            elif getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
                values.append("now()")
            else:
                name = f"default_{field.attname}"
                params[name] = field.get_db_prep_save(field.get_default(), connection)
                values.append(f"%({name})s")
        building, district = (
            Building._meta.db_table,
            Building._meta.get_field("district").related_model._meta.db_table,
        )
        sql = f"""
            WITH places AS MATERIALIZED (
                SELECT row_number() OVER (ORDER BY b.id) AS n, ST_X(b.point) AS x, ST_Y(b.point) AS y,
                       b.district_id, d.okrug_id
                FROM {building} b JOIN {district} d ON d.id = b.district_id
            ), pick AS MATERIALIZED (
                SELECT 1 + floor(random() * (SELECT count(*) FROM places))::int AS n,
                       now() - random() * interval '365 days' AS published_at
                FROM generate_series(1, %(size)s)
            )
            INSERT INTO {Report._meta.db_table} ({", ".join(columns)})
            SELECT {", ".join(values)} FROM pick JOIN places p ON p.n = pick.n
        """  # noqa: S608 - names from the models' meta; every value is a parameter
        started = time.perf_counter()
        made = 0
        with connection.cursor() as cursor:
            cursor.execute("SELECT setseed(%s)", [(seed % 1000) / 1000])
            while made < count:
                size = min(batch, count - made)
                with transaction.atomic():
                    cursor.execute(sql, {**params, "size": size})
                made += size
                rate = made / (time.perf_counter() - started)
                self.stdout.write(f"\r  добавлено {made:,} из {count:,} ({rate:,.0f}/с)", ending="")
                self.stdout.flush()
        self.stdout.write("")

    def _delete(self, author: User) -> None:
        # A raw DELETE: the bench reports have no events, photos or followers,
        # and Django's cascade would load a million ids first.
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {Report._meta.db_table} WHERE author_id = %s", [author.pk])  # noqa: S608
            deleted = cursor.rowcount
        self.stdout.write(f"Удалено сообщений бенчмарка: {deleted:,}")

    # -- timing --------------------------------------------------------------

    def _time_all(self, runs: int) -> None:
        client = Client()
        data_url = reverse("public:map-data")
        city = ",".join(f"{v:.5f}" for v in CITY_BOX)
        street = ",".join(f"{v:.5f}" for v in street_box())
        rows = [
            self._time(client, "карта: весь город, zoom 10", data_url, {"bbox": city, "zoom": 10}, runs),
            self._time(
                client,
                "карта: весь город, zoom 10, группа «Дороги»",
                data_url,
                {"bbox": city, "zoom": 10, "group": "roads"},
                runs,
            ),
            self._time(
                client, "карта: улица, zoom 16", data_url, {"bbox": street, "zoom": STREET_ZOOM}, runs
            ),
            self._time(
                client,
                "карта: улица, zoom 16, «Решено»",
                data_url,
                {"bbox": street, "zoom": STREET_ZOOM, "status": "resolved"},
                runs,
            ),
            self._time(
                client,
                "карта: район Тверской, zoom 12",
                data_url,
                {"bbox": city, "zoom": 12, "district": self._district_id("Тверской")},
                runs,
            ),
            self._time(client, "страница /map/ (последние 20)", reverse("public:map"), {}, runs),
        ]
        latest = (
            Report.objects.filter(status__in=PUBLISHED_STATUSES).order_by("-pk").values_list("pk", flat=True)
        )
        if report_id := latest.first():
            rows.append(
                self._time(client, "страница сообщения", reverse("public:report", args=[report_id]), {}, runs)
            )
        suggest_url = reverse("places:suggest")
        timings = [
            self._time(client, f"подсказка «{q}»", suggest_url, {"q": q}, runs) for q in SUGGEST_QUERIES
        ]
        rows.extend(timings)
        rows.append(("подсказки: медиана по запросам", statistics.median(t[1] for t in timings), ""))
        self._table(rows)

    @staticmethod
    def _district_id(name: str) -> int:
        return District.objects.filter(name=name).values_list("pk", flat=True).first()

    def _time(self, client: Client, label: str, url: str, params: dict, runs: int):
        for _ in range(2):  # warm-up: caches, the planner, the connection
            response = client.get(url, params)
        if response.status_code != 200:
            raise CommandError(f"{label}: HTTP {response.status_code} {response.content[:200]!r}")
        samples = []
        for _ in range(runs):
            started = time.perf_counter()
            response = client.get(url, params)
            samples.append((time.perf_counter() - started) * 1000)
        return label, statistics.median(samples), self._size(response)

    @staticmethod
    def _size(response) -> str:
        if response.get("Content-Type", "").startswith("application/json"):
            body = response.json()
            if "features" in body:
                kinds = [f["properties"]["kind"] for f in body["features"]]
                size = f"{kinds.count('cluster')} кластеров, {kinds.count('report')} точек"
                size += f", всего {body['total']:,}"
                return size + (" (обрезано)" if body["truncated"] else "")
            if "results" in body:
                return f"{len(body['results'])} адресов"
        return f"{len(response.content) // 1024} КБ"

    def _table(self, rows) -> None:
        width = max(len(label) for label, _, _ in rows)
        self.stdout.write(f"\n{'запрос'.ljust(width)}  медиана, мс  ответ")
        for label, median, size in rows:
            self.stdout.write(f"{label.ljust(width)}  {median:11.1f}  {size}")
