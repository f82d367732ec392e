"""Thin Celery tasks of the notifications app: ids in, the work is in
notifications.services."""

from smtplib import SMTPException

from celery import shared_task

from notifications import services


@shared_task(
    autoretry_for=(SMTPException, OSError),
    max_retries=5,
    retry_backoff=True,
    retry_backoff_max=600,
    retry_jitter=True,
)
def send_notification_email(notification_id: int) -> bool:
    """Queued after commit by notifications.subscribers, one per notice. A
    no-op when the letter has gone already or is no longer wanted; the
    sending is claimed with a conditional UPDATE, so a retry racing the
    sweep sends once."""
    return services.send_email(notification_id)


@shared_task
def send_pending_emails() -> int:
    """Periodic: letters that send_notification_email never sent (the broker
    was down after commit, or the retries ran out). Safe to run twice at once."""
    return services.send_pending_emails()
