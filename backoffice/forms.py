"""The back office's forms: input only. The rules (who may answer, in which
status, a planned date for planned works, one pending request of a kind)
are the services' to check; their DomainError is shown on the field it
names."""

from __future__ import annotations

import functools
from html import escape
from itertools import groupby

from django import forms
from django.forms.utils import flatatt
from django.utils import timezone
from django.utils.choices import BaseChoiceIterator
from django.utils.safestring import mark_safe

from backoffice.models import ResponseTemplate
from backoffice.selectors import FILTER_STATUSES, filter_choices
from issues.forms import MultipleFileField, process_photo_uploads
from issues.models import Outcome, Report, Status
from issues.photos import MAX_PHOTOS
from organizations.models import Kind, Organization

ANSWER_MAX = 4000
REASON_MAX = 2000
# «Выполнено» and «Нарушение не выявлено» are shown with photos taken on the
# spot; planned works have no «after» yet, so their photos are optional.
PHOTO_REQUIRED_OUTCOMES = frozenset({Outcome.DONE, Outcome.NO_VIOLATION})

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class PlainSelect(forms.Select):
    """A <select> written in Python: Django's template for every <option>
    was 40% of the office list's time (a city-wide organization's district
    filter has ~150 of them). The same HTML, less the whitespace."""

    def render(self, name, value, attrs=None, renderer=None):
        chosen = frozenset(str(v) for v in self.format_value(value))
        final = self.build_attrs(self.attrs, {**(attrs or {}), "name": name})
        return mark_safe(f"<select{flatatt(final)}>{_options(tuple(self.choices), chosen)}</select>")  # noqa: S308 - every part escaped in _options


@functools.lru_cache(maxsize=1024)
def _options(choices: tuple, chosen: frozenset) -> str:
    """The <option>s: the same for every page of an organization with the
    same filter chosen (its topics and districts are cached for five
    minutes), so written once: ~700 escapes a page otherwise."""
    return "".join(
        f'<option value="{escape(str(v))}"{" selected" if str(v) in chosen else ""}>{escape(str(label))}</option>'
        for v, label in choices
    )


class FixedChoices(BaseChoiceIterator):
    """Choices that are already (value, label) pairs: Django takes a choice
    iterator as it is, where it would normalize a list again for the field
    and again for its widget on every page (a city-wide organization's
    district filter has ~150)."""

    def __init__(self, choices: tuple):
        self.choices = choices

    def __iter__(self):
        return iter(self.choices)

    def __len__(self):
        return len(self.choices)


@functools.lru_cache(maxsize=1024)
def _fixed_choices(empty_label: str, choices: tuple) -> FixedChoices:
    return FixedChoices((("", empty_label), *choices))


