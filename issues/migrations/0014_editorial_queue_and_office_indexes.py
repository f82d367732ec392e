"""Partial indexes for the editorial queues and the back office's list, each
in the order its page reads: at 1,000,000 reports the answers in review
(70,000) and the overdue queue were sorted whole for every page of 20, and
an organization's open reports (8,000) for every page of its list
(bench_desk_pages: the desk 230 to 20 ms, answers 168 to 23, overdue 117 to
15, in process)."""

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("issues", "0013_mapgrid_group_district_indexes"),
        ("organizations", "0001_initial"),
        ("places", "0002_building_search_trgm"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddIndex(
            model_name="report",
            index=models.Index(
                condition=models.Q(("status__in", ["in_work", "answer_review", "answered", "disputed"])),
                fields=["organization", "deadline", "id"],
                name="report_office_open",
            ),
        ),
        migrations.AddIndex(
            model_name="report",
            index=models.Index(
                condition=models.Q(("status", "answer_review")),
                fields=["answered_at", "id"],
                name="report_queue_answers",
            ),
        ),
        migrations.AddIndex(
            model_name="report",
            index=models.Index(
                condition=models.Q(("status", "disputed")),
                fields=["updated_at", "id"],
                name="report_queue_disputes",
            ),
        ),
        migrations.AddIndex(
            model_name="report",
            index=models.Index(
                condition=models.Q(
                    ("status", "in_work"),
                    models.Q(("is_overdue", True), ("escalation_level__gt", 0), _connector="OR"),
                ),
                fields=["deadline", "id"],
                name="report_queue_overdue",
            ),
        ),
    ]
