"""What the load generator needs to know about the benchmark database: ids of
published reports, a moderator's and an organization's staff member's
sessions, a resident's API token, a topic and points for new reports.

    DATABASE_URL=postgis://... .venv/bin/python bench/context.py > context.json

Run against a database filled by `manage.py generate_city`. It writes a few
rows (bench users, their sessions and token) and is safe to run again.
"""

from __future__ import annotations

import json
import os
import random
import sys
from importlib import import_module
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nashgorod.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY  # noqa: E402
from rest_framework.authtoken.models import Token  # noqa: E402

from accounts.models import Role, User  # noqa: E402
from issues.models import PUBLISHED_STATUSES, Report, Topic  # noqa: E402
from nashgorod.benchdata import bench_user, busiest_organization  # noqa: E402
from places.models import Building  # noqa: E402

BENCH_DOMAIN = "bench.nashgorod.invalid"
SAMPLE = 2000


def _session(user: User) -> str:
    """A logged-in session, as the login view would leave it."""
    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    return store.session_key


def _busiest_organization() -> int:
    organization = busiest_organization()
    if organization is None:
        raise SystemExit("No report in work: fill the database with manage.py generate_city first.")
    return organization


def build() -> dict:
    rng = random.Random(2011)  # noqa: S311 - sampling test data
    max_id = Report.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    # A sample of published ids without reading the whole table: ids are dense.
    candidates = [rng.randint(1, max_id) for _ in range(SAMPLE * 3)]
    published = list(
        Report.objects.filter(pk__in=candidates, status__in=PUBLISHED_STATUSES).values_list("pk", flat=True)
    )[:SAMPLE]
    moderator = bench_user(f"moderator@{BENCH_DOMAIN}", Role.MODERATOR)
    staff = bench_user(f"staff@{BENCH_DOMAIN}", Role.STAFF, organization_id=_busiest_organization())
    reporters = [bench_user(f"resident{n}@{BENCH_DOMAIN}", Role.RESIDENT) for n in range(50)]
    topic = (
        Topic.objects.filter(is_active=True, needs_building=False, season__isnull=True).order_by("pk").first()
    )
    points = [
        (p.x, p.y) for p in Building.objects.order_by("?").values_list("point", flat=True)[:200]
    ]  # a random sample of real addresses
    return {
        "reports": published,
        "max_report_id": max_id,
        "moderator_session": _session(moderator),
        "staff_session": _session(staff),
        "session_cookie": settings.SESSION_COOKIE_NAME,
        "tokens": [Token.objects.get_or_create(user=u)[0].key for u in reporters],
        "topic": topic.pk,
        "points": points,
        "report_count": Report.objects.count(),
    }


if __name__ == "__main__":
    json.dump(build(), sys.stdout)
