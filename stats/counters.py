"""Keeping the facts and the counters in step with the event log.

A report's fact changes when one of its events is recorded. Each fact
contributes to a few cells (its received, published, answered and resolved
days, and "now" while it is open), at every level and grain. Refreshing a
report computes its new fact from the log, subtracts the old fact's
contributions, adds the new one's and saves the fact, all in one transaction
under the StatsState row lock:

- safe to repeat: a second refresh finds the stored fact equal to the new
  one and changes nothing, so a replayed event never counts twice;
- safe at once: two refreshes of one report queue on the lock, and the
  second reads the log after the first has committed;
- complete: `rebuild_recent` refreshes every report with recent events, in
  case an announcement was lost; `rebuild_all` makes everything again.

The event subscriber does not refresh one report per event: it asks for
`refresh_new_events`, which refreshes the reports of every event recorded
since its last run (by event id, the watermark in StatsState), so a burst of
filings costs one refresh of many reports instead of many of one. An event
whose transaction commits after a later one's refresh has moved the
watermark past it is left to `rebuild_recent` (within a minute).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator

from django.db import connection, transaction
from django.db.models import Max, Min, Q
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone

from issues.models import Report, ReportEvent, Topic
from stats.facts import (
    FACT_EVENT_KINDS,
    FACT_FIELDS,
    PAYLOAD_KINDS,
    EventRow,
    Fact,
    ReportRow,
    TopicRule,
    compute_fact,
)
from stats.models import METRICS, NOW_START, Counter, Grain, Level, ReportFact, StatsState

logger = logging.getLogger(__name__)

INDEX = {name: i for i, name in enumerate(METRICS)}
KEY_FIELDS = ("okrug_id", "district_id", "organization_id", "group_id")
CELL_FIELDS = ("level", "grain", "start", *KEY_FIELDS)
CHUNK = 500

Key = tuple[int, int, int, int]  # okrug, district, organization (0 = none), group
CellKey = tuple[int, str, dt.date, int, int, int, int]

# What each level keeps of the finest key.
LEVEL_KEY: dict[int, Callable[[Key], Key]] = {
    Level.CITY: lambda k: (0, 0, 0, k[3]),
    Level.OKRUG: lambda k: (k[0], 0, 0, k[3]),
    Level.ORGANIZATION: lambda k: (0, 0, k[2], k[3]),
    Level.FINEST: lambda k: k,
    Level.OKRUG_TOTAL: lambda k: (k[0], 0, 0, 0),
    Level.ORGANIZATION_TOTAL: lambda k: (0, 0, k[2], 0),
    Level.DISTRICT_TOTAL: lambda k: (k[0], k[1], 0, 0),
}


class Tally:
    """Metric sums and the answer-time histogram of one cell."""

    __slots__ = ("values", "hours")

    def __init__(self) -> None:
        self.values = [0] * len(METRICS)
        self.hours: dict[int, int] = {}

    def add(self, metrics: dict[str, int], hour: int | None, sign: int = 1) -> None:
        for name, value in metrics.items():
            self.values[INDEX[name]] += sign * value
        if hour is not None:
            self.hours[hour] = self.hours.get(hour, 0) + sign
            if not self.hours[hour]:
                del self.hours[hour]

    def merge(self, other: Tally) -> None:
        self.values = [a + b for a, b in zip(self.values, other.values, strict=True)]
        for hour, count in other.hours.items():
            self.hours[hour] = self.hours.get(hour, 0) + count

    def is_zero(self) -> bool:
        return not self.hours and not any(self.values)


def contributions(fact: Fact) -> list[tuple[str, dt.date | None, Key, dict[str, int], int | None]]:
    """(anchor, day or None for "now", finest key, metrics, answer hours)."""
    key = (fact.okrug_id, fact.district_id, fact.organization_id or 0, fact.group_id)
    out = [("received", fact.received_on, key, {"received": 1}, None)]
    if fact.published_on:
        out.append(("published", fact.published_on, key, {"published": 1}, None))
    if fact.answered_on:
        metrics = {
            "answered": 1,
            "answered_on_time" if fact.on_time else "answered_late": 1,
            "confirmed": int(fact.confirmed),
            "disputed": int(fact.disputed),
            "returned": int(fact.returned),
        }
        out.append(("answered", fact.answered_on, key, metrics, fact.answer_hours))
    if fact.resolved_on:
        out.append(("resolved", fact.resolved_on, key, {"resolved": 1}, None))
    if fact.in_work:
        out.append(("now", None, key, {"in_work": 1, "overdue": int(fact.overdue)}, None))
    return out


def buckets(day: dt.date | None) -> tuple[tuple[str, dt.date], ...]:
    if day is None:
        return ((Grain.NOW, NOW_START),)
    return (
        (Grain.DAY, day),
        (Grain.MONTH, day.replace(day=1)),
        (Grain.YEAR, day.replace(month=1, day=1)),
    )


def add_fact(cells: dict[CellKey, Tally], fact: Fact, sign: int = 1, anchor: str | None = None) -> None:
    for name, day, key, metrics, hour in contributions(fact):
        if anchor is not None and name != anchor:
            continue
        for grain, start in buckets(day):
            for level, project in LEVEL_KEY.items():
                cell = (level, grain, start, *project(key))
                tally = cells.get(cell)
                if tally is None:
                    tally = cells[cell] = Tally()
                tally.add(metrics, hour, sign)


# --- reading the log ----------------------------------------------------------


def topic_rules() -> dict[int, TopicRule]:
    return {
        pk: TopicRule(group, days, calendar)
        for pk, group, days, calendar in Topic.objects.values_list(
            "pk", "group_id", "deadline_days", "calendar_days"
        )
    }


REPORT_COLUMNS = (
    "id",
    "status",
    "okrug_id",
    "district_id",
    "organization_id",
    "topic_id",
    "deadline",
    "is_overdue",
    "created_at",
)


def compute_facts(report_ids: list[int], rules: dict[int, TopicRule]) -> dict[int, Fact]:
    """The facts of these reports, from their rows and their events (two queries)."""
    if not report_ids:
        return {}
    low, high = min(report_ids), max(report_ids)
    wanted = set(report_ids)
    reports = {
        row[0]: ReportRow(*row)
        for row in Report.objects.filter(pk__in=report_ids).order_by().values_list(*REPORT_COLUMNS)
    }
    events: dict[int, list[EventRow]] = defaultdict(list)
    # A range scan of the timeline index when the ids are dense (the rebuild).
    by_id = (
        Q(report_id__gte=low, report_id__lte=high)
        if high - low < 2 * len(wanted)
        else Q(report_id__in=wanted)
    )
    rows = (
        ReportEvent.objects.filter(by_id, kind__in=FACT_EVENT_KINDS)
        .order_by("report_id", "created_at", "pk")
        .values_list("report_id", "kind", "created_at", "to_status", "payload")
    )
    for report_id, kind, created_at, to_status, payload in rows.iterator(chunk_size=20_000):
        if report_id in wanted:
            events[report_id].append(
                EventRow(kind, created_at, to_status, payload if kind in PAYLOAD_KINDS else None)
            )
    return {pk: compute_fact(row, events.get(pk, ()), rules[row.topic_id]) for pk, row in reports.items()}


def stored_fact(row: ReportFact) -> Fact:
    return Fact(**{name: getattr(row, name) for name in FACT_FIELDS})


def _fact_model(report_id: int, fact: Fact) -> ReportFact:
    return ReportFact(report_id=report_id, **{name: getattr(fact, name) for name in FACT_FIELDS})


# --- writing ------------------------------------------------------------------


def lock() -> StatsState:
    """Take the writers' lock (the transaction's end releases it)."""
    StatsState.objects.get_or_create(pk=1)
    return StatsState.objects.select_for_update().get(pk=1)


def _stored(chunk: list[CellKey]) -> dict[CellKey, list]:
    """The stored rows of these cells: {cell: [id, *metrics, answer_hours]}.

    Raw SQL: an OR of a few hundred equalities costs the ORM far more to build
    than the database to answer (through the cell index)."""
    table = connection.ops.quote_name(Counter._meta.db_table)
    match = " AND ".join(f"{name} = %s" for name in CELL_FIELDS)
    # Only constant column names go into the text; the values are parameters.
    sql = (
        f"SELECT {', '.join(CELL_FIELDS)}, id, {', '.join(METRICS)}, answer_hours FROM {table} "  # noqa: S608
        f"WHERE {' OR '.join(f'({match})' for _ in chunk)}"
    )
    params = [value for cell in chunk for value in cell]
    hours = Counter._meta.get_field("answer_hours")
    out = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for row in cursor.fetchall():
            cell = (row[0], row[1], _as_date(row[2]), *row[3:7])
            out[cell] = [*row[7:-1], hours.from_db_value(row[-1], None, connection)]
    return out


def _as_date(value) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(value)


def apply(cells: dict[CellKey, Tally]) -> int:
    """Add the differences to the stored cells; returns how many changed."""
    changed = sorted((cell for cell, tally in cells.items() if not tally.is_zero()), key=str)
    for i in range(0, len(changed), CHUNK // 2):
        chunk = changed[i : i + CHUNK // 2]
        stored = _stored(chunk)
        new, updates = [], []
        for cell in chunk:
            row = stored.get(cell)
            if row is None:
                values, hours = _add(cell, [0] * len(METRICS), {}, cells[cell])
                new.append(
                    Counter(
                        **dict(zip(CELL_FIELDS, cell, strict=True)),
                        **dict(zip(METRICS, values, strict=True)),
                        answer_hours=hours,
                    )
                )
            else:
                values, hours = _add(cell, row[1:-1], row[-1], cells[cell])
                updates.append([row[0], *values, json.dumps(hours, separators=(",", ":"))])
        _update(updates)
        Counter.objects.bulk_create(new, batch_size=CHUNK)
    return len(changed)


def _update(rows: list[list]) -> None:
    """[id, *metrics, answer_hours as JSON] per row: one statement on
    PostgreSQL (a round trip per row costs more than the update itself)."""
    if not rows:
        return
    table = connection.ops.quote_name(Counter._meta.db_table)
    # Only constant column names go into the text; the values are parameters.
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            width = 2 + len(METRICS)
            values = ", ".join("(" + ", ".join(["%s"] * width) + ")" for _ in rows)
            assign = ", ".join(f"{name} = v.{name}" for name in METRICS)
            cursor.execute(
                f"UPDATE {table} AS c SET {assign}, answer_hours = v.answer_hours::jsonb "  # noqa: S608
                f"FROM (VALUES {values}) AS v(id, {', '.join(METRICS)}, answer_hours) WHERE c.id = v.id",
                [value for row in rows for value in row],
            )
        else:
            assign = ", ".join(f"{name} = %s" for name in METRICS)
            cursor.executemany(
                f"UPDATE {table} SET {assign}, answer_hours = %s WHERE id = %s",  # noqa: S608
                [[*row[1:], row[0]] for row in rows],
            )


def _add(cell: CellKey, values, hours: dict | None, tally: Tally) -> tuple[list[int], dict[str, int]]:
    """A stored cell plus a difference. Below zero means the cells and the
    facts disagree (someone changed one without the other): counting on from
    zero keeps the pages sane until a rebuild."""
    out = [value + delta for value, delta in zip(values, tally.values, strict=True)]
    merged = {int(h): n for h, n in (hours or {}).items()}
    for hour, delta in tally.hours.items():
        merged[hour] = merged.get(hour, 0) + delta
    if min(out) < 0 or any(n < 0 for n in merged.values()):
        logger.error("stats counter %s went below zero: run manage.py rebuild_stats", cell)
    return [max(0, v) for v in out], {str(h): n for h, n in sorted(merged.items()) if n > 0}


def refresh_reports(report_ids: Iterable[int]) -> int:
    """Bring these reports' facts and the counters up to date with the log;
    returns how many facts changed. Idempotent."""
    ids = sorted(set(report_ids))
    changed = 0
    rules = None
    for i in range(0, len(ids), CHUNK):
        chunk = ids[i : i + CHUNK]
        with transaction.atomic():
            state = lock()
            # Read the log only now, under the lock: a refresh that waited for
            # another one sees what that one saw, and more.
            rules = rules or topic_rules()
            new = compute_facts(chunk, rules)
            old = {row.pk: stored_fact(row) for row in ReportFact.objects.filter(pk__in=chunk)}
            cells: dict[CellKey, Tally] = {}
            save, gone = [], []
            for pk in chunk:
                before, after = old.get(pk), new.get(pk)
                if before == after:
                    continue
                if before is not None:
                    add_fact(cells, before, -1)
                if after is not None:
                    add_fact(cells, after, +1)
                    save.append(_fact_model(pk, after))
                else:
                    gone.append(pk)
            if not save and not gone:
                continue
            apply(cells)
            ReportFact.objects.bulk_create(
                save,
                update_conflicts=True,
                unique_fields=["report"],
                update_fields=[*FACT_FIELDS, "refreshed_at"],
            )
            ReportFact.objects.filter(pk__in=gone).delete()
            state.refreshed_at = timezone.now()
            state.save(update_fields=["refreshed_at"])
            changed += len(save) + len(gone)
    return changed


def refresh_new_events() -> int:
    """Refresh the reports of the events recorded since the last call (all
    of them the first time); returns how many facts changed. Safe to run
    twice at once: both refresh the same reports, the second changes nothing."""
    since = StatsState.objects.filter(pk=1).values_list("last_event_id", flat=True).first() or 0
    rows = list(ReportEvent.objects.filter(pk__gt=since).order_by().values_list("pk", "report_id"))
    if not rows:
        return 0
    changed = refresh_reports(report_id for _, report_id in rows)
    newest = max(pk for pk, _ in rows)
    StatsState.objects.filter(pk=1).update(last_event_id=Greatest(Coalesce("last_event_id", 0), newest))
    return changed


def reports_with_events_since(moment: dt.datetime) -> list[int]:
    """Served by the index on the event's created_at."""
    return list(
        ReportEvent.objects.filter(created_at__gte=moment)
        .order_by()
        .values_list("report_id", flat=True)
        .distinct()
    )


