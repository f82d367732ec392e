"""The facts and the counters follow the event log: each report's fact, the
subscriber's increments equal a rebuild from scratch, and a replayed or
lost announcement changes nothing / is caught up."""

import datetime as dt

import pytest
import time_machine

from issues import services
from issues.events import event_recorded
from issues.models import Outcome, ReportEvent, Status
from stats import counters
from stats.models import Counter, ReportFact
from stats.tests.city import THE_END, snapshot
from tests.factories import staff_of

pytestmark = pytest.mark.django_db
D = dt.date


def fact(city, name):
    return ReportFact.objects.get(pk=city.reports[name].pk)


def test_each_report_has_the_fact_its_events_tell(city):
    r1, r2, r3, r7, r9 = (fact(city, n) for n in ("r1", "r2", "r3", "r7", "r9"))
    assert (r1.received_on, r1.published_on, r1.answered_on, r1.resolved_on) == (
        D(2026, 11, 2), D(2026, 11, 2), D(2026, 11, 3), D(2026, 11, 4),
    )  # fmt: skip
    assert (r1.answer_hours, r1.on_time, r1.confirmed, r1.disputed, r1.returned) == (
        24,
        True,
        True,
        False,
        False,
    )
    assert r1.organization_id == city.ha.pk and r1.group_id == city.yard.pk and r1.outcome == "done"
    # Answered after the deadline it had then (13 November), though a return gave it a later one.
    assert (r2.answered_on, r2.answer_hours, r2.on_time) == (D(2026, 11, 16), 336, False)
    assert (r2.confirmed, r2.disputed, r2.returned, r2.resolved_on) == (True, True, True, D(2026, 11, 18))
    assert (r3.status, r3.in_work, r3.overdue, r3.answered_on) == (Status.IN_WORK, True, True, None)
    # The formal answer the editorial team returned does not count; the next one does.
    assert (r7.answered_on, r7.answer_hours, r7.on_time, r7.confirmed) == (D(2026, 11, 11), 54, True, False)
    assert (r9.received_on, r9.answered_on, r9.answer_hours, r9.resolved_on) == (
        D(2026, 10, 29), D(2026, 11, 2), 96, D(2026, 11, 18),
    )  # fmt: skip
    r5 = fact(city, "r5")
    assert (r5.status, r5.organization_id, r5.published_on) == (Status.REJECTED, None, None)


def test_the_subscribers_increments_equal_a_rebuild_from_the_log(city):
    before = snapshot()
    facts_before = {f.pk: f.answer_hours for f in ReportFact.objects.all()}
    assert before and len(facts_before) == 9
    with time_machine.travel(THE_END, tick=False):
        assert counters.rebuild_all(chunk=4) == {"facts": 9, "cells": len(before)}
    assert snapshot() == before
    assert {f.pk: f.answer_hours for f in ReportFact.objects.all()} == facts_before


def test_replaying_every_event_counts_nothing_twice(city, django_capture_on_commit_callbacks):
    before = snapshot()
    with django_capture_on_commit_callbacks(execute=True):
        for event in ReportEvent.objects.order_by("pk"):
            event_recorded.send(
                sender=ReportEvent, event_id=event.pk, kind=event.kind, report_id=event.report_id
            )
    assert snapshot() == before
    assert counters.refresh_reports([r.pk for r in city.reports.values()]) == 0


def test_rebuild_recent_catches_up_an_event_that_was_never_announced(city):
    r3 = city.reports["r3"]
    with time_machine.travel(THE_END, tick=False):
        # No on-commit callbacks run here: the announcement is lost.
        services.answer(staff_of(city.rs), r3, Outcome.DONE, "Яма заделана.")
        assert fact(city, "r3").answered_on is None
        assert counters.rebuild_recent(minutes=15) == 1
        assert counters.rebuild_recent(minutes=15) == 0  # twice in a row: nothing more
    r3_fact = fact(city, "r3")
    assert (r3_fact.answered_on, r3_fact.on_time, r3_fact.in_work) == (D(2026, 11, 27), False, False)
    late = Counter.objects.get(level=0, grain="M", start=D(2026, 11, 1), group_id=city.roads.pk)
    assert (late.answered, late.answered_late, late.in_work) == (2, 1, 0)
    before = snapshot()
    with time_machine.travel(THE_END, tick=False):
        counters.rebuild_all()
    assert snapshot() == before


def test_a_deleted_report_takes_its_contributions_away(city):
    report = city.reports["r5"]
    pk = report.pk
    ReportEvent.objects.filter(report=report).delete()
    report.delete()  # its fact stays, with its contributions, until refreshed
    assert ReportFact.objects.filter(pk=pk).exists()
    assert counters.refresh_reports([pk]) == 1
    assert not ReportFact.objects.filter(pk=pk).exists()
    before = snapshot()
    with time_machine.travel(THE_END, tick=False):
        counters.rebuild_all()
    assert snapshot() == before


def test_a_burst_of_events_is_refreshed_by_one_task(city, django_capture_on_commit_callbacks, monkeypatch):
    """While a refresh is queued and not yet started, the events announced
    meanwhile queue nothing more: the one task refreshes all their reports."""
    from django.core.cache import cache

    from stats import tasks

    queued = []
    monkeypatch.setattr(tasks.refresh_new_events, "apply_async", lambda *a, **kw: queued.append(kw))
    r3, r6 = city.reports["r3"], city.reports["r6"]
    with time_machine.travel(THE_END, tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            services.answer(staff_of(city.rs), r3, Outcome.DONE, "Яма заделана.")
        with django_capture_on_commit_callbacks(execute=True):
            services.answer(staff_of(city.rs), r6, Outcome.DONE, "Знак поставлен.")
        assert queued == [{"countdown": tasks.REFRESH_DELAY_SECONDS}] and cache.get(tasks.REFRESH_PENDING_KEY)
        assert (fact(city, "r3").answered_on, fact(city, "r6").answered_on) == (None, None)
        assert tasks.refresh_new_events() == 2  # the worker takes the one task up
        assert tasks.refresh_new_events() == 0  # and a second run finds nothing new
    assert fact(city, "r3").answered_on == fact(city, "r6").answered_on == D(2026, 11, 27)
    assert cache.get(tasks.REFRESH_PENDING_KEY) is None
    before = snapshot()
    with time_machine.travel(THE_END, tick=False):
        counters.rebuild_all()
    assert snapshot() == before


def test_the_refresh_starts_after_the_events_a_rebuild_has_counted(city):
    from stats.models import StatsState

    with time_machine.travel(THE_END, tick=False):
        counters.rebuild_all()
    newest = ReportEvent.objects.order_by("-pk").values_list("pk", flat=True).first()
    assert StatsState.objects.get().last_event_id == newest
    assert counters.refresh_new_events() == 0
    StatsState.objects.update(last_event_id=None)  # never run: the whole log is new, and counted once
    before = snapshot()
    assert counters.refresh_new_events() == 0
    assert snapshot() == before and StatsState.objects.get().last_event_id == newest
