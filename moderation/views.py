"""The editorial desk: the queues, a report's moderation page and its
actions. Every view needs the moderate capability (moderation.access); every
action is a form that calls one function of issues.services."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from issues.errors import TransitionNotAllowed
from issues.models import OrganizationRequest, Photo, Report, Status
from moderation import selectors
from moderation.access import moderator_required
from moderation.forms import REPORT_ACTIONS, ActionForm, decision_form_for
from moderation.inspections import OrderInspectionForm
from nashgorod.links import url_prefix
from volunteers import selectors as volunteer_selectors
from volunteers.models import Application, Inspection

STALE = (
    "Сообщение уже изменил другой редактор или исполнитель: ничего не изменено. "
    "Проверьте его текущее состояние и при необходимости повторите действие."
)

# Which queue a report in a status belongs to (the report page links back).
QUEUE_OF_STATUS = {
    Status.MODERATION: "new",
    Status.ANSWER_REVIEW: "answers",
    Status.DISPUTED: "disputes",
}


@moderator_required
@require_GET
def desk(request):
    counts = selectors.queue_counts()
    cards = [(q, counts[slug]) for slug, q in selectors.QUEUES.items()]
    context = {"cards": cards, "total": sum(counts.values())}
    return render(request, "moderation/desk.html", context)


@moderator_required
@require_GET
def queue(request, slug: str):
    current = selectors.QUEUES.get(slug)
    if current is None:
        raise Http404("Нет такой очереди.")
    page = selectors.queue_page(current, request.GET.get("page"))
    context = {
        "queue": current,
        "page": page,
        # Built once for the page, not by a {% url %} on every row.
        "report_url": url_prefix("moderation:report"),
        "now": timezone.now(),
    }
    if current.row_html is not None:
        context["rows"] = current.row_html(page, report_url=context["report_url"], now=context["now"])
    return render(request, current.template, context)


@moderator_required
@require_GET
def report_page(request, pk: int):
    return _render_report(request, _report_or_404(pk))


@moderator_required
@require_POST
def act(request, pk: int, action: str):
    """One action on one report: the form's perform() calls its service."""
    form_class = REPORT_ACTIONS.get(action) or (
        OrderInspectionForm if action == OrderInspectionForm.slug else None
    )
    if form_class is None:
        raise Http404("Нет такого действия.")
    report = _report_or_404(pk)
    form = form_class(request.POST, report=report)
    return _handle(request, form, report, exclude=report.pk)


@moderator_required
@require_POST
def decide(request, pk: int):
    """Grant or refuse an organization's redirect or postponement request."""
    organization_request = get_object_or_404(
        OrganizationRequest.objects.select_related("suggested_organization", "organization"), pk=pk
    )
    report = _report_or_404(organization_request.report_id)
    organization_request.report = report
    form = decision_form_for(organization_request, request.POST)
    return _handle(request, form, report, exclude=organization_request.pk, item=organization_request)


@moderator_required
@require_GET
def organizations(request):
    """The organization autocomplete of the publish and redirect forms."""
    found = selectors.search_organizations(request.GET.get("q", ""))
    return JsonResponse(
        {"results": [{"id": o.pk, "name": o.name, "kind": o.get_kind_display()} for o in found]}
    )


# --- helpers ---------------------------------------------------------------


def _report_or_404(pk: int) -> Report:
    try:
        return selectors.report_for_desk(pk)
    except Report.DoesNotExist:
        raise Http404("Нет такого сообщения.") from None


