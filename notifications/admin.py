from django.contrib import admin

from notifications.models import Notification


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["title", "user", "category", "kind", "created_at", "read_at", "email_due", "emailed_at"]
    list_filter = ["category", "kind", "email_due"]
    search_fields = ["title", "user__email"]
    date_hierarchy = "created_at"
    raw_id_fields = ["user", "report", "event"]
    list_select_related = ["user"]
    # Notices are made from events; the admin looks, it does not write them.
    readonly_fields = [f.name for f in Notification._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False
