"""The forms of the points pages. Each carries a key made when the page was
shown: the same form sent twice (a double click, a resent POST) spends once."""

import uuid

from django import forms

from loyalty.models import Reward


class RedeemForm(forms.Form):
    key = forms.UUIDField(required=False, widget=forms.HiddenInput)

    @classmethod
    def fresh(cls, **kwargs):
        return cls(initial={"key": uuid.uuid4()}, **kwargs)


class DonationForm(forms.Form):
    amount = forms.IntegerField(
        label="Сколько баллов",
        min_value=1,
        max_value=1_000_000,
        error_messages={
            "required": "Укажите, сколько баллов пожертвовать.",
            "invalid": "Укажите целое число баллов.",
            "min_value": "Укажите число баллов больше нуля.",
            "max_value": "Не больше %(limit_value)s баллов за раз.",
        },
        widget=forms.NumberInput(attrs={"min": 1, "step": 1, "inputmode": "numeric"}),
    )
    key = forms.UUIDField(required=False, widget=forms.HiddenInput)

    @classmethod
    def fresh(cls, fund_id: int, **kwargs):
        return cls(initial={"key": uuid.uuid4()}, prefix=f"fund-{fund_id}", **kwargs)


class RewardAdminForm(forms.ModelForm):
    """The reward's admin form: codes pasted one per line or uploaded as a file."""

    new_codes = forms.CharField(
        label="Добавить коды",
        required=False,
        widget=forms.Textarea(attrs={"rows": 8, "cols": 60, "placeholder": "Один код в строке"}),
        help_text="По одному коду в строке. Пустые строки, повторы и уже загруженные коды пропускаются.",
    )
    codes_file = forms.FileField(
        label="…или файл с кодами",
        required=False,
        help_text="Текстовый файл в UTF-8, один код в строке.",
    )

    class Meta:
        model = Reward
        fields = ["title", "partner", "kind", "description", "how_to_use", "price", "is_active", "position"]

    def clean_codes_file(self):
        upload = self.cleaned_data.get("codes_file")
        if not upload:
            return ""
        if upload.size > 5 * 1024 * 1024:
            raise forms.ValidationError("Файл больше 5 МБ: разбейте его на части.")
        try:
            return upload.read().decode("utf-8-sig")
        except UnicodeDecodeError:
            raise forms.ValidationError("Файл должен быть текстовым, в кодировке UTF-8.") from None

    def codes_text(self) -> str:
        return "\n".join(
            filter(None, [self.cleaned_data.get("new_codes"), self.cleaned_data.get("codes_file")])
        )
