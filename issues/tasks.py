"""Thin Celery tasks of the issues app: ids in, the work is in issues.photos."""

from celery import shared_task

from issues import photos


@shared_task(autoretry_for=(OSError,), max_retries=3, retry_backoff=True, retry_jitter=True)
def make_photo_thumbnail(photo_id: int) -> bool:
    """Sent after commit by attach_photos; a no-op when the thumbnail exists.
    OSError covers a storage hiccup (and a file that is not there yet)."""
    return photos.make_thumbnail(photo_id)


@shared_task
def sweep_missing_thumbnails() -> int:
    """Periodic: thumbnails that make_photo_thumbnail never made (the broker
    was down after commit). Safe to run twice at once: make_thumbnail claims
    each thumbnail with a conditional update."""
    return photos.make_missing_thumbnails()