def rebuild_recent(minutes: int) -> int:
    return refresh_reports(reports_with_events_since(timezone.now() - dt.timedelta(minutes=minutes)))


# --- the full rebuild -----------------------------------------------------------


def _id_chunks(size: int) -> Iterator[list[int]]:
    last = 0
    while True:
        ids = list(Report.objects.filter(pk__gt=last).order_by("pk").values_list("pk", flat=True)[:size])
        if not ids:
            return
        yield ids
        last = ids[-1]


def _months(first: dt.date, last: dt.date) -> Iterator[tuple[dt.date, dt.date]]:
    month = first.replace(day=1)
    while month <= last:
        following = (month + dt.timedelta(days=32)).replace(day=1)
        yield month, following
        month = following


ANCHOR_FIELDS = {
    "received": "received_on",
    "published": "published_on",
    "answered": "answered_on",
    "resolved": "resolved_on",
}


def _facts(queryset) -> Iterator[Fact]:
    for row in queryset.order_by().values_list(*FACT_FIELDS).iterator(chunk_size=20_000):
        yield Fact(*row)


def _insert(model, columns: list[str], rows: Iterable[tuple]) -> None:
    """Bulk insert: COPY on PostgreSQL (bulk_create spends minutes building
    a few million rows' parameters), bulk_create elsewhere."""
    if connection.vendor == "postgresql":
        table = connection.ops.quote_name(model._meta.db_table)
        with (
            connection.cursor() as cursor,
            cursor.cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy,
        ):
            for row in rows:
                copy.write_row(row)
        return
    model.objects.bulk_create(
        (model(**dict(zip(columns, row, strict=True))) for row in rows), batch_size=2000
    )


