from __future__ import annotations

import uuid

from django import forms
from django.contrib.gis.geos import Point

from issues.models import QuestionType, Topic, TopicQuestion
from issues.photos import MAX_PHOTOS, PhotoError, ProcessedPhoto, process_upload, validate_photo_count
from issues.questions import AnswerError, clean_answers, questions_of
from issues.services import MAX_DESCRIPTION, Submission
from issues.topics import available_topics
from places.geo import OutsideMoscow, in_moscow_bbox, locate
from places.models import Building


def process_photo_uploads(files) -> list[ProcessedPhoto]:
    """Every uploaded file through the photo pipeline, for a form's clean:
    each bad file named in its own message; nothing is stored here (the
    service that takes the photos stores them)."""
    try:
        validate_photo_count(files, required=False)
    except PhotoError as exc:
        raise forms.ValidationError(exc.message, code=exc.code) from None
    processed, errors = [], []
    for f in files:
        try:
            processed.append(process_upload(f))
        except PhotoError as exc:
            # Kept as the error itself: its code reaches the API (photo_too_large …).
            errors.append(exc)
    if errors:
        raise forms.ValidationError(errors)
    return processed


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Up to MAX_PHOTOS files from one <input multiple>."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault(
            "widget",
            MultipleFileInput(
                attrs={"accept": "image/jpeg,image/png,image/webp,image/heic,image/heif,.heic,.heif"}
            ),
        )
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else ([data] if data else [])
        return [super(MultipleFileField, self).clean(f, initial) for f in files]


def question_field(question: TopicQuestion) -> forms.Field:
    """The form field for one of a topic's extra questions. Every field is
    optional here: only the chosen topic's answers are checked, in
    ReportForm.clean, by issues.questions (the same check as Open311's)."""
    common = {"label": question.description, "required": False, "help_text": question.datatype_description}
    match question.datatype:
        case QuestionType.TEXT:
            return forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), **common)
        case QuestionType.NUMBER:
            return forms.CharField(widget=forms.NumberInput(attrs={"step": "any"}), **common)
        case QuestionType.DATETIME:
            return forms.CharField(widget=forms.DateTimeInput(attrs={"type": "datetime-local"}), **common)
        case QuestionType.SINGLE:
            choices = [("", "—"), *question.value_names().items()]
            return forms.ChoiceField(choices=choices, **common)
        case QuestionType.MULTI:
            return forms.MultipleChoiceField(
                choices=list(question.value_names().items()), widget=forms.CheckboxSelectMultiple, **common
            )
    return forms.CharField(max_length=300, **common)


class TopicChoiceField(forms.ModelChoiceField):
    """The form reads the topics on offer once (`offered`); the chosen one is
    taken from them, not read again."""

    offered: dict[int, Topic] | None = None

    def label_from_instance(self, obj):
        return obj.name

    def to_python(self, value):
        if self.offered is None:
            return super().to_python(value)
        if value in self.empty_values:
            return None
        try:
            return self.offered[int(value.pk if isinstance(value, Topic) else value)]
        except (KeyError, ValueError, TypeError):
            raise forms.ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice"
            ) from None


