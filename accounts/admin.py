from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from accounts import services
from accounts.forms import UserAdminChangeForm, UserAdminCreationForm
from accounts.models import User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    """Django's user admin, keyed on the e-mail login and showing the role and
    the organization a user acts for."""

    form = UserAdminChangeForm
    add_form = UserAdminCreationForm

    list_display = ("email", "full_name", "role", "organization", "email_confirmed", "is_active")
    list_filter = ("role", "email_confirmed", "is_active", "is_staff", "is_superuser")
    search_fields = ("email", "full_name", "phone")
    ordering = ("email",)
    list_select_related = ("organization",)
    autocomplete_fields = ["organization"]
    readonly_fields = ("last_login", "date_joined")
    filter_horizontal = ("groups", "user_permissions")
    actions = ["confirm_email"]

    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Личные данные", {"fields": ("full_name", "phone")}),
        ("Роль", {"fields": ("role", "organization")}),
        (
            "Доступ",
            {
                "fields": (
                    "email_confirmed",
                    "is_active",
                    "is_staff",
                    "is_superuser",
                    "groups",
                    "user_permissions",
                )
            },
        ),
        (
            "Уведомления",
            {
                "fields": (
                    "notify_email_status",
                    "notify_email_answers",
                    "notify_email_work",
                    "notify_email_news",
                )
            },
        ),
        ("Даты", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": (
                    "email",
                    "full_name",
                    "phone",
                    "role",
                    "organization",
                    "email_confirmed",
                    "usable_password",
                    "password1",
                    "password2",
                ),
            },
        ),
    )

    @admin.action(description="Подтвердить e-mail выбранных пользователей")
    def confirm_email(self, request, queryset):
        changed = sum(services.mark_email_confirmed(user) for user in queryset.filter(email_confirmed=False))
        self.message_user(request, f"Подтверждено адресов: {changed}.", messages.SUCCESS)