CELL_COLUMNS = [*CELL_FIELDS, *METRICS, "answer_hours"]


def _write_cells(cells: dict[CellKey, Tally]) -> int:
    postgres = connection.vendor == "postgresql"
    rows = [
        (*cell, *tally.values, _hours_json(tally.hours) if postgres else _hours_dict(tally.hours))
        for cell, tally in cells.items()
        if not tally.is_zero()
    ]
    _insert(Counter, CELL_COLUMNS, rows)
    return len(rows)


def _hours_dict(hours: dict[int, int]) -> dict[str, int]:
    return {str(h): n for h, n in sorted(hours.items())}


def _hours_json(hours: dict[int, int]) -> str:
    return json.dumps(_hours_dict(hours), separators=(",", ":"))


FACT_COLUMNS = ["report_id", *FACT_FIELDS]  # the Fact fields are the model's column names


def _write_facts(facts: dict[int, Fact]) -> None:
    now = timezone.now()
    _insert(
        ReportFact,
        [*FACT_COLUMNS, "refreshed_at"],
        ((pk, *(getattr(fact, name) for name in FACT_FIELDS), now) for pk, fact in facts.items()),
    )


def _clear() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            # TRUNCATE refuses while this transaction has deferred foreign-key
            # checks pending (an outer atomic block that wrote facts): run them now.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(f"TRUNCATE {Counter._meta.db_table}, {ReportFact._meta.db_table}")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    else:
        Counter.objects.all().delete()
        ReportFact.objects.all().delete()


