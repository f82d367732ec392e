"""A small city with a known history, made by the real services under
time_machine, with every announcement delivered as in production (the event
subscriber runs after each step's commit).

Two districts in two okrugs, two organizations, two topic groups:

- Тверской (ЦАО): yard reports go to its housing service (HA), road reports
  to the city-wide road service (RS);
- Сокольники (ВАО): road reports, to RS.

All times Moscow; 4 November 2026 is a public holiday. The pages are read on
Friday 27 November 2026 at 12:00 (THE_END).

| report | where, who, topic | history | answer |
| --- | --- | --- | --- |
| r1 | Тверской, HA, yard | 2 Nov published; 3 Nov answered, confirmed 4 Nov | 24 h, on time |
| r2 | Тверской, HA, yard | 2 Nov published; overdue 14 Nov; answered 16 Nov; disputed; returned 17 Nov; answered again, confirmed 18 Nov | 336 h, late |
| r3 | Тверской, RS, roads | 2 Nov published; overdue since 25 Nov, in work | — |
| r4 | Сокольники, RS, roads | 3 Nov published; answered 5 Nov; disputed; dispute dismissed 6 Nov | 48 h, on time |
| r5 | Сокольники, —, roads | 3 Nov received and rejected | — |
| r6 | Сокольники, RS, roads | 25 Nov published, in work | — |
| r7 | Тверской, HA, yard | 9 Nov published; a formal answer returned 10 Nov; answered 11 Nov; closed by silence 18 Nov | 54 h, on time |
| r8 | Сокольники, RS, roads | 26 Oct published; answered 27 Oct; confirmed 28 Oct | 24 h, on time |
| r9 | Тверской, HA, yard | 29 Oct published; answered 2 Nov; closed by silence 18 Nov | 96 h, on time |
"""

from __future__ import annotations

import datetime as dt
from contextlib import contextmanager
from dataclasses import dataclass

import time_machine
from django.contrib.gis.geos import Point

from accounts.models import Role
from issues import scheduler, services
from issues.models import Outcome, Report, Topic
from organizations.models import Kind, Organization
from places.models import District, Okrug
from stats.models import METRICS, Counter
from tests.factories import RED_SQUARE, UserFactory, staff_of, submit

MSK = dt.timezone(dt.timedelta(hours=3))
THE_END = dt.datetime(2026, 11, 27, 12, 0, tzinfo=MSK)
SOKOLNIKI = Point(37.6767, 55.8031, srid=4326)


def at(*args):
    return time_machine.travel(dt.datetime(*args, tzinfo=MSK), tick=False)


@dataclass
class City:
    a: District  # Тверской
    b: District  # Сокольники
    okrug_a: Okrug
    okrug_b: Okrug
    ha: Organization
    rs: Organization
    yard: object
    roads: object
    reports: dict[str, Report]
    residents: dict[str, object]


class Builder:
    def __init__(self, capture):
        self.capture = capture
        self.yard = Topic.objects.get(code="yard-not-cleaned")  # 8 working days
        self.roads = Topic.objects.get(code="road-potholes")  # 15 working days
        self.moderator = UserFactory(role=Role.MODERATOR)
        self.ha = Organization.objects.get(kind=Kind.HOUSING_SERVICE, districts__name="Тверской")
        self.rs = Organization.objects.get(kind=Kind.ROAD_SERVICE)
        self.staff = {self.ha.pk: staff_of(self.ha), self.rs.pk: staff_of(self.rs)}
        self.reports: dict[str, Report] = {}
        self.residents: dict[str, object] = {}

    @contextmanager
    def step(self):
        """One request: its commit announces the events, the subscriber runs."""
        with self.capture(execute=True):
            yield

    def new(self, name, topic, point):
        resident = UserFactory(role=Role.RESIDENT, full_name=f"Житель {name.upper()} Секретный")
        with self.step():
            report = submit(resident, topic, point)
        self.reports[name], self.residents[name] = report, resident
        return report

    def publish(self, name):
        with self.step():
            services.publish(self.moderator, self.reports[name])

    def answer(self, name, outcome=Outcome.DONE):
        report = Report.objects.get(pk=self.reports[name].pk)
        with self.step():
            services.answer(self.staff[report.organization_id], report, outcome, "Сделано.")

    def publish_answer(self, name):
        with self.step():
            services.publish_answer(self.moderator, self.reports[name])

    def do(self, change, name, *args):
        with self.step():
            change(*args, self.reports[name]) if args else change(self.reports[name])

    def job(self, job):
        with self.step():
            job()


