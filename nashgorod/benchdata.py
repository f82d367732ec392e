"""The benchmark's own users, shared by bench/context.py (the load generator's
context) and manage.py bench_desk_pages (the in-process desk timings)."""

from __future__ import annotations

from django.db.models import Count

from accounts.models import User
from issues.models import Report, Status


def bench_user(email: str, role: str, **extra) -> User:
    """An active, confirmed user of `role`, created or brought up to date."""
    user, _ = User.objects.update_or_create(
        email=email,
        defaults={
            "full_name": f"Бенчмарк {role}",
            "role": role,
            "is_active": True,
            "email_confirmed": True,
            **extra,
        },
    )
    return user


def busiest_organization() -> int | None:
    """The organization with the most reports in work: its back office list is
    the longest the city has. None when nothing is in work."""
    row = (
        Report.objects.filter(status=Status.IN_WORK, organization__isnull=False)
        .values("organization")
        .annotate(n=Count("pk"))
        .order_by("-n")
        .first()
    )
    return None if row is None else row["organization"]