def _handle(request, form: ActionForm, report: Report, *, exclude: int, item=None):
    """Check that nothing changed since the page was shown, call the service,
    and go on to the next item of the queue; errors go back to the form."""
    if form.is_stale():
        messages.error(request, STALE)
        return redirect("moderation:report", report.pk)
    if form.is_valid():
        queue = selectors.QUEUES.get(form.queue) if form.queue else None
        # Read before the change: the service moves the report out of the queue.
        key = queue.key_of(item or report) if queue else None
        try:
            result = form.perform(request.user)
        except TransitionNotAllowed:
            messages.error(request, STALE)
            return redirect("moderation:report", report.pk)
        except ValidationError as exc:
            field = getattr(exc, "field", None)
            form.add_error(field if field in form.fields else None, exc)
        else:
            selectors.forget_queue_counts()
            messages.success(request, form.success_message(result))
            if queue is None:
                return redirect("moderation:report", report.pk)
            return redirect(_next_url(queue, key, exclude))
    return _render_report(request, report, bound=form, status=400)


def _next_url(queue: selectors.Queue, key: tuple, exclude: int) -> str:
    following = queue.after(key, exclude=exclude)
    if following is None:
        return reverse("moderation:queue", args=[queue.slug])
    return _item_url(following)


def _item_url(item: Report | OrganizationRequest | Inspection | Application) -> str:
    if isinstance(item, Application):
        return reverse("moderation:queue", args=["applications"])
    if isinstance(item, Inspection):
        return reverse("moderation:report", args=[item.report_id]) + "#inspections"
    report_id = item.report_id if isinstance(item, OrganizationRequest) else item.pk
    return reverse("moderation:report", args=[report_id])


def _render_report(request, report: Report, *, bound: ActionForm | None = None, status: int = 200):
    report.desk_inspections = volunteer_selectors.inspections_of_report(report)
    context = {
        "inspections": report.desk_inspections,
        # After a decision on a verdict the desk goes on to the next verdict awaiting one.
        "next_queue": any(i.status == Inspection.Status.SUBMITTED for i in report.desk_inspections),
        "report": report,
        "photos": selectors.photos_of(report),
        "timeline": selectors.timeline(report),
        "queue": selectors.QUEUES.get(QUEUE_OF_STATUS.get(report.status, "")),
        # The actions valid in the report's status; a form sent back with
        # errors takes the place of its blank twin.
        "forms": {
            slug: bound if bound is not None and bound.slug == slug else form_class(report=report)
            for slug, form_class in REPORT_ACTIONS.items()
            if form_class.status == report.status
        },
        "request_forms": [],
    }
    if OrderInspectionForm.offered_for(report):
        is_bound = bound is not None and bound.slug == OrderInspectionForm.slug
        context["forms"][OrderInspectionForm.slug] = bound if is_bound else OrderInspectionForm(report=report)
    if report.status == Status.MODERATION:
        context["proposed"] = context["forms"]["publish"].proposed
        context["nearby"] = selectors.nearby_reports(report)
    if report.status == Status.ANSWER_REVIEW:
        context["answer"] = answer = selectors.answer_in_review(report)
        context["answer_photos"] = list(answer.event.photos.order_by("pk")) if answer and answer.event else []
    if report.status == Status.DISPUTED:
        context["rejection"] = rejection = selectors.latest_fix_rejection(report)
        context["rejection_photos"] = (
            list(rejection.photos.filter(role=Photo.Role.DISPUTE).order_by("pk")) if rejection else []
        )
    if report.status == Status.IN_WORK:
        for organization_request in selectors.requests_of(report):
            organization_request.report = report
            context["request_forms"].append(decision_form_for(organization_request))
        if context["request_forms"]:
            context["queue"] = selectors.QUEUES["requests"]
        elif report.is_overdue or report.escalation_level:
            context["queue"] = selectors.QUEUES["overdue"]
    if bound is not None:
        context["request_forms"] = [bound if f.slug == bound.slug else f for f in context["request_forms"]]
    if context["queue"] is not None:
        # «Пропустить»: the next item of the queue, leaving this one for later.
        item = context["request_forms"][0].request if context["queue"].slug == "requests" else report
        following = context["queue"].after(context["queue"].key_of(item), exclude=item.pk)
        context["skip_url"] = _item_url(following) if following is not None else None
    return render(request, "moderation/report.html", context, status=status)
