"""The editorial desk: the queues and a report's moderation page. Every view
needs the moderate capability (moderation.access)."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_GET

from issues import services
from issues.models import Photo, Report, Status
from moderation import selectors
from moderation.access import moderator_required

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
    context = {"cards": cards, "total": sum(counts.values()), "queues": selectors.QUEUES.values()}
    return render(request, "moderation/desk.html", context)


@moderator_required
@require_GET
def queue(request, slug: str):
    current = selectors.QUEUES.get(slug)
    if current is None:
        raise Http404("Нет такой очереди.")
    page = Paginator(current.items(), selectors.PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        current.template,
        {"queue": current, "page": page, "queues": selectors.QUEUES.values()},
    )


@moderator_required
@require_GET
def report_page(request, pk: int):
    return _render_report(request, _report_or_404(pk))


# --- helpers ---------------------------------------------------------------


def _report_or_404(pk: int) -> Report:
    try:
        return selectors.report_for_desk(pk)
    except Report.DoesNotExist:
        raise Http404("Нет такого сообщения.") from None


def _render_report(request, report: Report):
    context = {
        "report": report,
        "photos": selectors.photos_of(report),
        "timeline": selectors.timeline(report),
        "queue": selectors.QUEUES.get(QUEUE_OF_STATUS.get(report.status, "")),
        "queues": selectors.QUEUES.values(),
        "forms": {},
        "request_forms": [],
    }
    if report.status == Status.MODERATION:
        context["proposed"] = services.proposed_organization(report)
    if report.status == Status.ANSWER_REVIEW:
        context["answer"] = answer = selectors.answer_in_review(report)
        context["answer_photos"] = list(answer.event.photos.order_by("pk")) if answer and answer.event else []
    if report.status == Status.DISPUTED:
        context["rejection"] = rejection = selectors.latest_fix_rejection(report)
        context["rejection_photos"] = (
            list(rejection.photos.filter(role=Photo.Role.DISPUTE).order_by("pk")) if rejection else []
        )
    return render(request, "moderation/report.html", context)
