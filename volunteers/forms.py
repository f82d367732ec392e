"""The volunteers' forms: they validate input; the services change state."""

from __future__ import annotations

from django import forms

from issues.forms import MultipleFileField, process_photo_uploads
from issues.photos import MAX_PHOTOS
from places.models import District
from volunteers.models import Inspection


class ApplicationForm(forms.Form):
    motivation = forms.CharField(
        label="Почему вы хотите стать волонтёром",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Например: живу в районе, часто бываю во дворах, готов выезжать на проверки по выходным.",
    )
    district = forms.ModelChoiceField(
        label="Район, где готовы проверять",
        queryset=District.objects.defer("boundary").order_by("name"),
        required=False,
        empty_label="— любой —",
    )


class VerdictForm(forms.Form):
    verdict = forms.ChoiceField(
        label="Итог проверки", choices=Inspection.Verdict.choices, widget=forms.RadioSelect
    )
    comment = forms.CharField(
        label="Что вы увидели на месте",
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    photos = MultipleFileField(
        label="Фото с места",
        required=True,
        help_text=f"От 1 до {MAX_PHOTOS} фото, снятых на месте: по координатам снимка редакция сверит место.",
    )

    def clean_photos(self):
        return process_photo_uploads(self.cleaned_data.get("photos") or [])


class PointForm(forms.Form):
    """The point the pool is sorted from (within Moscow's wide box)."""

    lat = forms.FloatField(label="Широта", min_value=55.0, max_value=56.1)
    lon = forms.FloatField(label="Долгота", min_value=36.7, max_value=38.0)
