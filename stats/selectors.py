"""The read side: figures of a scope (the city, an okrug, a district, an
organization) for a period, from the counters. Every query reads one level's
cells of the period's buckets through the cell index; nothing here scans
reports or facts (the open-data list of reports, in stats.exports, does)."""

from __future__ import annotations

import datetime as dt
import heapq
import math
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from functools import partial, reduce
from operator import or_

from django.conf import settings
from django.core.cache import cache
from django.db.models import Q, Sum
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from issues.models import TopicGroup
from organizations.models import Organization
from places.models import District, Okrug
from stats.models import METRICS, NOW_START, Counter, Grain, Level, StatsState
from stats.periods import Period

RANKING_SIZE = 10
WILSON_Z = 1.96  # 95 %


@dataclass
class Figures:
    received: int = 0
    published: int = 0
    answered: int = 0
    answered_on_time: int = 0
    answered_late: int = 0
    confirmed: int = 0
    disputed: int = 0
    returned: int = 0
    resolved: int = 0
    in_work: int = 0
    overdue: int = 0
    # Answer times: {whole hours: answers}; the keys stay as the JSON has
    # them (strings) while summing, the hot loop of a page.
    hours: dict = field(default_factory=dict)

    def add(self, values, hours: dict | None = None) -> None:
        for name, value in zip(METRICS, values, strict=True):
            if value:
                setattr(self, name, getattr(self, name) + value)
        if hours:
            mine = self.hours
            for hour, count in hours.items():
                mine[hour] = mine.get(hour, 0) + count

    def merge(self, other: Figures) -> None:
        self.add([getattr(other, name) for name in METRICS], other.hours)

    @staticmethod
    def _share(part: int, whole: int) -> float | None:
        return part / whole if whole else None

    @property
    def on_time_share(self) -> float | None:
        return self._share(self.answered_on_time, self.answered)

    @property
    def confirmed_share(self) -> float | None:
        return self._share(self.confirmed, self.answered)

    @property
    def disputed_share(self) -> float | None:
        return self._share(self.disputed, self.answered)

    @property
    def returned_share(self) -> float | None:
        return self._share(self.returned, self.answered)

    @property
    def overdue_share(self) -> float | None:
        return self._share(self.overdue, self.in_work)

    def percentile_hours(self, fraction: float) -> int | None:
        """Nearest rank: the smallest answer time (whole hours) that at least
        `fraction` of the answers did not exceed."""
        total = sum(self.hours.values())
        if not total:
            return None
        rank, seen = math.ceil(fraction * total), 0
        for hour, count in sorted((int(h), n) for h, n in self.hours.items()):
            seen += count
            if seen >= rank:
                return hour
        return None  # not reached

    @property
    def median_hours(self) -> int | None:
        return self.percentile_hours(0.5)

    @property
    def p90_hours(self) -> int | None:
        return self.percentile_hours(0.9)

    @property
    def median_days(self) -> float | None:
        hours = self.median_hours
        return None if hours is None else round(hours / 24, 1)

    @property
    def p90_days(self) -> float | None:
        hours = self.p90_hours
        return None if hours is None else round(hours / 24, 1)

    def as_dict(self) -> dict:
        """The open-data shape (shares as fractions, times in days)."""
        out = {name: getattr(self, name) for name in METRICS}
        for name in ("on_time_share", "confirmed_share", "disputed_share", "returned_share", "overdue_share"):
            value = getattr(self, name)
            out[name] = None if value is None else round(value, 4)
        out["median_answer_days"] = self.median_days
        out["p90_answer_days"] = self.p90_days
        return out


def wilson(successes: int, total: int, z: float = WILSON_Z) -> tuple[float, float]:
    """The Wilson score interval of a share: narrow for many answers, wide for few."""
    if not total:
        return 0.0, 1.0
    share = successes / total
    denominator = 1 + z * z / total
    centre = share + z * z / (2 * total)
    spread = z * math.sqrt(share * (1 - share) / total + z * z / (4 * total * total))
    return max(0.0, (centre - spread) / denominator), min(1.0, (centre + spread) / denominator)


# --- scopes ---------------------------------------------------------------------


@dataclass(frozen=True)
class Scope:
    kind: str  # city | okrug | district | org
    id: int = 0
    okrug_id: int = 0  # a district's okrug

    @property
    def cells(self) -> tuple[int, dict]:
        """The level and the filter of the scope's cells in all topic groups
        (the chart reads these)."""
        if self.kind == "okrug":
            return Level.OKRUG_TOTAL, {"okrug_id": self.id}
        if self.kind == "district":
            return Level.DISTRICT_TOTAL, {"okrug_id": self.okrug_id, "district_id": self.id}
        if self.kind == "org":
            return Level.ORGANIZATION_TOTAL, {"organization_id": self.id}
        return Level.CITY, {}


