"""The demo city: reports by demo residents at the real places of
../shared/data/moscow_nashgorod_works_2022_2024.geojson.gz, made through the
same service functions as real ones."""

from __future__ import annotations

import gzip
import io
import json
import random
from collections.abc import Callable, Iterable
from datetime import timedelta

import time_machine
from django.contrib.gis.geos import Point
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image, ImageDraw

from accounts.models import Role, User
from issues import services
from issues.models import Outcome, Report, Topic
from issues.services import Submission, submit_report
from places.geo import DistrictIndex
from places.importers import data_path
from places.models import Building

WORKS_FILE = "moscow_nashgorod_works_2022_2024.geojson.gz"
DEMO_DOMAIN = "demo.nashgorod.local"
DEMO_PASSWORD = "demo-nashgorod"  # noqa: S105 - printed for the demo, never used in production

# The organization that did the real works → topics of the matching kind.
CUSTOMER_TOPICS = {
    "Мосводосток": {"responsible_code": "mosvodostok"},
    "Автомобильные дороги": {"responsible_kind": "road_service"},
    "Моссвет": {"responsible_code": "mossvet"},
    "Жилищник": {"responsible_kind": "housing_service"},
}
DESCRIPTIONS = [
    "Проблема не решается уже вторую неделю, просьба принять меры.",
    "Жители дома неоднократно обращались в управу, результата нет.",
    "Опасно для детей и пожилых людей.",
    "Место указано на карте, фото прилагаю.",
    "Прошу устранить как можно скорее.",
    "",
]


def real_places(limit: int, rng: random.Random) -> list[tuple[Point, str, str]]:
    """(point, place description, customer) of real works, shuffled."""
    with gzip.open(data_path(WORKS_FILE), "rt", encoding="utf-8") as fh:
        features = json.load(fh)["features"]
    rng.shuffle(features)
    places = []
    for feature in features[: limit * 2]:
        coords = feature["geometry"]["coordinates"]
        if not coords:
            continue
        lon, lat = coords[0] if isinstance(coords[0], list) else coords
        props = feature["properties"]
        places.append(
            (
                Point(lon, lat, srid=4326),
                (props.get("WorkPlaceDescription") or "").strip(),
                props.get("Customer") or "",
            )
        )
    return places


def demo_photo(text: str, rng: random.Random) -> SimpleUploadedFile:
    colour = tuple(rng.randrange(60, 200) for _ in range(3))
    image = Image.new("RGB", (960, 720), colour)
    draw = ImageDraw.Draw(image)
    for _ in range(12):
        x, y = rng.randrange(960), rng.randrange(720)
        draw.ellipse(
            (x, y, x + rng.randrange(40, 200), y + rng.randrange(40, 200)),
            fill=tuple(rng.randrange(256) for _ in range(3)),
        )
    draw.rectangle((0, 640, 960, 720), fill=(0, 0, 0))
    draw.text((20, 665), text[:90], fill=(255, 255, 255))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=80)
    return SimpleUploadedFile("demo.jpg", buffer.getvalue(), content_type="image/jpeg")


