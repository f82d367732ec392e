"""Thin Celery tasks of the issues app: the work is in issues.photos."""

from celery import shared_task

from issues import photos


@shared_task
def sweep_missing_thumbnails() -> int:
    """Periodic: photos stored without a thumbnail. process_upload makes
    every new photo's thumbnail, so this catches up those stored before it
    did (and those whose make_photo_thumbnail task, gone now, was still
    queued when this version was deployed). Safe to run twice at once:
    make_thumbnail claims each thumbnail with a conditional update."""
    return photos.make_missing_thumbnails()
