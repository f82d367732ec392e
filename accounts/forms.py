"""Forms of the accounts pages and of the admin. They validate; the changes
themselves are made by accounts.services."""

from __future__ import annotations

import re

from django import forms
from django.contrib.auth.forms import (
    AdminUserCreationForm,
    AuthenticationForm,
    SetPasswordMixin,
    UserChangeForm,
)
from django.core.exceptions import ValidationError

from accounts import services
from accounts.models import ORGANIZATION_ROLES, User
from accounts.roles import Capability, can

EMAIL_TAKEN_MESSAGE = "Пользователь с таким e-mail уже зарегистрирован. Войдите или восстановите пароль."
ORGANIZATION_REQUIRED_MESSAGE = "Для этой роли нужно указать организацию."

_PHONE_CHARS = re.compile(r"^\+?[\d\s()\-]+$")


def clean_phone_number(value: str) -> str:
    """Accept the usual ways of writing a phone number: +7 (495) 777-77-77,
    8 495 7777777; store it as typed, trimmed."""
    value = " ".join(value.split())
    if not value:
        return ""
    digits = re.sub(r"\D", "", value)
    if not _PHONE_CHARS.match(value) or not 10 <= len(digits) <= 15:
        raise ValidationError(
            "Введите номер телефона полностью, например +7 (495) 777-77-77.", code="invalid_phone"
        )
    return value


class EmailAuthenticationForm(AuthenticationForm):
    """Login by e-mail; refuses accounts whose address is not confirmed yet."""

    error_messages = {
        "invalid_login": "Неверный e-mail или пароль.",
        "inactive": "Учётная запись отключена.",
        "email_unconfirmed": (
            "Адрес e-mail ещё не подтверждён. Перейдите по ссылке из письма, "
            "которое мы отправили при регистрации, или запросите письмо ещё раз."
        ),
    }

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        field = self.fields["username"]
        field.label = "E-mail"
        field.widget = forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"})
        # Set when the password was right but the address is unconfirmed: the
        # page then offers to send the letter again.
        self.unconfirmed_email: str | None = None

    def confirm_login_allowed(self, user):
        super().confirm_login_allowed(user)
        if not user.email_confirmed:
            self.unconfirmed_email = user.email
            raise ValidationError(self.error_messages["email_unconfirmed"], code="email_unconfirmed")


class RegistrationForm(SetPasswordMixin, forms.Form):
    full_name = forms.CharField(label="ФИО", max_length=200)
    email = forms.EmailField(label="E-mail", widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    phone = forms.CharField(
        label="Телефон",
        max_length=32,
        required=False,
        help_text="Необязательно.",
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )
    password1, password2 = SetPasswordMixin.create_password_fields(label1="Пароль", label2="Пароль ещё раз")

    def clean_full_name(self) -> str:
        value = " ".join(self.cleaned_data["full_name"].split())
        if not value:
            raise ValidationError("Укажите ФИО.", code="required")
        return value

    def clean_email(self) -> str:
        email = services.normalize_email(self.cleaned_data["email"])
        if services.email_taken(email):
            raise ValidationError(EMAIL_TAKEN_MESSAGE, code="email_taken")
        return email

    def clean_phone(self) -> str:
        return clean_phone_number(self.cleaned_data["phone"])

    def clean(self):
        cleaned = super().clean()
        self.validate_passwords()
        # The similarity validator compares the password with these attributes.
        candidate = User(email=cleaned.get("email", ""), full_name=cleaned.get("full_name", ""))
        self.validate_password_for_user(candidate)
        return cleaned


class ResendConfirmationForm(forms.Form):
    email = forms.EmailField(label="E-mail", widget=forms.EmailInput(attrs={"autocomplete": "email"}))


class ProfileForm(forms.ModelForm):
    class Meta:
        model = User
        fields = list(services.PROFILE_FIELDS)
        widgets = {"phone": forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Letters about incoming work only make sense to those who get work.
        user = self.instance
        if not any(can(user, c) for c in (Capability.ANSWER, Capability.SUPERVISE, Capability.MODERATE)):
            del self.fields["notify_email_work"]

    def personal_fields(self):
        return [f for f in self if not f.name.startswith("notify_")]

    def notification_fields(self):
        return [f for f in self if f.name.startswith("notify_")]

    def clean_full_name(self) -> str:
        value = " ".join(self.cleaned_data["full_name"].split())
        if not value:
            raise ValidationError("Укажите ФИО.", code="required")
        return value

    def clean_phone(self) -> str:
        return clean_phone_number(self.cleaned_data["phone"])


# The admin.


class _AdminUserRules:
    """What the admin forms check beyond the model: the address in any letter
    case, and an organization for the roles that act for one (a field error
    rather than the database's constraint failing)."""

    def clean_email(self) -> str:
        email = services.normalize_email(self.cleaned_data["email"])
        if services.email_taken(email, exclude_pk=self.instance.pk):
            raise ValidationError("Пользователь с таким e-mail уже есть.", code="email_taken")
        return email

    def clean(self):
        cleaned = super().clean()
        role = cleaned.get("role")
        if role in ORGANIZATION_ROLES and not cleaned.get("organization") and "organization" in self.fields:
            self.add_error("organization", ValidationError(ORGANIZATION_REQUIRED_MESSAGE, code="required"))
        return cleaned


class UserAdminCreationForm(_AdminUserRules, AdminUserCreationForm):
    class Meta:
        model = User
        fields = ("email", "full_name", "phone", "role", "organization", "email_confirmed")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # An administrator types in addresses they know; by default such an
        # account can log in without a confirmation letter.
        self.fields["email_confirmed"].initial = True


class UserAdminChangeForm(_AdminUserRules, UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"