def rebuild_all(chunk: int = 5000, progress: Callable[[str, int], None] = lambda stage, done: None) -> dict:
    """Every fact from the log, then every cell from the facts, in one
    transaction under the lock: readers see the old figures until it commits,
    writers wait for it."""
    with transaction.atomic():
        state = lock()
        # Events after this one are refreshed again by refresh_new_events:
        # a second refresh of a fact that is already right changes nothing.
        state.last_event_id = ReportEvent.objects.aggregate(newest=Max("pk"))["newest"]
        _clear()
        rules = topic_rules()
        facts = 0
        for ids in _id_chunks(chunk):
            computed = compute_facts(ids, rules)
            _write_facts(computed)
            facts += len(computed)
            progress("facts", facts)
        cells = _rebuild_cells(progress)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(f"ANALYZE {ReportFact._meta.db_table}")
                cursor.execute(f"ANALYZE {Counter._meta.db_table}")
        state.rebuilt_at = state.refreshed_at = timezone.now()
        state.save(update_fields=["rebuilt_at", "refreshed_at", "last_event_id"])
    return {"facts": facts, "cells": cells}


def _rebuild_cells(progress: Callable[[str, int], None]) -> int:
    """Month by month (memory stays bounded by a month's cells): the facts'
    contributions summed per day and finest key first, then rolled up to
    every level and grain; the day and month cells of each month are
    written as it ends, the year cells at the end."""
    span = ReportFact.objects.aggregate(first=Min("received_on"), last=Max("received_on"))
    written = 0
    years: dict[CellKey, Tally] = {}
    if span["first"] is not None:
        last = max(span["last"], timezone.localdate())
        for month, following in _months(span["first"], last):
            finest: dict[tuple, Tally] = {}
            for anchor, field in ANCHOR_FIELDS.items():
                facts = ReportFact.objects.filter(**{f"{field}__gte": month, f"{field}__lt": following})
                _sum_finest(finest, _facts(facts), anchor)
            cells = _roll_up(finest)
            for cell in [c for c in cells if c[1] == Grain.YEAR]:
                years.setdefault(cell, Tally()).merge(cells.pop(cell))
            written += _write_cells(cells)
            progress("cells", written)
    finest = {}
    _sum_finest(finest, _facts(ReportFact.objects.filter(in_work=True)), "now")
    written += _write_cells(years) + _write_cells(_roll_up(finest))
    progress("cells", written)
    return written


def _sum_finest(finest: dict[tuple, Tally], facts: Iterable[Fact], anchor: str) -> None:
    for fact in facts:
        for name, day, key, metrics, hour in contributions(fact):
            if name == anchor:
                tally = finest.get((day, key))
                if tally is None:
                    tally = finest[(day, key)] = Tally()
                tally.add(metrics, hour)


def _roll_up(finest: dict[tuple, Tally]) -> dict[CellKey, Tally]:
    cells: dict[CellKey, Tally] = {}
    for (day, key), tally in finest.items():
        for grain, start in buckets(day):
            for level, project in LEVEL_KEY.items():
                cell = (level, grain, start, *project(key))
                into = cells.get(cell)
                if into is None:
                    into = cells[cell] = Tally()
                into.merge(tally)
    return cells