CITY = Scope("city")


def _bucket_q(buckets: list[tuple[str, dt.date]], now: bool) -> Q:
    by_grain: dict[str, list[dt.date]] = defaultdict(list)
    for grain, start in buckets:
        by_grain[grain].append(start)
    parts = [Q(grain=grain, start__in=starts) for grain, starts in by_grain.items()]
    if now:
        parts.append(Q(grain=Grain.NOW, start=NOW_START))
    return reduce(or_, parts)


def collect(
    level: int,
    filters: dict,
    buckets: list[tuple[str, dt.date]],
    by: tuple[str, ...] = (),
    *,
    hours: bool = True,
    now: bool = True,
    total: bool = True,
) -> dict:
    """One query: the cells of a level in the period's buckets (and "now"),
    summed as a total (key None, unless total=False) and by each key column
    in `by`."""
    out: dict = {None: Figures(), **{key: defaultdict(Figures) for key in by}}
    columns = [*by, *METRICS, *(["answer_hours"] if hours else [])]
    rows = Counter.objects.filter(_bucket_q(buckets, now), level=level, **filters).values_list(*columns)
    width = len(by)
    for row in rows:
        values = row[width : width + len(METRICS)]
        hist = row[-1] if hours else None
        if total:
            out[None].add(values, hist)
        for i, key in enumerate(by):
            out[key][row[i]].add(values, hist)
    return out


def answers_by(level: int, filters: dict, buckets: list[tuple[str, dt.date]], key: str) -> dict[int, Figures]:
    """Answers and answers on time per key, summed by the database (the
    ranking of a few thousand organizations needs no more)."""
    rows = (
        Counter.objects.filter(_bucket_q(buckets, False), level=level, **filters)
        .values(key)
        .annotate(n=Sum("answered"), on_time=Sum("answered_on_time"))
        .filter(n__gt=0)
        .values_list(key, "n", "on_time")
    )
    return {pk: Figures(answered=n, answered_on_time=on_time) for pk, n, on_time in rows}


def series(level: int, filters: dict, buckets: list[tuple[str, dt.date]]) -> list[tuple[dt.date, int, int]]:
    """(bucket start, received, answered) for the chart."""
    found: dict[dt.date, list[int]] = defaultdict(lambda: [0, 0])
    rows = Counter.objects.filter(_bucket_q(buckets, False), level=level, **filters).values_list(
        "start", "received", "answered"
    )
    for start, received, answered in rows:
        found[start][0] += received
        found[start][1] += answered
    return [(start, *found.get(start, (0, 0))) for _, start in buckets]


# --- the pages' data --------------------------------------------------------------


@dataclass
class Row:
    kind: str  # okrug | district | org | group
    id: int
    name: str
    figures: Figures
    note: str = ""  # an okrug's abbreviation, an organization's kind


@dataclass
class Ranked:
    id: int
    name: str
    answered: int
    on_time: int
    share: float
    lower: float
    upper: float


@dataclass
class Ranking:
    best: list[Ranked]
    worst: list[Ranked]  # empty when `best` already lists everyone
    total: int


@dataclass
class PageData:
    scope: Scope
    title: str
    period: Period
    total: Figures
    drill: list[Row]  # okrugs, districts or organizations below the scope
    drill_kind: str
    groups: list[Row]
    ranking: Ranking | None
    chart: list[tuple[dt.date, int, int]]
    chart_grain: str
    refreshed_at: dt.datetime | None
    parents: list[tuple[str, int, str]] = field(default_factory=list)  # breadcrumbs
    # This computation of the data: the page rendered from it is cached
    # under it (stats/page.html), so the page is never older than its data.
    stamp: str = field(default_factory=lambda: uuid.uuid4().hex)


def rank(by_org: dict[int, Figures], names: dict[int, str], size: int = RANKING_SIZE) -> Ranking:
    """Best by the Wilson lower bound of the on-time share, worst by its upper
    bound: an organization with two answers, both on time, ranks below one
    with 950 of 1000 (0.34 against 0.93)."""
    ranked = []
    for pk, fig in by_org.items():
        if not pk or not fig.answered:
            continue
        lower, upper = wilson(fig.answered_on_time, fig.answered)
        ranked.append(
            Ranked(
                pk,
                names.get(pk, f"№{pk}"),
                fig.answered,
                fig.answered_on_time,
                fig.on_time_share,
                lower,
                upper,
            )
        )
    if len(ranked) <= 2 * size:
        return Ranking(sorted(ranked, key=lambda r: (-r.lower, -r.answered, r.id)), [], len(ranked))
    best = heapq.nsmallest(size, ranked, key=lambda r: (-r.lower, -r.answered, r.id))
    worst = heapq.nsmallest(size, ranked, key=lambda r: (r.upper, -r.answered, r.id))
    return Ranking(best, worst, len(ranked))