def demo_residents(count: int = 25) -> list[User]:
    residents = []
    for n in range(1, count + 1):
        user, created = User.objects.get_or_create(
            email=f"resident{n}@{DEMO_DOMAIN}",
            defaults={"full_name": f"Житель Демо {n}", "role": Role.RESIDENT, "email_confirmed": True},
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
        residents.append(user)
    return residents


class _NearestBuilding:
    """Nearest register building to a point, from a coarse grid in memory."""

    CELL = 0.005  # degrees, about 300-500 m

    def __init__(self):
        self.grid: dict[tuple[int, int], list[Building]] = {}
        for b in Building.objects.only("id", "point", "address"):
            self.grid.setdefault(self._cell(b.point.x, b.point.y), []).append(b)

    def _cell(self, x, y):
        return int(x / self.CELL), int(y / self.CELL)

    def near(self, point: Point) -> Building | None:
        cx, cy = self._cell(point.x, point.y)
        candidates = [
            b for dx in (-1, 0, 1) for dy in (-1, 0, 1) for b in self.grid.get((cx + dx, cy + dy), [])
        ]
        if not candidates:
            return None
        return min(candidates, key=lambda b: (b.point.x - point.x) ** 2 + (b.point.y - point.y) ** 2)


def _pick_topic(customer: str, topics: list[Topic], rng: random.Random) -> Topic:
    for marker, match in CUSTOMER_TOPICS.items():
        if marker in customer:
            fitting = [t for t in topics if all(getattr(t, k) == v for k, v in match.items())]
            if fitting:
                return rng.choice(fitting)
    return rng.choice(topics)


# What becomes of the demo reports: (share, the steps after submission).
SCENARIOS = [
    (0.08, []),  # still in moderation
    (0.05, ["reject"]),
    (0.22, ["publish"]),  # in work; the old ones end up overdue and escalated
    (0.08, ["publish", "answer"]),  # the answer awaits the editorial team
    (0.12, ["publish", "answer", "publish_answer"]),  # awaits the author's verdict
    (0.30, ["publish", "answer", "publish_answer", "confirm"]),
    (0.05, ["publish", "answer", "return_answer", "answer", "publish_answer"]),
    (0.06, ["publish", "answer", "publish_answer", "reject_fix"]),
    (0.04, ["publish", "answer", "publish_answer", "reject_fix", "return_to_organization"]),
]
ANSWERS = {
    Outcome.DONE: "Работы выполнены. Территория приведена в надлежащее состояние.",
    Outcome.PLANNED: "Работы включены в план и будут выполнены в указанный срок.",
}


def _scenario(rng: random.Random) -> list[str]:
    roll, total = rng.random(), 0.0
    for share, steps in SCENARIOS:
        total += share
        if roll < total:
            return steps
    return SCENARIOS[-1][1]


def _staff_for(organization, cache: dict) -> User:
    if organization.pk not in cache:
        user, created = User.objects.get_or_create(
            email=f"staff-{organization.pk}@{DEMO_DOMAIN}",
            defaults={
                "full_name": f"Сотрудник {organization.name}"[:200],
                "role": Role.STAFF,
                "organization": organization,
                "email_confirmed": True,
            },
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
        cache[organization.pk] = user
    return cache[organization.pk]


def _live(report: Report, steps: list[str], start, moderator: User, staff_cache: dict, rng: random.Random):
    """Walk one report through `steps`, each a few hours to days after the
    last, through the same service functions as the real portal."""
    when = start
    for step in steps:
        when += timedelta(hours=rng.uniform(2, 60))
        if when >= timezone.now():
            return
        with time_machine.travel(when, tick=False):
            report.refresh_from_db()
            staff = _staff_for(report.organization, staff_cache) if report.organization_id else None
            if step == "publish":
                services.publish(moderator, report)
            elif step == "reject":
                services.reject(moderator, report, rng.choice(["no_problem", "private", "not_city"]))
            elif step == "answer":
                outcome = Outcome.PLANNED if rng.random() < 0.2 else Outcome.DONE
                planned = timezone.localdate() + timedelta(days=30) if outcome == Outcome.PLANNED else None
                services.answer(staff, report, outcome, ANSWERS[outcome], planned_date=planned)
            elif step == "publish_answer":
                services.publish_answer(moderator, report)
            elif step == "return_answer":
                services.return_answer(
                    moderator, report, "Ответ формальный: приложите фото выполненных работ."
                )
            elif step == "confirm":
                services.confirm(report.author, report)
            elif step == "reject_fix":
                services.reject_fix(report.author, report, "Проблема не решена, всё осталось как было.")
            elif step == "return_to_organization":
                services.return_to_organization(
                    moderator, report, "Опровержение обосновано, проверьте ещё раз."
                )


def fill_demo_city(
    count: int = 300,
    seed: int = 2011,
    progress: Callable[[Iterable], Iterable] = lambda it: it,
    days_back: int = 45,
) -> int:
    """Create `count` demo reports at real places over the last `days_back`
    days and move them through every state with the real service functions;
    then run the scheduler once so that late ones are overdue and escalated.
    Returns how many reports were made."""
    from issues.photos import process_upload

    rng = random.Random(seed)  # noqa: S311 - demo data, not secrets
    today = timezone.localdate()
    topics = [t for t in Topic.objects.select_related("season") if t.is_available(today)]
    residents = demo_residents()
    moderator, _ = User.objects.get_or_create(
        email=f"moderator@{DEMO_DOMAIN}",
        defaults={"full_name": "Редактор Демо", "role": Role.MODERATOR, "email_confirmed": True},
    )
    index = DistrictIndex()
    nearest = _NearestBuilding()
    staff_cache: dict = {}
    made = 0
    for point, place, customer in progress(real_places(count, rng)[:count]):
        if index.locate(point) is None:
            continue
        when = timezone.now() - timedelta(days=rng.uniform(0, days_back))
        # Seasonal topics only where their window was open on that day.
        open_then = [t for t in topics if t.is_available(timezone.localtime(when).date())]
        topic = _pick_topic(customer, open_then, rng)
        building = nearest.near(point) if topic.needs_building else None
        if topic.needs_building and building is None:
            continue
        photos = [process_upload(demo_photo(f"{topic.name} - {place}", rng))] if topic.photo_required else []
        description = " ".join(filter(None, [place and f"Место: {place}.", rng.choice(DESCRIPTIONS)]))
        with time_machine.travel(when, tick=False):
            report, _ = submit_report(
                rng.choice(residents),
                Submission(
                    topic=topic, point=point, description=description, building=building, photos=photos
                ),
            )
        _live(report, _scenario(rng), when, moderator, staff_cache, rng)
        made += 1
    from issues import scheduler

    scheduler.run_all()
    return made
