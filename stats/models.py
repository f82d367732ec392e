"""Statistics kept from the report's event log.

Two tables, both derived data that `manage.py rebuild_stats` can make again
from the log at any time:

- ReportFact: one row per report, what its events say about it (when it was
  received, published, answered, resolved; whether the answer came on time;
  whether the author confirmed or disputed it; where and with whom it is).
- Counter: sums of the facts per cell. A cell is a period bucket (a day, a
  month, a year, or "now" for the reports open at this moment) times a
  level of detail (the whole city, an okrug, an organization, or the finest
  okrug × district × organization, split by topic group; an okrug, an
  organization or a district in all). A page adds up a handful of cells
  instead of scanning reports.

The invariant: every Counter cell equals the sum of the contributions of the
stored facts (stats.counters.contributions). stats.counters changes a fact
and the cells it touches in one transaction, under one lock (StatsState).
"""

from __future__ import annotations

import datetime as dt

from django.db import models

from issues.models import Outcome, Report, Status

# The date that stands for "now" in the cells of reports open at this moment.
NOW_START = dt.date(1970, 1, 1)

METRICS = (
    "received",
    "published",
    "answered",
    "answered_on_time",
    "answered_late",
    "confirmed",
    "disputed",
    "returned",
    "resolved",
    "in_work",
    "overdue",
)


class Grain(models.TextChoices):
    DAY = "D", "день"
    MONTH = "M", "месяц"
    YEAR = "Y", "год"
    NOW = "N", "сейчас"


class Level(models.IntegerChoices):
    """Which key columns a cell has; the others are 0 ("all"). The *_TOTAL
    levels repeat a level without the split by topic group, so that a page
    reads a dozen rows instead of a dozen times ten."""

    CITY = 0, "город"  # group
    OKRUG = 1, "округ"  # okrug, group
    ORGANIZATION = 2, "организация"  # organization, group
    FINEST = 3, "округ, район и организация"  # okrug, district, organization, group
    OKRUG_TOTAL = 4, "округ, все группы"  # okrug
    ORGANIZATION_TOTAL = 5, "организация, все группы"  # organization
    DISTRICT_TOTAL = 6, "район, все группы"  # okrug, district


class ReportFact(models.Model):
    """What the event log says about one report (dates in Moscow time)."""

    # No cascade: a deleted report's fact stays, with its contributions, until
    # a refresh of that id (or rebuild_stats) takes both away together.
    report = models.OneToOneField(
        Report, primary_key=True, on_delete=models.DO_NOTHING, db_constraint=False, related_name="stats_fact"
    )
    okrug = models.ForeignKey("places.Okrug", on_delete=models.PROTECT, related_name="+")
    district = models.ForeignKey("places.District", on_delete=models.PROTECT, related_name="+")
    organization = models.ForeignKey(
        "organizations.Organization", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    topic = models.ForeignKey("issues.Topic", on_delete=models.PROTECT, related_name="+")
    group = models.ForeignKey("issues.TopicGroup", on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=20, choices=Status.choices)
    received_on = models.DateField("поступило")
    published_on = models.DateField("опубликовано", null=True, blank=True)
    # The organization's first answer that the editorial team did not return
    # as a formal reply (published, or still under review).
    answered_on = models.DateField("дан ответ", null=True, blank=True)
    resolved_on = models.DateField("решено", null=True, blank=True)
    # From publication to that answer, whole hours (calendar time).
    answer_hours = models.PositiveIntegerField(null=True, blank=True)
    on_time = models.BooleanField(null=True, blank=True)
    confirmed = models.BooleanField(default=False)
    disputed = models.BooleanField(default=False)
    returned = models.BooleanField(default=False)
    in_work = models.BooleanField(default=False)
    overdue = models.BooleanField(default=False)
    outcome = models.CharField(max_length=20, choices=Outcome.choices, blank=True)
    refreshed_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "факт о сообщении"
        verbose_name_plural = "факты о сообщениях"
        indexes = [
            # Open data: published reports of a period, by number (exports.reports_rows).
            models.Index(fields=["published_on", "report"], name="stats_fact_published"),
        ]

    def __str__(self) -> str:
        return f"факт о №{self.report_id}"


class Counter(models.Model):
    """Sums of the facts in one cell: a period bucket × a level × keys."""

    level = models.PositiveSmallIntegerField(choices=Level.choices)
    grain = models.CharField(max_length=1, choices=Grain.choices)
    start = models.DateField()  # the bucket's first day; NOW_START for Grain.NOW
    # Plain ids (0 = all at this level): derived data, rebuilt from the facts.
    okrug_id = models.IntegerField(default=0)
    district_id = models.IntegerField(default=0)
    organization_id = models.IntegerField(default=0)
    group_id = models.IntegerField(default=0)

    received = models.IntegerField(default=0)
    published = models.IntegerField(default=0)
    answered = models.IntegerField(default=0)
    answered_on_time = models.IntegerField(default=0)
    answered_late = models.IntegerField(default=0)
    # Of the reports answered in the bucket, how many the author confirmed,
    # disputed, or the editorial team returned to the organization after a dispute.
    confirmed = models.IntegerField(default=0)
    disputed = models.IntegerField(default=0)
    returned = models.IntegerField(default=0)
    resolved = models.IntegerField(default=0)
    in_work = models.IntegerField(default=0)  # Grain.NOW only
    overdue = models.IntegerField(default=0)  # Grain.NOW only
    # Answer times of the reports answered in the bucket: {"<whole hours>": count}.
    answer_hours = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = "счётчик"
        verbose_name_plural = "счётчики"
        constraints = [
            # One row per cell. Its index serves every page's reads: a level's
            # buckets of a period (the city page), narrowed to an okrug and a
            # district (the okrug and district pages), or to an organization at
            # the organization level (okrug_id = district_id = 0 there).
            models.UniqueConstraint(
                fields=[
                    "level",
                    "grain",
                    "start",
                    "okrug_id",
                    "district_id",
                    "organization_id",
                    "group_id",
                ],
                name="stats_counter_cell",
            ),
        ]
        indexes = [
            # An organization's page: its rows at the finest level, by district.
            models.Index(fields=["level", "organization_id", "grain", "start"], name="stats_counter_org"),
        ]

    def __str__(self) -> str:
        return f"{self.get_level_display()} {self.grain} {self.start}"


class StatsState(models.Model):
    """One row. Its row lock serializes the writers of facts and counters
    (the event subscriber, rebuild_recent, rebuild_stats): each computes a
    report's new fact and the difference it makes under the lock, so that two
    at once can neither lose nor double an update."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    refreshed_at = models.DateTimeField(null=True, blank=True)
    rebuilt_at = models.DateTimeField(null=True, blank=True)
    # The newest event whose report counters.refresh_new_events has refreshed
    # (none yet: every event is new).
    last_event_id = models.BigIntegerField(null=True, blank=True)

    class Meta:
        verbose_name = "состояние статистики"
        verbose_name_plural = "состояние статистики"
        constraints = [models.CheckConstraint(name="stats_state_single_row", condition=models.Q(id=1))]

    def __str__(self) -> str:
        return f"статистика на {self.refreshed_at:%d.%m.%Y %H:%M}" if self.refreshed_at else "статистика"