def build_city(capture) -> City:
    b = Builder(capture)
    with at(2026, 10, 26, 10, 0):
        b.new("r8", b.roads, SOKOLNIKI)
        b.publish("r8")
    with at(2026, 10, 27, 10, 0):
        b.answer("r8")
        b.publish_answer("r8")
    with at(2026, 10, 28, 10, 0):
        b.do(lambda r: services.confirm(b.residents["r8"], r), "r8")
    with at(2026, 10, 29, 10, 0):
        b.new("r9", b.yard, RED_SQUARE)
        b.publish("r9")

    with at(2026, 11, 2, 10, 0):
        for name, topic in (("r1", b.yard), ("r2", b.yard), ("r3", b.roads)):
            b.new(name, topic, RED_SQUARE)
            b.publish(name)
        b.answer("r9")  # 96 h after its publication; due 11 November
        b.publish_answer("r9")
    with at(2026, 11, 3, 10, 0):
        b.answer("r1")
        b.publish_answer("r1")
        b.new("r4", b.roads, SOKOLNIKI)
        b.publish("r4")
        b.new("r5", b.roads, SOKOLNIKI)
    with at(2026, 11, 3, 11, 0):
        b.do(lambda r: services.reject(b.moderator, r, "no_problem"), "r5")
    with at(2026, 11, 4, 12, 0):
        b.do(lambda r: services.confirm(b.residents["r1"], r), "r1")
    with at(2026, 11, 5, 10, 0):
        b.answer("r4")
        b.publish_answer("r4")
    with at(2026, 11, 5, 12, 0):
        b.do(lambda r: services.reject_fix(b.residents["r4"], r, "Яма на месте."), "r4")
    with at(2026, 11, 6, 10, 0):
        b.do(lambda r: services.dismiss_dispute(b.moderator, r, "Работы выполнены."), "r4")
    with at(2026, 11, 9, 10, 0):
        b.new("r7", b.yard, RED_SQUARE)
        b.publish("r7")
    with at(2026, 11, 10, 10, 0):
        b.answer("r7")
    with at(2026, 11, 10, 11, 0):
        b.do(lambda r: services.return_answer(b.moderator, r, "Ответ формальный."), "r7")
    with at(2026, 11, 11, 16, 0):
        b.answer("r7")  # 54 h after publication
    with at(2026, 11, 11, 17, 0):
        b.publish_answer("r7")
    with at(2026, 11, 14, 0, 5):
        b.job(scheduler.mark_overdue)  # r2: due 13 November
    with at(2026, 11, 16, 10, 0):
        b.answer("r2")  # 336 h, late
        b.publish_answer("r2")
    with at(2026, 11, 16, 12, 0):
        b.do(lambda r: services.reject_fix(b.residents["r2"], r, "Не убрано."), "r2")
    with at(2026, 11, 17, 10, 0):
        b.do(lambda r: services.return_to_organization(b.moderator, r, "Проверьте."), "r2")
    with at(2026, 11, 18, 10, 0):
        b.answer("r2")
        b.publish_answer("r2")
    with at(2026, 11, 18, 12, 0):
        b.do(lambda r: services.confirm(b.residents["r2"], r), "r2")
    with at(2026, 11, 18, 18, 0):
        b.job(scheduler.auto_close)  # r7 (due 18 Nov 17:00) and r9 (due 9 Nov)
    with at(2026, 11, 25, 0, 5):
        b.job(scheduler.mark_overdue)  # r3: due 24 November
    with at(2026, 11, 25, 10, 0):
        b.new("r6", b.roads, SOKOLNIKI)
        b.publish("r6")
    a = District.objects.get(name="Тверской")
    sokolniki = District.objects.get(name="Сокольники")
    return City(
        a=a,
        b=sokolniki,
        okrug_a=a.okrug,
        okrug_b=sokolniki.okrug,
        ha=b.ha,
        rs=b.rs,
        yard=b.yard.group,
        roads=b.roads.group,
        reports={k: Report.objects.get(pk=v.pk) for k, v in b.reports.items()},
        residents=b.residents,
    )


