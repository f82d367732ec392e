"""The volunteers' pages: becoming a volunteer, the task pool on a map and as
a list by distance, a task with its take and verdict forms, and the
volunteer's own page with their standing. Every change is one call of
volunteers.services; access is volunteers.access."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.gis.geos import Point
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.models import Role
from issues.models import Photo
from volunteers import selectors, services
from volunteers.access import get_task_for_volunteer, require_active_volunteer, volunteer_required
from volunteers.forms import ApplicationForm, PointForm, VerdictForm
from volunteers.models import Inspection, Volunteer

PAGE_SIZE = 30


def _add_domain_error(form, exc: ValidationError) -> None:
    field = getattr(exc, "field", None)
    form.add_error(field if field in form.fields else None, exc)


@login_required
@require_http_methods(["GET", "POST"])
def landing(request):
    """«Стать волонтёром»: the application form, or where one stands."""
    user = request.user
    record = Volunteer.objects.filter(user=user).first()
    if user.role == Role.VOLUNTEER and record is not None and record.is_active:
        return redirect("volunteers:tasks")
    form = ApplicationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.apply(user, form.cleaned_data["motivation"], form.cleaned_data["district"])
        except ValidationError as exc:
            _add_domain_error(form, exc)
        else:
            messages.success(request, "Заявка отправлена. Редакция рассмотрит её и сообщит о решении.")
            return redirect("volunteers:landing")
    application = selectors.latest_application(user)
    return render(
        request,
        "volunteers/landing.html",
        {
            "form": form,
            "application": application,
            "record": record,
            "may_apply": user.role == Role.RESIDENT
            and (record is None or record.is_active)
            and not (application and application.status == application.Status.PENDING),
        },
        status=400 if request.method == "POST" else 200,
    )


@volunteer_required
@require_GET
def tasks(request):
    """The pool on a map and as a list, nearest first from the chosen point."""
    point_form = PointForm(request.GET if {"lat", "lon"} & set(request.GET) else None)
    point = None
    if point_form.is_bound and point_form.is_valid():
        point = Point(point_form.cleaned_data["lon"], point_form.cleaned_data["lat"], srid=4326)
    pool = selectors.pool(point, for_user=request.user)
    features = [
        {
            "id": t.pk,
            "lat": t.report.point.y,
            "lon": t.report.point.x,
            "topic": t.report.topic.name,
            "address": t.report.address,
            "url": reverse("volunteers:task", args=[t.pk]),
        }
        for t in pool
    ]
    return render(
        request,
        "volunteers/tasks.html",
        {
            "pool": pool,
            "features": features,
            "held": selectors.held_by(request.user),
            "point": point,
            "point_form": point_form,
            "limit": selectors.POOL_LIMIT,
        },
    )


@volunteer_required
@require_GET
def task(request, pk: int):
    return _render_task(request, get_task_for_volunteer(request.user, pk))


@volunteer_required
@require_POST
def take(request, pk: int):
    # Not through get_task_for_volunteer: a task someone else has just taken
    # is no longer visible, and the loser must be told why, not shown a 404.
    try:
        taken = services.take_task(request.user, pk)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
        return redirect("volunteers:tasks")
    until = timezone.localtime(taken.taken_until)
    messages.success(
        request,
        f"Проверка ваша до {until:%d.%m.%Y %H:%M}. Съездите на место, сфотографируйте и отправьте итог.",
    )
    return redirect("volunteers:task", pk)


@volunteer_required
@require_POST
def give_up(request, pk: int):
    inspection = get_task_for_volunteer(request.user, pk)
    try:
        services.give_up_task(request.user, inspection.pk)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    else:
        messages.success(request, "Проверка возвращена в общий список.")
    return redirect("volunteers:tasks")


@volunteer_required
@require_POST
def verdict(request, pk: int):
    inspection = get_task_for_volunteer(request.user, pk)
    form = VerdictForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.submit_verdict(
                request.user,
                inspection.pk,
                form.cleaned_data["verdict"],
                form.cleaned_data["comment"],
                form.cleaned_data["photos"],
            )
        except ValidationError as exc:
            _add_domain_error(form, exc)
        else:
            messages.success(request, "Итог проверки отправлен в редакцию. Спасибо!")
            return redirect("volunteers:me")
    inspection.refresh_from_db()
    return _render_task(request, inspection, form=form, status=400)


@login_required
@require_GET
def me(request):
    """The volunteer's own page: their standing and their inspections."""
    user = request.user
    record = Volunteer.objects.filter(user=user).first()
    if record is None:
        return redirect("volunteers:landing")
    page = Paginator(selectors.inspections_of(user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "volunteers/me.html",
        {
            "record": record,
            "standing": selectors.standing(user),
            "held": selectors.held_by(user) if record.is_active else [],
            "page": page,
        },
    )


def _render_task(request, inspection: Inspection, *, form: VerdictForm | None = None, status: int = 200):
    require_active_volunteer(request.user)
    report = inspection.report
    mine = inspection.volunteer_id == request.user.pk and inspection.status == Inspection.Status.TAKEN
    expired = mine and inspection.taken_until < timezone.now()
    answer = inspection.answer
    return render(
        request,
        "volunteers/task.html",
        {
            "inspection": inspection,
            "report": report,
            "photos": list(report.photos.filter(role=Photo.Role.REPORT).order_by("pk")),
            "answer": answer,
            "answer_photos": list(answer.event.photos.order_by("pk")) if answer and answer.event_id else [],
            "mine": mine and not expired,
            "expired": expired,
            "available": inspection.status == Inspection.Status.OPEN
            or (inspection.status == Inspection.Status.TAKEN and inspection.taken_until < timezone.now()),
            "form": form or VerdictForm(),
        },
        status=status,
    )
