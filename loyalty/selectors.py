"""Reading the programme: balances, history, the catalog and the funds. Used
by the HTML pages and the API alike."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from loyalty.models import EARNING_REASONS, Code, Entry, Fund, Reward


def _user_id(user) -> int:
    return user if isinstance(user, int) else user.pk


def balance(user) -> int:
    """The user's points: the sum of their ledger, nothing stored."""
    return Entry.objects.filter(user_id=_user_id(user)).aggregate(s=Coalesce(Sum("amount"), 0))["s"]


def day_start(now: dt.datetime | None = None) -> dt.datetime:
    """Midnight of the current day in Moscow (the daily cap's day)."""
    local = timezone.localtime(now or timezone.now())
    return local.replace(hour=0, minute=0, second=0, microsecond=0)


def earned_today(user, now: dt.datetime | None = None) -> int:
    """Points earned since midnight (Moscow time): what the daily cap counts."""
    return Entry.objects.filter(
        user_id=_user_id(user), reason__in=EARNING_REASONS, created_at__gte=day_start(now)
    ).aggregate(s=Coalesce(Sum("amount"), 0))["s"]


def history(user) -> QuerySet[Entry]:
    """The user's ledger, newest first, with what each entry concerns (one query)."""
    return Entry.objects.filter(user_id=_user_id(user)).select_related(
        "report__topic", "reward", "code", "donation__fund"
    )


def codes_received(user) -> QuerySet[Code]:
    return Code.objects.filter(issued_to_id=_user_id(user)).select_related("reward").order_by("-issued_at")


def catalog() -> QuerySet[Reward]:
    """Rewards on offer, each with its count of unused codes (one query)."""
    return Reward.objects.filter(is_active=True).annotate(
        in_stock=Count("codes", filter=Q(codes__issued_to__isnull=True))
    )


def funds() -> QuerySet[Fund]:
    """Funds accepting donations, each with its total and number of donors."""
    return Fund.objects.filter(is_active=True).annotate(
        total=Coalesce(Sum("donations__amount"), 0), donors=Count("donations__user", distinct=True)
    )
