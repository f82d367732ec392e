"""Who may do what among the volunteers' pages; shared by the HTML views and
the API. Anonymous users are sent to log in (by the views); the helpers raise
PermissionDenied or Http404."""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404
from django.utils import timezone

from issues.errors import DomainError
from volunteers import services
from volunteers.models import Inspection, Volunteer


def require_active_volunteer(user) -> Volunteer:
    """The user's volunteer record, or PermissionDenied with the reason."""
    try:
        return services.active_volunteer(user)
    except DomainError as exc:
        raise PermissionDenied(exc.messages[0]) from None


def volunteer_required(view):
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        require_active_volunteer(request.user)
        return view(request, *args, **kwargs)

    return wrapped


def get_task_for_volunteer(user, pk: int) -> Inspection:
    """A task the volunteer may see: one in the pool, or one that is theirs.
    Others' tasks are reported as missing."""
    now = timezone.now()
    visible = (
        Q(status=Inspection.Status.OPEN)
        | Q(status=Inspection.Status.TAKEN, taken_until__lt=now)
        | Q(volunteer=user)
    )
    task = (
        Inspection.objects.filter(visible, pk=pk)
        .select_related("report__topic__group", "report__district", "report__organization", "answer")
        .defer("report__district__boundary")
        .first()
    )
    if task is None:
        raise Http404("Нет такой проверки.")
    return task
