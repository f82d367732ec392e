"""Registration, e-mail confirmation, the profile and the password pages.

Thin: each view validates with a form from accounts.forms and changes state
only through accounts.services.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.messages.views import SuccessMessageMixin
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.views.decorators.http import require_http_methods

from accounts import services
from accounts.forms import EMAIL_TAKEN_MESSAGE, ProfileForm, RegistrationForm, ResendConfirmationForm
from accounts.models import User

_REGISTERED_EMAIL_KEY = "accounts:registered-email"
_RESEND_DONE_MESSAGE = (
    "Если учётная запись с этим адресом ждёт подтверждения, мы отправили письмо ещё раз. "
    "Проверьте почту, в том числе папку «Спам»."
)


def _base_url(request: HttpRequest) -> str:
    """Scheme and host of this request: the links in our letters point back here."""
    return request.build_absolute_uri("/").rstrip("/")


@require_http_methods(["GET", "POST"])
def register(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("accounts:profile")
    form = RegistrationForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = services.register_user(
                full_name=data["full_name"],
                email=data["email"],
                phone=data["phone"],
                password=data["password1"],
                base_url=_base_url(request),
            )
        except services.EmailTakenError:
            form.add_error("email", EMAIL_TAKEN_MESSAGE)
        else:
            request.session[_REGISTERED_EMAIL_KEY] = user.email
            return redirect("accounts:register_done")
    return render(request, "accounts/register.html", {"form": form})


def register_done(request: HttpRequest) -> HttpResponse:
    email = request.session.get(_REGISTERED_EMAIL_KEY)
    if not email:
        return redirect("accounts:register")
    return render(
        request,
        "accounts/register_done.html",
        {"email": email, "valid_days": services.CONFIRMATION_MAX_AGE.days},
    )


def confirm_email(request: HttpRequest, token: str) -> HttpResponse:
    try:
        user, changed = services.confirm_email(token)
    except services.ConfirmationLinkExpiredError:
        return _confirmation_failed(request, expired=True)
    except services.ConfirmationLinkError:
        return _confirmation_failed(request, expired=False)
    request.session.pop(_REGISTERED_EMAIL_KEY, None)
    if changed:
        messages.success(request, "Адрес e-mail подтверждён. Теперь вы можете войти.")
    else:
        messages.info(request, "Адрес e-mail уже подтверждён.")
    if request.user.is_authenticated and request.user.pk == user.pk:
        return redirect("accounts:profile")
    return redirect("accounts:login")


def _confirmation_failed(request: HttpRequest, *, expired: bool) -> HttpResponse:
    return render(
        request,
        "accounts/confirm_failed.html",
        {
            "expired": expired,
            "form": ResendConfirmationForm(),
            "valid_days": services.CONFIRMATION_MAX_AGE.days,
        },
        status=400,
    )


@require_http_methods(["GET", "POST"])
def resend_confirmation(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        form = ResendConfirmationForm(request.POST)
        if form.is_valid():
            services.resend_confirmation(form.cleaned_data["email"], base_url=_base_url(request))
            messages.info(request, _RESEND_DONE_MESSAGE)
            return redirect("accounts:login")
    else:
        form = ResendConfirmationForm(initial={"email": request.GET.get("email", "")})
    return render(request, "accounts/resend_confirmation.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def profile(request: HttpRequest) -> HttpResponse:
    # A fresh copy for the form: a ModelForm writes the posted values onto its
    # instance even when they are invalid, and request.user is shown in the header.
    data = request.POST if request.method == "POST" else None
    form = ProfileForm(data, instance=User.objects.get(pk=request.user.pk))
    if request.method == "POST" and form.is_valid():
        changed = services.update_profile(request.user, **form.cleaned_data)
        messages.success(request, "Изменения сохранены." if changed else "Изменений нет.")
        return redirect("accounts:profile")
    return render(request, "accounts/profile.html", {"form": form, "profile_user": request.user})


class PasswordChangeView(SuccessMessageMixin, auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:profile")
    success_message = "Пароль изменён."


class PasswordResetView(auth_views.PasswordResetView):
    template_name = "accounts/password_reset_form.html"
    email_template_name = "accounts/email/password_reset.txt"
    subject_template_name = "accounts/email/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_done")


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")

    def form_valid(self, form):
        response = super().form_valid(form)
        # The reset link reached this mailbox: that confirms the address too,
        # so a resident who lost the first letter is not locked out.
        services.mark_email_confirmed(form.user)
        return response


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.html"
