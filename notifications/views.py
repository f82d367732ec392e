"""The bell's pages: the list, opening one notice, «mark all read» and the
unread count for polling. Thin: reads and marks go through
notifications.services."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from notifications import services
from notifications.models import Notification

PAGE_SIZE = 20


@login_required
@require_GET
def notification_list(request: HttpRequest) -> HttpResponse:
    """The user's notices, newest first; those shown are marked read (they
    are still highlighted on this page as new)."""
    notices = Notification.objects.filter(user=request.user).only(
        "pk", "title", "text", "url", "created_at", "read_at", "report_id"
    )
    page = Paginator(notices, PAGE_SIZE).get_page(request.GET.get("page"))
    shown = list(page.object_list)
    services.mark_read(request.user, [n.pk for n in shown if n.read_at is None])
    return render(request, "notifications/list.html", {"page": page, "notices": shown})


@login_required
@require_POST
def mark_all_read(request: HttpRequest) -> HttpResponse:
    services.mark_all_read(request.user)
    return redirect("notifications:list")


@login_required
@require_GET
def open_notification(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark one notice read and go where it points."""
    notice = services.get_own_notification(request.user, pk)
    services.mark_read(request.user, [notice.pk])
    if notice.url and url_has_allowed_host_and_scheme(
        notice.url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(notice.url)
    return redirect("notifications:list")


@never_cache
@require_GET
def unread_count(request: HttpRequest) -> JsonResponse:
    if not request.user.is_authenticated:
        return JsonResponse({"detail": "Войдите на портал.", "code": "not_authenticated"}, status=401)
    count = services.unread_count(request.user)
    return JsonResponse({"unread": count, "capped": count >= services.UNREAD_COUNT_CAP})
