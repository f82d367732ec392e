"""The editorial desk's side of volunteer inspections: ordering one on a
report, deciding on a verdict (accept, decline, or send the report back in
one action), and deciding on volunteers (applications, suspension). Every
action is a form whose perform() calls one function of volunteers.services."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from issues.errors import TransitionNotAllowed
from issues.models import Report
from moderation import selectors
from moderation.access import moderator_required
from moderation.forms import ActionForm, _comment
from volunteers import selectors as volunteer_selectors
from volunteers import services
from volunteers.models import ACTIVE_STATUSES, Application, Inspection, Volunteer

STALE = "Проверку уже рассмотрел другой редактор: ничего не изменено."


# --- ordering an inspection (a report action) ---------------------------------


class OrderInspectionForm(ActionForm):
    slug = "inspect"
    status = ""  # offered in several statuses: see offered_for
    title = "Общественная проверка"
    submit_label = "Назначить проверку"

    note = _comment(
        "Задание волонтёру",
        help_text="Что проверить на месте. Волонтёр увидит этот текст; в публичной ленте он не показывается.",
    )

    @classmethod
    def offered_for(cls, report: Report) -> bool:
        return report.status in services.INSPECTABLE_STATUSES and not any(
            i.status in ACTIVE_STATUSES for i in getattr(report, "desk_inspections", [])
        )

    def perform(self, actor):
        return services.order_inspection(actor, self.report, self.cleaned_data["note"])

    def success_message(self, inspection):
        return f"Проверка №{inspection.pk} назначена: она появилась в списке задач волонтёров."


# --- a verdict ------------------------------------------------------------------


class InspectionDecisionForm(forms.Form):
    comment = forms.CharField(
        label="Комментарий волонтёру",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    reopen = forms.BooleanField(label="Назначить проверку заново", required=False, initial=True)


def _accept(actor, inspection, data):
    services.accept_verdict(actor, inspection.pk, data["comment"])
    return "Итог проверки принят и опубликован в ленте сообщения."


def _decline(actor, inspection, data):
    services.decline_verdict(actor, inspection.pk, data["comment"], reopen=data["reopen"])
    text = "Итог проверки отклонён."
    return text + (" Назначена новая проверка." if data["reopen"] else "")


def _return(actor, inspection, data):
    report = services.return_on_verdict(actor, inspection.pk, data["comment"])
    text = f"Итог проверки принят, сообщение №{report.number} возвращено исполнителю."
    if report.escalation_level:
        text += " Контролирующий орган уведомлён."
    return text


def _cancel(actor, inspection, data):
    services.cancel_inspection(actor, inspection.pk, data["comment"])
    return "Проверка отменена."


INSPECTION_ACTIONS = {"accept": _accept, "decline": _decline, "return": _return, "cancel": _cancel}


@moderator_required
@require_POST
def decide_inspection(request, pk: int, action: str):
    perform = INSPECTION_ACTIONS.get(action)
    if perform is None:
        raise Http404("Нет такого действия.")
    inspection = get_object_or_404(Inspection, pk=pk)
    form = InspectionDecisionForm(request.POST)
    form.is_valid()  # every field is optional; the service says what is missing
    data = {"comment": form.cleaned_data.get("comment", ""), "reopen": form.cleaned_data.get("reopen", False)}
    # The queue goes on to the next verdict; from the report page, back to it.
    following = request.POST.get("next") == "queue"
    queue = selectors.QUEUES["inspections"]
    key = queue.key_of(inspection)
    try:
        text = perform(request.user, inspection, data)
    except TransitionNotAllowed as exc:
        messages.error(request, exc.messages[0] if action == "return" else STALE)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    else:
        selectors.forget_queue_counts()
        messages.success(request, text)
        if following:
            after = queue.after(key, exclude=inspection.pk)
            if after is None:
                return redirect("moderation:queue", "inspections")
            return redirect(reverse("moderation:report", args=[after.report_id]) + "#inspections")
    return redirect(reverse("moderation:report", args=[inspection.report_id]) + "#inspections")


# --- volunteers -----------------------------------------------------------------


@moderator_required
@require_POST
def decide_application(request, pk: int):
    application = get_object_or_404(Application.objects.select_related("user"), pk=pk)
    decision = request.POST.get("decision")
    if decision not in ("approve", "decline"):
        messages.error(request, "Выберите решение.")
        return redirect("moderation:queue", "applications")
    try:
        services.decide_application(
            request.user,
            application.pk,
            approve=decision == "approve",
            comment=request.POST.get("comment", ""),
        )
    except TransitionNotAllowed:
        messages.error(request, "По этой заявке уже принято решение.")
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    else:
        selectors.forget_queue_counts()
        who = application.user.get_short_name()
        messages.success(
            request,
            f"{who}: заявка одобрена, теперь это волонтёр."
            if decision == "approve"
            else f"{who}: заявка отклонена.",
        )
    return redirect("moderation:queue", "applications")


@moderator_required
@require_GET
def volunteers(request):
    page = Paginator(volunteer_selectors.volunteers_with_standing(), selectors.PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "moderation/volunteers.html", {"page": page})


@moderator_required
@require_POST
def volunteer_status(request, pk: int):
    record = get_object_or_404(Volunteer.objects.select_related("user"), pk=pk)
    try:
        if request.POST.get("decision") == "reinstate":
            services.reinstate(request.user, record.pk)
            messages.success(request, f"{record.user.get_short_name()} снова может брать проверки.")
        else:
            services.suspend(request.user, record.pk, request.POST.get("reason", ""))
            messages.success(
                request,
                f"Участие {record.user.get_short_name()} приостановлено; взятые проверки вернулись в общий список.",
            )
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    return redirect("moderation:volunteers")