def _group_rows(by_group: dict[int, Figures]) -> list[Row]:
    return [
        Row("group", pk, name, by_group.get(pk, Figures()))
        for pk, name in TopicGroup.objects.values_list("pk", "name")
    ]


def _org_names(ids) -> dict[int, str]:
    ids = [pk for pk in ids if pk]
    return dict(Organization.objects.filter(pk__in=ids).values_list("pk", "name")) if ids else {}


def _org_rows(by_org: dict[int, Figures]) -> list[Row]:
    orgs = {
        pk: (name, kind)
        for pk, name, kind in Organization.objects.filter(pk__in=[k for k in by_org if k]).values_list(
            "pk", "name", "kind"
        )
    }
    labels = dict(Organization._meta.get_field("kind").choices)
    rows = [
        Row("org", pk, orgs[pk][0], fig, labels.get(orgs[pk][1], ""))
        for pk, fig in by_org.items()
        if pk in orgs
    ]
    return sorted(rows, key=lambda r: (-r.figures.received, r.name))


def _refreshed_at() -> dt.datetime | None:
    return StatsState.objects.filter(pk=1).values_list("refreshed_at", flat=True).first()


def _chart(scope: Scope, period: Period) -> tuple[list, str]:
    level, filters = scope.cells
    buckets = period.chart_buckets()
    return series(level, filters, buckets), buckets[0][0] if buckets else Grain.DAY


def city_page(period: Period, today: dt.date) -> PageData:
    buckets = period.buckets(today)
    own = collect(Level.CITY, {}, buckets, ("group_id",))
    okrugs = collect(Level.OKRUG_TOTAL, {}, buckets, ("okrug_id",), total=False)["okrug_id"]
    by_org = answers_by(Level.ORGANIZATION_TOTAL, {}, buckets, "organization_id")
    drill = [
        Row("okrug", pk, name, okrugs.get(pk, Figures()), abbrev)
        for pk, name, abbrev in Okrug.objects.values_list("pk", "name", "abbrev")
    ]
    ranking = rank(by_org, {})
    names = _org_names([r.id for r in ranking.best + ranking.worst])
    for r in ranking.best + ranking.worst:
        r.name = names.get(r.id, r.name)
    chart, grain = _chart(CITY, period)
    return PageData(
        CITY,
        "Москва",
        period,
        own[None],
        drill,
        "okrug",
        _group_rows(own["group_id"]),
        ranking,
        chart,
        grain,
        _refreshed_at(),
    )


def okrug_page(okrug: Okrug, period: Period, today: dt.date) -> PageData:
    scope = Scope("okrug", okrug.pk)
    buckets = period.buckets(today)
    own = collect(Level.OKRUG, {"okrug_id": okrug.pk}, buckets, ("group_id",))
    districts = collect(Level.DISTRICT_TOTAL, {"okrug_id": okrug.pk}, buckets, ("district_id",), total=False)
    drill = [
        Row("district", pk, name, districts["district_id"].get(pk, Figures()))
        for pk, name in District.objects.filter(okrug=okrug).values_list("pk", "name")
    ]
    by_org = answers_by(Level.FINEST, {"okrug_id": okrug.pk}, buckets, "organization_id")
    ranking = rank(by_org, _org_names(by_org))
    chart, grain = _chart(scope, period)
    return PageData(
        scope,
        okrug.name,
        period,
        own[None],
        drill,
        "district",
        _group_rows(own["group_id"]),
        ranking,
        chart,
        grain,
        _refreshed_at(),
    )


def district_page(district: District, period: Period, today: dt.date) -> PageData:
    scope = Scope("district", district.pk, district.okrug_id)
    filters = {"okrug_id": district.okrug_id, "district_id": district.pk}
    own = collect(Level.FINEST, filters, period.buckets(today), ("group_id", "organization_id"))
    by_org = own["organization_id"]
    ranking = rank(by_org, _org_names(by_org))
    chart, grain = _chart(scope, period)
    return PageData(
        scope,
        district.title,
        period,
        own[None],
        _org_rows(by_org),
        "org",
        _group_rows(own["group_id"]),
        ranking,
        chart,
        grain,
        _refreshed_at(),
        parents=[("okrug", district.okrug_id, district.okrug.name)],
    )


