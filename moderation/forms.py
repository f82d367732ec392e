"""The desk's action forms: each validates its input and calls exactly one
function of issues.services in perform().

Every form carries what the moderator saw (the report's status and the time
of its last change) in hidden fields; the view compares them with the report
before calling the service, and the service's own status check under its
row lock catches the race that remains.
"""

from __future__ import annotations

import datetime as dt
import re

from django import forms
from django.contrib.gis.geos import Point

from issues import services
from issues.models import OrganizationRequest, Report, Status, Topic
from moderation import selectors
from places.search import nearest_building

# How far from the new point a building-topic report finds its house.
BUILDING_RADIUS_M = 40


def version_of(report: Report) -> str:
    return report.updated_at.isoformat()


class ActionForm(forms.Form):
    """A form about one report; `slug` names its URL and its prefix."""

    slug = ""
    status = ""  # the status the action is offered in
    queue = None  # the queue to go on with after success; None: stay on the report
    title = ""
    submit_label = "Сохранить"

    seen_status = forms.CharField(widget=forms.HiddenInput)
    seen_version = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, data=None, *, report: Report, **kwargs):
        self.report = report
        initial = {
            "seen_status": report.status,
            "seen_version": version_of(report),
            **self.initial_for(report),
        }
        kwargs.setdefault("prefix", self.slug)
        super().__init__(data, initial=initial, **kwargs)

    def initial_for(self, report: Report) -> dict:
        return {}

    def shown_fields(self):
        """The fields the template lays out (the decision is the buttons)."""
        return [f for f in self.visible_fields() if f.name != "decision"]

    def is_stale(self) -> bool:
        """True when the report changed since the form was shown (or the
        form came without what the moderator saw)."""
        status = self.data.get(self.add_prefix("seen_status"))
        version = self.data.get(self.add_prefix("seen_version"))
        if not status or not version:
            return True
        try:
            seen = dt.datetime.fromisoformat(version)
        except ValueError:
            return True
        return status != self.report.status or seen != self.report.updated_at

    def perform(self, actor):
        raise NotImplementedError

    def success_message(self, result) -> str:
        raise NotImplementedError