class OfficeFilterForm(forms.Form):
    """The list's filters (GET). A bad value is ignored, not an error page."""

    status = forms.ChoiceField(
        label="Статус",
        required=False,
        choices=[("", "Все открытые"), *((s.value, s.label) for s in map(Status, FILTER_STATUSES))],
        widget=PlainSelect,
    )
    topic = forms.TypedChoiceField(
        label="Тема", required=False, coerce=int, empty_value=None, widget=PlainSelect
    )
    district = forms.TypedChoiceField(
        label="Район", required=False, coerce=int, empty_value=None, widget=PlainSelect
    )

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, **kwargs)
        topics, districts = filter_choices(organization)
        self.fields["topic"].choices = _fixed_choices("Все темы", tuple(map(tuple, topics)))
        self.fields["district"].choices = _fixed_choices("Все районы", tuple(map(tuple, districts)))

    def filters(self) -> dict:
        """status, and the topic and district ids (None: any)."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {
            "status": data.get("status") or "",
            "topic": data.get("topic"),
            "district": data.get("district"),
        }


class TemplateChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        scope = "" if obj.topic_id else " (для любой темы)"
        return f"{obj.get_outcome_display()}: {obj.title}{scope}"


class AnswerForm(forms.Form):
    template = TemplateChoiceField(
        label="Шаблон ответа",
        queryset=ResponseTemplate.objects.none(),
        required=False,
        empty_label="— без шаблона —",
    )
    outcome = forms.ChoiceField(label="Результат", choices=Outcome.choices, widget=forms.RadioSelect)
    text = forms.CharField(
        label="Текст ответа",
        max_length=ANSWER_MAX,
        widget=forms.Textarea(attrs={"rows": 6, "maxlength": ANSWER_MAX}),
    )
    planned_date = forms.DateField(
        label="Плановая дата работ",
        required=False,
        widget=DATE_WIDGET,
        help_text="Только для результата «Запланировано».",
    )
    photos = MultipleFileField(
        label="Фото «после»",
        required=False,
        help_text=(
            f"От 1 до {MAX_PHOTOS} фото: JPEG, PNG, WebP или HEIC, до 20 МБ каждое. "
            "Для запланированных работ — по желанию."
        ),
    )

    def __init__(self, *args, report: Report, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["template"].queryset = ResponseTemplate.objects.for_topic(report.topic)

    def clean_planned_date(self):
        day = self.cleaned_data.get("planned_date")
        if day is not None and day < timezone.localdate():
            raise forms.ValidationError("Плановая дата не может быть в прошлом.")
        return day

    def clean_photos(self):
        return process_photo_uploads(self.cleaned_data.get("photos") or [])

    def clean(self):
        data = super().clean()
        outcome = data.get("outcome")
        if outcome in PHOTO_REQUIRED_OUTCOMES and not data.get("photos") and "photos" not in self.errors:
            self.add_error("photos", "Приложите хотя бы одно фото «после».")
        return data

    def template_initial(self) -> dict | None:
        """The «use template» button without JavaScript: the form again,
        with the chosen template's outcome and text filled in."""
        try:
            chosen = self.fields["template"].clean(self.data.get("template"))
        except forms.ValidationError:
            return None
        if chosen is None:
            return None
        return {
            "template": chosen.pk,
            "outcome": chosen.outcome,
            "text": chosen.text,
            "planned_date": self.data.get("planned_date") or None,
        }


class LongSelect(forms.Select):
    """A select of thousands of options (the city's organizations), drawn in
    one pass: Django's per-option templates take a second for 2,000."""

    def render(self, name, value, attrs=None, renderer=None):
        selected = "" if value is None else str(value)
        attrs = self.build_attrs(self.attrs, attrs)
        attrs["name"] = name

        def option(value, label) -> str:
            mark = " selected" if str(value) == selected else ""
            return f'<option value="{escape(str(value))}"{mark}>{escape(str(label))}</option>'

        parts = []
        for value_or_group, label_or_items in self.choices:
            if isinstance(label_or_items, list | tuple):
                inner = "".join(option(v, label) for v, label in label_or_items)
                parts.append(f'<optgroup label="{escape(str(value_or_group))}">{inner}</optgroup>')
            else:
                parts.append(option(value_or_group, label_or_items))
        # Every value and label above is escaped.
        return mark_safe(f"<select{flatatt(attrs)}>{''.join(parts)}</select>")  # noqa: S308


def _organization_choices(exclude_pk: int | None):
    """Active organizations grouped by kind: the redirect's suggestion."""
    rows = (
        Organization.objects.filter(is_active=True)
        .exclude(pk=exclude_pk)
        .values_list("pk", "name", "kind")
        .order_by("kind", "name")
    )
    labels = dict(Kind.choices)
    return [("", "— не знаю —")] + [
        (labels.get(kind, kind).capitalize(), [(pk, name) for pk, name, _ in items])
        for kind, items in groupby(rows, key=lambda row: row[2])
    ]


class RedirectRequestForm(forms.Form):
    prefix = "redirect"
    reason = forms.CharField(
        label="Почему сообщение не относится к вашей организации",
        max_length=REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": REASON_MAX}),
    )
    suggested_organization = forms.ModelChoiceField(
        label="Кому направить (если знаете)",
        queryset=Organization.objects.none(),
        required=False,
        widget=LongSelect,
    )

    def __init__(self, *args, report: Report, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["suggested_organization"]
        field.queryset = Organization.objects.filter(is_active=True).exclude(pk=report.organization_id)
        # A callable: the 2,000-odd options are read only when the form is drawn.
        field.choices = lambda: _organization_choices(report.organization_id)


class PostponeRequestForm(forms.Form):
    prefix = "postpone"
    planned_date = forms.DateField(label="Плановая дата", widget=DATE_WIDGET)
    reason = forms.CharField(
        label="Причина переноса",
        max_length=REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": REASON_MAX}),
        help_text="Например, сезонные работы: асфальт кладут с апреля.",
    )
