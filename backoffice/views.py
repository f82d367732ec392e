"""The organizations' back office and the supervisors' screen.

Thin views: access through backoffice.access, reads through
backoffice.selectors, every change through issues.services (which check
the actor and the status again, under a row lock)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from accounts.roles import Capability, can
from backoffice import selectors
from backoffice.access import (
    can_answer,
    get_report_for_office,
    get_report_for_staff,
    require_office,
    require_staff,
    require_supervisor,
)
from backoffice.forms import AnswerForm, OfficeFilterForm, PostponeRequestForm, RedirectRequestForm
from backoffice.models import ResponseTemplate
from backoffice.rows import office_rows
from issues import services
from issues.errors import DomainError
from issues.models import OrganizationRequest, Report, Status
from nashgorod.links import url_prefix
from nashgorod.paging import CachedCountPaginator, forget_counts

# Rows of the organization's list a page: the nearest deadlines first, paged.
PAGE_SIZE = 20


# -- the lists -------------------------------------------------------------------


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """/office/: the organization's reports, or the supervisor's screen."""
    require_office(request.user)
    if can(request.user, Capability.SUPERVISE):
        return supervisor_home(request)
    return staff_list(request)


def staff_list(request: HttpRequest) -> HttpResponse:
    require_staff(request.user)
    organization = selectors.organization_of(request.user)
    form = OfficeFilterForm(request.GET or None, organization=organization)
    filters = form.filters()
    page = CachedCountPaginator(
        selectors.office_rows(organization.pk, **filters),
        PAGE_SIZE,
        count_key=_office_count_key(organization.pk, **filters),
    ).get_page(request.GET.get("page"))
    return render(
        request,
        "backoffice/staff_list.html",
        {
            "organization": organization,
            "form": form,
            "page": page,
            # One reverse() per page, not a {% url %} per row.
            "rows": office_rows(page, report_url=url_prefix("backoffice:report"), now=timezone.now()),
        },
    )


def _office_count_key(organization_id: int, status: str = "", topic=None, district=None) -> str:
    return f"office:{organization_id}:{status}:{topic or ''}:{district or ''}"


def supervisor_home(request: HttpRequest) -> HttpResponse:
    require_supervisor(request.user)
    organization = request.user.organization
    escalations = Paginator(selectors.escalations_to(organization), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    for event in escalations:
        event.reason_label = selectors.ESCALATION_REASONS.get(event.reason, event.reason)
    organizations = Paginator(selectors.supervised_counts(organization), PAGE_SIZE).get_page(
        request.GET.get("orgs")
    )
    return render(
        request,
        "backoffice/supervisor_home.html",
        {"organization": organization, "escalations": escalations, "organizations": organizations},
    )


# -- a report ----------------------------------------------------------------------

REPORT_RELATED = ("topic__group", "district", "okrug", "organization")
# Boundaries are big and never shown here.
REPORT_DEFERRED = ("district__boundary", "okrug__boundary")


def _reports():
    return Report.objects.select_related(*REPORT_RELATED).defer(*REPORT_DEFERRED)


def _render_report(request, report: Report, *, status: int = 200, **forms) -> HttpResponse:
    actor = can_answer(request.user, report)
    in_work = report.status == Status.IN_WORK
    requests = list(selectors.report_requests(report))
    pending = {r.kind for r in requests if r.state == OrganizationRequest.State.PENDING}
    context = {
        "report": report,
        "photos": selectors.report_photos(report),
        "timeline": selectors.office_timeline(report),
        "requests": requests,
        "countdown": selectors.countdown(report),
        "overdue": selectors.is_overdue(report, timezone.now()),
        "can_act": actor and in_work,
        "read_only": not actor,
    }
    if actor and in_work:
        templates = list(ResponseTemplate.objects.for_topic(report.topic))
        context.update(
            answer_form=forms.get("answer_form") or AnswerForm(report=report),
            response_templates={t.pk: {"outcome": t.outcome, "text": t.text} for t in templates},
        )
        if OrganizationRequest.Kind.REDIRECT not in pending:
            context["redirect_form"] = forms.get("redirect_form") or RedirectRequestForm(report=report)
        if OrganizationRequest.Kind.POSTPONE not in pending:
            context["postpone_form"] = forms.get("postpone_form") or PostponeRequestForm()
    return render(request, "backoffice/report.html", context, status=status)


@login_required
@require_GET
def report_detail(request: HttpRequest, report_id: int) -> HttpResponse:
    """Staff of its organization: the report with the answer and request
    forms. A supervisor of that organization: the same page, read-only."""
    report = get_report_for_office(request.user, report_id, queryset=_reports())
    return _render_report(request, report)


def _invalid(request, report: Report, **forms) -> HttpResponse:
    """The form again with its errors; or, when the report has left «in
    work» since the page was drawn (no form to show them on), a message."""
    if report.status != Status.IN_WORK:
        messages.error(
            request,
            f"Сообщение №{report.pk} уже в статусе «{report.get_status_display()}»: "
            "отвечать и отправлять запросы можно только по сообщениям в работе.",
        )
        return redirect("backoffice:report", report.pk)
    return _render_report(request, report, **forms)


def _refused(request, report: Report, form, exc: DomainError, form_name: str) -> HttpResponse:
    """The service said no. A field it names is marked on the form; anything
    else (a second click, a status changed meanwhile) is a message on the
    page as it is now."""
    if exc.field and exc.field in form.fields:
        form.add_error(exc.field, exc.messages)
        return _render_report(request, report, **{form_name: form})
    for message in exc.messages:
        messages.error(request, message)
    return redirect("backoffice:report", report.pk)


@login_required
@require_POST
def answer(request: HttpRequest, report_id: int) -> HttpResponse:
    report = get_report_for_staff(request.user, report_id, queryset=_reports())
    form = AnswerForm(request.POST, request.FILES, report=report)
    if "use_template" in request.POST:
        initial = form.template_initial()
        if initial is None:
            messages.error(request, "Выберите шаблон из списка.")
        return _render_report(request, report, answer_form=AnswerForm(report=report, initial=initial))
    if not form.is_valid():
        return _invalid(request, report, answer_form=form)
    data = form.cleaned_data
    try:
        services.answer(
            request.user,
            report.pk,
            data["outcome"],
            data["text"],
            photos=data["photos"],
            planned_date=data.get("planned_date"),
        )
    except DomainError as exc:
        return _refused(request, report, form, exc, "answer_form")
    # The answer moved the report from one status to another: the list's
    # totals by status count again (by topic or district: within seconds).
    forget_counts(
        *(_office_count_key(report.organization_id, status) for status in ("", *selectors.FILTER_STATUSES))
    )
    messages.success(request, f"Ответ на сообщение №{report.pk} отправлен на проверку редакции.")
    return redirect("backoffice:report", report.pk)


@login_required
@require_POST
def request_redirect(request: HttpRequest, report_id: int) -> HttpResponse:
    report = get_report_for_staff(request.user, report_id, queryset=_reports())
    form = RedirectRequestForm(request.POST, report=report)
    if not form.is_valid():
        return _invalid(request, report, redirect_form=form)
    try:
        services.request_redirect(
            request.user,
            report.pk,
            form.cleaned_data["reason"],
            suggested=form.cleaned_data.get("suggested_organization"),
        )
    except DomainError as exc:
        return _refused(request, report, form, exc, "redirect_form")
    messages.success(request, "Запрос на переадресацию отправлен редакции.")
    return redirect("backoffice:report", report.pk)


@login_required
@require_POST
def request_postponement(request: HttpRequest, report_id: int) -> HttpResponse:
    report = get_report_for_staff(request.user, report_id, queryset=_reports())
    form = PostponeRequestForm(request.POST)
    if not form.is_valid():
        return _invalid(request, report, postpone_form=form)
    try:
        services.request_postponement(
            request.user, report.pk, form.cleaned_data["planned_date"], form.cleaned_data["reason"]
        )
    except DomainError as exc:
        return _refused(request, report, form, exc, "postpone_form")
    messages.success(request, "Запрос на перенос срока отправлен редакции.")
    return redirect("backoffice:report", report.pk)