def _comment(label="Комментарий", required=False, help_text=""):
    return forms.CharField(
        label=label,
        required=required,
        max_length=2000,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class OrganizationChoiceField(forms.ModelChoiceField):
    """Any active organization validates; the select offers only the likely
    ones (all 2,000-odd would weigh a page down), and the autocomplete of
    moderation.js adds any other."""

    def __init__(self, **kwargs):
        kwargs.setdefault("widget", forms.Select(attrs={"data-organization-select": "1"}))
        super().__init__(queryset=selectors.active_organizations(), **kwargs)

    def offer(self, organizations) -> None:
        self.widget.choices = [("", "— выберите организацию —")] + [
            (o.pk, f"{o.name} ({o.get_kind_display()})") for o in organizations
        ]


def _chosen_organization(form: forms.Form, name: str):
    """The organization the bound form names, to keep it among the options."""
    if not form.is_bound:
        return None
    value = form.data.get(form.add_prefix(name))
    if not value or not str(value).isdigit():
        return None
    return selectors.active_organizations().filter(pk=value).first()


# --- a report in moderation ---------------------------------------------------


class PublishForm(ActionForm):
    slug = "publish"
    status = Status.MODERATION
    queue = "new"
    title = "Опубликовать"
    submit_label = "Опубликовать и направить исполнителю"

    organization = OrganizationChoiceField(
        label="Исполнитель",
        required=False,
        help_text="Предложен по теме, району и дому; можно выбрать другую организацию.",
    )

    def __init__(self, *args, report: Report, **kwargs):
        # Where the routing rules send the report: preselected and shown.
        self.proposed = services.proposed_organization(report)
        super().__init__(*args, report=report, **kwargs)
        field = self.fields["organization"]
        field.offer(
            selectors.organization_candidates(
                self.report, self.proposed, _chosen_organization(self, "organization")
            )
        )

    def initial_for(self, report):
        return {"organization": self.proposed.pk if self.proposed else None}

    def perform(self, actor):
        return services.publish(actor, self.report, self.cleaned_data["organization"])

    def success_message(self, report):
        return f"Сообщение №{report.number} опубликовано и направлено: {report.organization.name}."


class RejectForm(ActionForm):
    slug = "reject"
    status = Status.MODERATION
    queue = "new"
    title = "Отклонить"
    submit_label = "Отклонить"

    reason = forms.ChoiceField(
        label="Причина", choices=[("", "— выберите причину —"), *services.REJECT_REASONS.items()]
    )
    comment = _comment(help_text="Автор увидит его вместо стандартного текста причины.")

    def perform(self, actor):
        return services.reject(actor, self.report, self.cleaned_data["reason"], self.cleaned_data["comment"])

    def success_message(self, report):
        return f"Сообщение №{report.number} отклонено."


class TopicForm(ActionForm):
    slug = "topic"
    status = Status.MODERATION
    title = "Исправить тему"
    submit_label = "Сменить тему"

    topic = forms.ModelChoiceField(label="Тема", queryset=None)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        topics = selectors.active_topics()
        field = self.fields["topic"]
        field.queryset = Topic.objects.filter(is_active=True)
        groups: dict[str, list] = {}
        for topic in topics:
            groups.setdefault(topic.group.name, []).append((topic.pk, topic.name))
        field.widget.choices = [("", "— выберите тему —"), *groups.items()]

    def initial_for(self, report):
        return {"topic": report.topic_id}

    def perform(self, actor):
        return services.change_topic(actor, self.report, self.cleaned_data["topic"])

    def success_message(self, report):
        return f"Тема сообщения №{report.number}: «{report.topic.name}»."


def _coordinate(label: str, low: float, high: float) -> forms.FloatField:
    # A text input: a comma or a point both work, with or without JS.
    return forms.FloatField(
        label=label,
        min_value=low,
        max_value=high,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )


class PointForm(ActionForm):
    slug = "point"
    status = Status.MODERATION
    title = "Уточнить место"
    submit_label = "Перенести точку"

    lat = _coordinate("Широта", -90, 90)
    lon = _coordinate("Долгота", -180, 180)

    def initial_for(self, report):
        return {"lat": round(report.point.y, 6), "lon": round(report.point.x, 6)}

    def full_clean(self):
        # «55,7539» as typed on a Russian keyboard.
        if self.is_bound:
            self.data = self.data.copy()
            for name in ("lat", "lon"):
                key = self.add_prefix(name)
                if key in self.data:
                    self.data[key] = self.data[key].strip().replace(",", ".")
        super().full_clean()

    def clean(self):
        data = super().clean()
        if "lat" in data and "lon" in data:
            data["point"] = Point(data["lon"], data["lat"], srid=4326)
            data["building"] = None
            if self.report.topic.needs_building:
                # A topic about a building stays tied to one, as on submission:
                # the house at the new point.
                found = nearest_building(data["point"], BUILDING_RADIUS_M)
                if found is None:
                    raise forms.ValidationError(
                        "Для этой темы точка должна стоять на доме из реестра, а рядом с ней домов нет.",
                        code="building_required",
                    )
                data["building"] = found[0]
        return data

    def perform(self, actor):
        return services.change_point(
            actor, self.report, self.cleaned_data["point"], self.cleaned_data["building"]
        )

    def success_message(self, report):
        return f"Место сообщения №{report.number} уточнено: {report.district.title}."


class MergeForm(ActionForm):
    slug = "merge"
    status = Status.MODERATION
    queue = "new"
    title = "Объединить с дубликатом"
    submit_label = "Объединить"

    into = forms.CharField(
        label="Номер основного сообщения",
        max_length=20,
        help_text="Автор этого сообщения будет следить за основным.",
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )

    def clean_into(self):
        digits = re.sub(r"\D", "", self.cleaned_data["into"])
        target = Report.objects.filter(pk=int(digits)).first() if digits else None
        if target is None:
            raise forms.ValidationError("Нет сообщения с таким номером.", code="no_report")
        return target

    def perform(self, actor):
        return services.merge(actor, self.report, self.cleaned_data["into"])

    def success_message(self, report):
        return f"Сообщение №{report.number} объединено с №{report.duplicate_of.number}."


# --- an answer to check ------------------------------------------------------


class PublishAnswerForm(ActionForm):
    slug = "publish-answer"
    status = Status.ANSWER_REVIEW
    queue = "answers"
    title = "Опубликовать ответ"
    submit_label = "Опубликовать ответ"

    comment = _comment(help_text="Для исполнителя; необязательно.")

    def perform(self, actor):
        return services.publish_answer(actor, self.report, self.cleaned_data["comment"])

    def success_message(self, report):
        return f"Ответ на сообщение №{report.number} опубликован; автор может его оценить."


class ReturnAnswerForm(ActionForm):
    slug = "return-answer"
    status = Status.ANSWER_REVIEW
    queue = "answers"
    title = "Вернуть ответ исполнителю"
    submit_label = "Вернуть ответ"

    comment = _comment(
        "Что не так с ответом",
        required=True,
        help_text="Исполнитель увидит это; срок ответа не продлевается.",
    )

    def perform(self, actor):
        return services.return_answer(actor, self.report, self.cleaned_data["comment"])

    def success_message(self, report):
        return f"Ответ на сообщение №{report.number} возвращён исполнителю."


# --- a disputed fix ----------------------------------------------------------


class ReturnToOrganizationForm(ActionForm):
    slug = "return"
    status = Status.DISPUTED
    queue = "disputes"
    title = "Вернуть исполнителю"
    submit_label = "Вернуть в работу"

    comment = _comment(
        help_text="Исполнитель получит новый срок; при повторном возврате сообщение уйдёт в контролирующий орган."
    )

    def perform(self, actor):
        return services.return_to_organization(actor, self.report, self.cleaned_data["comment"])

    def success_message(self, report):
        text = f"Сообщение №{report.number} возвращено исполнителю с новым сроком."
        if report.escalation_level:
            text += " Контролирующий орган уведомлён."
        return text


class DismissDisputeForm(ActionForm):
    slug = "dismiss"
    status = Status.DISPUTED
    queue = "disputes"
    title = "Отклонить опровержение"
    submit_label = "Отклонить опровержение"

    comment = _comment("Почему решение принято", required=True, help_text="Автор увидит этот текст.")

    def perform(self, actor):
        return services.dismiss_dispute(actor, self.report, self.cleaned_data["comment"])

    def success_message(self, report):
        return f"Опровержение по сообщению №{report.number} отклонено, сообщение решено."


REPORT_ACTIONS: dict[str, type[ActionForm]] = {
    form.slug: form
    for form in (
        PublishForm,
        RejectForm,
        TopicForm,
        PointForm,
        MergeForm,
        PublishAnswerForm,
        ReturnAnswerForm,
        ReturnToOrganizationForm,
        DismissDisputeForm,
    )
}


# --- an organization's request -----------------------------------------------


class DecisionForm(ActionForm):
    """Grant or refuse one pending request (two submit buttons)."""

    queue = "requests"
    status = Status.IN_WORK

    decision = forms.ChoiceField(choices=[("grant", "Удовлетворить"), ("refuse", "Отказать")])
    comment = _comment(help_text="Обязателен при отказе: исполнитель увидит причину.")

    def __init__(self, *args, request: OrganizationRequest, **kwargs):
        self.request = request
        self.slug = f"request-{request.pk}"
        super().__init__(*args, **kwargs)

    def is_stale(self) -> bool:
        return super().is_stale() or self.request.state != OrganizationRequest.State.PENDING

    def clean(self):
        data = super().clean()
        if data.get("decision") == "refuse" and not data.get("comment", "").strip():
            self.add_error("comment", "Объясните исполнителю причину отказа.")
        return data

    @property
    def grant(self) -> bool:
        return self.cleaned_data["decision"] == "grant"


class RedirectDecisionForm(DecisionForm):
    title = "Запрос на переадресацию"
    field_order = ["organization", "comment"]

    organization = OrganizationChoiceField(
        label="Новый исполнитель", required=False, help_text="Предложенная исполнителем выбрана заранее."
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        suggested = self.request.suggested_organization
        self.fields["organization"].offer(
            [
                o
                for o in selectors.organization_candidates(
                    self.report, suggested, _chosen_organization(self, "organization")
                )
                if o.pk != self.report.organization_id
            ]
        )
        self.fields["organization"].initial = suggested.pk if suggested else None

    def clean(self):
        data = super().clean()
        if data.get("decision") == "grant" and not data.get("organization"):
            self.add_error("organization", "Выберите организацию, которой передать сообщение.")
        return data

    def perform(self, actor):
        return services.decide_redirect(
            actor,
            self.request.pk,
            grant=self.grant,
            organization=self.cleaned_data["organization"] if self.grant else None,
            comment=self.cleaned_data["comment"],
        )

    def success_message(self, report):
        if self.grant:
            return f"Сообщение №{report.number} переадресовано: {report.organization.name}."
        return f"В переадресации сообщения №{report.number} отказано."


class PostponementDecisionForm(DecisionForm):
    title = "Запрос на перенос срока"

    def perform(self, actor):
        return services.decide_postponement(
            actor, self.request.pk, grant=self.grant, comment=self.cleaned_data["comment"]
        )

    def success_message(self, report):
        if self.grant:
            return f"Срок по сообщению №{report.number} перенесён на {report.planned_date:%d.%m.%Y}."
        return f"В переносе срока по сообщению №{report.number} отказано."


def decision_form_for(request: OrganizationRequest, data=None) -> DecisionForm:
    form_class = (
        RedirectDecisionForm
        if request.kind == OrganizationRequest.Kind.REDIRECT
        else PostponementDecisionForm
    )
    return form_class(data, report=request.report, request=request)
