"""The Celery app. The periodic schedule lives here, in code."""

import os

from celery import Celery
from celery.schedules import crontab

from nashgorod.env import get_int

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nashgorod.settings")

app = Celery("nashgorod", include=["nashgorod.tasks", "issues.scheduler"])
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Each entry names a thin task that is safe to run twice at once.
app.conf.beat_schedule = {
    "heartbeat": {
        "task": "nashgorod.tasks.heartbeat",
        "schedule": get_int("HEARTBEAT_SECONDS", 60, minimum=1),
    },
    # The report's deadlines (issues.scheduler): each safe to run twice at once.
    "send-reminders": {"task": "issues.scheduler.send_reminders", "schedule": 15 * 60.0},
    "mark-overdue": {"task": "issues.scheduler.mark_overdue", "schedule": 5 * 60.0},
    "escalate-further": {"task": "issues.scheduler.escalate_further", "schedule": 30 * 60.0},
    "auto-close": {"task": "issues.scheduler.auto_close", "schedule": 15 * 60.0},
    # Notification letters whose task was lost (a dead broker after commit) or ran out of retries.
    "send-pending-emails": {
        "task": "notifications.tasks.send_pending_emails",
        "schedule": 120.0,
        "options": {"expires": 110},
    },
    # Statistics: facts of reports with recent events, in case a refresh was lost.
    "stats-rebuild-recent": {
        "task": "stats.tasks.rebuild_recent",
        "schedule": 60.0,
        "options": {"expires": 55},
    },
    # Volunteer inspections: the daily sample of «done» answers (a rerun draws the
    # same answers and adds nothing), and tasks kept past their time back to the pool.
    "inspections-sample": {
        "task": "volunteers.tasks.sample_done_answers",
        "schedule": crontab(hour=6, minute=15),
    },
    "inspections-release-expired": {
        "task": "volunteers.tasks.release_expired_tasks",
        "schedule": 5 * 60.0,
        "options": {"expires": 290},
    },
    # Thumbnails whose task was lost (a dead broker at the time of upload).
    "sweep-missing-thumbnails": {
        "task": "issues.tasks.sweep_missing_thumbnails",
        "schedule": 120.0,
        "options": {"expires": 110},  # sweeps that piled up while no worker ran are dropped
    },
}


@app.on_after_configure.connect
def _ensure_queue_folders(sender, **kwargs):
    """The file broker needs its folders before the first message."""
    options = sender.conf.broker_transport_options or {}
    for key in ("data_folder_in", "data_folder_out", "processed_folder", "control_folder"):
        if options.get(key):
            os.makedirs(options[key], exist_ok=True)