class ReportForm(forms.Form):
    """The resident's report. Works without JavaScript: the address field
    alone is enough, the server finds the building; with JavaScript the map
    fills lat/lon and the building from a click or a suggestion."""

    topic = TopicChoiceField(queryset=Topic.objects.none(), label="Тема", empty_label="— выберите тему —")
    address = forms.CharField(
        label="Адрес",
        max_length=300,
        required=False,
        widget=forms.TextInput(
            attrs={"type": "search", "autocomplete": "off", "placeholder": "Например: ул. Тверская, д. 13"}
        ),
    )
    building = forms.ModelChoiceField(
        queryset=Building.objects.all(), required=False, widget=forms.HiddenInput
    )
    lat = forms.FloatField(required=False, widget=forms.HiddenInput)
    lon = forms.FloatField(required=False, widget=forms.HiddenInput)
    description = forms.CharField(
        label="Описание",
        required=False,
        max_length=MAX_DESCRIPTION,
        widget=forms.Textarea(attrs={"rows": 4, "maxlength": MAX_DESCRIPTION}),
        help_text=f"Необязательно, до {MAX_DESCRIPTION} символов.",
    )
    photos = MultipleFileField(
        label="Фото",
        required=False,
        help_text=f"От 1 до {MAX_PHOTOS} фото: JPEG, PNG, WebP или HEIC, до 20 МБ каждое.",
    )
    submission_key = forms.UUIDField(widget=forms.HiddenInput)

    def __init__(self, *args, topic_id: int | None = None, **kwargs):
        """`topic_id`: a form for that topic alone (the API's, which renders
        nothing): no field for the other topics or their questions. The
        topics come from the process's copy of the catalog (issues.topics)."""
        super().__init__(*args, **kwargs)
        topics = available_topics(topic_id)
        self.fields["topic"].queryset = Topic.objects.filter(pk__in=[t.pk for t in topics])
        self.fields["topic"].offered = {t.pk: t for t in topics}
        groups: dict[str, list] = {}
        for t in topics:
            groups.setdefault(t.group.name, []).append((t.pk, t.name))
        self.fields["topic"].choices = [("", "— выберите тему —"), *groups.items()]
        if not self.is_bound:
            self.initial.setdefault("submission_key", uuid.uuid4())
        self._add_question_fields(topics)

    def _add_question_fields(self, topics) -> None:
        """A field per extra question of every topic on offer, grouped by
        topic; the page shows the chosen topic's group only."""
        by_topic = {t.pk: t for t in topics}
        self.question_groups: list[tuple[Topic, list]] = []
        self._questions: dict[int, list[TopicQuestion]] = {}
        for topic in topics:
            if questions := questions_of(topic):
                self._questions[topic.pk] = questions
        for topic_id, items in self._questions.items():
            names = []
            for question in items:
                name = f"q_{topic_id}_{question.code}"
                self.fields[name] = question_field(question)
                names.append(name)
            self.question_groups.append((by_topic[topic_id], [self[n] for n in names]))

    def _raw_answers(self, topic: Topic) -> dict[str, list[str]]:
        raw = {}
        for question in self._questions.get(topic.pk, []):
            value = self.cleaned_data.get(f"q_{topic.pk}_{question.code}")
            raw[question.code] = [str(v) for v in value] if isinstance(value, list) else [value or ""]
        return raw

    def _clean_answers(self, topic: Topic) -> dict[str, list[str]]:
        raw = self._raw_answers(topic)
        try:
            clean_answers(topic, raw, self._questions.get(topic.pk, []))
        except forms.ValidationError as exc:
            for error in exc.error_list:
                field = f"q_{topic.pk}_{error.question}" if isinstance(error, AnswerError) else None
                self.add_error(field, error.message)
        return raw

    def clean_photos(self):
        return process_photo_uploads(self.cleaned_data.get("photos") or [])

    def clean(self):
        data = super().clean()
        topic = data.get("topic")
        if topic is not None:
            data["answers"] = self._clean_answers(topic)
        building = data.get("building")
        lat, lon = data.get("lat"), data.get("lon")
        point = Point(lon, lat, srid=4326) if lat is not None and lon is not None else None
        if building is None and (point is None or (topic and topic.needs_building)):
            building = self._building_from_address(data.get("address", ""), required=point is None)
            data["building"] = building
        if point is None and building is not None:
            point = building.point
        if point is None:
            if "address" not in self.errors:
                self.add_error("address", "Отметьте место на карте или укажите адрес.")
            return data
        location = locate(point) if in_moscow_bbox(point) else None
        if location is None:
            self.add_error(None, OutsideMoscow())
        # The service locates the building's point when there is a building.
        if building is None or building.point == point:
            data["location"] = location
        if topic and topic.photo_required and not data.get("photos") and "photos" not in self.errors:
            self.add_error("photos", "Для этой темы нужно приложить хотя бы одно фото.")
        data["point"] = point
        return data

    def _building_from_address(self, text: str, required: bool) -> Building | None:
        from places.search import suggest

        text = text.strip()
        if not text:
            if self.cleaned_data.get("topic") and self.cleaned_data["topic"].needs_building:
                self.add_error("address", "Для этой темы укажите дом: найдите адрес в строке поиска.")
            return None
        matches = suggest(text, limit=1)
        if not matches:
            if required or self.cleaned_data["topic"].needs_building:
                self.add_error(
                    "address", "Адрес не найден в реестре домов. Уточните адрес или отметьте место на карте."
                )
            return None
        return Building.objects.get(pk=matches[0].id)

    def submission(self) -> Submission:
        data = self.cleaned_data
        building = data.get("building")
        return Submission(
            topic=data["topic"],
            point=data["point"],
            description=data.get("description", ""),
            address=building.short_address if building else data.get("address", "").strip(),
            building=building,
            photos=data.get("photos") or [],
            key=data["submission_key"],
            answers=data.get("answers") or {},
            location=data.get("location"),
        )


class VerdictForm(forms.Form):
    CONFIRM, REJECT = "confirm", "reject"

    decision = forms.ChoiceField(choices=[(CONFIRM, "Проблема решена"), (REJECT, "Проблема не решена")])
    comment = forms.CharField(
        required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3}), label="Что не так"
    )
    photos = MultipleFileField(label="Фото", required=False)

    def clean_photos(self):
        return process_photo_uploads(self.cleaned_data.get("photos") or [])

    def clean(self):
        data = super().clean()
        if data.get("decision") == self.REJECT and not data.get("comment", "").strip():
            self.add_error("comment", "Опишите, что не так с решением.")
        return data
