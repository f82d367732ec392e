"""The resident's pages: «Сообщить о проблеме», «Мои сообщения», following."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.gis.geos import Point
from django.core.exceptions import ValidationError
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from accounts.access import require
from accounts.roles import Capability
from issues import selectors
from issues.forms import ReportForm, VerdictForm
from issues.models import OPEN_STATUSES, Report
from issues.photos import PhotoError, process_upload
from issues.services import confirm, follow_report, reject_fix, submit_report
from issues.topics import available_topics


@login_required
def report_new(request):
    require(request.user, Capability.REPORT)
    form = ReportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            report, created = submit_report(request.user, form.submission())
        except ValidationError as exc:
            form.add_error(getattr(exc, "field", None), exc)
        else:
            if created:
                messages.success(request, f"Сообщение №{report.pk} отправлено на модерацию.")
            return redirect("public:report", report.pk)
    topics = [
        {
            "id": t.pk,
            "name": t.name,
            "group": t.group.name,
            "hint": t.hint,
            "needs_building": t.needs_building,
            "photo_required": t.photo_required,
        }
        for t in available_topics()
    ]
    return render(request, "issues/report_new.html", {"form": form, "topics": topics})


@login_required
@require_POST
def photo_gps(request):
    """Where a photo says it was taken, so the page can offer to put the
    marker there. Nothing is stored."""
    upload = request.FILES.get("photo")
    if upload is None:
        return JsonResponse({"error": "Нет файла."}, status=400)
    try:
        processed = process_upload(upload)
    except PhotoError as exc:
        return JsonResponse({"error": exc.messages[0], "code": exc.code}, status=400)
    if processed.gps is None:
        return JsonResponse({"gps": None})
    return JsonResponse({"gps": {"lat": processed.gps.y, "lon": processed.gps.x}})


@require_GET
def nearby(request):
    try:
        topic_id = int(request.GET["topic"])
        point = Point(float(request.GET["lon"]), float(request.GET["lat"]), srid=4326)
    except (KeyError, ValueError):
        return JsonResponse({"error": "Нужны topic, lat и lon."}, status=400)
    followed = set()
    if request.user.is_authenticated:
        followed = set(request.user.followed_reports.values_list("report_id", flat=True))
    return JsonResponse(
        {
            "results": [
                {
                    "id": r.pk,
                    "url": reverse("public:report", args=[r.pk]),
                    "follow_url": reverse("issues:follow", args=[r.pk]),
                    "topic": r.topic.name,
                    "address": r.address,
                    "status": r.get_status_display(),
                    "published_at": r.published_at.isoformat() if r.published_at else None,
                    "followed": r.pk in followed,
                }
                for r in selectors.nearby_open_reports(topic_id, point)
            ]
        }
    )


@login_required
@require_POST
def follow(request, pk: int):
    report = get_object_or_404(Report.objects.filter(status__in=OPEN_STATUSES), pk=pk)
    follow_report(request.user, report)
    messages.success(request, f"Вы следите за сообщением №{report.pk}: уведомления о нём придут вам.")
    return redirect("issues:my-reports")


@login_required
def my_reports(request):
    status = request.GET.get("status")
    return render(
        request,
        "issues/my_reports.html",
        {
            "reports": selectors.own_reports(request.user, status or ""),
            "followed": selectors.followed_reports(request.user),
            "status": status,
            "statuses": Report._meta.get_field("status").choices,
        },
    )


@login_required
@require_POST
def verdict(request, pk: int):
    """The author confirms the fix or rejects it (with a comment and photos)."""
    report = get_object_or_404(Report, pk=pk, author=request.user)
    form = VerdictForm(request.POST, request.FILES)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("public:report", report.pk)
    try:
        if form.cleaned_data["decision"] == VerdictForm.CONFIRM:
            confirm(request.user, report)
            messages.success(request, "Спасибо! Сообщение закрыто как решённое.")
        else:
            reject_fix(request.user, report, form.cleaned_data["comment"], form.cleaned_data["photos"])
            messages.success(request, "Опровержение отправлено в редакцию.")
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    return redirect("public:report", report.pk)
