"""Volunteers in the admin: read-mostly. Every change of state goes through
volunteers.services (the desk's pages and the admin actions below call it),
so the admin shows the rows and offers the same decisions."""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import ValidationError

from volunteers import services
from volunteers.models import Application, Inspection, InspectionPhoto, Volunteer


@admin.register(Application)
class ApplicationAdmin(admin.ModelAdmin):
    list_display = ["__str__", "user", "district", "status", "created_at", "decided_at"]
    list_filter = ["status"]
    search_fields = ["user__email", "user__full_name", "motivation"]
    list_select_related = ["user", "district"]
    readonly_fields = [f.name for f in Application._meta.fields]
    actions = ["approve"]

    def has_add_permission(self, request):
        return False

    @admin.action(description="Одобрить выбранные заявки")
    def approve(self, request, queryset):
        done = 0
        for application in queryset.filter(status=Application.Status.PENDING):
            try:
                services.decide_application(request.user, application.pk, approve=True)
                done += 1
            except ValidationError as exc:
                self.message_user(request, f"{application}: {exc.messages[0]}", messages.ERROR)
        self.message_user(request, f"Одобрено заявок: {done}.")


@admin.register(Volunteer)
class VolunteerAdmin(admin.ModelAdmin):
    list_display = ["user", "status", "approved_at", "lapsed_count", "suspended_at"]
    list_filter = ["status"]
    search_fields = ["user__email", "user__full_name"]
    list_select_related = ["user"]
    readonly_fields = [f.name for f in Volunteer._meta.fields]

    def has_add_permission(self, request):
        return False


class InspectionPhotoInline(admin.TabularInline):
    model = InspectionPhoto
    extra = 0
    can_delete = False
    readonly_fields = ["photo", "distance_m", "is_far"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Inspection)
class InspectionAdmin(admin.ModelAdmin):
    list_display = [
        "__str__",
        "report",
        "source",
        "status",
        "verdict",
        "volunteer",
        "far_photos",
        "created_at",
    ]
    list_filter = ["status", "source", "verdict"]
    search_fields = ["=report__id", "volunteer__email", "note", "comment"]
    list_select_related = ["report", "volunteer"]
    raw_id_fields = ["report", "answer", "volunteer", "ordered_by", "reviewed_by"]
    readonly_fields = [f.name for f in Inspection._meta.fields]
    inlines = [InspectionPhotoInline]
    actions = ["release_expired"]

    def has_add_permission(self, request):
        return False

    @admin.action(description="Вернуть просроченные проверки в общий список")
    def release_expired(self, request, queryset):
        self.message_user(request, f"Возвращено в общий список: {services.release_expired()}.")