# What every figure must be, per scope, for November 2026 up to THE_END
# (period "month"); "now" figures (in_work, overdue) do not depend on the period.
ZERO = {
    "received": 0,
    "published": 0,
    "answered": 0,
    "answered_on_time": 0,
    "answered_late": 0,
    "confirmed": 0,
    "disputed": 0,
    "returned": 0,
    "resolved": 0,
    "in_work": 0,
    "overdue": 0,
    "median_hours": None,
    "p90_hours": None,
}


def figures(**values):
    return {**ZERO, **values}


HA_NOVEMBER = figures(
    received=3, published=3, answered=4, answered_on_time=3, answered_late=1, confirmed=2, disputed=1,
    returned=1, resolved=4, median_hours=54, p90_hours=336,
)  # fmt: skip
NOVEMBER = {
    "city": figures(
        received=7, published=6, answered=5, answered_on_time=4, answered_late=1, confirmed=2, disputed=2,
        returned=1, resolved=5, in_work=2, overdue=1, median_hours=54, p90_hours=336,
    ),
    "okrug_a": figures(
        received=4, published=4, answered=4, answered_on_time=3, answered_late=1, confirmed=2, disputed=1,
        returned=1, resolved=4, in_work=1, overdue=1, median_hours=54, p90_hours=336,
    ),
    "okrug_b": figures(
        received=3, published=2, answered=1, answered_on_time=1, disputed=1, resolved=1, in_work=1,
        median_hours=48, p90_hours=48,
    ),
    "ha": HA_NOVEMBER,
    "rs": figures(
        received=3, published=3, answered=1, answered_on_time=1, disputed=1, resolved=1, in_work=2, overdue=1,
        median_hours=48, p90_hours=48,
    ),
    "yard": HA_NOVEMBER,
    "roads": figures(
        received=4, published=3, answered=1, answered_on_time=1, disputed=1, resolved=1, in_work=2, overdue=1,
        median_hours=48, p90_hours=48,
    ),
    # Тверской × RS, Сокольники × RS, Сокольники × the road group
    "a_rs": figures(received=1, published=1, in_work=1, overdue=1),
    "b_rs": figures(
        received=2, published=2, answered=1, answered_on_time=1, disputed=1, resolved=1, in_work=1,
        median_hours=48, p90_hours=48,
    ),
}  # fmt: skip
NOVEMBER["district_a"] = NOVEMBER["okrug_a"]
NOVEMBER["district_b"] = NOVEMBER["okrug_b"]
NOVEMBER["b_roads"] = NOVEMBER["okrug_b"]
NOVEMBER["a_yard"] = HA_NOVEMBER
NOVEMBER["a_roads"] = NOVEMBER["a_rs"]
NOVEMBER["rs_a"] = NOVEMBER["a_rs"]
NOVEMBER["rs_b"] = NOVEMBER["b_rs"]
NOVEMBER["rs_roads"] = NOVEMBER["rs"]

# 26 October - 27 November: r8 and r9 join (received in October).
LATE_OCTOBER_ON = figures(
    received=9, published=8, answered=6, answered_on_time=5, answered_late=1, confirmed=3, disputed=2,
    returned=1, resolved=6, in_work=2, overdue=1, median_hours=48, p90_hours=336,
)  # fmt: skip
# 1-15 November, day by day: r1, r4, r7 and r9 answered; r1 and r4 resolved.
FIRST_HALF_OF_NOVEMBER = figures(
    received=6, published=5, answered=4, answered_on_time=4, confirmed=1, disputed=1, resolved=2,
    in_work=2, overdue=1, median_hours=48, p90_hours=96,
)  # fmt: skip
# This week (Monday 23 - Friday 27 November): r6 only.
THIS_WEEK = figures(received=1, published=1, in_work=2, overdue=1)


def snapshot():
    """Every non-empty counter cell, comparable across rebuilds."""
    out = {}
    for row in Counter.objects.all():
        values = tuple(getattr(row, name) for name in METRICS)
        if any(values) or row.answer_hours:
            key = (
                row.level,
                row.grain,
                row.start,
                row.okrug_id,
                row.district_id,
                row.organization_id,
                row.group_id,
            )
            out[key] = (values, {int(h): n for h, n in row.answer_hours.items()})
    return out