def org_page(org: Organization, period: Period, today: dt.date) -> PageData:
    scope = Scope("org", org.pk)
    buckets = period.buckets(today)
    own = collect(Level.ORGANIZATION, {"organization_id": org.pk}, buckets, ("group_id",))
    by_district = collect(Level.FINEST, {"organization_id": org.pk}, buckets, ("district_id",))["district_id"]
    districts = District.objects.filter(pk__in=list(by_district)).values_list("pk", "name", "okrug__abbrev")
    drill = sorted(
        (Row("district", pk, name, by_district[pk], abbrev) for pk, name, abbrev in districts),
        key=lambda r: (-r.figures.received, r.name),
    )
    chart, grain = _chart(scope, period)
    return PageData(
        scope,
        org.name,
        period,
        own[None],
        drill,
        "district",
        _group_rows(own["group_id"]),
        None,
        chart,
        grain,
        _refreshed_at(),
    )


def cache_seconds() -> int:
    return getattr(settings, "STATS_CACHE_SECONDS", 60)


def cached(key: str, make):
    """The page data for at most STATS_CACHE_SECONDS (0 switches it off)."""
    seconds = cache_seconds()
    if seconds <= 0:
        return make()
    key = f"stats:v2:{key}:{timezone.localdate():%Y%m%d}"
    data = cache.get(key)
    if data is None:
        data = make()
        cache.set(key, data, seconds)
    return data


# --- a scope's page, for the HTML pages and the JSON APIs -------------------------

SCOPE_PAGES = {
    # kind: (where to find the scope's object, what makes its page data)
    "okrug": (Okrug.objects.all(), okrug_page),
    "district": (District.objects.select_related("okrug"), district_page),
    "org": (Organization.objects.all(), org_page),
}


def scope_page(kind: str, pk: int | None, period: Period) -> tuple[PageData, object]:
    """The page data of a scope (Http404 for an unknown one), cached for a minute."""
    today = timezone.localdate()
    if kind == "city":
        obj, make = None, partial(city_page, period, today)
    elif kind in SCOPE_PAGES:
        queryset, selector = SCOPE_PAGES[kind]
        obj = get_object_or_404(queryset, pk=pk)
        make = partial(selector, obj, period, today)
    else:
        raise Http404
    return cached(f"page:{kind}:{pk or 0}:{period.cache_key}", make), obj


def page_as_json(data: PageData, kind: str, obj) -> dict:
    """A scope's page data as the open-data JSON."""
    return {
        "scope": {"kind": kind, "id": obj.pk if obj else None, "name": data.title},
        "period": {"from": data.period.start.isoformat(), "to": data.period.end.isoformat()},
        "refreshed_at": data.refreshed_at.isoformat() if data.refreshed_at else None,
        "figures": data.total.as_dict(),
        data.drill_kind + "s": [{"id": r.id, "name": r.name, **r.figures.as_dict()} for r in data.drill],
        "topic_groups": [{"id": r.id, "name": r.name, **r.figures.as_dict()} for r in data.groups],
        "ranking": [
            {
                "id": r.id,
                "name": r.name,
                "answered": r.answered,
                "answered_on_time": r.on_time,
                "on_time_share": round(r.share, 4),
                "wilson_lower": round(r.lower, 4),
                "wilson_upper": round(r.upper, 4),
            }
            for r in (data.ranking.best if data.ranking else [])
        ],
        "per_day": [{"date": d.isoformat(), "received": r, "answered": a} for d, r, a in data.chart],
    }


# --- per district and per organization (the map and open data) -------------------


def by_district(
    period: Period, today: dt.date, *, hours: bool = True, okrug_id: int | None = None
) -> list[Row]:
    filters = {"okrug_id": okrug_id} if okrug_id else {}
    found = collect(Level.DISTRICT_TOTAL, filters, period.buckets(today), ("district_id",), hours=hours)[
        "district_id"
    ]
    districts = District.objects.select_related("okrug").only("id", "name", "okrug__name", "okrug__abbrev")
    if okrug_id:
        districts = districts.filter(okrug_id=okrug_id)
    return [Row("district", d.pk, d.name, found.get(d.pk, Figures()), d.okrug.name) for d in districts]


def by_organization(period: Period, today: dt.date) -> list[Row]:
    found = collect(Level.ORGANIZATION_TOTAL, {}, period.buckets(today), ("organization_id",))[
        "organization_id"
    ]
    return _org_rows({pk: fig for pk, fig in found.items() if pk})
